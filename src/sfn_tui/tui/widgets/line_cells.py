"""One-line table cells drawn without Rich's general pipeline.

DataTable draws every cell as ``console.render_lines(Styled(Padding(cell), pre, post))``:
a renderable tree, option copies and generators for what, in a pane of one-line rows,
is one line of text. A page of runs (PgDn, End) draws ~150 such cells, most of the
frame's time. `render_line_cell` does the steps that pipeline takes for a one-line
`Text` (Text.wrap without wrapping, Text("\\n").join, Text.render, the line cropped and
padded, the padding, the styles around it), in the same order with the same Rich
calls, so the segments are equal to DataTable's (tests/test_line_cells.py compares
them over random cells). Anything else (several lines, tabs, justified or ellipsised
text) returns None and DataTable draws it.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, JustifyMethod, OverflowMethod
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey

_NEWLINE = Text("\n")  # what Text.__rich_console__ joins lines with (join reads it only)
_PAD_STYLE = Style()  # Padding's style ("none")


def render_line_cell(
    console: Console,
    cell: object,
    width: int,
    padding: int,
    pre_style: Style,
    post_style: Style,
    justify: JustifyMethod | None,
    overflow: OverflowMethod | None,
) -> list[Segment] | None:
    """The one line DataTable draws for `cell` in a row of height 1, `width` cells wide
    with `padding` each side; `justify` and `overflow` are the console options'. None
    when the cell is not a one-line Text this function draws exactly as DataTable."""
    if not isinstance(cell, Text):
        return None
    inner = width - 2 * padding
    plain = cell.plain
    if inner < 1 or "\n" in plain or "\t" in plain or cell.no_wrap is False:
        return None
    if (cell.justify or justify or "default") != "default":
        return None
    crop: OverflowMethod = cell.overflow or overflow or "fold"
    if crop not in ("fold", "crop"):
        return None
    line = cell
    if cell_len(plain) > inner:  # Text.wrap works on a copy: strip, then truncate
        line = cell.copy()
        line.rstrip_end(inner)
        line.truncate(inner, overflow=crop)
    segments = _NEWLINE.join([line]).render(console, end=cell.end)
    content = next(
        iter(Segment.split_and_crop_lines(segments, inner, pad=True, include_new_lines=False)),
        None,
    )
    if content is None:
        return None
    side = Segment(" " * padding, _PAD_STYLE) if padding else None
    padded = [side, *content, side, Segment.line()] if side else [*content, Segment.line()]
    styled = Segment.apply_style(padded, style=pre_style, post_style=post_style)
    return next(
        iter(Segment.split_and_crop_lines(styled, width, pad=True, include_new_lines=False)),
        None,
    )


class LineCells(DataTable[Any]):
    """DataTable whose one-line body cells are drawn by `render_line_cell` (the header,
    labels, fixed cells and anything it declines are DataTable's own)."""

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        row = self.rows.get(row_key) if row_key is not None else None
        if (
            row is None
            or row_key is None
            or column_key is None
            or row_index < self.fixed_rows
            or column_index < self.fixed_columns
            or row.height != 1
            or row.auto_height
        ):  # the header (-1), a label (-1), a fixed or taller cell: DataTable's
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # DataTable's own cache key: a cell drawn by either path is found by both.
        cache_key: CellCacheKey = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        _, cells = self._get_row_renderables(row_index)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        console = self.app.console
        options = self.app.console_options
        meta = Style.from_meta({"row": row_index, "column": column_index})
        line = render_line_cell(
            console,
            cells[column_index],
            width,
            self.cell_padding,
            console.get_style(base_style + meta + component_style),
            console.get_style(post_style),
            options.justify,
            options.overflow,
        )
        if line is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        lines: SegmentLines = [line]
        self._cell_render_cache[cache_key] = lines
        return lines
