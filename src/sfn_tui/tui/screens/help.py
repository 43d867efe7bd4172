"""The help screen: every binding the user can press, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str]], log_hint: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.log_hint = log_hint

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("[b]sfn-tui — keys[/b]   (Esc closes)", id="help-title")
            table: DataTable[str] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for key, description in self.rows:
                table.add_row(key, description)
            yield table
            yield Static(
                "Tab / Shift+Tab and ← → move between panes, ↑ ↓ within a pane.\n"
                "Selecting a state machine lists its executions; they refresh live.\n"
                "Ctrl+P opens the command palette."
                + (f"\n{self.log_hint}" if self.log_hint else ""),
                id="help-footer",
            )
