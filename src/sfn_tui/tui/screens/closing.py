"""Quitting while activity polls are open on a remote endpoint: a countdown of the
seconds it still waits for them, and why.

GetActivityTask holds a call up to 60 s. A task the service hands to a poll the app
has abandoned is delivered to nobody, and its run waits for the task's timeout (or
heartbeat timeout); so quitting waits for open polls to return, failing what they bring
with Worker.Shutdown. q quits at once instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

WHY = (
    "GetActivityTask holds a call up to 60 s; a task the service hands to a poll nobody"
    " reads any more would wait for its timeout. What the polls bring is failed with"
    " Worker.Shutdown, so its run goes on at once."
)


def countdown_words(polls: int, seconds: float) -> str:
    plural = "s" if polls != 1 else ""
    return (
        f"Waiting for {polls} open task poll{plural} to return so no task is lost:"
        f" {math.ceil(seconds)} s left. Press q to quit now."
    )


class ClosingScreen(ModalScreen[None]):
    """Counts down each second; `left` and `polls` read the inbox as it is now."""

    BINDINGS = [Binding("q", "quit_now", "Quit now", id="closing.quit_now")]

    def __init__(
        self,
        left: Callable[[], float],
        polls: Callable[[], int],
        quit_now: Callable[[], None],
    ) -> None:
        super().__init__()
        self.left = left
        self.polls = polls
        self.quit_now = quit_now

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="closing-box"):
            yield Static("[b]Closing sfn-tui[/b]")
            yield Static(self._words(), id="closing-countdown", markup=False)
            yield Static(WHY, id="closing-why", markup=False)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _words(self) -> str:
        return countdown_words(max(self.polls(), 1), self.left())

    def _tick(self) -> None:
        self.query_one("#closing-countdown", Static).update(self._words())

    def action_quit_now(self) -> None:
        self.query_one("#closing-countdown", Static).update("Quitting now…")
        self.quit_now()
