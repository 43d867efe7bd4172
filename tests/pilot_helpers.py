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


async def wait_shown(
    pilot: Any,
    *texts: str,
    absent: tuple[str, ...] = (),
    flat: bool = False,
    timeout: float = 20.0,
) -> str:
    """Wait until every one of `texts` is on screen and none of `absent` is; return the
    screen's text. Data reaching a widget and the frame that draws it are separate steps:
    assert on the screen only through this (or `wait_for`), never right after a data wait.
    With `flat`, runs of whitespace count as one space (text wrapped across lines)."""
    found = ""

    def showing() -> bool:
        nonlocal found
        found = screen_text(pilot.app)
        if flat:
            found = " ".join(found.split())
        return all(t in found for t in texts) and not any(a in found for a in absent)

    wanted = ", ".join(repr(t) for t in texts)
    refused = ", ".join(repr(a) for a in absent)
    what = " and ".join(
        w for w in (wanted and f"{wanted} on screen", refused and f"no {refused}") if w
    )
    await wait_for(pilot, showing, timeout=timeout, what=what)
    return found


def heard(app: Any) -> list[tuple[str, str]]:
    """Every notification the app has shown since the first call, (message, severity), in
    order. Textual drops a toast from `app._notifications` when it expires, so counting
    those goes wrong on a slow machine (two expire while two arrive); this list only
    grows. The first call puts a recorder in front of `app.notify`."""
    record: list[tuple[str, str]] | None = getattr(app, "_heard_by_tests", None)
    if record is None:
        record = []
        original: Callable[..., Any] = app.notify

        def notify(message: Any, *args: Any, **kwargs: Any) -> Any:
            record.append((str(message), kwargs.get("severity", "information")))
            return original(message, *args, **kwargs)

        app.notify = notify
        app._heard_by_tests = record
    return record
