"""Distributed Map runs: their child executions, counts and updates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code
from tests.helpers import wait_until

LIST_EXECUTIONS_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html"
)
DESCRIBE_MAP_RUN_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html"
)
UPDATE_MAP_RUN_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html"
)
LIST_MAP_RUNS_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListMapRuns.html"
)
DESCRIBE_EXECUTION_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html"
)
EXAMINE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html"


def distributed(processor_states: dict[str, Any], **map_fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Label": "batch",
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


# Items whose "bad" is true fail with Item.Bad; the others pass through.
CHECKED = {
    "Work": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}],
        "Default": "Good",
    },
    "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "a bad item"},
    "Good": {"Type": "Pass", "End": True},
}
ITEMS = [{"n": n, "bad": n == 3} for n in range(5)]


def finished_map_run(conf: Conformance) -> tuple[str, str, str]:
    """(machine ARN, execution ARN, Map Run ARN) of a finished run over ITEMS (one fails)."""
    machine = conf.machine(distributed(CHECKED, ToleratedFailureCount=1))
    arn = conf.start(machine, {"items": ITEMS})
    assert conf.finished(arn, timeout=20)["status"] == "SUCCEEDED"
    runs = conf.sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert len(runs) == 1
    return machine, arn, runs[0]["mapRunArn"]


def children(conf: Conformance, map_run_arn: str, **kw: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        args = {"mapRunArn": map_run_arn, **kw}
        if token:
            args["nextToken"] = token
        page = conf.sfn.list_executions(**args)
        found.extend(page["executions"])
        token = page.get("nextToken")
        if not token:
            return found


def test_list_executions_by_map_run_lists_its_children(conf: Conformance) -> None:
    # LIST_EXECUTIONS_DOC: with mapRunArn, the child workflow executions started by the
    # Map Run, each with its status, mapRunArn and itemCount. EXAMINE_DOC: a child's ARN
    # is execution:<state machine>/<Map Run label>:<id>, its name the id.
    machine, _, map_run = finished_map_run(conf)
    found = children(conf, map_run)
    assert len(found) == len(ITEMS)
    assert sorted(e["status"] for e in found) == ["FAILED"] + ["SUCCEEDED"] * 4
    prefix = machine.replace(":stateMachine:", ":execution:") + "/batch:"
    for item in found:
        assert item["executionArn"] == prefix + item["name"]
        assert item["mapRunArn"] == map_run
        assert item["itemCount"] == 1
        assert item["stateMachineArn"] == machine + "/batch"
        assert "stopDate" in item


def test_list_executions_by_map_run_filters_and_pages(conf: Conformance) -> None:
    # LIST_EXECUTIONS_DOC: statusFilter keeps the matching children; maxResults pages
    # with nextToken; redriveFilter NOT_REDRIVEN keeps the children never redriven.
    _, _, map_run = finished_map_run(conf)
    failed = children(conf, map_run, statusFilter="FAILED")
    assert [e["status"] for e in failed] == ["FAILED"]
    first = conf.sfn.list_executions(mapRunArn=map_run, maxResults=2)
    assert len(first["executions"]) == 2 and first["nextToken"]
    paged = children(conf, map_run, maxResults=2)
    assert len({e["executionArn"] for e in paged}) == len(ITEMS)
    assert len(children(conf, map_run, redriveFilter="NOT_REDRIVEN")) == len(ITEMS)
    assert children(conf, map_run, redriveFilter="REDRIVEN") == []


def test_list_executions_by_map_run_refuses_a_state_machine_too(conf: Conformance) -> None:
    # LIST_EXECUTIONS_DOC: "You can specify either a mapRunArn or a stateMachineArn, but
    # not both."
    machine, _, map_run = finished_map_run(conf)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.list_executions(mapRunArn=map_run, stateMachineArn=machine)
    assert error_code(excinfo) == "ValidationException"


def test_child_executions_describe_and_have_histories(conf: Conformance) -> None:
    # DESCRIBE_EXECUTION_DOC: a child describes with its input, output or error and the
    # mapRunArn that started it; its history runs from ExecutionStarted to its end.
    _, _, map_run = finished_map_run(conf)
    found = {e["status"]: e for e in children(conf, map_run)}
    good = conf.describe(found["SUCCEEDED"]["executionArn"])
    assert good["mapRunArn"] == map_run
    assert good["status"] == "SUCCEEDED"
    assert json.loads(good["output"]) == json.loads(good["input"])
    bad = conf.describe(found["FAILED"]["executionArn"])
    assert (bad["error"], bad["cause"]) == ("Item.Bad", "a bad item")
    assert json.loads(bad["input"]) == {"n": 3, "bad": True}
    assert bad["redriveStatus"] == "REDRIVABLE_BY_MAP_RUN"
    types = conf.types(found["SUCCEEDED"]["executionArn"])
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "PassStateEntered" in types
    history = conf.history(found["FAILED"]["executionArn"])
    assert history[0]["executionStartedEventDetails"]["input"] == bad["input"]
    assert history[-1]["type"] == "ExecutionFailed"
    assert history[-1]["executionFailedEventDetails"]["error"] == "Item.Bad"
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))


def test_describe_map_run_counts_match_the_children(conf: Conformance) -> None:
    # DESCRIBE_MAP_RUN_DOC: itemCounts and executionCounts count the items and the child
    # executions by status; total is every one of them.
    _, _, map_run = finished_map_run(conf)
    described = conf.sfn.describe_map_run(mapRunArn=map_run)
    for counts in (described["itemCounts"], described["executionCounts"]):
        assert counts["total"] == 5
        assert (counts["succeeded"], counts["failed"]) == (4, 1)
        assert (counts["pending"], counts["running"]) == (0, 0)
        assert (counts["timedOut"], counts["aborted"]) == (0, 0)
        assert counts["resultsWritten"] == 4


def test_describe_map_run_counts_pending_items_while_running(conf: Conformance) -> None:
    # DESCRIBE_MAP_RUN_DOC: itemCounts.pending are the items not started yet, running
    # those in progress; with MaxConcurrency 1 one child runs at a time.
    waiting = {"Work": {"Type": "Wait", "Seconds": 1, "End": True}}
    machine = conf.machine(distributed(waiting, MaxConcurrency=1))
    arn = conf.start(machine, {"items": [1, 2, 3]})

    def running_run() -> dict[str, Any] | None:
        runs = conf.sfn.list_map_runs(executionArn=arn)["mapRuns"]
        if not runs:
            return None
        described = conf.sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
        return described if described["itemCounts"]["running"] == 1 else None

    described = wait_until(running_run, 10 * conf.scale, "no child running")
    items = described["itemCounts"]
    assert items["total"] == 3
    assert items["pending"] + items["running"] + items["succeeded"] == 3
    assert items["pending"] >= 1
    live = [e["status"] for e in children(conf, described["mapRunArn"])]
    assert "RUNNING" in live
    conf.finished(arn, timeout=20)


def test_update_map_run_changes_what_describe_reports(conf: Conformance) -> None:
    # UPDATE_MAP_RUN_DOC: maxConcurrency, toleratedFailureCount and
    # toleratedFailurePercentage of an in-progress Map Run change.
    waiting = {"Work": {"Type": "Wait", "Seconds": 1, "End": True}}
    machine = conf.machine(distributed(waiting, MaxConcurrency=1))
    arn = conf.start(machine, {"items": [1, 2, 3]})
    runs = wait_until(
        lambda: conf.sfn.list_map_runs(executionArn=arn)["mapRuns"], 10 * conf.scale, "no run"
    )
    map_run = runs[0]["mapRunArn"]
    conf.sfn.update_map_run(mapRunArn=map_run, maxConcurrency=2, toleratedFailurePercentage=25.5)
    described = conf.sfn.describe_map_run(mapRunArn=map_run)
    assert described["maxConcurrency"] == 2
    assert described["toleratedFailurePercentage"] == 25.5
    conf.sfn.update_map_run(mapRunArn=map_run, toleratedFailureCount=7)
    assert conf.sfn.describe_map_run(mapRunArn=map_run)["toleratedFailureCount"] == 7
    conf.finished(arn, timeout=20)


def test_update_map_run_refuses_a_percentage_over_100(conf: Conformance) -> None:
    # UPDATE_MAP_RUN_DOC: toleratedFailurePercentage is at most 100 (ValidationException).
    _, _, map_run = finished_map_run(conf)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.update_map_run(mapRunArn=map_run, toleratedFailurePercentage=150)
    assert error_code(excinfo) == "ValidationException"


def test_list_executions_of_an_unknown_map_run_is_not_found(conf: Conformance) -> None:
    # LIST_EXECUTIONS_DOC: ResourceNotFound for a Map Run that does not exist.
    # LIST_MAP_RUNS_DOC: a Map Run ARN is mapRun:<machine>/<label>:<id>.
    _, _, map_run = finished_map_run(conf)
    unknown = map_run.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.list_executions(mapRunArn=unknown)
    assert error_code(excinfo) == "ResourceNotFound"
