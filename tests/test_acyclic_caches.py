"""The rule: drawing leaves no reference cycles behind. What a frame leaves over is freed
by reference counting at once; what is in a cycle waits for a full collection of the
cyclic GC, the longest stall while polling (tui/acyclic_caches.py). Checked on
Textual's two caches that made cycles, and on the dashboard polling running runs (whose
elapsed times change every second) with the panes' cells redrawn at every poll."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rich.segment import Segment
from textual.cache import LRUCache
from textual.strip import Strip

from sfn_tui.tui import acyclic_caches
from tests.pilot_helpers import wait_for
from tests.test_finding import focus_machine, machine, make_app
from tests.test_memory import sfn  # noqa: F401  (the fixture)

RENDERED = ("Strip", "FIFOCache", "Segment", "RowRenderables")
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 300, "End": True}}}


@contextmanager
def cyclic_garbage() -> Iterator[Counter[str]]:
    """What the cyclic GC alone frees while the block runs, by type."""
    found: Counter[str] = Counter()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.update(type(obj).__name__ for obj in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.fixture(autouse=True)
def installed() -> None:
    acyclic_caches.install()  # as the app does on Ready


def test_a_cleared_lru_cache_leaves_no_cycle() -> None:
    with cyclic_garbage() as found:
        cache: LRUCache[int, Strip] = LRUCache(8)
        for i in range(12):
            cache[i] = Strip([Segment(f"line {i}")])
        cache.get(9)
        cache.clear()
        cache[1] = Strip([Segment("again")])
        cache.discard(1)
        del cache
    assert not found, found


def test_a_strip_does_not_cache_itself() -> None:
    with cyclic_garbage() as found:
        strip = Strip([Segment("12345"), Segment("678")])
        assert strip.divide([8]) == [strip]
        assert strip.crop_extend(0, 8, None) is strip
        assert [s.text for s in strip.divide([5, 8])] == ["12345", "678"]
        assert strip.crop_extend(2, 10, None).text == "345678  "
        assert strip.crop_extend(-1, 8, None).text == "12345678"
        del strip
    assert not found, found


async def test_polling_running_runs_leaves_no_rendered_lines_to_the_cyclic_gc(
    engine: str,
    sfn: Any,  # noqa: F811
) -> None:
    arn = machine(sfn, "acyclic", HOLD)
    for i in range(3):
        sfn.start_execution(stateMachineArn=arn, name=f"held-{i}")
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await focus_machine(pilot, app, arn)
        await wait_for(pilot, lambda: dashboard.executions.row_count == 3, what="the runs")
        drawn: list[int] = []
        original = dashboard.executions.refresh_cells

        def counted(items: Any) -> None:
            drawn.append(1)
            original(items)

        dashboard.executions.refresh_cells = counted  # type: ignore[method-assign]
        with cyclic_garbage() as found:
            await wait_for(pilot, lambda: len(drawn) >= 6, timeout=30, what="six redraws")
            await pilot.pause()
        rendered = {name: found[name] for name in RENDERED if found[name]}
        assert not rendered, f"rendered lines left to the cyclic GC: {rendered}"
