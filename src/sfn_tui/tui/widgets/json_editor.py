"""A JSON editor: a TextArea with line numbers, JSON highlighting when tree-sitter and
tree-sitter-json are installed (plain text otherwise), and an error line under it.

Tab indents (two spaces); Esc leaves the editor (the next Esc then reaches the modal).
An error with a line and column puts the cursor there.

Large documents (a definition may be 1 MiB: 40,000 lines pretty-printed) stay quick
to type in: Textual's TextArea rebuilds the highlighting of the whole document and
measures the width of every line after each key (0.4 s and 20 ms at 9,000 lines);
`JsonTextArea` highlights only the lines around the view (rebuilt as it scrolls) and
keeps the widest line's width up to date from the lines an edit touched. See
bench/definition_editor.py for the figures.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.document._document import DocumentBase, EditResult
from textual.document._edit import Edit
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import Static, TextArea

from sfn_tui.core.validation import MAX_DEFINITION_BYTES
from sfn_tui.tui import workarounds
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.paste_limits import LimitedTextArea

MAX_ERROR_CHARS = 600


@cache
def json_highlighting() -> bool:
    """Whether TextArea can highlight JSON here (tree-sitter and its JSON grammar)."""
    try:
        from textual._tree_sitter import TREE_SITTER, get_language
    except ImportError:
        return False
    return bool(TREE_SITTER) and get_language("json") is not None


def clip(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """A long service message cut to `limit` characters, saying how much was left out."""
    if len(message) <= limit:
        return message
    return f"{message[:limit].rstrip()}… ({len(message) - limit} more characters)"


HIGHLIGHT_MARGIN = 50  # lines highlighted above and below the view


class JsonTextArea(LimitedTextArea):
    """A TextArea whose per-key cost does not grow with the document (see above), and
    that refuses pastes past its limit (tui/paste_limits.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        workarounds.constant_time_wrapped_height()  # drawing a line is O(1) too
        workarounds.fast_byte_offsets()  # telling tree-sitter about an edit too
        workarounds.fast_unwrapped_edits()  # and renumbering lines after Enter
        # Set before TextArea's own set-up, which already sizes and highlights.
        self._window: tuple[int, int] = (0, 0)  # document lines highlighted: [first, end)
        self._sized: DocumentBase | None = None  # the document `_widest` was measured on
        self._widest = 0
        super().__init__(*args, **kwargs)

    # Highlighting: only the lines around the view ------------------------------------

    def _wanted_window(self) -> tuple[int, int]:
        top = self.scroll_offset.y
        return max(0, top - HIGHLIGHT_MARGIN), top + self.size.height + HIGHLIGHT_MARGIN

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        if not self._highlight_query:
            return
        first, end = self._window = self._wanted_window()
        captures = self.document.query_syntax_tree(self._highlight_query, (first, 0), (end, 0))
        for name, nodes in captures.items():
            for node in nodes:
                start_row, start_column = node.start_point
                end_row, end_column = node.end_point
                if start_row == end_row:
                    highlights[start_row].append((start_column, end_column, name))
                    continue
                highlights[start_row].append((start_column, None, name))
                for row in range(max(start_row + 1, first), min(end_row, end)):
                    highlights[row].append((0, None, name))
                highlights[end_row].append((0, end_column, name))

    def render_line(self, y: int) -> Strip:
        """TextArea.render_line, less its first test: `not self.text and
        self.placeholder` joins the whole document for every line drawn (26 ms a frame
        at 40,000 lines) to decide whether to draw a placeholder, and this editor has
        none. The rest is TextArea's own line cache, unchanged."""
        if self.placeholder:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        selection = self.selection
        _, cursor_y = self._cursor_offset
        blinking = self._cursor_visible and self.cursor_blink and absolute_y == cursor_y
        cache_key = (
            self.size,
            scroll_x,
            absolute_y,
            (
                selection
                if selection.contains_line(absolute_y) or self.soft_wrap
                else selection.end[0] == absolute_y
            ),
            selection.end if blinking else None,
            self.theme,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.soft_wrap,
            self.show_line_numbers,
            self.read_only,
            self.show_cursor,
            self.suggestion,
        )
        if (cached := self._line_cache.get(cache_key)) is not None:
            return cached
        line = self._render_line(y)
        self._line_cache[cache_key] = line
        return line

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._highlight_query:
            first, end = self._window
            top = self.scroll_offset.y
            if top < first or top + self.size.height > end:
                self._build_highlight_map()  # scrolled out of the highlighted lines
        return super().render_lines(crop)

    # Size: the widest line, kept up to date from the lines each edit touched ----------

    def _refresh_size(self) -> None:
        if self.soft_wrap:
            super()._refresh_size()
            return
        document = self.document
        if document is not self._sized:
            self._sized = document
            self._widest = document.get_size(self.indent_width).width
        # +1 width leaves room for the cursor at the end of the widest line.
        self.virtual_size = Size(self._widest + self.gutter_width + 1, document.line_count)
        self._refresh_scrollbars()

    def edit(self, edit: Edit) -> EditResult:
        result = super().edit(edit)
        if not self.soft_wrap and self._sized is self.document:
            document, tab = self.document, self.indent_width
            last = min(result.end_location[0], document.line_count - 1)
            touched = range(min(edit.top[0], last), last + 1)
            widest = max((cell_len(document[row].expandtabs(tab)) for row in touched), default=0)
            if widest > self._widest:  # a shorter widest line only leaves spare scroll room
                self._widest = widest
                self._refresh_size()
        return result


class JsonEditor(Vertical):
    DEFAULT_CSS = """
    JsonEditor { height: 14; }
    JsonEditor > TextArea { height: 1fr; }
    JsonEditor > .json-editor-error { height: auto; max-height: 5; }
    JsonEditor > .json-editor-error.-empty { display: none; }
    """

    def __init__(
        self,
        text: str = "",
        *,
        max_bytes: int = MAX_DEFINITION_BYTES,
        limit_name: str = "AWS's limit for a definition",
        id: str | None = None,
        classes: str | None = None,
    ):
        super().__init__(id=id, classes=classes)
        self._initial = text
        self._error = ""
        self._limit = (max_bytes, limit_name)

    def compose(self) -> ComposeResult:
        editor = JsonTextArea.code_editor(
            self._initial,
            language="json" if json_highlighting() else None,
            theme="css",
            tab_behavior="indent",
            soft_wrap=False,
        )
        assert isinstance(editor, JsonTextArea)  # code_editor builds its own class
        editor.max_bytes, editor.limit_name = self._limit
        yield editor
        yield Static("", classes="inline-error json-editor-error -empty")

    def on_mount(self) -> None:
        self.text_area.indent_width = 2

    @property
    def text_area(self) -> TextArea:
        return self.query_one(TextArea)

    @property
    def text(self) -> str:
        return self.text_area.text

    @property
    def error(self) -> str:
        """The error shown under the editor ("" when none)."""
        return self._error

    def replace_text(self, text: str) -> None:
        """Put `text` in the editor as one edit (Ctrl+Z brings the old text back)."""
        area = self.text_area
        area.replace(text, (0, 0), area.document.end)
        area.move_cursor((0, 0))

    def show_error(self, message: str, line: int = 0, column: int = 0) -> None:
        """Show `message` under the editor; with a 1-based line and column, put the
        cursor there."""
        self._error = message
        error = self.query_one(".json-editor-error", Static)
        error.update(plain(clip(message)))
        error.set_class(not message, "-empty")
        if line > 0:
            area = self.text_area
            row = min(line - 1, area.document.line_count - 1)
            col = max(0, min(column - 1, len(area.document.get_line(row))))
            area.move_cursor((row, col), center=True)
            area.focus()

    def clear_error(self) -> None:
        self.show_error("")

    def focus(self, scroll_visible: bool = True) -> JsonEditor:
        self.text_area.focus(scroll_visible)
        return self
