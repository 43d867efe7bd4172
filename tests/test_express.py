"""Express state machines in the app, against the real engine: runs listed from the log
group, no false outage, a machine without logging, synchronous starts, a failed run's
detail from its log records, a real outage still reported, logging set in the form."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.local import express
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen
from tests.fault_proxy import FaultProxy
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_modals import type_into

REGION = "eu-central-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
HELLO = {
    "StartAt": "Greet",
    "States": {"Greet": {"Type": "Pass", "Parameters": {"greeting.$": "$.who"}, "End": True}},
}
DECLINED = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Pass", "Next": "Declined"},
        "Declined": {"Type": "Fail", "Error": "Card.Declined", "Cause": "insufficient funds"},
    },
}
FAST = ClientSettings(read_timeout=2, connect_timeout=1, long_poll_read_timeout=5, max_attempts=1)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


@pytest.fixture
def logs(engine: str) -> Any:
    return boto_client("logs", engine, REGION)


def sync_client(engine: str) -> Any:
    """StartSyncExecution as the AWS CLI sends it to an endpoint URL (no host prefix)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False),
    )


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


def log_group(logs: Any) -> tuple[str, str]:
    name = f"/aws/vendedlogs/states/{unique('test')}"
    logs.create_log_group(logGroupName=name)
    arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
    return name, arn if arn.endswith(":*") else f"{arn}:*"


def express_machine(
    sfn: Any, definition: dict[str, Any], group_arn: str | None, level: str = "ALL"
) -> str:
    kw: dict[str, Any] = {}
    if group_arn is not None:
        kw["loggingConfiguration"] = {
            "level": level,
            "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
        }
    return str(
        sfn.create_state_machine(
            name=unique("express"),
            definition=json.dumps(definition),
            roleArn=ROLE,
            type="EXPRESS",
            **kw,
        )["stateMachineArn"]
    )


async def select(pilot: Any, app: SfnTuiApp, arn: str) -> None:
    dashboard = app.dashboard
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    await pilot.press("home")
    for _ in range(dashboard.machines.get_row_index(arn)):
        await pilot.press("down")
    await wait_for(
        pilot,
        lambda: dashboard.watched is not None and dashboard.watched.arn == arn,
        what="machine watched",
    )


@pytest.fixture
async def recorder(engine: str) -> AsyncIterator[RecordingProxy]:
    proxy = RecordingProxy(engine)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def test_an_express_machine_lists_its_logged_runs_and_nothing_goes_stale(
    engine: str, sfn: Any, logs: Any, recorder: RecordingProxy
) -> None:
    _, group_arn = log_group(logs)
    machine = express_machine(sfn, HELLO, group_arn)
    runner = sync_client(engine)
    names = [unique("ok") for _ in range(2)]
    for name in names:
        runner.start_sync_execution(stateMachineArn=machine, name=name, input='{"who": "A"}')
    app = make_app(recorder.url)
    async with app.run_test(size=(150, 40)) as pilot:
        await select(pilot, app, machine)
        text = await wait_shown(pilot, *names, "✔ SUCCEEDED", "logged, last 3 h", absent=("stale",))
        assert "RUNNING" not in text
        # A run started now (asynchronously, from outside) appears once it is logged.
        later = unique("async")
        sfn.start_execution(stateMachineArn=machine, name=later, input='{"who": "B"}')
        await wait_shown(pilot, later, absent=("stale",))
        polled = len(recorder.sent("FilterLogEvents"))
        await wait_for(
            pilot,
            lambda: len(recorder.sent("FilterLogEvents")) >= polled + 3,
            what="three more polls of the log group",
        )  # ... and still no outage:
        assert app.poll_failure is None
        assert "stale" not in screen_text(app)
    # Its runs came from CloudWatch Logs: ListExecutions was never asked about it.
    assert not [p for p in recorder.sent("ListExecutions") if p.get("stateMachineArn") == machine]
    assert recorder.sent("FilterLogEvents")


async def test_an_express_machine_without_logging_says_how_to_turn_it_on(
    engine: str, sfn: Any, recorder: RecordingProxy
) -> None:
    machine = express_machine(sfn, HELLO, None)
    app = make_app(recorder.url)
    async with app.run_test(size=(150, 40)) as pilot:
        await select(pilot, app, machine)
        await wait_shown(
            pilot,
            "Express runs are only visible through logging",
            "to turn logging on",
            "aws stepfunctions update-state-machine",
            flat=True,
            absent=("stale",),
        )
        polls = len(recorder.sent("ListStateMachines"))
        await wait_for(
            pilot, lambda: len(recorder.sent("ListStateMachines")) >= polls + 2, what="more polls"
        )
        assert app.poll_failure is None
        assert "stale" not in screen_text(app)
    assert not [p for p in recorder.sent("ListExecutions") if p.get("stateMachineArn") == machine]


async def test_a_synchronous_start_shows_the_output_and_billing(
    engine: str, sfn: Any, logs: Any
) -> None:
    _, group_arn = log_group(logs)
    machine = express_machine(sfn, HELLO, group_arn)
    app = make_app(engine)
    async with app.run_test(size=(150, 44)) as pilot:
        await select(pilot, app, machine)
        await pilot.press("s")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start modal"
        )
        await wait_shown(pilot, "Synchronously", "Ctrl+S runs it and waits")
        name = unique("sync")
        await type_into(pilot, app.screen, "#start-name", name)
        modal = app.screen
        assert isinstance(modal, StartExecutionScreen)
        modal.editor.replace_text('{"who": "Ada"}')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncExecutionScreen), what="sync")
        text = await wait_shown(pilot, "✔ SUCCEEDED", "Billed", "64 MB", '"greeting": "Ada"')
        assert " ms" in text
        await pilot.press("escape")
        # The run is logged: the pane lists it.
        await wait_shown(pilot, name, absent=("stale",))


