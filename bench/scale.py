"""sfn-tui at the default quota: 10,000 state machines and 1,000 activities (seeded in
the embedded engine's backend by sfn_tui/local/bulk.py), measured for first data (the
machines pane filled in a real pty), filter-as-you-type latency (key to frame, each
character of a name typed in the `/` bar, then erased), and peak RSS. Not part of the
test run.

    .venv/bin/python bench/scale.py                 # about a minute on 2 cores
    .venv/bin/python bench/scale.py --runs 3 --machines 10000 --activities 1000

bench/run.py calls `scale_figures` for its table; alone, this prints the figures and
writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    COLS,
    REGION,
    RESULTS,
    ROWS,
    Engine,
    Probe,
    PtyApp,
    dashboard_up,
    install_probe,
    log,
    pct,
)

FIRST = "aaa-bench-100k"  # the first machine by name
TYPED = "bench-sm-0042"  # typed into the filter bar one character at a time


def pty_figures(engine: Engine, runs: int, last: str) -> dict[str, Any]:
    """First data (the first machine's name on screen) and peak RSS after filtering."""
    args = ["--endpoint-url", engine.endpoint, "--region", REGION]
    data, rss = [], []
    for _ in range(runs):
        app = PtyApp(args)
        try:
            data.append(app.wait_for(FIRST, timeout=90)[FIRST])
            app.idle(3.0)
            app.send("/")
            for ch in TYPED:
                app.send(ch)
                app.idle(0.05)
            app.wait_for(TYPED, timeout=20)
            app.send("\x1b")  # Esc: the filter cleared, every machine shown again
            app.send("\x1b[F")  # End: the last machine drawn
            app.wait_for(last, timeout=20)
            app.idle(1.0)
            rss.append(app.peak_rss_mb())
        finally:
            app.close()
    return {
        "first_data_s": statistics.median(data),
        "peak_rss_mb": max(rss),
        "raw": {"first_data": data, "peak_rss": rss},
    }


async def key_latency(pilot: Any, probe: Probe, keys: list[str], cpu: list[float]) -> list[float]:
    """bench/run.py's key_latency, plus the process's CPU time from key to frame in
    `cpu` (what the key cost, whatever else the machine's cores were doing)."""
    out = []
    for key in keys:
        await pilot.pause()
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press(key)
        deadline = t0 + 2.0
        while (f := probe.frame_after(t0)) is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        cpu.append(time.process_time() - c0)
        out.append((f if f is not None else time.perf_counter()) - t0)
    return out


async def filter_latency(engine: Engine, machines: int, rounds: int) -> dict[str, Any]:
    from sfn_tui.aws.connection import Connection
    from sfn_tui.tui.app import SfnTuiApp

    probe = Probe()
    connection = Connection(region=REGION, endpoint_url=engine.endpoint, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=2.0)
    out: dict[str, Any] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        install_probe(app, probe)
        t0 = time.perf_counter()
        await dashboard_up(app)
        dash = app.dashboard
        while len(dash.machines.items) < machines and time.perf_counter() - t0 < 90:
            await asyncio.sleep(0.02)
        out["loaded_s"] = time.perf_counter() - t0
        dash.machines.focus()
        await pilot.pause()
        typing, erasing, cpu = [], [], []  # type: ignore[var-annotated]
        shown: list[int] = []
        for _ in range(rounds):
            await pilot.press("slash")
            typing += await key_latency(pilot, probe, list(TYPED), cpu)
            shown.append(len(dash.machines.items))
            erasing += await key_latency(pilot, probe, ["backspace"] * len(TYPED), cpu)
            await pilot.press("escape")
            await pilot.pause()
        keys = typing + erasing
        out.update(
            {
                "typing_p50_ms": 1000 * pct(typing, 0.5),
                "typing_p95_ms": 1000 * pct(typing, 0.95),
                "erasing_p95_ms": 1000 * pct(erasing, 0.95),
                "p95_ms": 1000 * pct(keys, 0.95),
                "max_ms": 1000 * max(keys),
                "cpu_p50_ms": 1000 * pct(cpu, 0.5),
                "cpu_p95_ms": 1000 * pct(cpu, 0.95),
                "keys": len(keys),
                "rows_matching": shown[-1] if shown else None,
                "rows_after_clear": len(dash.machines.items),
            }
        )
    return out


def scale_figures(
    machines: int = 10_000, activities: int = 1_000, runs: int = 3, rounds: int = 3
) -> dict[str, Any]:
    log(f"seeding {machines:,} state machines and {activities:,} activities")
    engine = Engine(100, "--machines", str(machines), "--activities", str(activities))
    try:
        last = f"bench-sm-{machines - 2:04d}"
        out: dict[str, Any] = {"machines": machines, "activities": activities}
        out["load_before"] = os.getloadavg()
        out["pty"] = pty_figures(engine, runs, last)
        out["filter"] = asyncio.run(filter_latency(engine, machines, rounds))
        out["load_after"] = os.getloadavg()
    finally:
        engine.close()
    return out


def scale_rows(s: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """The figures as (name, value, target, met) rows, as bench/run.py prints them."""
    P, F = s["pty"], s["filter"]
    where = f"{s['machines']:,} machines, {s['activities']:,} activities"
    return [
        (f"first data ({where})", f"{P['first_data_s']:.2f} s", "(info)", None),
        (
            "filter as you type, key→frame p50/p95/max",
            f"{F['typing_p50_ms']:.0f}/{F['p95_ms']:.0f}/{F['max_ms']:.0f} ms",
            "p95 ≤ 50 ms",
            F["p95_ms"] <= 50,
        ),
        (
            "filter as you type, CPU per key p50/p95",
            f"{F['cpu_p50_ms']:.0f}/{F['cpu_p95_ms']:.0f} ms",
            "(info)",
            None,
        ),
        (f"peak RSS ({where})", f"{P['peak_rss_mb']:.0f} MB", "≤ 150 MB", P["peak_rss_mb"] <= 150),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--machines", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3, help="pty launches")
    parser.add_argument("--rounds", type=int, default=3, help="filter words typed")
    args = parser.parse_args()
    result = scale_figures(args.machines, args.activities, args.runs, args.rounds)
    for name, value, target, ok in scale_rows(result):
        mark = "—" if ok is None else ("yes" if ok else "NO")
        print(f"{name:<52}  {value:<22}  {target:<12}  {mark}")
    print(json.dumps(result, indent=1))
    before, after = result["load_before"], result["load_after"]
    print(f"(load average {before[0]:.2f} before, {after[0]:.2f} after)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
