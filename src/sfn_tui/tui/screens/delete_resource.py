"""Delete a state machine or an activity, after saying what goes with it.

For a state machine the modal counts its RUNNING executions first
(ListExecutions with statusFilter=RUNNING). With runs in flight, or when they cannot
be counted, the user types the machine's name to confirm; otherwise Delete (or `y`)
confirms. The deletion runs here, in a worker: a failure keeps the modal open with the
reason. Dismissed with True once deleted (or found already gone), False when cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from sfn_tui.aws.errors import NotFound, SfnError
from sfn_tui.aws.models import Activity, StateMachine
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.widgets.json_editor import clip

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient

COUNT_PAGES = 10  # up to 10,000 running executions counted exactly
PAGE_SIZE = 1000

UNDONE = "This cannot be undone."


def runs(count: int) -> str:
    return f"{count:,} execution{'s' if count != 1 else ''}"


def machine_consequences(running: int | None, more: bool, machine_type: str) -> str:
    """What deleting a state machine does to its runs, in words."""
    gone = "Its execution history, versions and aliases go with it."
    if machine_type == "EXPRESS":
        return (
            "Express runs cannot be listed, so any in flight are not counted: they end"
            f" within about a minute and may still write logs. {gone} {UNDONE}"
        )
    if running is None:
        return f"Its running executions could not be counted. {gone} {UNDONE}"
    if running == 0:
        return f"No execution is running. {gone} {UNDONE}"
    count = f"more than {runs(running)}" if more else runs(running)
    are = "is" if running == 1 and not more else "are"
    return (
        f"{count} {are} RUNNING and will be lost: each fails (States.Runtime) at its next"
        f" state transition, and the machine stays DELETING until they have all ended. {gone}"
        f" {UNDONE}"
    )


ACTIVITY_CONSEQUENCES = (
    "Workers polling it get ActivityDoesNotExist, and runs whose Task state uses it can no"
    " longer hand it tasks: they fail or wait until their timeout. State machines that"
    f" name it stay as they are. {UNDONE}"
)


class DeleteResourceScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    DeleteResourceScreen { align: center middle; }
    DeleteResourceScreen #delete-arn { color: $text-muted; margin-bottom: 1; }
    DeleteResourceScreen #delete-body { height: auto; margin-bottom: 1; }
    DeleteResourceScreen #delete-typed { display: none; }
    DeleteResourceScreen.-typed #delete-typed { display: block; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="delete.cancel"),
        Binding("y", "confirm", "Delete", id="delete.yes"),
    ]

    def __init__(self, resource: StateMachine | Activity) -> None:
        super().__init__()
        self.resource = resource
        self.is_machine = isinstance(resource, StateMachine)
        self.what = "state machine" if self.is_machine else "activity"
        self.running: int | None = None
        self.ready = False  # consequences known: Delete may be pressed
        self.busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def needs_typing(self) -> bool:
        return self.has_class("-typed")

    def compose(self) -> ComposeResult:
        title = Text(f"Delete the {self.what} ")
        title.append_text(plain(self.resource.name))
        title.append("?")
        with Vertical(id="delete-box", classes="modal-box"):
            yield Static(title, classes="modal-title")
            yield Static(plain(self.resource.arn), id="delete-arn")
            yield Static("", id="delete-body")
            yield Input(id="delete-typed")
            yield Static("", classes="inline-error", id="delete-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Delete", variant="error", id="delete-confirm", disabled=True)
                yield Button("Cancel (Esc)", id="delete-cancel")

    def on_mount(self) -> None:
        self.query_one("#delete-cancel", Button).focus()
        resource = self.resource
        if isinstance(resource, StateMachine):
            if resource.type == "EXPRESS":
                self.show_consequences(machine_consequences(None, False, "EXPRESS"), typed=False)
            else:
                self.body("Counting its running executions…")
                self.count_running(resource.arn)
        else:
            self.show_consequences(ACTIVITY_CONSEQUENCES, typed=False)

    def body(self, message: str) -> None:
        self.query_one("#delete-body", Static).update(plain(message))

    def problem(self, message: str) -> None:
        self.query_one("#delete-problem", Static).update(plain(clip(message)))

    def show_consequences(self, message: str, *, typed: bool) -> None:
        self.body(message)
        self.set_class(typed, "-typed")
        button = self.query_one("#delete-confirm", Button)
        if typed:
            name_input = self.query_one("#delete-typed", Input)
            name_input.placeholder = f"type {self.resource.name} to delete it"
            button.label = "Delete"
            button.disabled = True
            name_input.focus()
        else:
            button.label = "Delete (y)"
            button.disabled = False
        self.ready = True
        self.refresh_bindings()

    @work(exclusive=True, group="delete-count", exit_on_error=False)
    async def count_running(self, arn: str) -> None:
        client = self.sfn_app.client
        if client is None:
            self.show_consequences(machine_consequences(None, False, "STANDARD"), typed=True)
            self.problem("Not connected: the running executions cannot be counted.")
            return
        try:
            running, more = await self.count(client, arn)
        except SfnError as error:
            self.show_consequences(machine_consequences(None, False, "STANDARD"), typed=True)
            self.problem(f"Could not count them: {error}")
            return
        self.running = running
        self.show_consequences(
            machine_consequences(running, more, "STANDARD"), typed=running > 0 or more
        )

    async def count(self, client: StepFunctionsClient, arn: str) -> tuple[int, bool]:
        """RUNNING executions of `arn`, and whether there are more than counted."""
        total, token = 0, None
        for _ in range(COUNT_PAGES):
            page = await client.list_executions(
                arn, status="RUNNING", max_results=PAGE_SIZE, next_token=token
            )
            total += len(page.executions)
            token = page.next_token
            if token is None:
                return total, False
        return total, True

    @on(Input.Changed, "#delete-typed")
    def typed(self, event: Input.Changed) -> None:
        self.query_one("#delete-confirm", Button).disabled = event.value != self.resource.name

    @on(Input.Submitted, "#delete-typed")
    @on(Button.Pressed, "#delete-confirm")
    def action_confirm(self) -> None:
        if self.busy or not self.ready:
            return
        if self.needs_typing and self.query_one("#delete-typed", Input).value != self.resource.name:
            self.problem(f"Type the name {self.resource.name} exactly to delete it.")
            return
        self.busy = True
        self.query_one("#delete-confirm", Button).disabled = True
        self.problem("")
        self.delete()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.ready and not self.needs_typing
        return True

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def delete(self) -> None:
        client = self.sfn_app.client
        resource = self.resource
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            try:
                if isinstance(resource, StateMachine):
                    await client.delete_state_machine(resource.arn)
                else:
                    await client.delete_activity(resource.arn)
            except NotFound:
                self.notify(f"The {self.what} {resource.name} was already gone.")
            except SfnError as error:
                self.problem(str(error))
                return
        finally:
            self.busy = False
            self.query_one("#delete-confirm", Button).disabled = (
                self.needs_typing and self.query_one("#delete-typed", Input).value != resource.name
            )
        if isinstance(resource, Activity):
            self.sfn_app.inbox_unwork(resource.arn)
        self.dismiss(True)

    @on(Button.Pressed, "#delete-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
