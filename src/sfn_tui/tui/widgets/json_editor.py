"""A JSON editor: a TextArea with line numbers, JSON highlighting when tree-sitter and
tree-sitter-json are installed (plain text otherwise), and an error line under it.

Tab indents (two spaces); Esc leaves the editor (the next Esc then reaches the modal).
An error with a line and column puts the cursor there.
"""

from __future__ import annotations

from functools import cache

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from sfn_tui.core.validation import MAX_DEFINITION_BYTES
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
        editor = LimitedTextArea.code_editor(
            self._initial,
            language="json" if json_highlighting() else None,
            theme="css",
            tab_behavior="indent",
            soft_wrap=False,
        )
        assert isinstance(editor, LimitedTextArea)  # code_editor builds its own class
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
