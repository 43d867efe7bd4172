"""Helpers for Pilot tests: wait on a condition with a deadline, read the screen."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App

STEP = 0.05


async def wait_for(
    pilot: Any, predicate: Callable[[], bool], *, timeout: float = 20.0, what: str = "condition"
) -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(STEP)


def screen_text(app: App[Any]) -> str:
    """The text a user sees right now (what `export_screenshot` draws, as plain text)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
