"""JSONata states: QueryLanguage, {% %} expressions in every field that takes them,
$states, the functions Step Functions adds, and how a failed expression fails the run."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code, error_message

JSONATA_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html"
STATES_DOC = JSONATA_DOC + "#transforming-data-states-reserved-variable"
FUNCTIONS_DOC = JSONATA_DOC + "#jsonata-functions-provided-by-sfn"
QUERY_LANGUAGE_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/"
    "statemachine-structure.html#statemachinestructure-querylanguage"
)
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
HISTORY_DOC = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_EvaluationFailedEventDetails.html"


def jsonata(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def output_of(conf: Conformance, expression: str, payload: Any = None) -> Any:
    """The output of a one-state JSONata machine whose Output is this expression."""
    run = conf.run(
        jsonata({"P": {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True}}),
        payload if payload is not None else {"name": "Ada", "n": 2},
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    return run.output["v"]


def test_top_level_jsonata_reads_states_input(conf: Conformance) -> None:
    # QUERY_LANGUAGE_DOC: "QueryLanguage": "JSONata" at the top level applies to every state;
    # STATES_DOC: $states.input is the state's input.
    assert output_of(conf, "'Hello, ' & $states.input.name & '!'") == "Hello, Ada!"


def test_one_state_may_use_jsonata_in_a_jsonpath_machine(conf: Conformance) -> None:
    # QUERY_LANGUAGE_DOC: a state's own QueryLanguage overrides the machine's (JSONPath).
    run = conf.run(
        {
            "StartAt": "Path",
            "States": {
                "Path": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Ata"},
                "Ata": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% $states.input.n * 10 %}",
                    "End": True,
                },
            },
        },
        {"n": 4},
    )
    assert (run.status, run.output) == ("SUCCEEDED", 40)


def test_arguments_and_result_in_a_parallel_state(conf: Conformance) -> None:
    # JSONATA_DOC: Arguments is the input of the branches; $states.result is the state's
    # result (a Parallel state's: the branch outputs), usable in Output.
    run = conf.run(
        jsonata(
            {
                "Par": {
                    "Type": "Parallel",
                    "Arguments": {"x": "{% $states.input.n + 1 %}"},
                    "Branches": [
                        {
                            "StartAt": "B",
                            "States": {
                                "B": {
                                    "Type": "Pass",
                                    "Output": "{% $states.input.x %}",
                                    "End": True,
                                }
                            },
                        }
                    ],
                    "Output": {"sum": "{% $sum($states.result) %}"},
                    "End": True,
                }
            }
        ),
        {"n": 2},
    )
    assert (run.status, run.output) == ("SUCCEEDED", {"sum": 3})


def test_condition_chooses_the_branch(conf: Conformance) -> None:
    # JSONATA_DOC: a Choice rule's Condition is a JSONata expression that returns a boolean.
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Output": "big", "End": True},
            "Small": {"Type": "Pass", "Output": "small", "End": True},
        }
    )
    assert conf.run(definition, {"n": 2}).output == "big"
    assert conf.run(definition, {"n": 0}).output == "small"


def test_items_of_a_map_state(conf: Conformance) -> None:
    # JSONATA_DOC: a Map state's Items is a JSON array or a JSONata expression that
    # returns one; each iteration's input is its item.
    run = conf.run(
        jsonata(
            {
                "M": {
                    "Type": "Map",
                    "Items": "{% $states.input.words %}",
                    "ItemProcessor": {
                        "StartAt": "Up",
                        "States": {
                            "Up": {
                                "Type": "Pass",
                                "Output": "{% $uppercase($states.input) %}",
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            }
        ),
        {"words": ["a", "b"]},
    )
    assert (run.status, run.output) == ("SUCCEEDED", ["A", "B"])


def test_wait_seconds_and_timestamp_expressions(conf: Conformance) -> None:
    # JSONATA_DOC: Wait's Seconds and Timestamp take JSONata expressions.
    run = conf.run(
        jsonata(
            {
                "S": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "T"},
                "T": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True},
            }
        ),
        {"s": 0, "at": "2020-01-01T00:00:00Z"},
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)


def test_timeout_seconds_expression(conf: Conformance) -> None:
    # JSONATA_DOC: TimeoutSeconds (and HeartbeatSeconds) take JSONata expressions; a task
    # that outlives TimeoutSeconds fails with States.Timeout (ERRORS_DOC).
    activity = conf.activity()
    run = conf.run(
        jsonata(
            {
                "T": {
                    "Type": "Task",
                    "Resource": activity,
                    "TimeoutSeconds": "{% $states.input.t %}",
                    "HeartbeatSeconds": "{% $states.input.t %}",
                    "End": True,
                }
            }
        ),
        {"t": 1},
    )
    assert (run.status, run.error) == ("FAILED", "States.Timeout")


def test_fail_error_and_cause_expressions(conf: Conformance) -> None:
    # JSONATA_DOC: a Fail state's Error and Cause take JSONata expressions.
    run = conf.run(
        jsonata(
            {
                "F": {
                    "Type": "Fail",
                    "Error": "{% 'Order.' & $states.input.kind %}",
                    "Cause": "{% 'order ' & $string($states.input.id) & ' refused' %}",
                }
            }
        ),
        {"kind": "Refused", "id": 7},
    )
    assert (run.status, run.error, run.cause) == ("FAILED", "Order.Refused", "order 7 refused")


def test_error_output_in_catch_and_context(conf: Conformance) -> None:
    # STATES_DOC: $states.errorOutput is the error in a Catch's Output;
    # $states.context is the Context object.
    run = conf.run(
        jsonata(
            {
                "Guard": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}},
                        }
                    ],
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Output": {
                                "error": "{% $states.errorOutput.Error %}",
                                "cause": "{% $states.errorOutput.Cause %}",
                                "state": "{% $states.context.State.Name %}",
                            },
                            "Next": "Done",
                        }
                    ],
                    "End": True,
                },
                "Done": {"Type": "Succeed"},
            }
        )
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.output == {"error": "Boom", "cause": "why", "state": "Guard"}


def test_step_functions_functions(conf: Conformance) -> None:
    # FUNCTIONS_DOC: $partition, $range, $hash, $random (optionally seeded), $uuid, $parse.
    found = output_of(
        conf,
        "{'partition': $partition([1,2,3,4,5], 2), 'range': $range(0, 10, 5),"
        " 'hash': $hash('input data', 'SHA-256'), 'random': $random(),"
        " 'seeded': [$random(42), $random(42)], 'uuid': $uuid(),"
        " 'parse': $parse('{\"a\": [1, true]}')}",
    )
    assert found["partition"] == [[1, 2], [3, 4], [5]]
    assert found["range"] == [0, 5, 10]
    assert found["hash"] == hashlib.sha256(b"input data").hexdigest()
    assert 0 <= found["random"] < 1
    assert found["seeded"][0] == found["seeded"][1]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", found["uuid"]
    )
    assert found["parse"] == {"a": [1, True]}


def evaluation_failure(run: Any) -> dict[str, Any]:
    events = [e for e in run.history() if e["type"] == "EvaluationFailed"]
    assert len(events) == 1, [e["type"] for e in run.history()]
    return dict(events[0]["evaluationFailedEventDetails"])


def test_undefined_result_fails_with_query_evaluation_error(conf: Conformance) -> None:
    # ERRORS_DOC: States.QueryEvaluationError; HISTORY_DOC: an EvaluationFailed event
    # names the state and the field (its location). AWS's cause, word for word.
    run = conf.run(
        jsonata({"S": {"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": True}})
    )
    cause = (
        "An error occurred while executing the state 'S' (entered at the event id #2). The "
        "JSONata expression '$doesNotExist' specified for the field 'Output/result' returned "
        "nothing (undefined)."
    )
    assert (run.status, run.error, run.cause) == ("FAILED", "States.QueryEvaluationError", cause)
    assert evaluation_failure(run) == {
        "error": "States.QueryEvaluationError",
        "cause": cause,
        "location": "Output/result",
        "state": "S",
    }
    assert run.types()[-2:] == ["EvaluationFailed", "ExecutionFailed"]


def test_expression_that_throws_fails_with_its_jsonata_error(conf: Conformance) -> None:
    # ERRORS_DOC: an expression that throws fails the state with States.QueryEvaluationError;
    # the cause carries JSONata's error code and message.
    run = conf.run(
        jsonata({"S": {"Type": "Pass", "Assign": {"x": "{% $states.input.n + 1 %}"}, "End": True}}),
        {"n": "two"},
    )
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError")
    prefix = (
        "An error occurred while executing the state 'S' (entered at the event id #2). The "
        "JSONata expression '$states.input.n + 1' specified for the field 'Assign/x' threw an "
        "error during evaluation. T2001: "
    )
    assert run.cause is not None and run.cause.startswith(prefix), run.cause
    assert evaluation_failure(run)["location"] == "Assign/x"


@pytest.mark.parametrize(
    ("expression", "code"),
    [("$number('seven')", "D3030"), ("$states.input.n / 0", "D1001")],
)
def test_function_errors_are_jsonata_errors(conf: Conformance, expression: str, code: str) -> None:
    # ERRORS_DOC: an expression that throws fails the state with States.QueryEvaluationError
    # and JSONata's code (jsonata-js: $number of a non-numeric string is D3030, a division
    # by zero gives Infinity, D1001 "Number out of range"), never States.Runtime.
    run = conf.run(
        jsonata({"S": {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True}}),
        {"n": 4},
    )
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError"), run.cause
    assert run.cause is not None and f"threw an error during evaluation. {code}: " in run.cause
    assert "Python" not in run.cause and "ValueError" not in run.cause


@pytest.mark.parametrize(("items", "kind"), [("'string'", "string"), ("{'a': 1}", "object")])
def test_items_that_are_not_an_array(conf: Conformance, items: str, kind: str) -> None:
    # JSONATA_DOC: Items must evaluate to an array; otherwise States.QueryEvaluationError.
    run = conf.run(
        jsonata(
            {
                "M": {
                    "Type": "Map",
                    "Items": "{% " + items + " %}",
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            }
        )
    )
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError")
    assert f"Expected 'array', but was '{kind}'" in (run.cause or ""), run.cause


VALIDATE_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/"
    "API_ValidateStateMachineDefinition.html"
)


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("1 +", "INVALID_JSONATA_EXPRESSION"),
        ("a[1,2)", "INVALID_JSONATA_EXPRESSION"),
        ("phone.number", "UNSUPPORTED_JSONATA_EXPRESSION"),
    ],
)
def test_validation_names_the_expression_and_its_field(
    conf: Conformance, expression: str, code: str
) -> None:
    # VALIDATE_DOC: diagnostics carry a code and the location of the problem; AWS parses
    # every JSONata expression when a definition is validated or created (JSONATA_DOC:
    # JSONata states have no context: data comes from $states and variables).
    definition = jsonata(
        {
            "E": {
                "Type": "Pass",
                "Output": {"ok": "{% $states.input %}", "v": "{% " + expression + " %}"},
                "End": True,
            }
        }
    )
    out = conf.sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert out["result"] == "FAIL"
    assert [(d["code"], d["location"]) for d in out["diagnostics"]] == [
        (code, "/States/E/Output/v")
    ]
    if code == "UNSUPPORTED_JSONATA_EXPRESSION":
        assert out["diagnostics"][0]["message"] == (
            "Reference to 'phone' at the top level is not supported."
        )
    with pytest.raises(ClientError) as refused:
        conf.machine(definition)
    assert error_code(refused) == "InvalidDefinition"
    assert f"{code}: " in error_message(refused) and "/States/E/Output/v" in error_message(refused)


def test_valid_jsonata_definition_validates_ok(conf: Conformance) -> None:
    # VALIDATE_DOC: result OK for a definition CreateStateMachine accepts.
    definition = jsonata(
        {
            "E": {
                "Type": "Pass",
                "Output": {
                    "a": "{% $states.input.items[price > 1].name %}",
                    "b": "{% $map($states.input.items, function($i){ $i.price * 2 }) %}",
                },
                "End": True,
            }
        }
    )
    out = conf.sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert (out["result"], out["diagnostics"]) == ("OK", [])


LAMBDA_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html"
DOUBLE = """
def handler(event, context):
    return {"doubled": event["n"] * 2}
