"""Test state: run one state of a machine with TestState and see what it did.

Opened from the machine graph, the execution detail (its inputs prefilled from the run
that is open), the definition editor (the text being edited) and the command palette.
Pick a state, give an input and optionally variables (a JSON object), pick the
inspection level (INFO, DEBUG, TRACE) and run it (Ctrl+S): the status, next state,
error and cause, and output show at once, then each step of the data's way through the
state side by side (Input, After InputPath, After Parameters or Arguments, Result,
After ResultSelector, After ResultPath, Variables). A refusal is said in words and
everything typed stays. The machine's role goes with the call (AWS needs one for a Task
state). Read-only mode runs nothing: with a real role a state may call its resource.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.core.query_language import StatePlace, state_places
from sfn_tui.core.test_state import (
    INSPECTION_LEVELS,
    LEVEL_WORDS,
    StateTestRequest,
    StateTestResult,
    build_request,
    explain_error,
    pretty_json,
)
from sfn_tui.core.validation import MAX_PAYLOAD_BYTES, InvalidJson, InvalidValue
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.widgets.json_editor import JsonEditor, clip

DEFAULT_INPUT = "{}"
MAX_COLUMN = 20_000  # characters of one inspection step drawn


class TestStateScreen(ModalScreen[None]):
    __test__ = False  # not a pytest test class, whatever its name says

    DEFAULT_CSS = """
    TestStateScreen { align: center middle; }
    TestStateScreen #ts-box {
        width: 96%;
        height: 96%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    TestStateScreen .form-row { height: auto; margin-bottom: 1; }
    TestStateScreen .form-row Label { width: 7; }
    TestStateScreen #ts-state { width: 1fr; }
    TestStateScreen #ts-level-label { width: 8; padding-left: 1; }
    TestStateScreen #ts-level { width: 12; }
    TestStateScreen #ts-role { height: auto; color: $text-muted; margin-bottom: 1; }
    TestStateScreen #ts-editors { height: 8; }
    TestStateScreen #ts-editors Vertical { width: 1fr; height: 8; }
    TestStateScreen #ts-editors JsonEditor { height: 1fr; }
    TestStateScreen #ts-status { height: auto; color: $text-muted; }
    TestStateScreen #ts-summary { height: auto; max-height: 8; margin-top: 1; }
    TestStateScreen #ts-steps { height: 1fr; min-height: 5; }
    TestStateScreen .ts-step { width: 32; height: 1fr; border: round $panel-lighten-2; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="test_state.close"),
        Binding("ctrl+s", "run", "Run test", id="test_state.run"),
    ]

    def __init__(
        self,
        machine_name: str,
        definition: str | None = None,
        role_arn: str | None = None,
        *,
        machine_arn: str | None = None,
        inputs: dict[str, str] | None = None,
        scopes: dict[str, str] | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__()
        self.machine_name = machine_name
        self.machine_arn = machine_arn
        self.definition = definition
        self.role_arn = role_arn or None
        self.inputs = inputs or {}
        self.scopes = scopes or {}  # per state: the run's variables in scope, a JSON object
        self.first_state = state
        self.places: dict[str, StatePlace] = state_places(definition) if definition else {}
        self.prefilled = DEFAULT_INPUT
        self.prefilled_variables = ""
        self.result: StateTestResult | None = None
        self.busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def input_editor(self) -> JsonEditor:
        return self.query_one("#ts-input", JsonEditor)

    @property
    def variables_editor(self) -> JsonEditor:
        return self.query_one("#ts-variables", JsonEditor)

    # Layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = Text("Test state  ", style="bold")
        title.append_text(plain(self.machine_name))
        with Vertical(id="ts-box"):
            yield Static(title, classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("State")
                yield Select[str]([], prompt="Loading the definition…", id="ts-state", compact=True)
                yield Label("Level", id="ts-level-label")
                yield Select[str](
                    [(level, level) for level in INSPECTION_LEVELS],
                    allow_blank=False,
                    value="DEBUG",
                    id="ts-level",
                    compact=True,
                )
            yield Static(self._role_text(), id="ts-role")
            with Horizontal(id="ts-editors"):
                with Vertical():
                    yield Label("Input (JSON)", id="ts-input-label")
                    yield JsonEditor(
                        DEFAULT_INPUT,
                        max_bytes=MAX_PAYLOAD_BYTES,
                        limit_name="AWS's limit for a state's input",
                        id="ts-input",
                    )
                with Vertical():
                    yield Label(
                        "Variables (optional JSON object: name → value)", id="ts-variables-label"
                    )
                    yield JsonEditor(
                        "",
                        max_bytes=MAX_PAYLOAD_BYTES,
                        limit_name="AWS's limit for variables",
                        id="ts-variables",
                    )
            yield Static(self._level_text("DEBUG"), id="ts-status")
            yield Static("", classes="inline-error", id="ts-problem")
            yield Static("", id="ts-summary")
            yield HorizontalScroll(id="ts-steps")
            with Horizontal(classes="modal-buttons"):
                yield Button("Run test (Ctrl+S)", variant="primary", id="ts-run")
                yield Button("Close (Esc)", id="ts-close")

    def on_mount(self) -> None:
        if self.definition is None and self.machine_arn is not None:
            self.query_one("#ts-run", Button).disabled = True
            self.load_machine(self.machine_arn)
        else:
            self.show_states()

    def _role_text(self) -> Text:
        text = Text("Role  ", style="bold")
        if self.role_arn:
            text.append_text(plain(self.role_arn))
            text.append("  (the machine's: a Task calls its resource as this role)", "dim")
        else:
            text.append("none: a Task state cannot be tested without one", style="dim")
        return text

    @staticmethod
    def _level_text(level: object) -> str:
        words = LEVEL_WORDS.get(str(level), "")
        return f"{level}: {words} · Tab indents · Esc leaves an editor · Ctrl+S runs the test"

    def status(self, message: str) -> None:
        self.query_one("#ts-status", Static).update(plain(message))

    def problem(self, message: str) -> None:
        self.query_one("#ts-problem", Static).update(plain(clip(message)))

    @property
    def problem_text(self) -> str:
        return str(self.query_one("#ts-problem", Static).content)

    @work(group="ts-load", exit_on_error=False)
    async def load_machine(self, arn: str) -> None:
        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; close and try again in a moment.")
            return
        try:
            detail = await client.describe_state_machine(arn)
        except SfnError as error:
            self.problem(f"Cannot load the definition: {error}")
            return
        self.definition = detail.definition
        self.role_arn = detail.role_arn or None
        self.places = state_places(detail.definition)
        self.query_one("#ts-role", Static).update(self._role_text())
        self.query_one("#ts-run", Button).disabled = False
        self.show_states()

    def show_states(self) -> None:
        pick = self.query_one("#ts-state", Select)
        if not self.places:
            pick.prompt = "No state to test"
            self.problem("The definition has no states to test (is it valid JSON?).")
            return
        options = []
        for name, place in self.places.items():
            where = f", in {place.parent}" if place.parent is not None else ""
            label = plain(f"{name} ({place.type}, {place.query_language}{where})")
            label.stylize("dim", len(name))
            options.append((label, name))
        pick.prompt = "Pick a state"
        pick.set_options(options)
        first = self.first_state if self.first_state in self.places else next(iter(self.places))
        pick.value = first
        self._prefill(first)

    def _prefill(self, state: str) -> None:
        """The open run's input to `state`, unless the user typed an input of their own."""
        editor = self.input_editor
        wanted = pretty_json(self.inputs[state]) if state in self.inputs else DEFAULT_INPUT
        label = self.query_one("#ts-input-label", Label)
        if editor.text.strip() in (self.prefilled.strip(), ""):
            if editor.text != wanted:
                editor.replace_text(wanted)
            self.prefilled = wanted
            label.update(
                "Input (JSON) — this state's input in the open run"
                if state in self.inputs
                else "Input (JSON)"
            )
        variables = self.variables_editor
        wanted_variables = self.scopes.get(state, "")
        if variables.text.strip() in (self.prefilled_variables.strip(), ""):
            if variables.text != wanted_variables:
                variables.replace_text(wanted_variables)
            self.prefilled_variables = wanted_variables
            self.query_one("#ts-variables-label", Label).update(
                "Variables — those in scope at this state in the open run"
                if wanted_variables
                else "Variables (optional JSON object: name → value)"
            )

    @on(Select.Changed, "#ts-state")
    def state_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._prefill(event.value)

    @on(Select.Changed, "#ts-level")
    def level_picked(self, event: Select.Changed) -> None:
        self.status(self._level_text(event.value))

    # Running ----------------------------------------------------------------------

    @on(Button.Pressed, "#ts-run")
    def action_run(self) -> None:
        if self.busy or self.query_one("#ts-run", Button).disabled:
            return
        self.problem("")
        if self.sfn_app.read_only:
            self.problem(
                "Read-only mode: TestState is not run (with the machine's role a state may"
                " call its resource)."
            )
            return
        state = self.query_one("#ts-state", Select).value
        place = self.places.get(state) if isinstance(state, str) else None
        if place is None:
            self.problem("Pick a state to test.")
            return
        level = self.query_one("#ts-level", Select).value
        self.input_editor.clear_error()
        self.variables_editor.clear_error()
        try:
            request = build_request(
                place,
                self.input_editor.text,
                self.variables_editor.text,
                str(level),
                self.role_arn,
            )
        except InvalidJson as error:
            editor = (
                self.variables_editor if "variable" in str(error).lower() else self.input_editor
            )
            editor.show_error(str(error), error.line, error.column)
            self.problem("Fix the JSON first: see the error under the editor.")
            return
        except InvalidValue as error:
            self.problem(str(error))
            return
        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; try again in a moment.")
            return
        self.busy = True
        self.query_one("#ts-run", Button).disabled = True
        self.status(f"Testing {place.name}…")
        self.run_test(place, request)

    @work(exclusive=True, group="ts-run", exit_on_error=False)
    async def run_test(self, place: StatePlace, request: StateTestRequest) -> None:
        client = self.sfn_app.client
        try:
            if client is None:
                return
            try:
                answer = await client.test_state(
                    request.definition,
                    request.input,
                    request.inspection_level,
                    role_arn=request.role_arn,
                    variables=request.variables,
                )
            except SfnError as error:
                self.status(self._level_text(request.inspection_level))
                self.problem(explain_error(str(error), request.role_arn))
                return
            self.result = StateTestResult.from_api(answer)
            self.status(self._level_text(request.inspection_level))
            await self.show_result(place, self.result)
        finally:
            self.busy = False
            self.query_one("#ts-run", Button).disabled = False

    async def show_result(self, place: StatePlace, result: StateTestResult) -> None:
        summary = Text()
        summary.append("Status ", style="bold")
        style = "green" if result.status == "SUCCEEDED" else "bold red"
        summary.append(result.status or "—", style=style)
        summary.append(f"  ({result.status_words})", style="dim")
        summary.append("   Next state ", style="bold")
        if result.next_state:
            summary.append_text(plain(result.next_state))
        else:
            summary.append("— (none)", style="dim")
        if result.error or result.cause:
            summary.append("\nError ", style="bold red")
            summary.append_text(plain(result.error or "(no error name)"))
            if result.cause:
                summary.append("\nCause ", style="bold red")
                summary.append_text(plain(clip(result.cause, 600)))
        summary.append("\nOutput ", style="bold")
        if result.output is not None:
            summary.append_text(plain(clip(" ".join(result.output.split()), 600)))
        else:
            summary.append("— (none)", style="dim")
        self.query_one("#ts-summary", Static).update(summary)
        steps = self.query_one("#ts-steps", HorizontalScroll)
        await steps.remove_children()
        columns = []
        for key, title, value in result.steps():
            body = plain(pretty_json(value)[:MAX_COLUMN])
            column = VerticalScroll(Static(body), classes="ts-step", id=f"ts-step-{key}")
            column.border_title = title
            columns.append(column)
        if not columns:
            columns.append(
                VerticalScroll(
                    Static(Text("INFO gives no inspection data: pick DEBUG.", style="dim")),
                    classes="ts-step",
                )
            )
        await steps.mount_all(columns)

    @on(Button.Pressed, "#ts-close")
    def action_close(self) -> None:
        self.dismiss(None)
