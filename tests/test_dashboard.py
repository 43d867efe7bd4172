"""The dashboard against the real local engine: panes filled, live status changes,
failures shown, recovery after the endpoint restarts."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.local.engine import LocalEngine
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.main import MainScreen
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
WAIT_ONE = {
    "StartAt": "Hold",
    "States": {"Hold": {"Type": "Wait", "Seconds": 1, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}
FAIL = {
    "StartAt": "Charge",
    "States": {"Charge": {"Type": "Fail", "Error": "Card.Declined", "Cause": "Insufficient funds"}},
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def sfn_client(endpoint: str, region: str = REGION) -> Any:
    return boto_client("stepfunctions", endpoint, region)


@pytest.fixture
def sfn(engine: str) -> Any:
    return sfn_client(engine)


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


def create_machine(sfn: Any, definition: dict[str, Any], prefix: str = "dash") -> str:
    name = unique(prefix)
    return str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def status_of(dashboard: MainScreen, execution_arn: str) -> str:
    table = dashboard.executions
    if execution_arn not in table.items:
        return ""
    return str(table.get_cell(execution_arn, "status"))


async def select_machine(pilot: Any, dashboard: MainScreen, arn: str) -> None:
    """Move the cursor to the machine the way a user would: arrow keys."""
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    await pilot.press("home")
    target = dashboard.machines.get_row_index(arn)
    for _ in range(target):
        await pilot.press("down")
    await wait_for(
        pilot,
        lambda: dashboard.watched is not None and dashboard.watched.arn == arn,
        what="machine watched",
    )


async def test_panes_list_what_the_engine_holds(engine: str, sfn: Any) -> None:
    machine_arn = create_machine(sfn, WAIT_ONE)
    machine_name = machine_arn.rsplit(":", 1)[1]
    activity_name = unique("dash-activity")
    sfn.create_activity(name=activity_name)
    app = make_app(engine)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(
            pilot,
            lambda: machine_name in screen_text(app) and activity_name in screen_text(app),
            what="machine and activity on screen",
        )
        listed = {m.name for m in dashboard.machines.items.values()}
        expected = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
        assert expected <= listed
        assert activity_name in {a.name for a in dashboard.activities.items.values()}
        await wait_shown(pilot, f"endpoint {engine}")


async def test_outside_execution_appears_and_succeeds_without_a_key(engine: str, sfn: Any) -> None:
    machine_arn = create_machine(sfn, WAIT_ONE)
    app = make_app(engine)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await select_machine(pilot, dashboard, machine_arn)
        run_name = unique("outside")
        execution_arn = sfn.start_execution(stateMachineArn=machine_arn, name=run_name)[
            "executionArn"
        ]
        await wait_for(
            pilot, lambda: "RUNNING" in status_of(dashboard, execution_arn), what="RUNNING shown"
        )
        # The row is in the table; the frame that draws it follows.
        await wait_for(pilot, lambda: run_name in screen_text(app), what="the run on screen")
        await wait_for(
            pilot,
            lambda: "SUCCEEDED" in status_of(dashboard, execution_arn),
            what="SUCCEEDED shown without a key press",
        )
        assert sfn.describe_execution(executionArn=execution_arn)["status"] == "SUCCEEDED"
        await wait_for(pilot, lambda: "✔ SUCCEEDED" in screen_text(app), what="drawn")


async def test_failed_execution_shows_failed(engine: str, sfn: Any) -> None:
    machine_arn = create_machine(sfn, FAIL, prefix="dash-fail")
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, name=unique("boom"))[
        "executionArn"
    ]
    app = make_app(engine)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await select_machine(pilot, dashboard, machine_arn)
        await wait_for(
            pilot, lambda: "FAILED" in status_of(dashboard, execution_arn), what="FAILED shown"
        )
        await wait_for(pilot, lambda: "✖ FAILED" in screen_text(app), what="drawn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def restartable_endpoint(engine: str) -> Iterator[tuple[int, str]]:
    """A second endpoint on a fixed port that a test can stop and start again."""
    port = free_port()
    yield port, f"http://127.0.0.1:{port}"


async def test_refresh_recovers_after_the_endpoint_restarts(
    restartable_endpoint: tuple[int, str], sfn: Any
) -> None:
    port, url = restartable_endpoint
    first = LocalEngine(port=port)
    first.start()
    second: LocalEngine | None = None
    try:
        machine_arn = create_machine(sfn_client(url), WAIT_ONE, prefix="dash-restart")
        app = make_app(url)
        async with app.run_test(size=(140, 40)) as pilot:
            dashboard = app.dashboard
            await select_machine(pilot, dashboard, machine_arn)
            first.stop()
            await wait_for(
                pilot, lambda: "disconnected since" in screen_text(app), what="failure shown"
            )
            second = LocalEngine(port=port)
            second.start()
            run_name = unique("after-restart")
            execution_arn = sfn_client(url).start_execution(
                stateMachineArn=machine_arn, name=run_name
            )["executionArn"]
            await wait_for(
                pilot,
                lambda: "SUCCEEDED" in status_of(dashboard, execution_arn),
                timeout=40,
                what="polling resumed after restart",
            )
            await wait_shown(pilot, absent=("disconnected since",))
    finally:
        first.stop()
        if second is not None:
            second.stop()


async def test_help_lists_the_keys_that_work_here(engine: str) -> None:
    app = make_app(engine)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "sfn-tui — keys" in screen_text(app), what="help shown")
        text = screen_text(app)
        for words in ("Everywhere", "Dashboard", "Quit", "Refresh", "Filter", "Copy ARN"):
            assert words in text
        assert "New ChatSFN run" in text  # the long name; the footer's label is short
        await pilot.press("escape")
        await wait_for(pilot, lambda: "sfn-tui — keys" not in screen_text(app), what="closed")


async def test_the_footer_fits_every_key_in_140_columns(engine: str, sfn: Any) -> None:
    """At the reference terminal size the footer shows every key of the busiest pane (the
    executions pane on a running run: Stop appears) without cutting the last one."""
    hold = {
        "StartAt": "Hold",
        "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    machine_arn = create_machine(sfn, hold, prefix="footer")
    app = make_app(engine)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine_arn in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        while getattr(dashboard.machines.selected, "arn", None) != machine_arn:
            await pilot.press("down")
        await pilot.press("enter")
        run = sfn.start_execution(stateMachineArn=machine_arn, name=unique("footer"))
        await wait_for(
            pilot, lambda: run["executionArn"] in dashboard.executions.items, what="run listed"
        )
        dashboard.executions.focus()
        text = await wait_shown(pilot, "x Stop")
        footer = text.splitlines()[-1]
        for key in (
            "⏎ Details",
            "s Start",
            "f Status",
            "y Copy ARN",
            "q Quit",
            "n New ChatSFN run",
        ):
            assert key in footer, (key, footer)
        # The run ends elsewhere: the poll brings its new status, and the keys that
        # depend on it follow without a key pressed (Stop goes, Redrive comes).
        sfn.stop_execution(executionArn=run["executionArn"])
        await wait_for(
            pilot, lambda: "ABORTED" in status_of(dashboard, run["executionArn"]), what="ended"
        )
        text = await wait_shown(pilot, "R Redrive", absent=("x Stop",))
        assert "x Stop" not in text.splitlines()[-1]
