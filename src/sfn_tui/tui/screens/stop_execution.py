"""Stop a running execution (optional error and cause), or redrive a failed one.

`StopExecutionScreen(execution)` asks first, then calls StopExecution in a worker;
dismissed with True once stopped, False when cancelled. A refusal keeps it open.

`RedriveExecutionScreen(execution)` asks first, then calls RedriveExecution; dismissed
with True once redriven. Runs that cannot be redriven (still running, or succeeded) are
refused here without a call; an endpoint without RedriveExecution (the local engine) is
said in words and the modal stays open until closed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sfn_tui.aws.errors import NotSupported, SfnError
from sfn_tui.aws.models import Execution
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.widgets.json_editor import clip

MAX_ERROR = 256
MAX_CAUSE = 32_768
REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


def _title(verb: str, execution: Execution) -> Text:
    title = Text(f"{verb} the execution ")
    title.append_text(plain(execution.name))
    title.append("?")
    return title


class StopExecutionScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    StopExecutionScreen { align: center middle; }
    StopExecutionScreen #stop-arn { color: $text-muted; margin-bottom: 1; }
    StopExecutionScreen #stop-body { height: auto; margin-bottom: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="stop.cancel"),
        Binding("ctrl+s", "submit", "Stop execution", id="stop.submit"),
    ]

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution
        self.busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        execution = self.execution
        if execution.is_running:
            body = (
                "It ends as ABORTED at once; the state it is in does not finish, and tasks it"
                " waits on can no longer be answered."
            )
        else:
            body = f"It has already ended ({execution.status}): there is nothing to stop."
        with Vertical(id="stop-box", classes="modal-box"):
            yield Static(_title("Stop", execution), classes="modal-title")
            yield Static(plain(execution.arn), id="stop-arn")
            yield Static(body, id="stop-body")
            yield Label("Error (optional, up to 256 characters)")
            yield Input(placeholder="e.g. Operator.Stopped", max_length=MAX_ERROR, id="stop-error")
            yield Label("Cause (optional)")
            yield Input(placeholder="why it was stopped", max_length=MAX_CAUSE, id="stop-cause")
            yield Static("", classes="inline-error", id="stop-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button(
                    "Stop execution (Ctrl+S)",
                    variant="error",
                    id="stop-submit",
                    disabled=not execution.is_running,
                )
                yield Button("Cancel (Esc)", id="stop-cancel")

    def on_mount(self) -> None:
        if self.execution.is_running:
            self.query_one("#stop-error", Input).focus()
        else:
            self.query_one("#stop-cancel", Button).focus()

    def problem(self, message: str) -> None:
        self.query_one("#stop-problem", Static).update(plain(clip(message)))

    @on(Input.Submitted)
    @on(Button.Pressed, "#stop-submit")
    def action_submit(self) -> None:
        if self.busy or not self.execution.is_running:
            return
        self.busy = True
        self.query_one("#stop-submit", Button).disabled = True
        self.problem("")
        self.stop(
            self.query_one("#stop-error", Input).value.strip(),
            self.query_one("#stop-cause", Input).value,
        )

    @work(exclusive=True, group="stop-execution", exit_on_error=False)
    async def stop(self, error: str, cause: str) -> None:
        client = self.sfn_app.client
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            try:
                await client.stop_execution(self.execution.arn, error, cause)
            except SfnError as failure:
                self.problem(str(failure))
                return
        finally:
            self.busy = False
            self.query_one("#stop-submit", Button).disabled = False
        self.dismiss(True)

    @on(Button.Pressed, "#stop-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class RedriveExecutionScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    RedriveExecutionScreen { align: center middle; }
    RedriveExecutionScreen #redrive-arn { color: $text-muted; margin-bottom: 1; }
    RedriveExecutionScreen #redrive-body { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="redrive.cancel"),
        Binding("y", "confirm", "Redrive", id="redrive.yes"),
    ]

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution
        self.busy = False
        self.possible = execution.status in REDRIVABLE
        self.body = ""

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        execution = self.execution
        if self.possible:
            body = (
                f"It {execution.status.replace('_', ' ').lower()}. Redriving restarts it from"
                " the state that did not succeed, with the same input, under the same name."
                " Standard workflows only, within 14 days of the run's end."
            )
        else:
            body = (
                f"It is {execution.status}: only a FAILED, TIMED_OUT or ABORTED run can be"
                " redriven."
            )
        self.body = body
        with Vertical(id="redrive-box", classes="modal-box"):
            yield Static(_title("Redrive", execution), classes="modal-title")
            yield Static(plain(execution.arn), id="redrive-arn")
            yield Static(body, id="redrive-body")
            yield Static("", classes="inline-error", id="redrive-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button(
                    "Redrive (y)",
                    variant="warning",
                    id="redrive-confirm",
                    disabled=not self.possible,
                )
                yield Button("Close (Esc)", id="redrive-cancel")

    def on_mount(self) -> None:
        self.query_one("#redrive-cancel", Button).focus()

    def problem(self, message: str) -> None:
        self.query_one("#redrive-problem", Static).update(plain(clip(message)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.possible
        return True

    @on(Button.Pressed, "#redrive-confirm")
    def action_confirm(self) -> None:
        if self.busy or not self.possible:
            return
        self.busy = True
        self.query_one("#redrive-confirm", Button).disabled = True
        self.problem("")
        self.query_one("#redrive-body", Static).update("Asking the service to redrive it…")
        self.redrive()

    @work(exclusive=True, group="redrive-execution", exit_on_error=False)
    async def redrive(self) -> None:
        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; try again in a moment.")
            self.busy = False
            self.query_one("#redrive-confirm", Button).disabled = False
            return
        try:
            await client.redrive_execution(self.execution.arn)
        except NotSupported:
            self.possible = False
            self.refresh_bindings()
            self.query_one("#redrive-body", Static).update(
                "This endpoint does not support RedriveExecution (the embedded engine and"
                " some emulators lack it): the run was not redriven. Start a new execution with the same input"
                " instead."
            )
            return
        except SfnError as error:
            self.query_one("#redrive-body", Static).update(self.body)
            self.problem(str(error))
            self.query_one("#redrive-confirm", Button).disabled = False
            return
        finally:
            self.busy = False
        self.dismiss(True)

    @on(Button.Pressed, "#redrive-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
