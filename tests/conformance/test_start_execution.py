"""Conformance: the Step Functions integration, a Task that starts another state machine
(request/response, `.sync`, `.sync:2`; `.waitForTaskToken` is in test_callbacks.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance.support import Conformance

SFN_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html"
NESTED_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html"
SYNC_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync"
)
STARTED_BY = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"


def child(conf: Conformance, state: dict[str, Any]) -> str:
    return conf.machine({"StartAt": "Only", "States": {"Only": {**state, "End": True}}})


def parent(conf: Conformance, resource: str, parameters: dict[str, Any]) -> str:
    task = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::states:{resource}",
        "Parameters": parameters,
        "End": True,
    }
    return conf.machine({"StartAt": "Start", "States": {"Start": task}})


def test_start_execution_starts_the_child(conf: Conformance) -> None:
    # SFN_DOC: startExecution starts a run of the other machine with Input and Name; the
    # result is StartExecution's response (ExecutionArn, StartDate). NESTED_DOC: a parent
    # passes its execution ID as AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID to be
    # associated with the child; the child's input carries it.
    target = child(conf, {"Type": "Pass"})
    machine = parent(
        conf,
        "startExecution",
        {
            "StateMachineArn": target,
            "Name.$": "$.name",
            "Input": {"order.$": "$.order", f"{STARTED_BY}.$": "$$.Execution.Id"},
        },
    )
    name = f"child-{machine[-10:]}"
    run = conf.start(machine, {"order": 7, "name": name})
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED", result.get("cause")
    output = json.loads(result["output"])
    assert {"ExecutionArn", "StartDate"} <= set(output)
    started = output["ExecutionArn"]
    conf.runs.append(started)
    assert started.endswith(f":{name}")
    assert json.loads(conf.describe(started)["input"]) == {"order": 7, STARTED_BY: run}
    assert conf.finished(started)["status"] == "SUCCEEDED"


@pytest.mark.parametrize("resource", ["startExecution.sync", "startExecution.sync:2"])
def test_sync_waits_for_the_child(conf: Conformance, resource: str) -> None:
    # SYNC_DOC, SFN_DOC: `.sync` waits for the child run to end; the result describes it
    # (ExecutionArn, Input, Name, Output, StartDate, StateMachineArn, Status, StopDate)
    # with Input and Output as JSON text; `.sync:2` gives them as JSON values.
    target = child(conf, {"Type": "Pass", "Result": {"Arg1": "argument1"}})
    machine = parent(conf, resource, {"StateMachineArn": target, "Input": {"n.$": "$.n"}})
    run = conf.start(machine, {"n": 1})
    result = conf.finished(run, timeout=15)
    assert result["status"] == "SUCCEEDED", result.get("cause")
    output = json.loads(result["output"])
    assert {
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "Output",
        "OutputDetails",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    } <= set(output)
    assert (output["Status"], output["StateMachineArn"]) == ("SUCCEEDED", target)
    conf.runs.append(output["ExecutionArn"])
    if resource.endswith(":2"):
        assert (output["Input"], output["Output"]) == ({"n": 1}, {"Arg1": "argument1"})
    else:
        assert json.loads(output["Input"]) == {"n": 1}
        assert json.loads(output["Output"]) == {"Arg1": "argument1"}
    assert conf.types(run)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


def test_sync_child_failure_fails_the_task(conf: Conformance) -> None:
    # SYNC_DOC: a child run that fails fails the Task: States.TaskFailed, the cause
    # describing the child run (its Error and Cause, Status FAILED).
    target = child(conf, {"Type": "Fail", "Error": "SomeFailure", "Cause": "it had to fail"})
    run = conf.start(parent(conf, "startExecution.sync", {"StateMachineArn": target}))
    result = conf.finished(run, timeout=15)
    assert (result["status"], result["error"]) == ("FAILED", "States.TaskFailed")
    cause = json.loads(result["cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == (
        "FAILED",
        "SomeFailure",
        "it had to fail",
    )
    conf.runs.append(cause["ExecutionArn"])
    assert conf.types(run)[-2:] == ["TaskFailed", "ExecutionFailed"]
