"""TestState: one state run with an input (and variables), its output, next state,
error, and the inspection data of DEBUG and TRACE."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code

API_DOC = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html"
GUIDE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html"


def run_state(conf: Conformance, state: dict[str, Any], **kw: Any) -> dict[str, Any]:
    kw.setdefault("roleArn", conf.role_arn)
    out = dict(conf.sfn.test_state(definition=json.dumps(state), **kw))
    out.pop("ResponseMetadata", None)
    return out


PASS = {
    "Type": "Pass",
    "InputPath": "$.order",
    "Parameters": {"id.$": "$.id", "who.$": "$user"},
    "ResultPath": "$.picked",
    "Next": "Ship",
}


def test_debug_shows_each_field_transformation(conf: Conformance) -> None:
    # GUIDE_DOC: DEBUG answers inspectionData: the input, afterInputPath, afterParameters,
    # afterResultPath, and the variables; API_DOC: nextState is the state that follows.
    out = run_state(
        conf,
        PASS,
        input=json.dumps({"order": {"id": 7}}),
        variables=json.dumps({"user": "ada"}),
        inspectionLevel="DEBUG",
    )
    assert (out["status"], out["nextState"]) == ("SUCCEEDED", "Ship")
    # ResultPath places the result into the state's input (before InputPath)
    after = {"order": {"id": 7}, "picked": {"id": 7, "who": "ada"}}
    assert json.loads(out["output"]) == after
    data = out["inspectionData"]
    assert json.loads(data["input"]) == {"order": {"id": 7}}
    assert json.loads(data["afterInputPath"]) == {"id": 7}
    assert json.loads(data["afterParameters"]) == {"id": 7, "who": "ada"}
    assert json.loads(data["afterResultPath"]) == after
    assert json.loads(data["variables"]) == {"user": "ada"}


def test_info_has_no_inspection_data(conf: Conformance) -> None:
    # GUIDE_DOC: INFO (the default) answers the status, output and next state only.
    out = run_state(conf, PASS, input=json.dumps({"order": {"id": 1}}), variables='{"user": 1}')
    assert out["status"] == "SUCCEEDED"
    assert "inspectionData" not in out


def test_jsonata_state_with_variables(conf: Conformance) -> None:
    # API_DOC: variables is the JSON of the variables the state can read; DEBUG's
    # variables show them after the state's Assign.
    out = run_state(
        conf,
        {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Assign": {"seen": "{% $count + 1 %}"},
            "Output": {"total": "{% $states.input.n + $count %}"},
            "End": True,
        },
        input='{"n": 2}',
        variables='{"count": 40}',
        inspectionLevel="DEBUG",
    )
    assert (out["status"], json.loads(out["output"])) == ("SUCCEEDED", {"total": 42})
    assert json.loads(out["inspectionData"]["variables"]) == {"count": 40, "seen": 41}


def test_choice_answers_the_next_state(conf: Conformance) -> None:
    # API_DOC: nextState, for a Choice state the state its matching rule names.
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
        "Default": "Small",
    }
    assert run_state(conf, choice, input='{"n": 5}')["nextState"] == "Big"
    assert run_state(conf, choice, input='{"n": 0}')["nextState"] == "Small"


def test_failures_answer_error_and_cause(conf: Conformance) -> None:
    # API_DOC: status FAILED with the error and cause.
    out = run_state(conf, {"Type": "Fail", "Error": "Order.Refused", "Cause": "no stock"})
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "Order.Refused", "no stock")
    out = run_state(
        conf, {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $nope %}", "End": True}
    )
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")


def test_state_of_a_whole_machine_by_name(conf: Conformance) -> None:
    # API_DOC: with stateName, definition is a whole state machine and that state is run
    # (in the machine's query language).
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% $states.input.v * 2 %}", "Next": "C"},
            "C": {"Type": "Succeed"},
        },
    }
    out = run_state(conf, machine, stateName="B", input='{"v": 21}')
    assert (out["status"], out["output"], out["nextState"]) == ("SUCCEEDED", "42", "C")


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"definition": "{not json"}, "InvalidDefinition"),
        ({"definition": json.dumps(PASS), "input": "{not json"}, "InvalidExecutionInput"),
    ],
)
def test_refusals(conf: Conformance, kw: dict[str, Any], code: str) -> None:
    # API_DOC, Errors: InvalidDefinition, InvalidExecutionInput (HTTP 400).
    with pytest.raises(ClientError) as refused:
        conf.sfn.test_state(roleArn=conf.role_arn, **kw)
    assert error_code(refused) == code


def test_task_of_a_real_service_is_refused_locally(conf: Conformance, engine_only: None) -> None:
    # GUIDE_DOC: TestState calls the Task's real resource; the local engine has no AWS
    # behind it, and says so in AWS's error format (ValidationException, HTTP 400).
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Arguments": {"QueueUrl": "https://sqs.example/q", "MessageBody": "x"},
        "QueryLanguage": "JSONata",
        "End": True,
    }
    with pytest.raises(ClientError) as refused:
        conf.sfn.test_state(definition=json.dumps(state), roleArn=conf.role_arn)
    assert error_code(refused) == "ValidationException"
    assert "local engine" in str(refused.value)


DOUBLE = """
def handler(event, context):
    return {"doubled": event["n"] * 2}
"""


def test_lambda_task_runs_with_its_result_in_debug(conf: Conformance) -> None:
    # GUIDE_DOC: TestState calls the Task's resource (here a Lambda function on the same
    # endpoint); DEBUG's inspectionData has the result and afterResultSelector.
    function = conf.function(DOUBLE)
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
        "ResultSelector": {"doubled.$": "$.Payload.doubled"},
        "End": True,
    }
    out = run_state(conf, state, input='{"n": 4}', inspectionLevel="DEBUG")
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"doubled": 8}
    assert json.loads(out["inspectionData"]["result"])["Payload"] == {"doubled": 8}
    assert json.loads(out["inspectionData"]["afterResultSelector"]) == {"doubled": 8}
