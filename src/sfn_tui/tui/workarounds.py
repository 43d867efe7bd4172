"""Work-arounds for problems in the libraries under the UI, each with its reason.

Textual 8.2.8 caches ``StylesCache.get_inner_outer`` with ``functools.lru_cache`` on
the method, so the cache keeps up to 1,024 ``StylesCache`` objects (and every line they
rendered) alive after their widgets are gone: each opened and closed execution detail
or chat pane left megabytes behind (Textualize/textual#6665). Clearing that cache now
and then lets them go; it only holds two computed styles per entry.

Textual's ``watch(obj, name, callback)`` keeps ``(widget, callback)`` in a list on
``obj`` and drops a closed widget only when ``obj.name`` next changes. Widgets watching
the app (the status header of every screen, Footer keys, TextArea) for something that
rarely changes (a theme, a failure) stayed alive with their whole screen after it
closed, and a Footer kept every key it ever recomposed (each key data-binds the
footer's ``compact``): a chat pane opened and closed held about 25 widgets. Pruning
those lists of closed widgets now and then lets them go (the test Textual applies).
"""

from __future__ import annotations

import functools
from typing import Any

RELEASE_EVERY = 30.0  # seconds between clears


def release_style_caches() -> None:
    """Drop Textual's per-widget style cache entries (a no-op if Textual changes)."""
    try:
        from textual._styles_cache import StylesCache
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    method = getattr(StylesCache, "get_inner_outer", None)
    if isinstance(method, functools._lru_cache_wrapper):
        method.cache_clear()


def release_closed_watchers(*watched: Any) -> None:
    """Drop closed widgets from the watcher lists of these objects (app, screens)."""
    for obj in watched:
        watchers = getattr(obj, "__watchers", None)
        if not isinstance(watchers, dict):
            continue
        for entries in watchers.values():
            entries[:] = [
                (node, callback)
                for node, callback in entries
                if not getattr(node, "_closing", False) and not getattr(node, "_closed", False)
            ]


def wrap_to_at_least_one_column() -> None:
    """Textual 8.2.8 wraps a widget's text to the width the layout gives it, and a
    widget squeezed to no width asks Rich to wrap to 0 (or fewer) columns: Rich's
    ``chop_cells`` then raises "range() arg 3 must not be zero" and the app dies. It
    happens to any auto-height OptionList or text at small sizes (the chat pane's reply
    area is 0 columns wide once the terminal is 32 columns or fewer; at 1x1 everything
    is). Wrapping to at least one column draws nothing wrong: a region 0 columns wide
    shows nothing anyway. Idempotent; a no-op if Textual changes the method."""
    try:
        from textual.content import Content
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    original = getattr(Content, "_wrap_and_format", None)
    if original is None or getattr(original, "_at_least_one_column", False):
        return

    @functools.wraps(original)
    def wrap_and_format(self: Any, width: int, *args: Any, **kwargs: Any) -> Any:
        return original(self, max(1, width), *args, **kwargs)

    wrap_and_format._at_least_one_column = True  # type: ignore[attr-defined]
    Content._wrap_and_format = wrap_and_format  # type: ignore[method-assign]


def constant_time_wrapped_height() -> None:
    """Textual 8.2.8's ``WrappedDocument.height`` sums the wrap offsets of every line,
    and TextArea asks for it once for every line it draws: a 40,000-line definition
    cost about 0.5 s a frame. The same number is the length of the list that maps each
    visual line to its document line, which wrapping keeps current. Idempotent; a no-op
    if Textual changes the class."""
    try:
        from textual.document._wrapped_document import WrappedDocument
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    current = WrappedDocument.__dict__.get("height")
    if not isinstance(current, property) or getattr(current.fget, "_constant_time", False):
        return

    def height(self: Any) -> int:
        return len(self._offset_to_line_info)

    height._constant_time = True  # type: ignore[attr-defined]
    WrappedDocument.height = property(height)  # type: ignore[method-assign, assignment]


def fast_byte_offsets() -> None:
    """Textual 8.2.8's ``SyntaxAwareDocument._location_to_byte_offset`` (called twice
    for every edit, to tell tree-sitter where it happened) encodes each line above the
    edit in a Python loop: 32 ms a call in the middle of a 40,000-line definition. The
    same number comes from one join and one encode, in C (about 1 ms). Idempotent; a
    no-op if Textual changes the class."""
    try:
        from textual.document._syntax_aware_document import SyntaxAwareDocument
    except ImportError:  # pragma: no cover - a Textual without tree-sitter support
        return
    current = SyntaxAwareDocument.__dict__.get("_location_to_byte_offset")
    if current is None or getattr(current, "_fast", False):
        return

    def location_to_byte_offset(self: Any, location: tuple[int, int]) -> int:
        lines = self._lines
        row, column = location
        above = len("".join(lines[:row]).encode("utf-8")) + row * len(self.newline)
        left = len(lines[row][:column].encode("utf-8")) if row < len(lines) else 0
        return above + left

    location_to_byte_offset._fast = True  # type: ignore[attr-defined]
    SyntaxAwareDocument._location_to_byte_offset = location_to_byte_offset  # type: ignore[method-assign]