"""


def test_lambda_task_with_arguments_and_result(conf: Conformance) -> None:
    # LAMBDA_DOC (JSONata): Arguments carries FunctionName and Payload; the Task's result
    # ($states.result) holds the function's answer in Payload; Assign keeps it.
    function = conf.function(DOUBLE)
    run = conf.run(
        jsonata(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {
                        "FunctionName": function,
                        "Payload": {"n": "{% $states.input.n %}"},
                    },
                    "Assign": {"doubled": "{% $states.result.Payload.doubled %}"},
                    "Output": "{% $states.result.Payload %}",
                    "Next": "Use",
                },
                "Use": {"Type": "Pass", "Output": {"again": "{% $doubled %}"}, "End": True},
            }
        ),
        {"n": 21},
        timeout=60,
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.output == {"again": 42}


def test_a_refused_definition_leaves_no_language_behind(conf: Conformance) -> None:
    # QUERY_LANGUAGE_DOC: each definition's language is its own. A JSONata machine refused
    # half-way through (a JSONPath field in a JSONata state) must not change how the next
    # definitions are read: a JSONPath machine with Parameters is still accepted and runs.
    refused = jsonata(
        {
            "A": {"Type": "Pass", "Output": "{% 1 %}", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True},
        }
    )
    with pytest.raises(ClientError) as error:
        conf.machine(refused)
    assert error_code(error) == "InvalidDefinition"
    run = conf.run(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}},
        },
        {"x": 1},
    )
    assert (run.status, run.output) == ("SUCCEEDED", {"x": 1})
