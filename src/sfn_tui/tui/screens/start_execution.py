"""Start an execution: an optional name (generated when empty) and the JSON input,
prefilled with the last input used for this machine in this session. An Express machine
can also be run synchronously (StartSyncExecution): the modal then hands over to
`SyncExecutionScreen`, which waits for the result.

The run may start on the machine (its latest revision, the default), on one of its
versions or on one of its aliases: the "Run" row lists them once loaded (it stays hidden
for a machine with neither).

Both are checked before sending: the name by AWS's rules, the input as JSON (the error
names the line and column) of at most 256 KiB in UTF-8. StartExecution runs here, in a
worker; a refusal keeps the modal open with everything typed. Dismissed with the
`Execution` the service returned (status RUNNING), or None when cancelled.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import Execution, StateMachine
from sfn_tui.aws.versions import qualifier_label
from sfn_tui.core.validation import (
    MAX_PAYLOAD_BYTES,
    InvalidJson,
    InvalidName,
    LastInputs,
    check_json,
    check_name,
    generate_execution_name,
)
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import described, plain
from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor, clip

SYNC, ASYNC = "sync", "async"


class StartExecutionScreen(ModalScreen[Execution | None]):
    DEFAULT_CSS = """
    StartExecutionScreen { align: center middle; }
    StartExecutionScreen #start-box { width: 90; }
    StartExecutionScreen .form-row { height: auto; }
    StartExecutionScreen .form-row Label { width: 6; padding: 1 0 0 0; }
    StartExecutionScreen #start-name { width: 1fr; }
    StartExecutionScreen #start-input { height: 14; }
    StartExecutionScreen #start-status { height: auto; color: $text-muted; }
    StartExecutionScreen #start-how-row { margin-bottom: 1; }
    StartExecutionScreen #start-how-row Label { padding: 0; }
    StartExecutionScreen #start-how { width: 1fr; }
    StartExecutionScreen #start-target-row { margin-bottom: 1; }
    StartExecutionScreen #start-target-row Label { padding: 0; }
    StartExecutionScreen #start-target { width: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="start.cancel"),
        Binding("ctrl+s", "submit", "Start", id="start.submit"),
    ]

    def __init__(
        self,
        machine: StateMachine,
        last_inputs: LastInputs,
        target: str | None = None,
        *,
        name: str = "",
        input_text: str | None = None,
    ) -> None:
        """`name` and `input_text` prefill the dialog (start again with a run's input)."""
        super().__init__()
        self.name_text = name
        self.input_text = input_text
        self.machine = machine
        self.target = target or machine.arn  # the machine, a version or an alias ARN
        self.last_inputs = last_inputs
        self.busy = False
        self.express = machine.type == "EXPRESS"

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def editor(self) -> JsonEditor:
        return self.query_one("#start-input", JsonEditor)

    def compose(self) -> ComposeResult:
        title = Text("Start an execution of ")
        title.append_text(plain(self.machine.name))
        remembered = self.machine.arn in self.last_inputs and self.input_text is None
        with Vertical(id="start-box", classes="modal-box"):
            yield Static(title, classes="modal-title")
            if self.express:
                with Horizontal(classes="form-row", id="start-how-row"):
                    yield Label("How")
                    yield Select[str](
                        [
                            ("Synchronously: wait for the result (StartSyncExecution)", SYNC),
                            ("Asynchronously: StartExecution; listed once logged", ASYNC),
                        ],
                        allow_blank=False,
                        value=SYNC,
                        id="start-how",
                        compact=True,
                    )
            with Horizontal(classes="form-row"):
                yield Label("Name")
                yield Input(
                    self.name_text, placeholder="optional: generated when empty", id="start-name"
                )
            # After Name, and hidden from the start unless a target was given: the first
            # field to take focus (and the keys typed at once) is always Name.
            row = Horizontal(classes="form-row", id="start-target-row")
            row.display = self.target != self.machine.arn
            with row:
                yield Label("Run")
                yield Select[str](
                    self._target_options({}),
                    allow_blank=False,
                    value=self.target,
                    id="start-target",
                    compact=True,
                )
            yield Label(
                "Input (JSON) — the last one used for this machine"
                if remembered
                else "Input (JSON) — the run's input"
                if self.input_text is not None
                else "Input (JSON)"
            )
            yield JsonEditor(
                self.last_inputs.get(self.machine.arn)
                if self.input_text is None
                else self.input_text,
                max_bytes=MAX_PAYLOAD_BYTES,
                limit_name="AWS's limit for an execution's input",
                id="start-input",
            )
            yield Static(self._how_text(SYNC if self.express else ASYNC), id="start-status")
            yield Static("", classes="inline-error", id="start-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Start (Ctrl+S)", variant="primary", id="start-submit")
                yield Button("Cancel (Esc)", id="start-cancel")

    def _how_text(self, how: object) -> str:
        keys = "Tab indents · Esc leaves the editor · "
        if not self.express:
            return keys + "Ctrl+S starts"
        if how == SYNC:
            return keys + "Ctrl+S runs it and waits (5 min at most)"
        return keys + "Ctrl+S starts it; listed once logged"

    @on(Select.Changed, "#start-how")
    def how_changed(self, event: Select.Changed) -> None:
        self.query_one("#start-status", Static).update(self._how_text(event.value))

    def _target_options(self, labels: dict[str, Text]) -> list[tuple[Text, str]]:
        """The machine first, then `labels` (ARN: label), with the target kept. Every
        label is a Text: a Select reads a str as markup (alias names and version
        descriptions are the service's)."""
        options = [(Text("State machine: latest revision"), self.machine.arn)]
        options += [(label, arn) for arn, label in labels.items()]
        if self.target not in {arn for _, arn in options}:
            options.append((plain(qualifier_label(self.target) or self.target), self.target))
        return options

    def on_mount(self) -> None:
        self.query_one("#start-name", Input).focus()
        self.load_targets()

    @work(group="start-targets", exit_on_error=False)
    async def load_targets(self) -> None:
        """The machine's versions and aliases, for the Run row (none: the row stays
        hidden; an endpoint without them, or a refusal, leaves the machine alone)."""
        client = self.sfn_app.client
        if client is None:
            return
        try:
            versions = await client.list_state_machine_versions(self.machine.arn)
            aliases = await client.list_state_machine_aliases(self.machine.arn)
        except SfnError:
            return
        labels = {
            a.arn: Text.assemble("Alias ", plain(a.name), ": ", plain(a.routing_text))
            for a in aliases
        }
        for v in versions:
            labels[v.arn] = described(f"Version {v.number}", v.description, ": ")
        if not labels:
            return
        select = self.query_one("#start-target", Select)
        chosen = select.value
        select.set_options(self._target_options(labels))
        select.value = chosen if isinstance(chosen, str) else self.machine.arn
        self.query_one("#start-target-row").display = True

    def problem(self, message: str) -> None:
        self.query_one("#start-problem", Static).update(plain(clip(message)))

    @on(Input.Submitted, "#start-name")
    @on(Button.Pressed, "#start-submit")
    def action_submit(self) -> None:
        if self.busy:
            return
        self.problem("")
        name_input = self.query_one("#start-name", Input)
        name = name_input.value
        if name:
            try:
                check_name(name, "execution")
            except InvalidName as error:
                self.problem(str(error))
                name_input.focus()
                return
        text = self.editor.text
        try:
            check_json(text, "input")
        except InvalidJson as error:
            self.editor.show_error(str(error), error.line, error.column)
            self.problem("Fix the input first: see the error under the editor.")
            return
        self.editor.clear_error()
        name = name or generate_execution_name(self.sfn_app.clock())
        if self.express and self.query_one("#start-how", Select).value == SYNC:
            self.last_inputs.remember(self.machine.arn, text)
            self.dismiss(None)
            app = self.sfn_app
            self.app.push_screen(
                SyncExecutionScreen(self.machine, name, text), lambda _: app.action_refresh()
            )
            return
        self.set_busy(True)
        self.start(name, text)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#start-submit", Button).disabled = busy

    @work(exclusive=True, group="start-execution", exit_on_error=False)
    async def start(self, name: str, text: str) -> None:
        client = self.sfn_app.client
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            chosen = self.query_one("#start-target", Select).value
            target = chosen if isinstance(chosen, str) else self.machine.arn
            try:
                execution = await client.start_execution(target, name, text)
            except SfnError as error:
                self.problem(str(error))
                return
        finally:
            self.set_busy(False)
        self.last_inputs.remember(self.machine.arn, text)
        self.dismiss(execution)

    @on(Button.Pressed, "#start-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
