"""The human-approval guided run (core/approval.py): what the pitches are about, and
on AWS optionally a Bedrock model; then the role, the queue and the machine are found
or created, a run starts, and the chat pane opens on it. Its "Ask the producer" step
waits for the person's choice through a `.waitForTaskToken` callback."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.screens.chat import GuidedRun

MODEL_HINT = "a Bedrock model id (Anthropic Claude), or empty: no model"


class GuidedApprovalScreen(ModalScreen[GuidedRun | None]):
    DEFAULT_CSS = """
    GuidedApprovalScreen { align: center middle; }
    GuidedApprovalScreen #approval-box { width: 90; }
    GuidedApprovalScreen #approval-steps { height: auto; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="approval.cancel")]

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        local = self.sfn_app.connection.local_engine
        with Vertical(id="approval-box", classes="modal-box"):
            yield Static("New approval run", classes="modal-title")
            yield Static(
                "Pitches for a movie are written three ways; you pick one or ask for another"
                " round (the AWS prompt-chaining example's human step). sfn-tui finds or"
                " creates the role, the queue and the state machine.",
                id="approval-about",
            )
            yield Label("What are the pitches about?")
            yield Input(placeholder="e.g. a lighthouse keeper", max_length=200, id="topic")
            yield Label("Model" + (" (none on the local engine)" if local else ""))
            yield Input(placeholder=MODEL_HINT, id="model", disabled=local)
            yield Static(id="approval-steps")
            yield Static("", classes="inline-error", id="approval-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()

    def problem(self, message: str) -> None:
        self.query_one("#approval-problem", Static).update(plain(message))

    def say(self, line: str, style: str = "green") -> None:
        steps = self.query_one("#approval-steps", Static)
        shown = steps.visual if isinstance(steps.visual, Text) else Text()
        text = Text.assemble(shown, "\n" if shown.plain else "", Text(line, style=style))
        steps.update(text)

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def start_pressed(self) -> None:
        from sfn_tui.core.approval import InvalidTopic, check_topic

        try:
            check_topic(self.query_one("#topic", Input).value)
        except InvalidTopic as problem:
            self.problem(str(problem))
            return
        if self.sfn_app.client is None:
            self.problem("Not connected yet; try again in a moment.")
            return
        self.problem("")
        self.query_one("#start", Button).disabled = True
        self.start()

    @work(exclusive=True, group="approval", exit_on_error=False)
    async def start(self) -> None:
        from sfn_tui.core.approval import set_up, start_approval

        client, inbox = self.sfn_app.client, self.sfn_app.inbox
        assert client is not None
        model = self.query_one("#model", Input).value.strip() or None
        try:
            setup = await set_up(client, model)
            self.say(f"✔ {setup.role.verb} IAM role {setup.role.value.name}")
            self.say(f"✔ {'Created' if setup.queue_created else 'Found'} queue {setup.queue_url}")
            machine = setup.machine
            self.say(f"✔ {machine.verb} state machine {machine.value.name}")
            execution = await start_approval(
                client, machine.value.arn, self.query_one("#topic", Input).value
            )
        except SfnError as error:
            self.problem(str(error))
            self.query_one("#start", Button).disabled = False
            return
        self.sfn_app.follow_callbacks_of(machine.value.arn)
        if inbox is not None:
            inbox.hint_callbacks(execution.arn)
        self.dismiss(
            GuidedRun(
                machine=machine.value,
                activity=None,
                role=setup.role.value,
                role_owned=True,
                execution_arn=execution.arn,
                queue_url=setup.queue_url,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
