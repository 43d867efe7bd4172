"""Snapshots of the dashboard where issue 16's "Readable" part changed it: an empty
executions pane saying why (a status filter with no match) and the pane following the
newest run, at 80x24 and 120x40."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pilot_helpers import wait_shown
from tests.scenes import prepare_demo, scene_app, show_dashboard


@pytest.fixture(scope="module")
def demo(engine: str) -> str:
    prepare_demo(engine)
    return engine


async def running_filter_following(pilot: Any) -> None:
    """WaitThenSucceed's runs filtered on RUNNING (none), following the newest."""
    await show_dashboard(pilot)
    dashboard = pilot.app.dashboard
    dashboard.executions.focus()
    await pilot.press("f", "F")
    await wait_shown(pilot, "No RUNNING executions of", "following newest", flat=True)
    pilot.app.clear_notifications()  # their toasts time out: not part of the picture
    await wait_shown(pilot, "following newest", absent=("Following the newest execution",))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_empty_status_filter_and_follow_newest(
    demo: str, snap_compare: Any, size: tuple[int, int]
) -> None:
    assert snap_compare(scene_app(demo), terminal_size=size, run_before=running_filter_following)
