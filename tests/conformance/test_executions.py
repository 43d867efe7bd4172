"""Executions: timeouts, names and idempotency, ListExecutions and GetExecutionHistory
paging and order."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code, unique

STRUCTURE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html"
START_API = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html"
DESCRIBE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html"
)
LIST_API = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html"
HISTORY_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html"
)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}
QUICK = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


def test_execution_timeout_seconds_times_the_run_out(conf: Conformance) -> None:
    # STRUCTURE_DOC: TimeoutSeconds, the maximum time the execution may run; beyond it the
    # run is TIMED_OUT (ExecutionTimedOut). DESCRIBE_API: stopDate is set once it ended.
    run = conf.run(
        {
            "TimeoutSeconds": 1,
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}},
        }
    )
    assert run.status == "TIMED_OUT"
    assert "stopDate" in run.result
    assert run.types() == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    listed = conf.sfn.list_executions(stateMachineArn=run.result["stateMachineArn"])
    assert "stopDate" in listed["executions"][0]


def test_describe_gives_input_details(conf: Conformance) -> None:
    # DESCRIBE_API: inputDetails ("Provides details about execution input or output"):
    # included is true when the input is in the answer; outputDetails likewise.
    run = conf.run(QUICK, {"n": 1})
    assert json.loads(run.result["input"]) == {"n": 1}
    assert run.result["inputDetails"] == {"included": True}
    assert run.result["outputDetails"] == {"included": True}


def test_start_without_a_name_gets_a_uuid(conf: Conformance) -> None:
    # START_API: without a name, Step Functions generates a UUID as the execution name.
    machine = conf.machine(QUICK)
    names = []
    for _ in range(2):
        arn = conf.sfn.start_execution(stateMachineArn=machine)["executionArn"]
        conf.runs.append(arn)
        names.append(conf.describe(arn)["name"])
        assert arn.endswith(":" + names[-1])
    assert all(UUID.match(name) for name in names), names
    assert names[0] != names[1]


def test_same_name_and_input_while_running_is_idempotent(conf: Conformance) -> None:
    # START_API: StartExecution with the same name and input as a running execution
    # succeeds and returns the same response.
    machine = conf.machine(HOLD)
    name = unique("same")
    first = conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":1}')
    conf.runs.append(first["executionArn"])
    again = conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]


def test_same_name_other_input_is_execution_already_exists(conf: Conformance) -> None:
    # START_API: if the input is different, ExecutionAlreadyExists.
    machine = conf.machine(HOLD)
    name = unique("same")
    conf.runs.append(
        conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":1}')[
            "executionArn"
        ]
    )
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":2}')
    assert error_code(excinfo) == "ExecutionAlreadyExists"


def test_same_name_after_the_run_closed_is_execution_already_exists(conf: Conformance) -> None:
    # START_API: if the execution is closed, ExecutionAlreadyExists (the name can be
    # reused 90 days after it closes).
    machine = conf.machine(QUICK)
    name = unique("closed")
    conf.finished(conf.start(machine, {}, name=name))
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    assert error_code(excinfo) == "ExecutionAlreadyExists"


def test_list_executions_pages_newest_first(conf: Conformance) -> None:
    # LIST_API: maxResults bounds a page, nextToken continues; runs are listed newest
    # first; statusFilter keeps one status.
    machine = conf.machine(QUICK)
    started = [conf.start(machine) for _ in range(5)]
    for arn in started:
        conf.finished(arn)
    seen: list[str] = []
    kw: dict[str, Any] = {"stateMachineArn": machine, "maxResults": 2}
    pages = 0
    while True:
        page = conf.sfn.list_executions(**kw)
        assert len(page["executions"]) <= 2
        seen.extend(e["executionArn"] for e in page["executions"])
        pages += 1
        if not page.get("nextToken"):
            break
        kw["nextToken"] = page["nextToken"]
    assert pages == 3
    assert seen == list(reversed(started))
    running = conf.sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")
    assert running["executions"] == []


LONG = {
    "StartAt": "S0",
    "States": {
        **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(5)},
        "S5": {"Type": "Succeed"},
    },
}


def test_get_execution_history_pages(conf: Conformance) -> None:
    # HISTORY_API: maxResults bounds a page (default 100, max 1000), nextToken continues;
    # events are in ascending order, ids numbered from 1.
    run = conf.run(LONG)
    everything = conf.sfn.get_execution_history(executionArn=run.arn)["events"]
    assert len(everything) == 14
    assert [e["id"] for e in everything] == list(range(1, 15))
    first = conf.sfn.get_execution_history(executionArn=run.arn, maxResults=5)
    assert [e["id"] for e in first["events"]] == [1, 2, 3, 4, 5]
    assert first.get("nextToken")
    paged = conf.history(run.arn, maxResults=5)
    assert paged == everything


def test_get_execution_history_reverse_order(conf: Conformance) -> None:
    # HISTORY_API: reverseOrder lists the events in descending order, paging the same way.
    run = conf.run(LONG)
    newest = conf.sfn.get_execution_history(executionArn=run.arn, reverseOrder=True, maxResults=3)
    assert newest["events"][0]["type"] == "ExecutionSucceeded"
    assert [e["id"] for e in newest["events"]] == [14, 13, 12]
    every = conf.history(run.arn, reverseOrder=True, maxResults=4)
    assert [e["id"] for e in every] == list(range(14, 0, -1))


def test_get_execution_history_bad_token_is_invalid_token(conf: Conformance) -> None:
    # HISTORY_API: an invalid (or expired) nextToken is an HTTP 400 InvalidToken.
    run = conf.run(QUICK)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.get_execution_history(executionArn=run.arn, nextToken="not-a-token")
    assert error_code(excinfo) == "InvalidToken"


def test_history_without_execution_data(conf: Conformance) -> None:
    # HISTORY_API: includeExecutionData false leaves out the input and output of events.
    run = conf.run(QUICK, {"secret": 1})
    events = conf.sfn.get_execution_history(executionArn=run.arn, includeExecutionData=False)[
        "events"
    ]
    started = events[0]["executionStartedEventDetails"]
    assert "input" not in started
