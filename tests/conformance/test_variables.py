"""Workflow variables: Assign in every state type that takes it, $var references in both
query languages, scopes of Parallel and Map, and assignedVariables in the history."""

from __future__ import annotations

import json
from typing import Any

from tests.conformance.support import Conformance

VARIABLES_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"
SCOPE_DOC = VARIABLES_DOC + "#variable-scope"
EVALUATION_ORDER_DOC = VARIABLES_DOC + "#variable-evaluation"
HISTORY_DOC = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html"


def exited(run: Any) -> list[dict[str, Any]]:
    return [
        e["stateExitedEventDetails"] for e in run.history() if e["type"].endswith("StateExited")
    ]


def test_jsonpath_assign_and_reference(conf: Conformance) -> None:
    # VARIABLES_DOC: Assign stores values (literals, or paths with .$) and a later state
    # references them as $name, here in a JSONPath state's Parameters; a string with a
    # quote survives the trip.
    run = conf.run(
        {
            "StartAt": "Keep",
            "States": {
                "Keep": {
                    "Type": "Pass",
                    "Assign": {"count": 42, "said.$": "$.said", "obj": {"deep": [1, 2]}},
                    "Next": "Use",
                },
                "Use": {
                    "Type": "Pass",
                    "Parameters": {"count.$": "$count", "said.$": "$said", "deep.$": "$obj.deep"},
                    "End": True,
                },
            },
        },
        {"said": 'she said "hi"\n'},
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.output == {"count": 42, "said": 'she said "hi"\n', "deep": [1, 2]}


def test_state_exited_carries_assigned_variables(conf: Conformance) -> None:
    # HISTORY_DOC: StateExited has assignedVariables (each value as JSON text) and
    # assignedVariablesDetails; a state that assigns nothing has neither.
    run = conf.run(
        {
            "StartAt": "Keep",
            "States": {
                "Keep": {"Type": "Pass", "Assign": {"n": 1, "s": 'a"b', "l": [1]}, "Next": "Not"},
                "Not": {"Type": "Pass", "End": True},
            },
        }
    )
    keep, plain = exited(run)
    assert keep["assignedVariables"] == {"n": "1", "s": json.dumps('a"b'), "l": "[1]"}
    assert keep["assignedVariablesDetails"] == {"truncated": False}
    assert "assignedVariables" not in plain and "assignedVariablesDetails" not in plain


def test_assign_in_every_state_type_that_takes_it(conf: Conformance) -> None:
    # VARIABLES_DOC: "The following state types support Assign ...: Pass, Task, Map,
    # Parallel, Choice, Wait". A Choice state's own Assign is used when it takes its
    # Default; a matching rule's Assign otherwise.
    activity = conf.activity()
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Pass",
        "States": {
            "Pass": {"Type": "Pass", "Assign": {"pass": 1}, "Next": "Choice"},
            "Choice": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% false %}", "Assign": {"choice": 0}, "Next": "Wait"}],
                "Assign": {"choice": 2},
                "Default": "Rule",
            },
            "Rule": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% true %}", "Assign": {"rule": 3}, "Next": "Wait"}],
                "Assign": {"rule": 0},
                "Default": "Wait",
            },
            "Wait": {"Type": "Wait", "Seconds": 0, "Assign": {"wait": 4}, "Next": "Map"},
            "Map": {
                "Type": "Map",
                "Items": [1],
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "Assign": {"map": "{% $count($states.result) %}"},
                "Next": "Parallel",
            },
            "Parallel": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                "Assign": {"parallel": 6},
                "Next": "Task",
            },
            "Task": {
                "Type": "Task",
                "Resource": activity,
                "Assign": {"task": "{% $states.result.answer %}"},
                "Output": "{% [$pass, $choice, $rule, $wait, $map, $parallel] %}",
                "Next": "Last",
            },
            "Last": {"Type": "Pass", "Output": "{% $append($states.input, $task) %}", "End": True},
        },
    }
    arn = conf.start(conf.machine(definition))
    task = conf.claim(activity)
    conf.sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"answer": 7}))
    run = conf.finished(arn)
    assert run["status"] == "SUCCEEDED", (run.get("error"), run.get("cause"))
    assert json.loads(run["output"]) == [1, 2, 3, 4, 1, 6, 7]


