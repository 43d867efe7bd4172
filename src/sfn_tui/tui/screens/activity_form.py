"""Create an activity: a name checked as AWS does, then CreateActivity in a worker.

Dismissed with the new `Activity`, or None when cancelled. A refused name or a failed
call keeps the modal open with the name as typed and the reason in words.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sfn_tui.aws.errors import AlreadyExists, SfnError
from sfn_tui.aws.models import Activity
from sfn_tui.core.validation import InvalidName, check_name
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain


class CreateActivityScreen(ModalScreen[Activity | None]):
    DEFAULT_CSS = """
    CreateActivityScreen { align: center middle; }
    CreateActivityScreen #activity-hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="activity_form.cancel"),
        Binding("ctrl+s", "submit", "Create", id="activity_form.submit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="activity-box", classes="modal-box"):
            yield Static("New activity", classes="modal-title")
            yield Label("Name")
            yield Input(placeholder="e.g. ReviewOrder (1-80 characters)", id="activity-name")
            yield Static(
                "Workers claim its tasks with GetActivityTask; a Task state names its ARN.",
                id="activity-hint",
            )
            yield Static("", classes="inline-error", id="activity-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Create (Enter)", variant="primary", id="activity-create")
                yield Button("Cancel (Esc)", id="activity-cancel")

    def on_mount(self) -> None:
        self.query_one("#activity-name", Input).focus()

    def problem(self, message: str) -> None:
        self.query_one("#activity-problem", Static).update(plain(message))

    @on(Input.Submitted, "#activity-name")
    @on(Button.Pressed, "#activity-create")
    def action_submit(self) -> None:
        if self.busy:
            return
        name_input = self.query_one("#activity-name", Input)
        try:
            name = check_name(name_input.value, "activity")
        except InvalidName as error:
            self.problem(str(error))
            name_input.focus()
            return
        self.problem("")
        self.set_busy(True)
        self.create(name)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#activity-create", Button).disabled = busy

    @work(exclusive=True, group="activity-create", exit_on_error=False)
    async def create(self, name: str) -> None:
        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; try again in a moment.")
            self.set_busy(False)
            return
        try:
            # CreateActivity answers a name in use with the existing activity: ask first.
            existing = await client.find_activity(name)
            if existing is not None:
                raise AlreadyExists(
                    f"An activity named {name} already exists ({existing.arn}); pick another name.",
                    operation="CreateActivity",
                )
            activity = await client.create_activity(name)
        except SfnError as error:
            self.problem(str(error))
            return
        finally:
            self.set_busy(False)
        self.dismiss(activity)

    @on(Button.Pressed, "#activity-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