class _Unwrapped:
    """A WrappedDocument map for a document that does not wrap: entry n is about
    document line n (visual line n). Entries are made when read, so renumbering the
    lines below an Enter allocates nothing (40,000 new lists cost 50 ms, mostly the
    garbage collector's). Read-only: a document that wraps gets real lists again."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count

    def entry(self, row: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.entry(row) for row in range(*index.indices(self.count))]
        row = index + self.count if index < 0 else index
        if not 0 <= row < self.count:
            raise IndexError("line index out of range")
        return self.entry(row)

    def __iter__(self) -> Any:
        return (self.entry(row) for row in range(self.count))


class _LineInfo(_Unwrapped):
    __slots__ = ()

    def entry(self, row: int) -> tuple[int, int]:
        return (row, 0)  # (document line, section of it)


class _LineOffsets(_Unwrapped):
    __slots__ = ()

    def entry(self, row: int) -> list[int]:
        return [row]  # the visual lines of a document line


_NO_TABS: list[int] = [0]  # the tab widths of a line without tabs (shared, never changed)
_NOTHING: list[int] = []  # no tabs in an empty line, no wrap offsets (shared, never changed)


def fast_unwrapped_edits() -> None:
    """Textual 8.2.8's ``WrappedDocument`` is slow for long documents that do not wrap
    (the JSON editors), which is when every document line is one visual line:

    - ``wrap_range`` renumbers, in a Python loop, every visual line below an edit that
      adds or removes a line (Enter, Backspace at a line's start): 33 ms in the middle
      of a 40,000-line definition;
    - ``wrap``, which TextArea calls on every load and resize (7 times while a
      definition form opens), builds four lists per line: 0.7 s a call at 69,000 lines.

    Without wrapping, the maps between document and visual lines are the identity,
    kept as `_Unwrapped` views; lines without tabs share one list of tab widths. With
    soft wrap, Textual's own code runs (after a full wrap if the maps are such views).
    Idempotent; a no-op if Textual changes the class."""
    try:
        from textual.document._wrapped_document import WrappedDocument
        from textual.expand_tabs import get_tab_widths
        from textual.geometry import clamp
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    original = WrappedDocument.__dict__.get("wrap_range")
    original_wrap = WrappedDocument.__dict__.get("wrap")
    if original is None or original_wrap is None or getattr(original, "_unwrapped_fast", False):
        return

    def tab_widths(line: str, tab: int) -> list[int]:
        if "\t" in line:
            return [width for _, width in get_tab_widths(line, tab)]
        return _NO_TABS if line else _NOTHING

    @functools.wraps(original_wrap)
    def wrap(self: Any, width: int, tab_width: int | None = None) -> None:
        if width:
            original_wrap(self, width, tab_width)
            return
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        lines = self.document.lines
        tab = self._tab_width
        self._tab_width_cache = [tab_widths(line, tab) for line in lines]
        self._wrap_offsets = [_NOTHING] * len(lines)
        self._offset_to_line_info = _LineInfo(len(lines))
        self._line_index_to_offsets = _LineOffsets(len(lines))

    @functools.wraps(original)
    def wrap_range(self: Any, start: Any, old_end: Any, new_end: Any) -> None:
        if self._width:
            if isinstance(self._offset_to_line_info, _Unwrapped):
                self.wrap(self._width)  # the whole document, already edited
            else:
                original(self, start, old_end, new_end)
            return
        line_count = self.document.line_count
        old_max = len(self._line_index_to_offsets) - 1
        start_row = clamp(start[0], 0, min(old_max, line_count - 1))
        old_end_row = clamp(old_end[0], 0, old_max)
        new_end_row = clamp(new_end[0], 0, line_count - 1)
        top, old_bottom = sorted((start_row, old_end_row))
        new_bottom = max(start_row, new_end_row)
        lines = [self.document[row] for row in range(top, new_bottom + 1)]
        tab = self._tab_width
        self._tab_width_cache[top : old_bottom + 1] = [tab_widths(line, tab) for line in lines]
        self._wrap_offsets[top : old_bottom + 1] = [_NOTHING] * len(lines)
        if len(self._offset_to_line_info) != line_count:  # lines were added or removed
            self._offset_to_line_info = _LineInfo(line_count)
            self._line_index_to_offsets = _LineOffsets(line_count)

    wrap_range._unwrapped_fast = True  # type: ignore[attr-defined]
    WrappedDocument.wrap_range = wrap_range  # type: ignore[method-assign]
    WrappedDocument.wrap = wrap  # type: ignore[method-assign]


def install() -> None:
    """Every work-around above that patches Textual (call before the first layout),
    and those of tui/acyclic_caches.py."""
    from sfn_tui.tui import acyclic_caches

    acyclic_caches.install()
    wrap_to_at_least_one_column()
    constant_time_wrapped_height()
    fast_byte_offsets()
    fast_unwrapped_edits()
