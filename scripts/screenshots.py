"""Regenerate screenshots/ from the app itself: each picture is one scene of
tests/scenes.py (the seeded demo on the embedded engine, pinned dates, fixed clock).

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import scenes, scenes_jsonata  # noqa: E402
from tests.pilot_helpers import screen_text, wait_for  # noqa: E402
from tests.test_versions_snapshot import show_versions  # noqa: E402

from sfn_tui.local import activities  # noqa: E402
from sfn_tui.local.engine import LocalEngine  # noqa: E402
from sfn_tui.local.scene import DEFAULT_ACCOUNT, pin_history  # noqa: E402
from sfn_tui.local.scene_map_runs import pin_map_runs  # noqa: E402
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen  # noqa: E402
from sfn_tui.tui.screens.guided_run import GuidedRunScreen  # noqa: E402
from sfn_tui.tui.screens.map_run import PAGE_SIZE, MapRunScreen  # noqa: E402
from sfn_tui.tui.screens.start_execution import StartExecutionScreen  # noqa: E402
from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen  # noqa: E402

OUT = ROOT / "screenshots"


async def guided_run_start(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.inbox is not None, what="connected")
    await pilot.press("n")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, GuidedRunScreen) and "Role ARN" in screen_text(app),
        what="guided run set up",
    )
    await pilot.press(*"Ada")


FAILED_RUN = (
    f"arn:aws:states:{scenes.SCENE_REGION}:{DEFAULT_ACCOUNT}:execution:AlwaysFails:demo-fail-1"
)


def failed_run_detail(*keys: str) -> Callable[[Any], Awaitable[None]]:
    async def scene(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        screen = ExecutionDetailScreen(FAILED_RUN)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press(*keys)
        app.clear_notifications()

    return scene


async def start_execution_modal(pilot: Any) -> None:
    app = pilot.app
    await scenes.show_dashboard(pilot)
    app.dashboard.machines.focus()
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="modal")
    await pilot.press(*"order-A-1002")
    app.clear_notifications()


async def express_run_detail(pilot: Any) -> None:
    """ExpressOrders' failed run, its history read from the log group."""
    app = pilot.app
    await scenes.show_express(pilot)
    dashboard = app.dashboard
    dashboard.executions.focus()
    while getattr(dashboard.executions.selected, "name", "") != "reserve-2":
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ExecutionDetailScreen) and app.screen.finished,
        what="loaded",
    )
    await pilot.press("f")
    app.clear_notifications()


async def express_sync_start(pilot: Any) -> None:
    """A synchronous start of ExpressOrders, answered."""
    app = pilot.app
    await scenes.show_express(pilot)
    app.dashboard.machines.focus()
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="modal")
    await pilot.press(*"reserve-4")
    app.screen.editor.replace_text('{"order": "B-2004", "quantity": 3}')
    await pilot.press("ctrl+s")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, SyncExecutionScreen) and app.screen.result is not None,
        what="answered",
    )
    app.clear_notifications()


BATCH_RUN = (
    f"arn:aws:states:{scenes.SCENE_REGION}:{DEFAULT_ACCOUNT}:execution:ProcessOrderBatch:"
    "demo-batch-1"
)


def batch_map_run(endpoint: str) -> str:
    sfn = scenes.sfn_client(endpoint, scenes.SCENE_REGION)
    return str(sfn.list_map_runs(executionArn=BATCH_RUN)["mapRuns"][0]["mapRunArn"])


