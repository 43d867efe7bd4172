"""Parallel, inline Map and Distributed Map: outputs, failures and history."""

from __future__ import annotations

from typing import Any

from tests.conformance.support import Conformance

PARALLEL_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html"
INLINE_MAP_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html"
DISTRIBUTED_MAP_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html"
)
TOLERATED_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html"
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"


def branch(result: Any) -> dict[str, Any]:
    return {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": result, "End": True}}}


def test_parallel_output_is_the_branch_outputs_in_order(conf: Conformance) -> None:
    # PARALLEL_DOC: the output is an array with one element per branch, in branch order.
    run = conf.run(
        {
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": [branch("a"), branch("b")], "End": True}
            },
        }
    )
    assert run.status == "SUCCEEDED"
    assert run.output == ["a", "b"]
    types = run.types()
    assert types[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    assert types.count("PassStateEntered") == 2


def test_parallel_branch_failure_fails_with_the_branch_error(conf: Conformance) -> None:
    # PARALLEL_DOC: if any branch fails, the Parallel state fails (with that error).
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom", "Cause": "c"}}}
    run = conf.run(
        {
            "StartAt": "Both",
            "States": {"Both": {"Type": "Parallel", "Branches": [branch(1), failing], "End": True}},
        }
    )
    assert run.status == "FAILED"
    assert (run.error, run.cause) == ("Custom", "c")
    types = run.types()
    assert "ParallelStateFailed" in types and types[-1] == "ExecutionFailed"


def test_parallel_branch_states_error_keeps_its_name(conf: Conformance) -> None:
    # ERRORS_DOC: a States.* error raised in a branch reaches the Parallel state by name
    # (here States.NoChoiceMatched), where a Catch on that name handles it.
    no_match = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "S"}]},
            "S": {"Type": "Succeed"},
        },
    }
    run = conf.run(
        {
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [no_match],
                    "Catch": [{"ErrorEquals": ["States.NoChoiceMatched"], "Next": "Handled"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        },
        {"x": 1},
    )
    assert run.status == "SUCCEEDED"
    assert run.output["Error"] == "States.NoChoiceMatched"


INLINE = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Double",
                "States": {
                    "Double": {
                        "Type": "Pass",
                        "Parameters": {"i.$": "$.i", "v.$": "States.MathAdd($.v, $.v)"},
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def test_inline_map_runs_each_item(conf: Conformance) -> None:
    # INLINE_MAP_DOC: one iteration per item, ItemSelector with $$.Map.Item, output in
    # item order.
    run = conf.run(INLINE, {"items": [1, 2, 3]})
    assert run.status == "SUCCEEDED"
    assert run.output == [{"i": 0, "v": 2}, {"i": 1, "v": 4}, {"i": 2, "v": 6}]
    types = run.types()
    assert types[:3] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]
    assert types[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert types.count("MapIterationStarted") == 3
    assert types.count("MapIterationSucceeded") == 3


def test_inline_map_iteration_failure_fails_the_map(conf: Conformance) -> None:
    # INLINE_MAP_DOC: an iteration that fails fails the Map state with its error.
    definition: dict[str, Any] = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Boom",
                    "States": {"Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "bad"}},
                },
                "End": True,
            }
        },
    }
    run = conf.run(definition, [1])
    assert run.status == "FAILED"
    assert (run.error, run.cause) == ("Item.Bad", "bad")
    types = run.types()
    assert "MapIterationFailed" in types and "MapStateFailed" in types


def distributed(processor_states: dict[str, Any], **map_fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Work",
                    "States": processor_states,
                },
                **map_fields,
                "End": True,
            }
        },
    }


def test_distributed_map_runs_a_map_run(conf: Conformance) -> None:
    # DISTRIBUTED_MAP_DOC: a Map Run runs the items as child executions; the Map's output
    # is the array of their outputs; ListMapRuns shows the run.
    definition = distributed({"Work": {"Type": "Pass", "End": True}})
    run = conf.run(definition, {"items": [{"n": 1}, {"n": 2}]}, timeout=20)
    assert run.status == "SUCCEEDED"
    assert run.output == [{"n": 1}, {"n": 2}]
    types = run.types()
    assert "MapRunStarted" in types and "MapRunSucceeded" in types
    map_runs = conf.sfn.list_map_runs(executionArn=run.arn)["mapRuns"]
    assert len(map_runs) == 1
    described = conf.sfn.describe_map_run(mapRunArn=map_runs[0]["mapRunArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["itemCounts"]["succeeded"] == 2


def test_distributed_map_tolerated_failure_exceeded(conf: Conformance) -> None:
    # TOLERATED_DOC: more failed items than ToleratedFailureCount fails the Map with
    # States.ExceedToleratedFailureThreshold.
    definition = distributed(
        {"Work": {"Type": "Fail", "Error": "Item.Bad"}}, ToleratedFailureCount=0
    )
    run = conf.run(definition, {"items": [1]}, timeout=20)
    assert run.status == "FAILED"
    assert run.error == "States.ExceedToleratedFailureThreshold"
    assert "MapRunFailed" in run.types()
