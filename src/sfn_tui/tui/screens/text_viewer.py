"""A long text in full, read-only: a run's whole input or output, an event's details.

The detail's Summary and event box draw a bounded preview (a Static lays out every
line it holds: a 10,000-item list took seconds); this screen holds the whole text in a
TextArea, which draws only the lines in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static, TextArea

from sfn_tui.core.redact import printable
from sfn_tui.tui.formatting import visible
from sfn_tui.tui.widgets.footer import SteadyFooter


class TextViewerScreen(Screen[None]):
    DEFAULT_CSS = """
    TextViewerScreen #viewer-title {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
    }
    TextViewerScreen TextArea {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="viewer.back"),
        Binding("ctrl+home", "jump(0)", "First line", id="viewer.first_line"),
        Binding("ctrl+end", "jump(-1)", "Last line", id="viewer.last_line"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        lines = self.text.count("\n") + 1
        title = f"{visible(self.title_text)}  ({lines:,} lines; Esc goes back)"
        yield Static(title, id="viewer-title", markup=False)  # run names are service text
        # A TextArea draws control characters as they are: written out here (an event's
        # type, a state's name, a run's output that is not JSON are the endpoint's).
        shown = printable(self.text)
        yield TextArea(shown, read_only=True, show_line_numbers=True, id="viewer-text")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_jump(self, line: int) -> None:
        area = self.query_one(TextArea)
        last = area.document.line_count - 1
        area.move_cursor((last if line < 0 else line, 0), center=True)

    def action_close(self) -> None:
        self.dismiss()
