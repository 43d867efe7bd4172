"""A DataTable kept in step with a list of items by key, touching only what changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from textwrap import wrap
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, Row, RowKey

from sfn_tui.core.diff import Diff, diff_by_key
from sfn_tui.tui.widgets.column_fit import clip_middle_text, fit_widths, widest
from sfn_tui.tui.widgets.line_cells import LineCells
from sfn_tui.tui.widgets.pass_styles import PassStyles
from sfn_tui.tui.widgets.row_append import append_rows, can_append, render_last_rows_ahead

T = TypeVar("T")
# Rendered cells and rows are kept for a few screens of about 40 rows. Every cached row
# line is a Strip with seven small caches of its own: 400 of them per table (as before)
# were a third of the objects a full GC collection walked while polling.
CELL_CACHE_SIZE = 480  # 3 screens of 40 rows by 4 columns
ROW_CACHE_SIZE = 120
Cell = str | Text
# Rows added or removed at once above which the table is rebuilt in one pass (a filter
# typed over 10,000 machines): DataTable.remove_row renumbers every row (O(n) each).
REBUILD_AT = 64
REBUILD_COST = 20_000  # rows removed x rows shown above which a rebuild is cheaper
REBUILD_ROWS = 1000  # rows shown above which added rows (which may need a re-sort) rebuild


def _row_meta(key: str) -> tuple[Row, tuple[RowKey, int]]:
    row_key = RowKey(key)
    return Row(row_key, 1), (row_key, 0)


class LazyRows(dict[RowKey, dict[ColumnKey, Cell]]):
    """DataTable's row data, each row's cells made from its item when first read (when
    the row is drawn). A table rebuilt from 10,000 items makes cells for the screenful
    it draws, not for every row."""

    def __init__(self, table: KeyedTable[Any]) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, row_key: RowKey) -> dict[ColumnKey, Cell]:
        table = self._table
        if row_key not in table.rows:
            raise KeyError(row_key)
        item = table.items.get(str(getattr(row_key, "value", row_key)))
        # No item: the row is being removed (its item went first); remove_row reads
        # and deletes its cells.
        cells = table.cells(item) if item is not None else ()
        row = dict(zip(table.column_keys, cells, strict=False))
        self[row_key] = row
        return row

    def get(self, key: RowKey, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(self._table.rows)


class KeyedTable(PassStyles, LineCells, DataTable[Cell], Generic[T]):
    """Rows keyed by `key(item)`, drawn by `cells(item)`, kept sorted by `sort_key`.

    `sync` applies a poll's result in one batch: new rows added, changed cells
    updated, vanished rows removed; the cursor stays on the same item. `source`
    holds every item; `items` only those shown (matching `filter_text`).
    """

    COLUMNS: Sequence[tuple[str, str, int | None]] = ()  # (key, label, fixed width)
    NAME_COLUMN = "name"  # takes the width the others leave; long names shortened in the middle
    BINDINGS = [
        Binding(
            "left", "screen.focus_pane(-1)", "Previous pane", show=False, id="table.previous_pane"
        ),
        Binding("right", "screen.focus_pane(1)", "Next pane", show=False, id="table.next_pane"),
        # A row table: Home and End go to the first and last row (DataTable scrolls sideways).
        Binding("home", "scroll_top", "First row", show=False, id="table.first_row"),
        Binding("end", "scroll_bottom", "Last row", show=False, id="table.last_row"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        # DataTable's render caches hold up to 10,000 cells and 1,000 rows and lines;
        # every added row bumps the update count that keys them, so a live table fills
        # them with stale renders (tens of MB). A pane shows a screenful: keep a few.
        self._cell_render_cache = LRUCache(CELL_CACHE_SIZE)
        self._row_render_cache = LRUCache(ROW_CACHE_SIZE)
        self._row_renderable_cache = LRUCache(ROW_CACHE_SIZE)
        self._line_cache = LRUCache(ROW_CACHE_SIZE)
        self.source: dict[str, T] = {}
        self.items: dict[str, T] = {}
        self.filter_text = ""
        self.name_width: int | None = None  # None: names shown in full
        self._natural: list[int] = [0] * len(self.COLUMNS)  # widest cell of each column
        self._widths: dict[str, tuple[int, ...]] = {}  # each item's cell widths, by key
        # Each item's filter_on, lowered (the names filtered on are part of the keys, the
        # ARNs: they never change for a key).
        self._lowered: dict[str, str] = {}
        # Each source item's DataTable Row and its line offset, reused by every rebuild
        # (a rebuild makes no objects per row for the GC to walk).
        self._row_meta: dict[str, tuple[Row, tuple[RowKey, int]]] = {}
        self._source_sorted = False  # source is in the table's order (sorted at sync)
        self.column_keys = [ColumnKey(key) for key, _, _ in self.COLUMNS]
        self._data = LazyRows(self)
        self._fitting = False
        self.empty_text = ""  # drawn where the rows would be when there are none

    @property
    def focusable(self) -> bool:
        """Focusable while loading too. Textual refuses focus to a loading widget, so
        Enter on a machine whose runs were still loading left the focus behind, and
        the next Down moved the machine cursor instead: the keys after Enter must act
        in the pane Enter went to."""
        return self.allow_focus() and self.visible and not self._self_or_ancestors_disabled

    def key(self, item: T) -> str:
        raise NotImplementedError

    def cells(self, item: T) -> Sequence[Cell]:
        raise NotImplementedError

    def full_name(self, item: T) -> Text:
        """The name column's text before shortening. Tables whose cells() shorten it
        (through fit_name) override this; for the others it is the cell itself."""
        cell = self.cells(item)[self._name_index()]
        return cell if isinstance(cell, Text) else Text(cell)

    def fit_name(self, text: Text) -> Text:
        """The name as the pane has room for it: shortened in the middle if need be."""
        return text if self.name_width is None else clip_middle_text(text, self.name_width)

    def sort_key(self, item: T) -> Any:
        return self.key(item)

    def filter_on(self, item: T) -> str:
        """The text `filter_text` is matched against (case-insensitive substring)."""
        return self.key(item)

    def matches(self, item: T) -> bool:
        return not self.filter_text or self.filter_text.lower() in self.filter_on(item).lower()

    def _matching(self, previous: str) -> dict[str, T]:
        """The source items `filter_text` matches, by key: in source order, or when
        typing on (the new text extends `previous`, so only the rows shown are
        searched) in the rows' order. Each item's lowered text is kept, not lowered
        again at every key."""
        needle = self.filter_text.lower()
        if not needle:
            return dict(self.source)
        lowered, filter_on = self._lowered, self.filter_on
        narrowing = previous and needle.startswith(previous.lower())
        pool = self.items if narrowing else self.source
        out = {}
        for k, item in pool.items():
            hay = lowered.get(k)
            if hay is None:
                hay = lowered[k] = filter_on(item).lower()
            if needle in hay:
                out[k] = item
        return out  # narrowing: in the rows' order (a rebuild sorts unless presorted)

    sort_reverse = False

    def on_mount(self) -> None:
        # With a name column every width is managed here (fit_columns); without one,
        # None keeps DataTable's auto width.
        fitted = self._name_index() >= 0
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width or (len(label) if fitted else None))

    def on_resize(self) -> None:
        self.fit_columns()

    def show_empty(self, text: str) -> None:
        """What the pane says when it has no rows (what is empty, and why)."""
        if text != self.empty_text:
            self.empty_text = text
            self.refresh()

    def render_line(self, y: int) -> Strip:
        header = self.header_height if self.show_header else 0
        if self.row_count or not self.empty_text or self.loading or y < header + 1:
            return super().render_line(y)
        width = self.size.width
        lines = wrap(self.empty_text, max(1, width - 2)) or [""]
        index = y - header - 1  # one blank line under the header
        if index >= len(lines):
            return Strip.blank(width, self.rich_style)
        style = self.rich_style + Style(dim=True, italic=True)
        return Strip([Segment(f" {lines[index]}", style)]).adjust_cell_length(width, style)

    # Column widths ------------------------------------------------------------------

    def _measure(self, items: Iterable[T]) -> None:
        """Widen the columns' natural widths to these items' cells (measured afresh)."""
        natural = self._natural
        name_index = self._name_index()
        widths = self._widths
        for item in items:
            measured = tuple(
                widest((self.full_name(item) if index == name_index else cell,))
                for index, cell in enumerate(self.cells(item))
            )
            widths[self.key(item)] = measured
            for index, width in enumerate(measured):
                if width > natural[index]:
                    natural[index] = width

    def _remeasure(self) -> None:
        """The natural widths of the rows shown, from each item's widths measured when
        it arrived (an item not measured yet is measured now)."""
        widths = self._widths
        self._measure([item for k, item in self.items.items() if k not in widths])
        columns = zip(*map(widths.__getitem__, self.items), strict=True)
        self._natural = [max(column) for column in columns] or [0] * len(self.COLUMNS)

    def _name_index(self) -> int:
        keys = [key for key, _, _ in self.COLUMNS]
        return keys.index(self.NAME_COLUMN) if self.NAME_COLUMN in keys else -1

    def fit_columns(self, *, remeasure: bool = False) -> None:
        """Set each column's width from the rows shown and the pane's width: no column
        pushed off screen, no sideways scrolling when everything fits."""
        if not self.columns or self._fitting or not self.COLUMNS:
            return
        if remeasure:
            self._remeasure()
        name_index = self._name_index()
        if name_index < 0:
            return
        width, height = self.size
        header = self.header_height if self.show_header else 0
        if self.row_count + header > height:
            width -= self.styles.scrollbar_size_vertical
        widths = fit_widths(
            [label for _, label, _ in self.COLUMNS],
            self._natural,
            [fixed for _, _, fixed in self.COLUMNS],
            name_index,
            width,
            2 * self.cell_padding,
        )
        changed = False
        for (key, _, _), new in zip(self.COLUMNS, widths, strict=True):
            column = self.columns.get(ColumnKey(key))
            if column is not None and (column.width != new or column.auto_width):
                column.width, column.auto_width = new, False
                changed = True
        full = max(self._natural[name_index], len(self.COLUMNS[name_index][1]))
        name_width = None if widths[name_index] >= full else widths[name_index]
        if name_width != self.name_width:
            self.name_width = name_width
            self._fitting = True
            try:
                self._update_rows(list(self.items.values()))
            finally:
                self._fitting = False
        if changed:
            self._clear_render_caches()
            self._require_update_dimensions = True
            self.refresh()

    def _clear_render_caches(self) -> None:
        """DataTable._clear_caches but for the rows' order and line offsets, which a
        column's width does not change: recomputed, they cost two passes over every row
        (about 12 ms at 10,000), and a rebuild has just set them."""
        for cache in (
            self._row_render_cache,
            self._cell_render_cache,
            self._row_renderable_cache,
            self._line_cache,
            self._styles_cache,
        ):
            cache.clear()
        self._get_styles_to_render_cell.cache_clear()

    @property
    def selected(self) -> T | None:
        if not self.items or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return self.items.get(str(row_key.value))

    def sync(self, items: Iterable[T], *, complete: bool = True) -> bool:
        """Bring the table in line with `items`. Returns True if anything changed.

        With `complete=False` (one page of a longer list) rows are added and updated,
        never removed, and only the page is compared: the cost does not grow with the
        rows already loaded."""
        fresh = {self.key(item): item for item in items}
        if complete:
            if len(fresh) > REBUILD_ROWS:  # kept in order: a filter's rows need no sort
                sort_key = self.sort_key
                fresh = dict(
                    sorted(fresh.items(), key=lambda kv: sort_key(kv[1]), reverse=self.sort_reverse)
                )
                self._source_sorted = True
            else:
                self._source_sorted = False
            self.source = fresh
            for cache in (self._widths, self._lowered, self._row_meta):
                for gone in cache.keys() - fresh.keys():
                    del cache[gone]
            return self._show(self._matching(""))
        self._source_sorted = False
        self.source.update(fresh)
        diff: Diff[str, T] = Diff()
        for k, item in fresh.items():
            before = self.items.get(k)
            if not self.matches(item):
                if before is not None:
                    diff.removed.append(k)
            elif before is None:
                diff.added.append(item)
            elif before != item:
                diff.changed.append(item)
        return self._apply(diff)

    def set_filter(self, text: str) -> None:
        previous, self.filter_text = self.filter_text, text
        matched = self._matching(previous)
        old, new = previous.lower(), text.lower()
        if new.startswith(old) or old.startswith(new):
            # Typed on or erased back: one set holds the other (the same objects, so
            # nothing changed), and the sizes say how many rows come or go.
            if len(matched) != len(self.items):
                self._show(matched, moved=abs(len(matched) - len(self.items)))
        else:
            self._show(matched)

    def _show(self, matched: dict[str, T], *, moved: int | None = None) -> bool:
        """Show exactly `matched`. `moved`: how many rows come or go, when the caller
        knows `matched` and the rows shown are one within the other (the diff over
        every row is then not needed to choose between a rebuild and row updates)."""
        diff: Diff[str, T] | None = None
        if moved is None:
            diff = diff_by_key(self.items, matched.values(), self.key)
            moved = len(diff.added) + len(diff.removed)
            if not moved and not diff.changed:
                return False
        large = max(len(self.items), len(matched)) > REBUILD_ROWS
        # remove_row renumbers every row, and DataTable then derives the rows' order and
        # line offsets afresh (O(n) each): in a large table a rebuild costs less.
        if moved > REBUILD_AT or moved * len(self.items) > REBUILD_COST or (moved and large):
            if diff is not None:
                self._measure(diff.changed)  # their widths; new ones at _remeasure
            self._rebuild(matched)
            return True
        if diff is None:
            diff = diff_by_key(self.items, matched.values(), self.key)
        return self._apply(diff)

    def _rebuild(self, matched: dict[str, T]) -> None:
        """Show exactly `matched`, sorted, in one pass over DataTable's row tables (no
        add_row/remove_row per row); cells are made when a row is first drawn."""
        keep = self.selected
        key = self.key
        if self._source_sorted:
            self.items = matched  # the source's order (or the rows') is the table's
        else:
            ordered = sorted(matched.values(), key=self.sort_key, reverse=self.sort_reverse)
            self.items = {key(item): item for item in ordered}
        meta = self._row_meta
        made = [meta.get(k) or meta.setdefault(k, _row_meta(k)) for k in self.items]
        rows = [row for row, _ in made]
        self._data = LazyRows(self)
        self.rows = {row.key: row for row in rows}
        self._row_locations = TwoWayDict({row.key: i for i, row in enumerate(rows)})
        self._new_rows.clear()
        self._updated_cells.clear()
        self._update_count += 1
        self._require_update_dimensions = True
        self._clear_caches()
        # DataTable derives these from the row tables, row by row, at the next draw.
        self._ordered_row_cache[(len(rows), self._update_count)] = rows
        self._offset_cache[self._update_count] = [offset for _, offset in made]
        self.fit_columns(remeasure=True)
        if keep is not None and key(keep) in self.items:
            self.select_key(key(keep))
        elif self.cursor_row >= len(rows):
            self.move_cursor(row=max(0, len(rows) - 1), animate=False)
        self.refresh()
        self.after_change()

    def after_change(self) -> None:
        """Called when rows were added, changed or removed."""

    def _apply(self, diff: Diff[str, T]) -> bool:
        if not diff:
            return False
        keep = self.selected
        for key in diff.removed:
            self.items.pop(key, None)
            self.remove_row(key)
        resort = False
        sort_key = self.sort_key
        for item in diff.changed:
            before = self.items.get(self.key(item))
            resort = resort or (before is not None and sort_key(before) != sort_key(item))
        self._update_rows(diff.changed)
        if diff.added:
            # Rows append at the end; a full re-sort (O(n log n) over every loaded row)
            # is needed only when the new rows do not all belong after the last one
            # (an older page of executions does; a new execution does not).
            added = sorted(diff.added, key=sort_key, reverse=self.sort_reverse)
            last = self._last_item()
            if last is not None:
                first, end = sort_key(added[0]), sort_key(last)
                resort = resort or (first > end if self.sort_reverse else first < end)
            if not (resort or diff.removed or diff.changed) and can_append(self):
                self._append(added)  # a page of older runs: the rows drawn stay drawn
            else:
                for item in added:
                    k = self.key(item)
                    self.items[k] = item
                    self.add_row(*self.cells(item), key=k)
            if not resort:  # rows came at the end: End will show them
                self.call_after_refresh(render_last_rows_ahead, self)
        if resort:
            self._resort()
        self._measure([*diff.added, *diff.changed])
        self.fit_columns(remeasure=bool(diff.removed))
        if keep is not None:
            self.select_key(self.key(keep))
        self.after_change()
        return True

    def _append(self, added: list[T]) -> None:
        rows = []
        meta = self._row_meta
        for item in added:
            k = self.key(item)
            self.items[k] = item
            rows.append((meta.get(k) or meta.setdefault(k, _row_meta(k)))[0])
        columns = self.column_keys
        lazy = isinstance(self._data, LazyRows)  # cells made when a row is first drawn
        append_rows(
            self,
            rows,
            None
            if lazy
            else lambda row: dict(
                zip(columns, self.cells(self.items[str(row.key.value)]), strict=False)
            ),
        )

    def _last_item(self) -> T | None:
        """The item on the table's last row (before rows are added)."""
        count = len(self._row_locations)
        if not count:
            return None
        row_key = self._row_locations.get_key(count - 1)
        return self.items.get(str(row_key.value)) if row_key is not None else None

    def refresh_cells(self, items: Iterable[T]) -> None:
        """Redraw cells that depend on time (such as elapsed) for these items."""
        self._update_rows([item for item in items if self.key(item) in self.items])

    def _update_rows(self, items: Iterable[T]) -> None:
        """Put the items' new cell values in place, redrawing only the cells that changed.

        DataTable.update_cell bumps a counter that is part of every render-cache key, so
        one changed cell re-renders every visible cell (~150 cells, tens of ms) and
        recomputes per-row offsets over every loaded row. Here the new values go into
        the table's data and only the changed rows' cache entries are dropped. This
        reads DataTable internals (textual is pinned; tests/test_keyed_table.py checks it).
        """
        changed: dict[RowKey, set[ColumnKey]] = {}
        grown = False
        name_index = self._name_index()
        for item in items:
            k = self.key(item)
            self.items[k] = item
            row_key = RowKey(k)
            row = dict.get(self._data, row_key)  # rows not drawn yet are made when drawn
            if row is None:
                continue
            for index, ((column, _, fixed), value) in enumerate(
                zip(self.COLUMNS, self.cells(item), strict=True)
            ):
                column_key = ColumnKey(column)
                if column_key not in row or row[column_key] == value:
                    continue
                if fixed is None and name_index < 0:
                    # An auto-width column may need to grow: the table's own path.
                    self.update_cell(row_key, column_key, value, update_width=True)
                    continue
                row[column_key] = value
                changed.setdefault(row_key, set()).add(column_key)
                width = widest((self.full_name(item) if index == name_index else value,))
                if width > self._natural[index]:
                    grown = True  # e.g. an elapsed time gaining a digit
                    self._natural[index] = width
        if changed:
            self._forget_rendered(changed)
        if grown:
            self.fit_columns()

    def _forget_rendered(self, changed: dict[RowKey, set[ColumnKey]]) -> None:
        indices = {self._row_locations.get(row_key) for row_key in changed}
        cells = self._cell_render_cache
        for cell_key in list(cells.keys()):
            if cell_key[0] in changed and cell_key[1] in changed[cell_key[0]]:
                cells.discard(cell_key)
        rows = self._row_render_cache
        for row_cache_key in list(rows.keys()):
            if row_cache_key[0] in changed:
                rows.discard(row_cache_key)
        renderables = self._row_renderable_cache
        for renderable_key in list(renderables.keys()):
            if renderable_key[1] in indices:
                renderables.discard(renderable_key)
        self._line_cache.clear()  # lines are rebuilt from the cached rows: cheap
        self.refresh()

    def _resort(self) -> None:
        # DataTable.sort's key sees cell values only; order by the items instead.
        items, sort_key = self.items, self.sort_key
        ordered = sorted(
            self.rows, key=lambda rk: sort_key(items[str(rk.value)]), reverse=self.sort_reverse
        )
        self._row_locations = TwoWayDict({rk: index for index, rk in enumerate(ordered)})
        # `items` in the rows' order too: typing on in the filter rebuilds from it.
        self.items = {str(rk.value): items[str(rk.value)] for rk in ordered}
        self._update_count += 1
        self.refresh()

    def select_key(self, key: str) -> None:
        try:
            index = self.get_row_index(RowKey(key))
        except Exception:
            return
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False, scroll=False)

    def clear_items(self) -> None:
        self.source.clear()
        self.items.clear()
        self._widths.clear()
        self._lowered.clear()
        self._row_meta.clear()
        self.clear()
        self.fit_columns(remeasure=True)  # the next rows set the widths afresh
