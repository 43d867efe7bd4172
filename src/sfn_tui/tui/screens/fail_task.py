"""Ask for the error name and cause with which to fail an activity task."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

MAX_ERROR = 256
MAX_CAUSE = 32_768


class FailTaskScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="fail.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static("Fail this task", classes="modal-title")
            yield Label("Error name (the run's Catch and Retry match on it)")
            yield Input(value="Operator.Rejected", max_length=MAX_ERROR, id="fail-error")
            yield Label("Cause (shown in the run's history)")
            yield Input(placeholder="why the task failed", max_length=MAX_CAUSE, id="fail-cause")
            yield Static("", classes="inline-error", id="fail-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Fail task", variant="error", id="fail")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#fail-cause", Input).focus()

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "fail":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        error = self.query_one("#fail-error", Input).value.strip()
        cause = self.query_one("#fail-cause", Input).value
        if not error:
            self.query_one("#fail-problem", Static).update("Give the error a name.")
            return
        self.dismiss((error, cause))

    def action_cancel(self) -> None:
        self.dismiss(None)
