"""KeyedTable at scale: cell updates redraw only the changed cells (they reach into
DataTable's caches, so these tests fail loudly if textual changes them), pages append
without a full re-sort, and the table stays sorted and filtered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import App, ComposeResult

from sfn_tui.tui.widgets.keyed_table import Cell, KeyedTable


@dataclass(frozen=True)
class Row:
    key: str
    order: int
    status: str


class RowsTable(KeyedTable[Row]):
    COLUMNS = (("name", "Name", None), ("status", "Status", 10))
    sort_reverse = True

    def key(self, item: Row) -> str:
        return item.key

    def sort_key(self, item: Row) -> Any:
        return item.order

    def filter_on(self, item: Row) -> str:
        return item.key

    def cells(self, item: Row) -> Sequence[Cell]:
        return (item.key, item.status)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RowsTable()


def rows(first: int, count: int, status: str = "RUNNING") -> list[Row]:
    return [Row(f"run-{i:05d}", i, status) for i in range(first, first - count, -1)]


def shown(table: RowsTable) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def line(table: RowsTable, y: int) -> str:
    return table.render_line(y).text


async def test_a_changed_cell_is_redrawn_without_invalidating_the_table() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowsTable)
        table.sync(rows(99, 50), complete=False)
        await pilot.pause()
        assert "RUNNING" in line(table, 1)
        count = table._update_count
        table.sync([Row("run-00099", 99, "SUCCEEDED")], complete=False)
        await pilot.pause()
        assert table._update_count == count  # no full invalidation
        assert "SUCCEEDED" in line(table, 1)  # header is line 0, the newest run line 1
        assert "RUNNING" in line(table, 2)
        assert str(table.get_cell("run-00099", "status")) == "SUCCEEDED"


async def test_older_pages_append_in_order_and_new_rows_sort_to_the_top() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowsTable)
        table.sync(rows(99, 10), complete=False)
        table.sync(rows(89, 10), complete=False)  # an older page: appended, no re-sort
        assert shown(table) == [r.key for r in rows(99, 20)]
        table.sync([Row("run-00100", 100, "RUNNING")], complete=False)  # a new run
        assert shown(table)[:2] == ["run-00100", "run-00099"]
        table.set_filter("0009")
        assert shown(table) == [f"run-{i:05d}" for i in range(99, 89, -1)]
        table.set_filter("")
        assert len(shown(table)) == 21 and shown(table) == sorted(shown(table), reverse=True)
        await pilot.pause()
