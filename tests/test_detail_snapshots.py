"""Snapshot tests of the execution detail screen for the demo's failed run (AlwaysFails,
demo-fail-1), with every date pinned: the machines' and runs' dates by `pin_dates`, the
history's event times here (the engine stamps them with the wall clock).
`pytest --snapshot-update` after an intended change of the UI."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_tui.local.scene import DEFAULT_ACCOUNT, pin_history
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.pilot_helpers import wait_for
from tests.scenes import SIZE, prepare_demo, scene_app

DETAIL_REGION = "me-south-1"
FAILED_RUN = f"arn:aws:states:{DETAIL_REGION}:{DEFAULT_ACCOUNT}:execution:AlwaysFails:demo-fail-1"


@pytest.fixture(scope="module")
def demo(engine: str) -> str:
    prepare_demo(engine, DETAIL_REGION)
    pin_history(FAILED_RUN, DETAIL_REGION)
    return engine


async def open_failed_run(pilot: Any, *keys: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
    screen = ExecutionDetailScreen(FAILED_RUN)
    await app.push_screen(screen)
    await wait_for(pilot, lambda: screen.finished, what="loaded")
    if keys:
        await pilot.press(*keys)
    await pilot.pause()
    app.clear_notifications()


def test_failed_run_summary(demo: str, snap_compare: Any) -> None:
    """The summary of demo-fail-1: ✖ FAILED spelled out, name, ARNs, pinned start and
    stop (3 s), the event count with the first failure (#4), the error and cause in a
    red panel, and the input as pretty JSON; the output is none."""

    async def run_before(pilot: Any) -> None:
        await open_failed_run(pilot)

    assert snap_compare(scene_app(demo, DETAIL_REGION), terminal_size=SIZE, run_before=run_before)


def test_failed_run_history_at_first_failure(demo: str, snap_compare: Any) -> None:
    """After f: the History tab, its five events with times since the start (+0.005s
    steps), the two failure rows marked ✖ in red, the cursor on #4 FailStateEntered
    and its details (state PaymentDeclined, its input) below."""

    async def run_before(pilot: Any) -> None:
        await open_failed_run(pilot, "f")

    assert snap_compare(scene_app(demo, DETAIL_REGION), terminal_size=SIZE, run_before=run_before)


def test_failed_run_graph(demo: str, snap_compare: Any) -> None:
    """The Graph tab: the legend, ChargeCard ✔ (green) with an arrow down to
    PaymentDeclined ✖ (red), each box titled with its type."""

    async def run_before(pilot: Any) -> None:
        await open_failed_run(pilot, "4")

    assert snap_compare(scene_app(demo, DETAIL_REGION), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_failed_run_history_at(demo: str, snap_compare: Any, size: tuple[int, int]) -> None:
    """The History tab at 80x24 and 120x40: every column's title on screen, Details
    included (shortened with … where it does not fit), the box below the table holding
    the event's full details in fewer rows at 24 (the table keeps ten)."""

    async def run_before(pilot: Any) -> None:
        await open_failed_run(pilot, "f")

    assert snap_compare(scene_app(demo, DETAIL_REGION), terminal_size=size, run_before=run_before)
