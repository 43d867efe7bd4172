"""ListExecutions of a machine with thousands of runs, whose order and index the engine
keeps between calls (local/execution_index.py): every page is what AWS documents,
"Results are sorted by time, with the most recent execution first"
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html),
with the status filter and pagination, through runs appended older, newer and at the
same time as others, and a run started over the API, between calls."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sfn_tui.local import execution_index
from sfn_tui.local.bulk import FinishedExecution, _backend
from tests.helpers import REGION, wait_until

ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def record(machine: Any, name: str, minute: int, status: str) -> FinishedExecution:
    from moto.stepfunctions.parser.api import ExecutionStatus

    start = T0 + timedelta(minutes=minute)
    arn = machine.arn.replace(":stateMachine:", ":execution:") + ":" + name
    return FinishedExecution(
        name, arn, machine.arn, start, start + timedelta(seconds=7), ExecutionStatus(status)
    )


def listed(sfn: Any, arn: str, page: int, status: str | None = None) -> list[dict[str, Any]]:
    """Every run ListExecutions gives, page after page."""
    kw: dict[str, Any] = {"stateMachineArn": arn, "maxResults": page}
    if status:
        kw["statusFilter"] = status
    runs: list[dict[str, Any]] = []
    while True:
        answer = sfn.list_executions(**kw)
        runs += answer["executions"]
        if not answer.get("nextToken"):
            return runs
        kw["nextToken"] = answer["nextToken"]


def expected(machine: Any, status: str | None = None) -> list[str]:
    """AWS's order, from the runs themselves: newest start first (runs that started
    at the same moment keep the order they were made in, as moto's sort does)."""
    runs = sorted(machine.executions, key=lambda run: run.start_date, reverse=True)
    return [run.name for run in runs if status is None or run.status == status]


def check(sfn: Any, machine: Any) -> None:
    assert [run["name"] for run in listed(sfn, machine.arn, 100)] == expected(machine)
    assert [run["name"] for run in listed(sfn, machine.arn, 1000)] == expected(machine)
    for status in ("FAILED", "SUCCEEDED"):
        names = [run["name"] for run in listed(sfn, machine.arn, 100, status)]
        assert names == expected(machine, status), status


def test_thousands_of_runs_are_listed_newest_first_through_appends_and_starts(
    engine: str, boto_sfn: Any
) -> None:
    backend = _backend(REGION)
    machine = backend.create_state_machine(
        name=f"index-{uuid.uuid4().hex[:8]}", definition=PASS, roleArn=ROLE
    )
    try:
        count = execution_index.MIN_RUNS + 500
        # One a minute, oldest first, with every 97th run started the same minute as the
        # one before it (ties keep the order they were made in).
        minutes = [i - i // 97 - (1 if i % 97 == 0 and i else 0) for i in range(count)]
        machine.executions.extend(
            record(machine, f"run-{i:05d}", minute, STATUSES[i % 4])
            for i, minute in enumerate(minutes)
        )
        check(boto_sfn, machine)

        # Newer runs appended: they come first.
        last = minutes[-1]
        machine.executions.extend(
            record(machine, f"new-{i}", last + 1 + i, STATUSES[i % 4]) for i in range(5)
        )
        check(boto_sfn, machine)

        # Runs appended that started before the newest, one of them at the same minute as
        # a run listed already: each takes its place in the order.
        machine.executions.extend(
            [
                record(machine, "late-middle", 700, "FAILED"),
                record(machine, "late-tie", minutes[-1], "SUCCEEDED"),
                record(machine, "late-oldest", -5, "FAILED"),
            ]
        )
        check(boto_sfn, machine)

        # A run started over the API is the newest; once ended, its item carries its
        # stopDate (execution_describe.py finds the page's runs through the index).
        started = boto_sfn.start_execution(stateMachineArn=machine.arn, name="api-run")
        arn = started["executionArn"]
        wait_until(
            lambda: boto_sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED",
            timeout=30,
            message="the run ends",
        )
        check(boto_sfn, machine)
        first, *rest = listed(boto_sfn, machine.arn, 100)
        assert first["executionArn"] == arn
        assert first["stopDate"] == boto_sfn.describe_execution(executionArn=arn)["stopDate"]
        by_name = {run.name: run for run in machine.executions}
        for item in rest:
            run = by_name[item["name"]]
            assert item["status"] == run.status
            assert item.get("stopDate", run.stop_date) == run.stop_date
    finally:
        # The records are not real runs: other tests in this region walk every run
        # (an unknown task token is looked for in each), so they go with the machine.
        machine.executions[:] = [
            r for r in machine.executions if not isinstance(r, FinishedExecution)
        ]
        boto_sfn.delete_state_machine(stateMachineArn=machine.arn)
