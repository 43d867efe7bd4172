"""Where the event loop stalls while polling: the in-process part of bench/run.py (the
100k machine, pages loaded with End, then 100 running runs finishing) with every GC
collection logged through ``gc.callbacks`` and the tracked objects counted by type.
Not part of the test run.

    .venv/bin/python bench/stalls.py --poll-seconds 40
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    COLS,
    POLL,
    REGION,
    ROWS,
    Engine,
    Probe,
    dashboard_up,
    install_probe,
    stall_monitor,
    until,
)


class GcLog:
    """Each collection's generation, duration and what it found, by `gc.callbacks`."""

    def __init__(self) -> None:
        self.started = 0.0
        self.events: list[tuple[float, int, float, int]] = []  # (end, gen, seconds, collected)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self.started = now
        else:
            self.events.append((now, info["generation"], now - self.started, info["collected"]))


def reachable(root: object, tracked: set[int]) -> int:
    """How many of the tracked (unfrozen) objects are reachable from `root`."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        for ref in gc.get_referents(obj):
            if id(ref) in tracked and id(ref) not in seen:
                seen.add(id(ref))
                stack.append(ref)
    return len(seen)


def owners(app: Any) -> dict[str, int]:
    """Tracked objects held by each dashboard table's parts (rows, caches, items)."""
    tracked = {id(o) for o in gc.get_objects()}
    out = {}
    dash = app.dashboard
    for name in ("machines", "activities", "executions"):
        table = getattr(dash, name)
        for part in (
            "_data",
            "rows",
            "_row_locations",
            "items",
            "source",
            "_cell_render_cache",
            "_row_render_cache",
            "_row_renderable_cache",
            "_line_cache",
        ):
            out[f"{name}.{part}"] = reachable(getattr(table, part), tracked)
    return out


def _describe(obj: object) -> str:
    name = type(obj).__name__
    if isinstance(obj, dict):
        for ref in gc.get_referrers(obj):
            if getattr(ref, "__dict__", None) is obj:
                return f"dict of {type(ref).__name__}"
    return name


def referrer_chains(
    kinds: tuple[str, ...] = ("OrderedDict", "FIFOCache", "list"),
) -> dict[str, Any]:
    """For a sample of objects of each kind: the types of their referrers, 4 levels up."""
    out: dict[str, Any] = {}
    objects = gc.get_objects()
    ignore = {id(objects)}
    for kind in kinds:
        sample = [o for o in objects if type(o).__name__ == kind][::150][:60]
        ignore.add(id(sample))
        chains: Counter[str] = Counter()
        for obj in sample:
            chain = []
            current = obj
            for _ in range(4):
                parent = None
                for ref in gc.get_referrers(current):
                    if id(ref) in ignore or type(ref).__name__ in ("frame", "cell"):
                        continue
                    parent = ref
                    break
                if parent is None:
                    break
                current = parent
                chain.append(_describe(current))
            chains[" <- ".join(chain)] += 1
        out[kind] = chains.most_common(6)
    return out


def tracked_by_type(top: int = 15) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter(type(o).__name__ for o in gc.get_objects())
    return counts.most_common(top)


async def measure(
    engine: Engine, poll_seconds: float, end_presses: int, freeze_after_load: bool = False
) -> dict[str, Any]:
    from sfn_tui.aws.connection import Connection
    from sfn_tui.tui.app import SfnTuiApp

    probe = Probe()
    gclog = GcLog()
    connection = Connection(region=REGION, endpoint_url=engine.endpoint, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=POLL)
    out: dict[str, Any] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        install_probe(app, probe)
        await dashboard_up(app)
        dash = app.dashboard
        big = engine.info["big_machine_arn"]

        await until(lambda: dash.watched is not None and dash.watched.arn == big)
        await until(lambda: len(dash.executions.items) >= 100)
        if freeze_after_load:  # what the app would do once the first data is shown
            gc.freeze()
        dash.executions.focus()
        await pilot.pause()
        for _ in range(end_presses):
            rows = len(dash.executions.items)
            await pilot.press("end")
            await until(lambda r=rows: len(dash.executions.items) > r, 30)
        await pilot.press("home")
        await pilot.pause()
        out["rows_loaded"] = len(dash.executions.items)
        out["tracked_before_poll"] = len(gc.get_objects())
        out["frozen"] = gc.get_freeze_count()
        out["tracked_types"] = tracked_by_type()
        out["owners"] = owners(app)
        out["referrers"] = referrer_chains()
        out["shape_resolvers"] = [
            sorted(o._shape_map)[:3]
            for o in gc.get_objects()
            if type(o).__name__ == "ShapeResolver"
        ]
        engine.command(f"start-running 100 {poll_seconds * 0.6:.0f}")
        gc.callbacks.append(gclog)
        probe.running = True
        monitor = asyncio.create_task(stall_monitor(probe))
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        await asyncio.sleep(poll_seconds)
        cpu = time.process_time() - cpu0
        probe.running = False
        await monitor
        gc.callbacks.remove(gclog)
        stalls = sorted(
            zip(probe.stalls, probe.stall_ends, strict=True), key=lambda x: x[0], reverse=True
        )

        def gc_near(end: float, length: float) -> list[str]:
            return [
                f"gen{g} {1000 * d:.0f} ms"
                for e, g, d, _ in gclog.events
                if end - length - 0.01 <= e <= end + 0.001 and d > 0.002
            ]

        out["worst_stalls"] = [
            {"ms": round(1000 * s, 1), "at_s": round(e - t0, 2), "gc": gc_near(e, s)}
            for s, e in stalls[:8]
        ]
        full = [d for _, g, d, _ in gclog.events if g == 2]
        out["gc"] = {
            gen: {
                "count": sum(1 for _, g, _, _ in gclog.events if g == gen),
                "max_ms": round(
                    1000 * max((d for _, g, d, _ in gclog.events if g == gen), default=0), 1
                ),
            }
            for gen in (0, 1, 2)
        }
        out["gc"]["full_median_ms"] = round(1000 * statistics.median(full), 1) if full else None
        out["longest_stall_ms"] = round(1000 * max(probe.stalls, default=0), 1)
        out["stalls_over_50ms"] = sum(1 for s in probe.stalls if s > 0.05)
        out["cpu_pct"] = round(100 * cpu / poll_seconds, 2)
        out["tracked_after_poll"] = len(gc.get_objects())
        # What one full collection of this heap costs in CPU time: comparable between
        # runs on a loaded machine, where the wall-clock figures above are not.
        costs = []
        for _ in range(5):
            c0 = time.process_time()
            gc.collect()
            costs.append(time.process_time() - c0)
        out["full_collection_cpu_ms"] = round(1000 * statistics.median(costs), 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--poll-seconds", type=float, default=40.0)
    parser.add_argument("--end-presses", type=int, default=20)
    parser.add_argument("--freeze-after-load", action="store_true")
    args = parser.parse_args()
    engine = Engine(args.finished)
    try:
        load = os.getloadavg()
        result = asyncio.run(
            measure(engine, args.poll_seconds, args.end_presses, args.freeze_after_load)
        )
    finally:
        engine.close()
    result["load_before"] = load
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
