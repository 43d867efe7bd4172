"""A DataTable kept in step with a list of items by key, touching only what changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from sfn_tui.core.diff import diff_by_key

T = TypeVar("T")
Cell = str | Text


class KeyedTable(DataTable[Cell], Generic[T]):
    """Rows keyed by `key(item)`, drawn by `cells(item)`, kept sorted by `sort_key`.

    `sync` applies a poll's result in one batch: new rows added, changed cells
    updated, vanished rows removed; the cursor stays on the same item. `source`
    holds every item; `items` only those shown (matching `filter_text`).
    """

    COLUMNS: Sequence[tuple[str, str, int | None]] = ()  # (key, label, fixed width)
    BINDINGS = [
        Binding("left", "screen.focus_pane(-1)", "Previous pane", show=False),
        Binding("right", "screen.focus_pane(1)", "Next pane", show=False),
        # A row table: Home and End go to the first and last row (DataTable scrolls sideways).
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.source: dict[str, T] = {}
        self.items: dict[str, T] = {}
        self.filter_text = ""

    def key(self, item: T) -> str:
        raise NotImplementedError

    def cells(self, item: T) -> Sequence[Cell]:
        raise NotImplementedError

    def sort_key(self, item: T) -> Any:
        return self.key(item)

    def filter_on(self, item: T) -> str:
        """The text `filter_text` is matched against (case-insensitive substring)."""
        return self.key(item)

    def matches(self, item: T) -> bool:
        return not self.filter_text or self.filter_text.lower() in self.filter_on(item).lower()

    sort_reverse = False

    def on_mount(self) -> None:
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

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
        never removed."""
        fresh = {self.key(item): item for item in items}
        if complete:
            self.source = fresh
        else:
            self.source.update(fresh)
        return self._show([item for item in self.source.values() if self.matches(item)])

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._show([item for item in self.source.values() if self.matches(item)])

    def _show(self, items: list[T]) -> bool:
        diff = diff_by_key(self.items, items, self.key)
        if not diff:
            return False
        keep = self.selected
        for key in diff.removed:
            self.items.pop(key, None)
            self.remove_row(key)
        for item in diff.changed:
            self._update_row(item)
        for item in diff.added:
            k = self.key(item)
            self.items[k] = item
            self.add_row(*self.cells(item), key=k)
        if diff.added or diff.changed:
            self._resort()
        if keep is not None:
            self.select_key(self.key(keep))
        return True

    def refresh_cells(self, items: Iterable[T]) -> None:
        """Redraw cells that depend on time (such as elapsed) for these items."""
        for item in items:
            if self.key(item) in self.items:
                self._update_row(item)

    def _update_row(self, item: T) -> None:
        k = self.key(item)
        self.items[k] = item
        for (column, _, _), value in zip(self.COLUMNS, self.cells(item), strict=True):
            try:
                if self.get_cell(k, column) != value:
                    self.update_cell(k, column, value)
            except CellDoesNotExist:
                pass

    def _resort(self) -> None:
        # DataTable.sort's key sees cell values only; order by the items instead.
        items, sort_key = self.items, self.sort_key
        ordered = sorted(
            self._data, key=lambda rk: sort_key(items[str(rk.value)]), reverse=self.sort_reverse
        )
        self._row_locations = TwoWayDict({rk: index for index, rk in enumerate(ordered)})
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
        self.clear()
