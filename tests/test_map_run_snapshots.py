"""Snapshot of the Map Run screen for the demo's Distributed Map (ProcessOrderBatch,
demo-batch-1: 300 orders, 12 invalid), every date and child name pinned.
`pytest --snapshot-update` after an intended change of the UI."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_tui.local.scene_map_runs import pin_map_runs
from sfn_tui.tui.screens.map_run import PAGE_SIZE, MapRunScreen
from tests.pilot_helpers import wait_for, wait_shown
from tests.scenes import SIZE, prepare_demo, scene_app, sfn_client

MAP_RUN_REGION = "eusc-de-east-1"  # no other test uses it (ARNs read arn:aws-eusc:…)


@pytest.fixture(scope="module")
def demo(engine: str) -> tuple[str, str, str]:
    prepare_demo(engine, MAP_RUN_REGION)
    pin_map_runs(MAP_RUN_REGION)
    sfn = sfn_client(engine, MAP_RUN_REGION)
    runs = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    (execution,) = sfn.list_executions(stateMachineArn=runs["ProcessOrderBatch"])["executions"]
    (map_run,) = sfn.list_map_runs(executionArn=execution["executionArn"])["mapRuns"]
    return engine, execution["executionArn"], map_run["mapRunArn"]


def test_map_run_screen(demo: tuple[str, str, str], snap_compare: Any) -> None:
    """The Map Run 'orders' of demo-batch-1: SUCCEEDED, max concurrency 50, 10%
    tolerated; items and child executions as bars (288 succeeded, 12 failed of 300)
    with the figures; its first page of child executions, newest first."""
    endpoint, execution_arn, map_run_arn = demo

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        screen = MapRunScreen(map_run_arn, execution_arn)
        await app.push_screen(screen)
        await wait_for(
            pilot,
            lambda: (
                screen.detail is not None
                and screen.child_table.row_count == PAGE_SIZE
                and not screen._busy
            ),
            what="the Map Run and its first page, nothing more on its way",
        )
        await wait_shown(pilot, f"{PAGE_SIZE} shown", "00000000-0000-0000-0000-00000000012c")
        # the footer offers Update Map Run once the Map Run is described: wait for it
        # to be drawn, not for the frame after (a full run caught the footer without it)
        await wait_shown(pilot, "Update Map Run")
        await pilot.pause()
        app.clear_notifications()

    assert snap_compare(
        scene_app(endpoint, MAP_RUN_REGION), terminal_size=SIZE, run_before=run_before
    )