async def test_a_failed_express_run_shows_its_failure_from_the_logs(
    engine: str, sfn: Any, logs: Any
) -> None:
    group, group_arn = log_group(logs)
    machine = express_machine(sfn, DECLINED, group_arn)
    name = unique("declined")
    sync_client(engine).start_sync_execution(stateMachineArn=machine, name=name, input="{}")
    app = make_app(engine)
    async with app.run_test(size=(150, 44), notifications=True) as pilot:
        await select(pilot, app, machine)
        await wait_shown(pilot, name, "✖ FAILED")
        dashboard = app.dashboard
        dashboard.executions.focus()
        await wait_for(pilot, lambda: dashboard.executions.selected is not None, what="row")
        # Redrive does not apply to Express runs: the footer says so where R would be.
        await wait_shown(pilot, "Redrive n/a")
        await pilot.press("R")
        await wait_shown(pilot, "Express run", "RedriveExecution")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="detail screen"
        )
        await wait_shown(pilot, "✖ FAILED", name, "Card.Declined", "insufficient funds")
        await pilot.press("2")
        await wait_shown(pilot, "FailStateEntered", "ExecutionFailed", group)
        assert "DescribeExecution failed" not in screen_text(app)


async def test_an_outage_with_an_express_machine_selected_is_an_outage(
    engine: str, sfn: Any, logs: Any
) -> None:
    _, group_arn = log_group(logs)
    machine = express_machine(sfn, HELLO, group_arn)
    name = unique("before")
    sync_client(engine).start_sync_execution(stateMachineArn=machine, name=name, input="{}")
    proxy = FaultProxy(engine)
    await proxy.start()
    try:
        connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
        app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, client_settings=FAST)
        async with app.run_test(size=(150, 40)) as pilot:
            await select(pilot, app, machine)
            await wait_shown(pilot, name)
            proxy.fault("FilterLogEvents", "status", status=503)
            await wait_for(pilot, lambda: app.poll_failure is not None, what="the outage seen")
            await wait_shown(pilot, "stale")
            proxy.clear()
            await wait_for(pilot, lambda: app.poll_failure is None, what="recovered")
            await wait_shown(pilot, name, absent=("stale",))
    finally:
        await proxy.stop()


async def test_create_an_express_machine_with_logging(engine: str, sfn: Any, logs: Any) -> None:
    group, group_arn = log_group(logs)
    name = unique("form")
    app = make_app(engine)
    async with app.run_test(size=(150, 44)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.dashboard.machines.focus()
        await pilot.press("a")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StateMachineFormScreen), what="form open"
        )
        form = app.screen
        assert isinstance(form, StateMachineFormScreen)
        await type_into(pilot, app.screen, "#sm-name", name)
        form.query_one("#sm-type").value = "EXPRESS"  # type: ignore[attr-defined]
        form.query_one("#sm-role").display = False
        form.query_one("#sm-role-arn").display = True
        await type_into(pilot, app.screen, "#sm-role-arn", ROLE)
        form.query_one("#lg-level").value = "ALL"  # type: ignore[attr-defined]
        missing = group_arn.replace("/states/", "/states/missing-")
        await type_into(pilot, app.screen, "#lg-group", missing)
        await pilot.press("ctrl+s")
        # The service refuses a log group that does not exist; everything typed stays.
        await wait_shown(pilot, "Log Destination not found", flat=True)
        assert isinstance(app.screen, StateMachineFormScreen)
        assert form.query_one("#sm-name").value == name  # type: ignore[attr-defined]
        form.query_one("#lg-group").value = group_arn[: -len(":*")]  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, StateMachineFormScreen), what="created"
        )
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == name)
    described = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])
    assert described["type"] == "EXPRESS"
    config = described["loggingConfiguration"]
    assert config["level"] == "ALL"
    assert config["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"] == group_arn
    assert group in group_arn


async def test_edit_turns_logging_on_and_the_runs_appear(engine: str, sfn: Any, logs: Any) -> None:
    _, group_arn = log_group(logs)
    machine = express_machine(sfn, HELLO, None)
    app = make_app(engine)
    async with app.run_test(size=(150, 44)) as pilot:
        await select(pilot, app, machine)
        await wait_shown(pilot, "only visible through logging", flat=True)
        await pilot.press("e")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StateMachineFormScreen), what="form open"
        )
        form = app.screen
        assert isinstance(form, StateMachineFormScreen)
        await wait_for(pilot, lambda: form.detail is not None, what="definition loaded")
        form.query_one("#lg-level").value = "ERROR"  # type: ignore[attr-defined]
        await type_into(pilot, app.screen, "#lg-group", group_arn)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, StateMachineFormScreen), what="saved"
        )
        described = sfn.describe_state_machine(stateMachineArn=machine)
        assert described["loggingConfiguration"]["level"] == "ERROR"
        await wait_shown(pilot, "only failed runs are logged", flat=True)


async def test_a_synchronous_start_past_the_express_limit_is_a_timeout(
    engine: str, sfn: Any, logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine's five minutes, shortened: the run ends TIMED_OUT, as AWS ends it.
    monkeypatch.setattr(express, "MAX_SECONDS", 1.0)
    _, group_arn = log_group(logs)
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    machine = express_machine(sfn, waits, group_arn)
    app = make_app(engine)
    async with app.run_test(size=(150, 44)) as pilot:
        await select(pilot, app, machine)
        await pilot.press("s")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start modal"
        )
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "◔ TIMED_OUT", "past the five minutes", flat=True)
