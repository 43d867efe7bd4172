"""The ChatSFN guided run: the AWS SDK example's set-up, then the user's name.

Finds or creates the IAM role, the activity and the state machine (ARN injected),
shows the machine's name, status, ARN and role ARN, asks what ChatSFN should call the
user, starts the run and hands over to the chat screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from sfn_tui.aws.errors import AccessDenied, SfnError
from sfn_tui.aws.models import Activity, Role, StateMachineDetail
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.screens.chat import GuidedRun


class GuidedRunScreen(ModalScreen[GuidedRun | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="guided.cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.role: Role | None = None
        self.role_owned = True
        self.activity: Activity | None = None
        self.machine: StateMachineDetail | None = None
        self._lines: list[Text] = []

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="guided-box", classes="modal-box"):
            yield Static("New ChatSFN run", classes="modal-title")
            yield Static(id="guided-steps")
            yield Select[str](
                [], prompt="Pick a role that Step Functions may assume", id="role-pick"
            )
            yield Label("What should ChatSFN call you?", id="name-label")
            yield Input(placeholder="your name", max_length=1000, id="user-name")
            yield Static("", classes="inline-error", id="guided-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Start chat", variant="primary", id="start", disabled=True)
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#role-pick").display = False
        self.query_one("#name-label").display = False
        self.query_one("#user-name").display = False
        self.say("Setting up, as the AWS example does…", "dim")
        self.set_up()

    def say(self, line: str | Text, style: str = "") -> None:
        self._lines.append(line if isinstance(line, Text) else Text(line, style=style))
        self.query_one("#guided-steps", Static).update(Text("\n").join(self._lines))

    # Set-up -----------------------------------------------------------------------

    @work(exclusive=True, group="guided", exit_on_error=False)
    async def set_up(self) -> None:
        from sfn_tui.core.chatsfn import ensure_activity, ensure_role

        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; try again in a moment.")
            return
        try:
            if self.role is None:
                try:
                    role = await ensure_role(client)
                except AccessDenied as error:
                    await self.offer_roles(error)
                    return
                self.role = role.value
                self.say(f"✔ {role.verb} IAM role {role.value.name}", "green")
            activity = await ensure_activity(client)
            self.activity = activity.value
            self.say(f"✔ {activity.verb} activity {activity.value.name}", "green")
            await self.ensure_machine()
        except SfnError as error:
            self.problem(str(error))
        except Exception as error:  # ChatSfnProblem and friends: said in words
            self.problem(str(error))

    async def ensure_machine(self) -> None:
        from sfn_tui.core.chatsfn import ensure_state_machine, uses_activity

        client = self.sfn_app.client
        assert client is not None and self.activity is not None and self.role is not None
        machine = await ensure_state_machine(client, self.activity.arn, self.role.arn)
        self.machine = machine.value
        self.say(f"✔ {machine.verb} state machine {machine.value.name}", "green")
        if not uses_activity(machine.value, self.activity.arn):
            self.say(
                "⚠ That machine's definition does not use this activity: its tasks will not"
                " reach this chat.",
                "yellow",
            )
        detail = Text()
        for label, value in (
            ("Name", machine.value.name),
            ("Status", machine.value.status),
            ("ARN", machine.value.arn),
            ("Role ARN", machine.value.role_arn),
        ):
            detail.append(f"  {label:<9}", style="bold")
            detail.append_text(plain(value))
            detail.append("\n")
        detail.rstrip()
        self.say(detail)
        self.query_one("#name-label").display = True
        name_input = self.query_one("#user-name", Input)
        name_input.display = True
        name_input.focus()
        self.query_one("#start", Button).disabled = False

    async def offer_roles(self, error: SfnError) -> None:
        client = self.sfn_app.client
        assert client is not None
        self.say(f"✖ Could not find or create the ChatSFN role: {error}", "red")
        try:
            roles = await client.list_states_roles()
        except SfnError as list_error:
            self.problem(f"Cannot list roles either: {list_error}")
            return
        if not roles:
            self.problem("No role in this account lets Step Functions assume it; ask an admin.")
            return
        self.say("Pick an existing role that Step Functions may assume:", "bold")
        pick = self.query_one("#role-pick", Select)
        # Texts: a Select reads a str as markup, and a role's name is the service's.
        pick.set_options([(plain(role.name), role.arn) for role in roles])
        pick.display = True
        pick.focus()
        self._roles = {role.arn: role for role in roles}

    @on(Select.Changed, "#role-pick")
    def role_picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        self.role = self._roles[event.value]
        self.role_owned = False
        self.query_one("#role-pick").display = False
        self.say(f"✔ Using your role {self.role.name}", "green")
        self.set_up()

    # Start ------------------------------------------------------------------------

    @on(Input.Submitted, "#user-name")
    @on(Button.Pressed, "#start")
    def start_pressed(self) -> None:
        from sfn_tui.core.chatsfn import InvalidUserName, check_user_name

        try:
            check_user_name(self.query_one("#user-name", Input).value)
        except InvalidUserName as problem:
            self.problem(str(problem))
            return
        self.query_one("#start", Button).disabled = True
        self.start()

    @work(exclusive=True, group="guided", exit_on_error=False)
    async def start(self) -> None:
        from sfn_tui.core.chatsfn import start_chat

        client, inbox = self.sfn_app.client, self.sfn_app.inbox
        assert client is not None and self.machine and self.activity and self.role
        if inbox is not None:
            inbox.work(self.activity.arn)
        try:
            execution = await start_chat(
                client, self.machine.arn, self.query_one("#user-name", Input).value
            )
        except SfnError as error:
            self.problem(str(error))
            self.query_one("#start", Button).disabled = False
            return
        if inbox is not None:
            inbox.hint_execution(execution.arn)
        self.dismiss(
            GuidedRun(
                machine=self.machine,
                activity=self.activity,
                role=self.role,
                role_owned=self.role_owned,
                execution_arn=execution.arn,
            )
        )

    def problem(self, message: str) -> None:
        self.query_one("#guided-problem", Static).update(plain(message))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
