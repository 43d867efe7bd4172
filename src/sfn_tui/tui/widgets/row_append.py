"""Rows appended to a DataTable without redrawing the rows it already draws, and the
rows End will show rendered ahead.

DataTable.add_row bumps a counter that is part of every render-cache key (cells, rows,
lines, the rows' order, their line offsets): a page of 100 older runs appended below
the screen bumped it 100 times, and the screenful drawn, unchanged, was rendered again
from its cells (a layout and ~20 ms at each page, a stall for any key pressed then).
Here the rows go into DataTable's tables as add_row puts them, the counter stays, and
the two caches derived from every row (their order, their line offsets) are extended
instead of recomputed. The lines drawn stay valid too (DataTable does not cache the
blank lines below the last row). Column widths are the caller's (KeyedTable.fit_columns
clears the render caches when one changes).

This reads DataTable internals (textual is pinned; tests/test_row_append.py checks that
a table appended to this way draws what add_row's would).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row


def can_append(table: DataTable[Any]) -> bool:
    """Whether `append_rows` applies: rows to append below, no column sized by its
    cells (DataTable measures new rows for those), one-line rows."""
    return table.row_count > 0 and not any(c.auto_width for c in table.columns.values())


def append_rows(
    table: DataTable[Any],
    rows: list[Row],
    cells: Callable[[Row], dict[ColumnKey, Any]] | None,
) -> None:
    """Append `rows` (height 1, keys not in the table) after the last row. `cells`
    makes a row's cells; None when the table makes them when a row is first drawn."""
    count = table.row_count
    stamp = table._update_count
    order = table._ordered_row_cache.get((count, stamp))
    offsets = table._offset_cache.get(stamp)
    for index, row in enumerate(rows, start=count):
        table._row_locations[row.key] = index
        if cells is not None:
            table._data[row.key] = cells(row)
        table.rows[row.key] = row
    if order is not None:
        table._ordered_row_cache[(count + len(rows), stamp)] = [*order, *rows]
    if offsets is not None:
        offsets.extend((row.key, 0) for row in rows)
    table._require_update_dimensions = True
    table.check_idle()
    table.refresh()


def render_last_rows_ahead(table: DataTable[Any]) -> None:
    """Render the last screenful of rows as End will draw them (the cursor on the last
    row, in its column), into DataTable's row and cell caches.

    End jumps to the last row loaded, which no frame has drawn yet: its frame rendered
    a screenful of new cells (13-23 ms, most of End's key-to-frame). Done once rows
    came at the end (a page, the first listing), after that frame is drawn, End then
    finds its rows rendered. Rendered with the state the caches are keyed on now; a
    change before End (a poll that bumps the table's counter) only wastes this work."""
    last = table.row_count - 1
    height = table.scrollable_content_region.height
    if last < 0 or height <= 0 or not table.columns:
        return
    table._pseudo_class_state = table.get_pseudo_class_state()
    cursor = Coordinate(last, table.cursor_column)
    style = table.rich_style
    for index in range(max(0, last - height), last + 1):
        row_key = table._row_locations.get_key(index)
        if row_key is not None:
            table._render_line_in_row(row_key, 0, style, cursor, table.hover_coordinate)
