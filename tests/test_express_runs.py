"""Express runs read from a log group (core/express_runs.py) through the app's client,
against the real engine: pages newest first without gaps or repeats, the time window,
failure-only levels, a machine without logging, one run's history."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Execution
from sfn_tui.core.express_runs import (
    WINDOWS,
    LoggedRun,
    LoggedRuns,
    NoExecutionLog,
)
from tests.helpers import boto_client, wait_until

REGION = "ap-southeast-4"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
HELLO = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "why"}}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


@pytest.fixture
def logs(engine: str) -> Any:
    return boto_client("logs", engine, REGION)


@pytest.fixture
async def client(engine: str) -> AsyncIterator[StepFunctionsClient]:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as opened:
        yield opened


def machine(sfn: Any, logs: Any, definition: dict[str, Any], level: str | None = "ALL") -> str:
    kw: dict[str, Any] = {}
    if level is not None:
        name = f"/aws/vendedlogs/states/{unique('runs')}"
        logs.create_log_group(logGroupName=name)
        arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
        kw["loggingConfiguration"] = {
            "level": level,
            "includeExecutionData": False,
            "destinations": [
                {
                    "cloudWatchLogsLogGroup": {
                        "logGroupArn": arn if arn.endswith(":*") else arn + ":*"
                    }
                }
            ],
        }
    return str(
        sfn.create_state_machine(
            name=unique("runs"),
            definition=json.dumps(definition),
            roleArn=ROLE,
            type="EXPRESS",
            **kw,
        )["stateMachineArn"]
    )


def start(sfn: Any, machine_arn: str, count: int) -> list[str]:
    return [
        sfn.start_execution(stateMachineArn=machine_arn, name=f"run-{i:03d}")["executionArn"]
        for i in range(count)
    ]


async def all_pages(runs: LoggedRuns, machine_arn: str) -> list[list[Execution]]:
    pages: list[list[Execution]] = []
    token: str | None = None
    while True:
        page = await runs.list_executions(machine_arn, next_token=token)
        pages.append(list(page.executions))
        token = page.next_token
        if token is None or len(pages) > 10:
            return pages


async def test_pages_are_newest_first_without_gaps_or_repeats(
    sfn: Any, logs: Any, client: StepFunctionsClient
) -> None:
    arn = machine(sfn, logs, HELLO)
    start(sfn, arn, 230)
    group = runs_group(sfn, arn)
    wait_until(lambda: len(logs.filter_log_events(logGroupName=group)["events"]) >= 230 * 4)
    pages = await all_pages(LoggedRuns(client, client.logs, arn), arn)
    assert [len(p) for p in pages] == [100, 100, 30]
    runs = [e for p in pages for e in p]
    assert sorted(e.name for e in runs) == [f"run-{i:03d}" for i in range(230)]  # each once
    starts = [e.start_date for e in runs]
    assert starts == sorted(starts, reverse=True)  # newest first, across pages
    assert {e.status for e in runs} == {"SUCCEEDED"}


def runs_group(sfn: Any, machine_arn: str) -> str:
    config = sfn.describe_state_machine(stateMachineArn=machine_arn)["loggingConfiguration"]
    return str(config["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]).split(":")[6]


async def test_the_window_bounds_the_runs_listed(
    sfn: Any, logs: Any, client: StepFunctionsClient
) -> None:
    arn = machine(sfn, logs, HELLO)
    start(sfn, arn, 3)
    wait_until(
        lambda: len(logs.filter_log_events(logGroupName=runs_group(sfn, arn))["events"]) >= 12
    )
    later = datetime.now(UTC) + timedelta(hours=4)  # the runs are 4 hours old then
    runs = LoggedRuns(client, client.logs, arn, clock=lambda: later)
    assert (await runs.list_executions(arn)).executions == ()
    runs.set_window(WINDOWS[1][1])  # 24 h
    page = await runs.list_executions(arn)
    assert sorted(e.name for e in page.executions) == ["run-000", "run-001", "run-002"]
    assert page.next_token is None


async def test_error_level_lists_failed_runs_only(
    sfn: Any, logs: Any, client: StepFunctionsClient
) -> None:
    failing = machine(sfn, logs, FAIL, level="ERROR")
    start(sfn, failing, 2)
    group = runs_group(sfn, failing)
    wait_until(lambda: len(logs.filter_log_events(logGroupName=group)["events"]) >= 4)
    runs = LoggedRuns(client, client.logs, failing)
    page = await runs.list_executions(failing)
    assert {e.status for e in page.executions} == {"FAILED"}
    assert len(page.executions) == 2
    assert not any(e.start_known for e in page.executions)  # no ExecutionStarted at ERROR
    assert runs.config is not None and runs.config.failures_only


async def test_a_machine_without_logging_is_not_listed(
    sfn: Any, logs: Any, client: StepFunctionsClient
) -> None:
    arn = machine(sfn, logs, HELLO, level=None)
    with pytest.raises(NoExecutionLog):
        await LoggedRuns(client, client.logs, arn).list_executions(arn)


async def test_one_runs_history_from_its_records(
    sfn: Any, logs: Any, client: StepFunctionsClient
) -> None:
    arn = machine(sfn, logs, FAIL)
    run = start(sfn, arn, 1)[0]
    wait_until(
        lambda: len(logs.filter_log_events(logGroupName=runs_group(sfn, arn))["events"]) >= 3
    )
    logged = LoggedRun(client, client.logs, run)
    detail = await logged.load()
    assert detail.execution.status == "FAILED"
    assert detail.error == "Boom" and detail.cause == "why"
    assert detail.input is None  # includeExecutionData is off
    assert [e.type for e in logged.history()] == [
        "ExecutionStarted",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert [e.id for e in logged.history()] == [1, 2, 3]


async def test_the_poller_takes_not_supported_as_a_fact_about_the_machine(
    engine: str, sfn: Any, logs: Any
) -> None:
    # Watched through the plain client (no log source): ListExecutions answers
    # StateMachineTypeNotSupported once; no failure, no backoff, not asked again each tick.
    from sfn_tui.core.poller import ExecutionsUnavailable, Poller, PollFailed
    from tests.recording_proxy import RecordingProxy

    arn = machine(sfn, logs, HELLO)
    proxy = RecordingProxy(engine)
    await proxy.start()
    try:
        connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
        async with StepFunctionsClient(connection) as client:
            poller = Poller(client, interval=0.1, catalog_interval=60)
            poller.watch(arn)
            seen: list[object] = []
            for _ in range(6):  # six ticks
                seen.extend(await poller._tick())
    finally:
        await proxy.stop()
    unavailable = [u for u in seen if isinstance(u, ExecutionsUnavailable)]
    assert len(unavailable) == 1 and unavailable[0].state_machine_arn == arn
    assert unavailable[0].reason.code == "StateMachineTypeNotSupported"
    assert not [u for u in seen if isinstance(u, PollFailed)]
    assert poller.current_delay == 0.1  # no backoff
    assert len([p for p in proxy.sent("ListExecutions") if p["stateMachineArn"] == arn]) == 1
