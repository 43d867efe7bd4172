"""A page appended below the rows drawn (widgets/row_append.py) leaves the table as
DataTable's add_row would: the rule, over random pages, cursor moves and scrolls, is
that a table given its rows this way draws, line for line and style for style, what a
table given them by add_row draws, with the same rows' order and line offsets; and
the rows already drawn are not rendered again."""

from __future__ import annotations

import random
from typing import Any

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.containers import Horizontal

from tests.test_keyed_table import Row, RowsTable, rows


class AddRowTable(RowsTable):
    """The same table, its pages appended by DataTable.add_row."""

    def _append(self, added: list[Row]) -> None:
        for item in added:
            k = self.key(item)
            self.items[k] = item
            self.add_row(*self.cells(item), key=k)


class TwoTables(App[None]):
    AUTO_FOCUS = None
    CSS = "RowsTable { width: 1fr; height: 1fr; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield RowsTable(id="appended")
            yield AddRowTable(id="added")


def drawn(table: RowsTable) -> list[list[tuple[str, Any]]]:
    height = table.size.height
    return [
        [(s.text, s.style) for s in table.render_line(y) if isinstance(s, Segment)]
        for y in range(height)
    ]


def derived(table: RowsTable) -> tuple[list[Any], list[Any]]:
    """The rows' order and line offsets as cached, and as DataTable derives them."""
    cached = ([row.key for row in table.ordered_rows], list(table._y_offsets))
    table._ordered_row_cache.clear()
    table._offset_cache.clear()
    fresh = ([row.key for row in table.ordered_rows], list(table._y_offsets))
    assert cached == fresh
    return fresh


async def test_appended_pages_draw_what_add_row_draws() -> None:
    for seed in range(4):
        rng = random.Random(seed)
        app = TwoTables()
        async with app.run_test(size=(120, 20)) as pilot:
            appended = app.query_one("#appended", RowsTable)
            added = app.query_one("#added", AddRowTable)
            both = (appended, added)
            newest = 10_000
            first = rows(newest, rng.randint(1, 12))  # shorter than the pane at times
            for table in both:
                table.sync(first, complete=False)
            oldest = first[-1].order
            for step in range(30):
                action = rng.choice(["page", "page", "end", "home", "move", "status"])
                if action == "page":
                    size = rng.choice([rng.randint(1, 4), rng.randint(1, 120)])
                    page = rows(oldest - 1, size, rng.choice(["OK", "FAILED"]))
                    oldest = page[-1].order
                    for table in both:
                        table.sync(page, complete=False)
                elif action == "status":  # a row changed: the other paths still work
                    key = rng.choice(list(appended.items))
                    item = Row(key, appended.items[key].order, rng.choice(["SUCCEEDED", "X"]))
                    for table in both:
                        table.sync([item], complete=False)
                else:
                    row = {
                        "end": appended.row_count - 1,
                        "home": 0,
                        "move": rng.randrange(appended.row_count),
                    }[action]
                    for table in both:
                        table.move_cursor(row=row, animate=False)
                await pilot.pause()
                assert derived(appended) == derived(added), (seed, step)
                assert drawn(appended) == drawn(added), (seed, step, action)


async def test_rows_drawn_are_not_rendered_again_when_a_page_is_appended() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one("#appended", RowsTable)
        table.sync(rows(10_000, 100), complete=False)
        await pilot.pause()
        before = drawn(table)
        stamp = table._update_count
        cache = table._cell_render_cache
        cells = {key: cache.get(key) for key in list(cache.keys())}  # an LRUCache: no __iter__
        table.sync(rows(9_900, 100), complete=False)
        await pilot.pause()
        assert table.row_count == 200
        assert table._update_count == stamp
        # The cells drawn are the ones rendered before the page came.
        assert all(cache.get(key) is value for key, value in cells.items())
        assert drawn(table) == before


async def test_end_finds_the_rows_it_shows_rendered_ahead() -> None:
    """Once a page came, End's frame draws the last rows from cells rendered ahead
    (the cursor on the last row): it renders no cell of its own, and draws what a
    table without the rendering ahead draws."""
    app = TwoTables()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one("#appended", RowsTable)
        other = app.query_one("#added", AddRowTable)
        table.focus()
        for page in (rows(10_000, 100), rows(9_900, 100)):
            for each in (table, other):
                each.sync(page, complete=False)
            await pilot.pause()
        before = set(table._cell_render_cache.keys())
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 199
        assert set(table._cell_render_cache.keys()) <= before, "End rendered cells"
        other.move_cursor(row=199, animate=False)
        app.set_focus(None)  # both drawn as unfocused
        await pilot.pause()
        assert drawn(table) == drawn(other)
