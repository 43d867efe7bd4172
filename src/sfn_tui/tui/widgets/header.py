"""The one-line header: where the app is connected, freshness, warnings, tasks.

Its state lives on the App as reactives (one source for every screen's header);
the header watches them and redraws.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from sfn_tui.tui.formatting import clock_time

WATCHED = ("where", "refreshed_at", "failing", "failing_since", "tasks_waiting", "read_only")


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusHeader.-failing { background: $error 40%; }
    """

    def __init__(self, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tz = tz

    def on_mount(self) -> None:
        for name in WATCHED:
            self.watch(self.app, name, self._changed, init=False)
        self._changed()

    def _changed(self) -> None:
        self.set_class(bool(getattr(self.app, "failing", "")), "-failing")
        self.refresh()

    def render(self) -> Text:
        app = self.app
        text = Text()
        text.append("sfn-tui ", style="bold")
        if getattr(app, "read_only", False):
            text.append(" READ-ONLY ", style="bold black on yellow")
            text.append(" ")
        text.append(getattr(app, "where", ""), style="bold cyan")
        failing, since = getattr(app, "failing", ""), getattr(app, "failing_since", None)
        refreshed = getattr(app, "refreshed_at", None)
        if failing and since is not None:
            text.append(f" │ ⚠ refresh failing since {clock_time(since, self.tz)}: ")
            text.append(failing, style="bold")
        elif refreshed is not None:
            text.append(f" │ refreshed {clock_time(refreshed, self.tz)}", style="dim")
        waiting = getattr(app, "tasks_waiting", 0)
        if waiting:
            plural = "s" if waiting != 1 else ""
            text.append(f" │ ✉ {waiting} task{plural} waiting (c)", style="bold yellow")
        return text
