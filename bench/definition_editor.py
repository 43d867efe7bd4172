"""Per-key latency in the definition editor (`e` on a state machine) with large
definitions: 100 KB, 500 KB and 1 MB (the Step Functions quota; 2 KB as the floor),
each stored as AWS gives it back when it was created compact (one line) and
pretty-printed. Each figure
is the time from a key to the first frame drawn after it (the app's frame output is
hooked, as in bench/run.py), over typing inside a string, Enter, Backspace and cursor
moves in the middle of the document. Also the time from opening the form to the first
frame showing the definition. Three runs; prints figures, asserts nothing. Not part of
the test run.

    .venv/bin/python bench/definition_editor.py [--runs 3] [--profile 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textual.app import App  # noqa: E402

from sfn_tui.aws.models import StateMachineDetail  # noqa: E402
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen  # noqa: E402
from sfn_tui.tui.widgets.json_editor import JsonEditor  # noqa: E402

APP_TCSS = ROOT / "src" / "sfn_tui" / "tui" / "app.tcss"
SIZES = (2_000, 100_000, 500_000, 1_000_000)  # 2 KB: the floor, whatever the size
KEYS = [*"abcdefghij", "enter", "backspace", "backspace", "down", "down", "up", "right", "left"]
KEYS = KEYS * 2


def state(n: int, last: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "Pass",
        "Comment": f"Prepares part {n} of the order before it is shipped",
        "Result": {"part": n, "status": "ready", "checks": ["size", "weight", "address"]},
        "ResultPath": f"$.parts.p{n}",
    }
    body.update({"End": True} if last else {"Next": f"Step{n + 1:05d}"})
    return body


def definition_of(size: int, pretty: bool) -> str:
    """A valid definition of at most `size` bytes, as close as whole states allow: a
    chain of Pass states with a Comment and a small Result each (a generated workflow),
    written compact (one line) or pretty (indented, one value a line)."""

    def write(count: int) -> str:
        states = {f"Step{n:05d}": state(n, n == count - 1) for n in range(count)}
        document = {"StartAt": "Step00000", "States": states}
        return (
            json.dumps(document, indent=2)
            if pretty
            else json.dumps(document, separators=(",", ":"))
        )

    per_state = len(write(2)) - len(write(1))
    count = max(1, size // per_state)
    while (excess := len(write(count).encode()) - size) > 0:
        count -= excess // per_state + 1
    return write(count)


class Host(App[None]):
    """Just the form, with sfn-tui's styles and no endpoint (nothing is saved)."""

    CSS_PATH = str(APP_TCSS)

    def __init__(self) -> None:
        super().__init__()
        self.client = None
        self.read_only = False
        self.tz = None
        self.frames: list[float] = []

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames.append(time.perf_counter())

    def frame_after(self, t: float) -> float | None:
        return next((f for f in self.frames if f >= t), None)


async def wait_frame(app: Host, t0: float, timeout: float = 30.0) -> float:
    deadline = t0 + timeout
    while (f := app.frame_after(t0)) is None and time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
    return (f if f is not None else time.perf_counter()) - t0


async def measure(definition: str, profiler: cProfile.Profile | None = None) -> dict[str, Any]:
    detail = StateMachineDetail(
        arn="arn:aws:states:us-east-1:123456789012:stateMachine:Big",
        name="Big",
        type="STANDARD",
        status="ACTIVE",
        role_arn="arn:aws:iam::123456789012:role/r",
        definition=definition,
        creation_date=datetime.now(UTC),
    )
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        t0 = time.perf_counter()
        form = StateMachineFormScreen(detail)
        app.push_screen(form)
        while not (form.is_mounted and form.query(JsonEditor)):
            await asyncio.sleep(0.001)
        editor = form.query_one(JsonEditor)
        opened = await wait_frame(app, t0)
        area = editor.text_area
        area.focus()
        middle = area.document.line_count // 2
        line = area.document.get_line(middle)
        column = line.find("part ") + 5 if "part " in line else len(line) // 2
        area.move_cursor((middle, max(0, column)), center=True)
        await pilot.pause()
        latencies = []
        if profiler is not None:
            profiler.enable()
        for key in KEYS:
            await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press(key)
            latencies.append(await wait_frame(app, t0))
        if profiler is not None:
            profiler.disable()
        lines = area.document.line_count
        read_only = area.read_only
    return {"open": opened, "keys": latencies, "lines": lines, "read_only": read_only}


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:7.1f} {p95 * 1000:7.1f} {ordered[-1] * 1000:7.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, metavar="BYTES", help="profile one size")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        await measure(definition_of(args.profile, pretty=True), profiler)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        return
    print("per key: key -> next frame, ms (p50 p95 max); open: form -> first frame, s")
    print(f"{'size':>10} {'stored':>8} {'run':>3} {'lines':>7} {'open s':>7}  per key p50/p95/max")
    for size in SIZES:
        for stored in ("compact", "pretty"):
            text = definition_of(size, pretty=stored == "pretty")
            for run in range(1, args.runs + 1):
                got = await measure(text)
                note = "  (read-only)" if got["read_only"] else ""
                print(
                    f"{len(text.encode()):>10,} {stored:>8} {run:>3} {got['lines']:>7,}"
                    f" {got['open']:>7.2f}  {summary(got['keys'])}{note}",
                    flush=True,
                )


if __name__ == "__main__":
    asyncio.run(main())