def map_run_screen(map_run_arn: str) -> Callable[[Any], Awaitable[None]]:
    """The demo's Distributed Map run: counts, settings, its first page of children."""

    async def scene(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        screen = MapRunScreen(map_run_arn, BATCH_RUN)
        await app.push_screen(screen)
        await wait_for(
            pilot,
            lambda: screen.detail is not None and screen.child_table.row_count == PAGE_SIZE,
            what="the Map Run and its first page",
        )
        app.clear_notifications()

    return scene


def batch_run_detail(*keys: str) -> Callable[[Any], Awaitable[None]]:
    """demo-batch-1's detail: the Map Runs tab (5) or the graph with its marker (4)."""

    async def scene(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        screen = ExecutionDetailScreen(BATCH_RUN)
        await app.push_screen(screen)
        await wait_for(
            pilot, lambda: screen.finished and bool(screen.map_runs.details), what="loaded"
        )
        await pilot.press(*keys)
        app.clear_notifications()

    return scene


async def shoot(
    name: str, app: Any, scene: Callable[[Any], Awaitable[None]], size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        await scene(pilot)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    activities.HOLD_SECONDS = 2  # quick exits: no long-poll outlives a scene
    engine = LocalEngine()
    endpoint = engine.start()
    try:
        scenes.prepare_demo(endpoint)
        await shoot("main", scenes.scene_app(endpoint), scenes.show_dashboard, scenes.SIZE)
        await shoot("main-80x24", scenes.scene_app(endpoint), scenes.show_dashboard, (80, 24))
        await shoot("guided-run", scenes.scene_app(endpoint), guided_run_start, scenes.SIZE)
        await shoot("express-runs", scenes.scene_app(endpoint), scenes.show_express, scenes.SIZE)
        await shoot("express-detail", scenes.scene_app(endpoint), express_run_detail, scenes.SIZE)
        await shoot("express-sync", scenes.scene_app(endpoint), express_sync_start, scenes.SIZE)
        await shoot(
            "start-execution", scenes.scene_app(endpoint), start_execution_modal, scenes.SIZE
        )
        await shoot("versions", scenes.scene_app(endpoint), show_versions, scenes.SIZE)
        pin_history(FAILED_RUN, scenes.SCENE_REGION)
        await shoot("detail-graph", scenes.scene_app(endpoint), failed_run_detail("4"), scenes.SIZE)
        await shoot(
            "detail-history", scenes.scene_app(endpoint), failed_run_detail("f"), scenes.SIZE
        )
        pin_map_runs(scenes.SCENE_REGION)
        map_run = batch_map_run(endpoint)
        await shoot("map-run", scenes.scene_app(endpoint), map_run_screen(map_run), scenes.SIZE)
        await shoot("map-runs-tab", scenes.scene_app(endpoint), batch_run_detail("5"), scenes.SIZE)
        await shoot("map-run-graph", scenes.scene_app(endpoint), batch_run_detail("4"), scenes.SIZE)
        scenes.prepare_demo(endpoint, scenes.CHAT_SCENE_REGION)
        scenes.start_chat_run(endpoint)
        chat_app = scenes.scene_app(
            endpoint, scenes.CHAT_SCENE_REGION, worked_activities=frozenset({"ChatSFNActivity"})
        )
        await shoot("chat", chat_app, scenes.chat_mid_conversation, scenes.SIZE)
        scenes.start_review_run(endpoint)
        review_app = scenes.scene_app(
            endpoint, scenes.GENERIC_REGION, worked_activities=frozenset({"ReviewOrder"})
        )
        await shoot("generic-task", review_app, scenes.generic_task_view, scenes.SIZE)
        scenes.start_approval_run(endpoint)
        approval_app = scenes.scene_app(endpoint, scenes.APPROVAL_SCENE_REGION)
        await shoot("callback", approval_app, scenes.callback_waiting, scenes.SIZE)
        made = scenes_jsonata.prepare(endpoint)
        jsonata_app = scenes.scene_app(endpoint, scenes_jsonata.REGION)
        await shoot(
            "test-state", jsonata_app, scenes_jsonata.test_state_debug(made["greeter"]), scenes.SIZE
        )
        jsonata_app = scenes.scene_app(endpoint, scenes_jsonata.REGION)
        await shoot(
            "jsonata-variables", jsonata_app, scenes_jsonata.run_variables(made["run"]), scenes.SIZE
        )
    finally:
        engine.stop()


if __name__ == "__main__":
    asyncio.run(main())
