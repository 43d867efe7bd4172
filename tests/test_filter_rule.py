"""The rule for a filtered table: whatever was typed, erased or polled before, the rows
shown are exactly the source's items that match the filter, in the table's order, each
drawn from its current item. Randomised edits (typing on, erasing, replacing, clearing)
interleaved with polls (complete listings and single pages: rows added, changed,
removed), on tables below and above the size where KeyedTable rebuilds instead of
updating row by row."""

from __future__ import annotations

import random

import pytest

from sfn_tui.tui.widgets.keyed_table import REBUILD_ROWS
from tests.test_keyed_table import Row, RowsTable, TableApp

LETTERS = "abc-"


def name(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7)))


def expected(source: dict[str, Row], text: str) -> list[str]:
    matching = [row for row in source.values() if text.lower() in row.key.lower()]
    return [row.key for row in sorted(matching, key=lambda row: row.order, reverse=True)]


def shown(table: RowsTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


def drawn_status(table: RowsTable, key: str) -> str:
    return str(table.get_row(key)[1])


def edit(rng: random.Random, text: str) -> str:
    """What a user might do to the filter text next."""
    roll = rng.random()
    if roll < 0.45:
        return text + rng.choice(LETTERS)
    if roll < 0.8:
        return text[:-1]
    if roll < 0.9:
        return ""
    return name(rng)[: rng.randint(1, 3)]  # the text replaced (typed over a selection)


def poll(rng: random.Random, source: dict[str, Row], serial: list[int]) -> tuple[list[Row], bool]:
    """A poll's result, (items, complete), after the service changed `source`: a
    complete listing (rows may have gone) or a page of what changed (complete=False)."""
    touched = []
    for _ in range(rng.randint(0, 3)):
        serial[0] += 1
        key = f"{name(rng)}{serial[0]}"
        source[key] = Row(key, rng.randrange(10**12), "NEW")
        touched.append(key)
    for key in rng.sample(sorted(source), k=min(len(source), rng.randint(0, 3))):
        order = source[key].order if rng.random() < 0.7 else rng.randrange(10**12)
        source[key] = Row(key, order, rng.choice(["RUNNING", "SUCCEEDED"]))
        touched.append(key)
    if rng.random() < 0.5:
        return [source[key] for key in touched], False
    for key in rng.sample(sorted(source), k=min(len(source), rng.randint(0, 2))):
        del source[key]
    return list(source.values()), True


@pytest.mark.parametrize("size", [40, REBUILD_ROWS + 200])
@pytest.mark.parametrize("seed", range(3))
async def test_the_rows_shown_are_exactly_the_matching_items(size: int, seed: int) -> None:
    rng = random.Random(seed * 1000 + size)
    source = {}
    for i in range(size):
        key = f"{name(rng)}{i}"
        source[key] = Row(key, rng.randrange(10**12), "RUNNING")
    serial = [size]
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RowsTable)
        table.sync(list(source.values()))
        text = ""
        for step in range(120):
            if rng.random() < 0.25:
                items, complete = poll(rng, source, serial)
                table.sync(items, complete=complete)
            else:
                text = edit(rng, text)
                table.set_filter(text)
            want = expected(source, text)
            assert shown(table) == want, f"step {step}, filter {text!r}"
            assert sorted(table.items) == sorted(want), f"step {step}: items not the rows"
            for key in rng.sample(want, k=min(5, len(want))):
                assert drawn_status(table, key) == source[key].status, f"step {step}: {key}"
            if step % 20 == 0:
                await pilot.pause()  # drawn too, now and then
