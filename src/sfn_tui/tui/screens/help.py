"""The help screen: every key that works on the screen below, grouped by where it
applies, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sfn_tui.config import config_path
from sfn_tui.core.redact import log_destination

KeyRows = list[tuple[str, str]]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, groups: list[tuple[str, KeyRows]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("[b]sfn-tui — keys[/b]   (Esc closes)", id="help-title")
            table: DataTable[str | Text] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for title, rows in self.groups:
                table.add_row(Text(title, style="bold underline"), "")
                for key, description in rows:
                    table.add_row(key, description)
            yield table
            yield Static(
                "Tab / Shift+Tab and ← → move between panes, ↑ ↓ within a pane.\n"
                "Selecting a state machine lists its executions; they refresh live.\n"
                "Ctrl+P opens the command palette: every action by name.\n"
                f"Settings file: {config_path()}  (read_only, poll_interval)\n"
                f"{log_line()}\n"
                "Task tokens, credentials and session tokens are redacted from the log.",
                id="help-footer",
                markup=False,
            )


def log_line() -> str:
    """Where the log goes in this session."""
    path = log_destination()
    if path is None:
        return "Log: none (start with --log-file PATH to write one)"
    return f"Log: {path}"
