"""The help screen: every key of the app, grouped by where it applies, generated from
the bindings (tui/key_catalog.py), with the footer's word, the long name (the command
palette's) and the binding id a `[keys]` table in the settings file can rebind."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from sfn_tui.config import config_path
from sfn_tui.core.redact import log_destination
from sfn_tui.tui.key_catalog import KeyGroup, key_display

HERE = "  ◂ here"
QUIT_WAIT = (
    "Quitting while activity polls are open on a remote endpoint waits for them (up to"
    " 60 s, counted down; q again quits at once): GetActivityTask holds a call up to 60 s,"
    " and a task the service hands to a poll nobody reads any more would wait for its"
    " timeout."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, groups: list[KeyGroup], here: set[type] | None = None) -> None:
        super().__init__()
        self.groups = groups
        self.here = here or set()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(
                "[b]sfn-tui — keys[/b]   (Esc closes; ◂ here: where you are)", id="help-title"
            )
            for group in self.groups:
                if not group.entries:
                    continue
                title = group.title + (HERE if group.owner in self.here else "")
                yield Static(Text(title, style="bold underline"), classes="help-group")
                yield Static(self._table(group), classes="help-keys")
            yield Static(
                "Tab / Shift+Tab and ← → move between panes, ↑ ↓ within a pane, Enter opens.\n"
                "Selecting a state machine lists its executions; they refresh live.\n"
                "Ctrl+P opens the command palette: every action by name.\n"
                f"{QUIT_WAIT}\n"
                f"Settings file: {config_path()}  (read_only, poll_interval, and [keys]:"
                ' binding id = "key" rebinds a key)\n'
                f"{log_line()}\n"
                "Task tokens, credentials and session tokens are redacted from the log.",
                id="help-footer",
                markup=False,
            )

    def _table(self, group: KeyGroup) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column("Key", style="bold", no_wrap=True, min_width=7)
        table.add_column("Action", ratio=1)
        table.add_column("Id", style="dim", no_wrap=True)
        for entry in group.entries:
            action = Text(entry.label)
            if entry.name != entry.label:
                action.append(f" — {entry.name}", style="italic")
            table.add_row(
                key_display(self.app, entry.binding, entry.keys), action, entry.binding_id
            )
        return table


def log_line() -> str:
    """Where the log goes in this session."""
    path = log_destination()
    if path is None:
        return "Log: none (start with --log-file PATH to write one)"
    return f"Log: {path}"
