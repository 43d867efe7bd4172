"""Regenerate screenshots/ from the app itself: every picture is a scene of
tests/scenes.py or tests/scenes_jsonata.py in ONE world: one embedded engine, one
region (REGION), set up once (the seeded demo, the JSONata machines, a ChatSFN run, a
review task and an approval run waiting), every date pinned, a fixed clock. Each scene
picks its machine, run or task by name, so every picture shows the same machines.

    .venv/bin/python scripts/screenshots.py

Scenes whose app works an activity come last: closing, an app fails the tasks it
claimed (Worker.Shutdown), which ends that run.
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
from sfn_tui.local.scene import DEFAULT_ACCOUNT, pin_dates, pin_history, pin_logs  # noqa: E402
from sfn_tui.local.scene_map_runs import pin_map_runs  # noqa: E402
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen  # noqa: E402
from sfn_tui.tui.screens.guided_run import GuidedRunScreen  # noqa: E402
from sfn_tui.tui.screens.map_run import PAGE_SIZE, MapRunScreen  # noqa: E402
from sfn_tui.tui.screens.start_execution import StartExecutionScreen  # noqa: E402
from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen  # noqa: E402

OUT = ROOT / "screenshots"
REGION = "us-east-1"  # the one region every picture is drawn in


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


FAILED_RUN = f"arn:aws:states:{REGION}:{DEFAULT_ACCOUNT}:execution:AlwaysFails:demo-fail-1"


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


BATCH_RUN = f"arn:aws:states:{REGION}:{DEFAULT_ACCOUNT}:execution:ProcessOrderBatch:demo-batch-1"


def batch_map_run(endpoint: str) -> str:
    sfn = scenes.sfn_client(endpoint, REGION)
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


def prepare_world(endpoint: str) -> dict[str, str]:
    """Everything every picture shows, made once in REGION, then every date pinned."""
    scenes.prepare_demo(endpoint, REGION, pin=False)
    made = scenes_jsonata.prepare(endpoint, REGION)
    scenes.start_chat_run(endpoint, region=REGION)
    scenes.start_review_run(endpoint, REGION)
    scenes.start_approval_run(endpoint, REGION, pin=False)
    pin_dates(REGION)  # once everything is made: the engine cannot sort mixed dates
    pin_logs(REGION)
    pin_history(FAILED_RUN, REGION)
    pin_history(made["run"], REGION)
    pin_map_runs(REGION)
    return made


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    activities.HOLD_SECONDS = 2  # quick exits: no long-poll outlives a scene
    engine = LocalEngine()
    endpoint = engine.start()
    size = scenes.SIZE

    def app(**kwargs: Any) -> Any:
        return scenes.scene_app(endpoint, REGION, **kwargs)

    try:
        made = prepare_world(endpoint)
        map_run = batch_map_run(endpoint)
        await shoot("main", app(), scenes.show_dashboard, size)
        await shoot("main-80x24", app(), scenes.show_dashboard, (80, 24))
        await shoot("guided-run", app(), guided_run_start, size)
        await shoot("express-runs", app(), scenes.show_express, size)
        await shoot("express-detail", app(), express_run_detail, size)
        await shoot("express-sync", app(), express_sync_start, size)
        await shoot("start-execution", app(), start_execution_modal, size)
        await shoot("versions", app(), show_versions, size)
        await shoot("detail-graph", app(), failed_run_detail("4"), size)
        await shoot("detail-history", app(), failed_run_detail("f"), size)
        await shoot("map-run", app(), map_run_screen(map_run), size)
        await shoot("map-runs-tab", app(), batch_run_detail("5"), size)
        await shoot("map-run-graph", app(), batch_run_detail("4"), size)
        await shoot("test-state", app(), scenes_jsonata.test_state_debug(made["greeter"]), size)
        await shoot("jsonata-variables", app(), scenes_jsonata.run_variables(made["run"]), size)
        await shoot("callback", app(), scenes.callback_waiting, size)
        # Last: these apps work an activity, and fail the task they hold when they close.
        chat = app(worked_activities=frozenset({"ChatSFNActivity"}))
        await shoot("chat", chat, scenes.chat_mid_conversation, size)
        review = app(worked_activities=frozenset({"ReviewOrder"}))
        await shoot("generic-task", review, scenes.generic_task_view, size)
    finally:
        engine.stop()


if __name__ == "__main__":
    asyncio.run(main())
