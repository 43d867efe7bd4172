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

from tests import scenes  # noqa: E402
from tests.pilot_helpers import screen_text, wait_for  # noqa: E402

from sfn_tui.local import activities  # noqa: E402
from sfn_tui.local.engine import LocalEngine  # noqa: E402
from sfn_tui.tui.screens.guided_run import GuidedRunScreen  # noqa: E402

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
    finally:
        engine.stop()


if __name__ == "__main__":
    asyncio.run(main())