def test_output_sees_the_values_from_state_entry(conf: Conformance) -> None:
    # EVALUATION_ORDER_DOC: a state's Assign and Output are evaluated with the variables'
    # values on entry: the new values are for the following states.
    run = conf.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "One",
            "States": {
                "One": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Two"},
                "Two": {
                    "Type": "Pass",
                    "Assign": {"x": "{% $x + 1 %}", "y": "{% $x %}"},
                    "Output": {"x": "{% $x %}"},
                    "Next": "Three",
                },
                "Three": {
                    "Type": "Pass",
                    "Output": {"x": "{% $x %}", "y": "{% $y %}"},
                    "End": True,
                },
            },
        }
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert exited(run)[1]["output"] == json.dumps({"x": 1}, separators=(",", ":"))
    assert run.output == {"x": 2, "y": 1}


def inner_states(assign: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Inner",
        "States": {
            "Inner": {"Type": "Pass", "Assign": assign, "Output": "{% $outer %}", "End": True}
        },
    }


def test_map_and_parallel_see_outer_variables(conf: Conformance) -> None:
    # SCOPE_DOC: states in a Map iteration or a Parallel branch read the variables of the
    # scopes around them.
    run = conf.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "Map"},
                "Map": {
                    "Type": "Map",
                    "Items": [1, 2],
                    "ItemProcessor": inner_states({"inner": 1}),
                    "Next": "Par",
                },
                "Par": {
                    "Type": "Parallel",
                    "Arguments": "{% $states.input %}",
                    "Branches": [inner_states({"inner": 2}), inner_states({"inner": 3})],
                    "End": True,
                },
            },
        }
    )
    assert (run.status, run.output) == ("SUCCEEDED", ["o", "o"])


def test_outer_states_do_not_see_inner_variables(conf: Conformance) -> None:
    # SCOPE_DOC: variables assigned inside a Map iteration or Parallel branch are not
    # visible outside it (only its output is): a reference returns nothing.
    run = conf.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Map",
            "States": {
                "Map": {
                    "Type": "Map",
                    "Items": [1],
                    "ItemProcessor": {
                        "StartAt": "Inner",
                        "States": {"Inner": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}},
                    },
                    "Next": "After",
                },
                "After": {"Type": "Pass", "Output": "{% $inner %}", "End": True},
            },
        }
    )
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError")
    assert "The JSONata expression '$inner' specified for the field 'Output' returned nothing" in (
        run.cause or ""
    )


def test_unassigned_variable_in_jsonata_fails_the_run(conf: Conformance) -> None:
    # VARIABLES_DOC / transforming-data.html: a reference to a variable never assigned is
    # undefined, and an undefined result fails the state with States.QueryEvaluationError.
    run = conf.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "S",
            "States": {"S": {"Type": "Pass", "Assign": {"y": "{% $never %}"}, "End": True}},
        }
    )
    assert (run.status, run.error) == ("FAILED", "States.QueryEvaluationError")
    assert "'$never' specified for the field 'Assign/y' returned nothing (undefined)." in (
        run.cause or ""
    )


def test_variables_do_not_leak_between_concurrent_iterations(conf: Conformance) -> None:
    # SCOPE_DOC: each Map iteration has a scope of its own: one iteration's Assign is not
    # seen by another running at the same time.
    run = conf.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Map",
            "States": {
                "Map": {
                    "Type": "Map",
                    "Items": "{% $range(1, 8, 1) %}",
                    "ItemProcessor": {
                        "StartAt": "Keep",
                        "States": {
                            "Keep": {
                                "Type": "Pass",
                                "Assign": {"mine": "{% $states.input %}"},
                                "Next": "Use",
                            },
                            "Use": {"Type": "Pass", "Output": "{% $mine %}", "End": True},
                        },
                    },
                    "End": True,
                }
            },
        }
    )
    assert (run.status, run.output) == ("SUCCEEDED", list(range(1, 9)))
