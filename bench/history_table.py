"""How the execution-detail history table copes with 25,000 events: time to append
each 1,000-event page and per-key latency, against a 20-event table. Prints figures;
not part of the test run.

    .venv/bin/python bench/history_table.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_execution_detail import TableApp, synthetic

from sfn_tui.core.history import ExecutionHistory
from sfn_tui.tui.widgets.history_table import HistoryTable

KEYS = ["down"] * 20 + ["end", "pageup", "home"]


async def measure(count: int) -> tuple[float, float]:
    events = synthetic(count)
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(HistoryTable)
        table.focus()
        history = ExecutionHistory()
        table.use(history)
        worst_page = 0.0
        for first in range(0, count, 1000):
            started = time.perf_counter()
            before = len(history)
            history.extend(events[first : first + 1000])
            table.events_added(before)
            worst_page = max(worst_page, time.perf_counter() - started)
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press(*KEYS)
        per_key = (time.perf_counter() - started) / len(KEYS)
    return worst_page, per_key


async def main() -> None:
    print(f"{'events':>8}  {'worst page append':>18}  {'per key (incl. Pilot)':>22}")
    for count in (20, 25_000):
        page, key = await measure(count)
        print(f"{count:>8}  {page * 1000:>15.1f} ms  {key * 1000:>19.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
