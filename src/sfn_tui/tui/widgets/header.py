"""The one-line header: where the app is connected, freshness, warnings, tasks."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from sfn_tui.tui.formatting import clock_time


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusHeader.-failing { background: $error 40%; }
    """

    where: reactive[str] = reactive("starting…")
    refreshed_at: reactive[datetime | None] = reactive(None)
    failing: reactive[str] = reactive("")
    failing_since: reactive[datetime | None] = reactive(None)
    tasks_waiting: reactive[int] = reactive(0)
    read_only: reactive[bool] = reactive(False)

    def __init__(self, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tz = tz

    def render(self) -> Text:
        text = Text()
        text.append("sfn-tui ", style="bold")
        if self.read_only:
            text.append(" READ-ONLY ", style="bold black on yellow")
            text.append(" ")
        text.append(self.where, style="bold cyan")
        if self.failing and self.failing_since is not None:
            text.append(f" │ ⚠ refresh failing since {clock_time(self.failing_since, self.tz)}: ")
            text.append(self.failing, style="bold")
        elif self.refreshed_at is not None:
            text.append(f" │ refreshed {clock_time(self.refreshed_at, self.tz)}", style="dim")
        if self.tasks_waiting:
            plural = "s" if self.tasks_waiting != 1 else ""
            text.append(f" │ ✉ {self.tasks_waiting} task{plural} waiting", style="bold yellow")
        return text

    def watch_failing(self, failing: str) -> None:
        self.set_class(bool(failing), "-failing")
