"""Snapshots of the detail's footer (a FAILED run: First failure and Redrive offered, no
Stop) and of the compare view (two orders that took different paths), at 80x24 and
120x40. Runs with fixed names in a region of their own, their dates and history times
pinned here; the app's clock is the scenes' fixed clock.
`pytest --snapshot-update` after an intended change of the UI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.local.scene import DEFAULT_ACCOUNT, pin_history
from sfn_tui.tui import run_mark
from sfn_tui.tui.screens.compare import CompareScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.helpers import wait_until
from tests.pilot_helpers import wait_for
from tests.scenes import scene_app, sfn_client
from tests.test_detail_actions import FAILS, REGION, ROLE, ROUTES

SIZES = [(80, 24), (120, 40)]


def _machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    found = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    return found.get(name) or str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def _run(sfn: Any, machine: str, name: str, payload: Any, start: datetime) -> str:
    """Started once (fixed name), finished, its dates and event times pinned."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    runs = {
        e["name"]: e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=machine)["executions"]
    }
    arn = runs.get(name) or str(
        sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload))[
            "executionArn"
        ]
    )
    wait_until(
        lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
        timeout=30,
        message=f"{name} still running",
    )
    execution: Any = stepfunctions_parser_backends[DEFAULT_ACCOUNT][REGION].describe_execution(
        execution_arn=arn
    )
    execution.start_date = start
    execution.stop_date = start + timedelta(seconds=3)
    pin_history(arn, REGION)
    return arn


@pytest.fixture(scope="module")
def runs(engine: str) -> dict[str, str]:
    sfn = sfn_client(engine, REGION)
    # Recent (in real time), so the failed run is still redrivable: 14 days.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    fails = _machine(sfn, "SnapDeclines", FAILS)
    orders = _machine(sfn, "SnapOrders", ROUTES)
    return {
        "failed": _run(sfn, fails, "snap-declined-1", {"card": "4242"}, start),
        "small": _run(sfn, orders, "order-small", {"amount": 50}, start),
        "big": _run(sfn, orders, "order-big", {"amount": 500}, start + timedelta(minutes=1)),
    }


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_footer_of_a_failed_run(
    engine: str, runs: dict[str, str], snap_compare: Any, size: tuple[int, int]
) -> None:
    """The Graph tab of a FAILED run; the footer: Back, First failure, Filter type,
    Refresh, Redrive (the engine has it, the run is recent), Start again, Copy ARN,
    Export, Mark; no Stop."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(runs["failed"])
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await wait_for(pilot, lambda: screen.check_action("redrive", ()) is True, what="R")
        await pilot.press("4")
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        await pilot.pause()

    assert snap_compare(scene_app(engine, REGION), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_view(
    engine: str, runs: dict[str, str], snap_compare: Any, size: tuple[int, int]
) -> None:
    """order-small (marked) and order-big side by side: status and machine (SnapOrders) the same,
    input and output different (≠, yellow), the path Check ✔ on both, AutoApprove on
    the left only and Review on the right only (≠), Done on both; durations pinned."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        small = ExecutionDetailScreen(runs["small"])
        await app.push_screen(small)
        await wait_for(pilot, lambda: small.detail is not None, what="small loaded")
        await pilot.press("m")
        await pilot.press("escape")
        big = ExecutionDetailScreen(runs["big"])
        await app.push_screen(big)
        await wait_for(pilot, lambda: big.check_action("compare", ()) is True, what="=")
        await pilot.press("equals_sign")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CompareScreen) and app.screen.result is not None,
            what="compared",
        )
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        await pilot.pause()
        app.clear_notifications()
        assert run_mark.marked(app) is not None

    assert snap_compare(scene_app(engine, REGION), terminal_size=size, run_before=run_before)
