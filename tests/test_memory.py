"""What a dashboard left open keeps: closed screens must not stay alive.

Textual keeps a widget that watches the app (or a long-lived footer) in a watcher list
until the watched value changes; the app sweeps those lists (tui/workarounds.py). The
30-minute soak in bench/soak.py measures the memory; this checks the mechanism.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from typing import Any

import pytest
from textual.dom import DOMNode

from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for
from tests.test_finding import PASS, REGION, focus_machine, machine, make_app

VISITS = 5


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def detached_nodes() -> Counter[str]:
    """Widgets and screens alive but no longer in the app's DOM, by class."""
    gc.collect()
    return Counter(
        type(node).__name__
        for node in gc.get_objects()
        if isinstance(node, DOMNode) and getattr(node, "_closed", False)
    )


async def test_closed_chat_and_detail_screens_are_let_go(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "memory", PASS)
    sfn.start_execution(stateMachineArn=arn, name="kept-small")
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await focus_machine(pilot, app, arn)
        await wait_for(pilot, lambda: dashboard.executions.row_count == 1, what="the run")

        async def visit_both() -> None:
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is dashboard, what="back from chat")
            dashboard.executions.focus()
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="detail"
            )
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is dashboard, what="back from detail")
            await pilot.pause()
            app.release_caches()

        for _ in range(2):  # first visits build what stays (classes, caches)
            await visit_both()
        before = detached_nodes()
        for _ in range(VISITS):
            await visit_both()

        def leaking() -> dict[str, int]:
            """What grew by a visit's worth or more: a leak grows with every visit (a
            status header, a footer's keys, a chat editor)."""
            app.release_caches()
            grown = detached_nodes()
            grown.subtract(before)
            return {name: count for name, count in grown.items() if count >= VISITS}

        # On a loaded machine the last visit's screen can still be on its way out (its
        # workers ending, its messages draining): that goes within seconds, a leak stays.
        deadline = time.monotonic() + 15
        while (leaks := leaking()) and time.monotonic() < deadline:
            await pilot.pause(0.25)
    assert not leaks, leaks
