"""Create a state machine, or edit an existing one's definition.

`StateMachineFormScreen()` creates: name, type, role (one the account has that trusts
states.amazonaws.com, or a new one made by "New role"), definition typed in the editor
or loaded from a file. `StateMachineFormScreen(machine)` edits the definition of
`machine`: given a `StateMachine` the modal loads its current definition itself
(DescribeStateMachine, in a worker); given a `StateMachineDetail` it uses that one.

Before any call the name and the definition are checked here (JSON errors name the line
and column); then ValidateStateMachineDefinition where the endpoint offers it; then
the create or update call, whose refusal is shown in words. On failure the modal stays
open with everything typed. Dismissed with the created or updated `StateMachine`, or
None when cancelled.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from sfn_tui.aws.errors import AlreadyExists, NotSupported, SfnError
from sfn_tui.aws.models import Diagnostic, LoggingConfig, Role, StateMachine, StateMachineDetail
from sfn_tui.core.chatsfn import ROLE_NAME as CHAT_ROLE_NAME
from sfn_tui.core.definition_file import read_definition_file
from sfn_tui.core.json_layout import compact, laid_out
from sfn_tui.core.machine_templates import JSONATA_TEMPLATE
from sfn_tui.core.validation import (
    MAX_DEFINITION_BYTES,
    InvalidJson,
    InvalidName,
    InvalidValue,
    check_definition,
    check_json,
    check_name,
    check_role_arn,
)
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor, clip
from sfn_tui.tui.widgets.logging_fields import LoggingFields
from sfn_tui.tui.widgets.publish_fields import PublishFields

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient

# Not the ChatSFN role: the ChatSFN clean-up deletes that one.
DEFAULT_ROLE_NAME = "sfn-tui-StepFunctions-role"
MACHINE_TYPES = ("STANDARD", "EXPRESS")
TEMPLATE = """{
  "Comment": "A new state machine",
  "StartAt": "Hello",
  "States": {
    "Hello": {
      "Type": "Pass",
      "Result": "Hello, world!",
      "End": true
    }
  }
}
"""
TEMPLATES = {"JSONPath": TEMPLATE, "JSONata": JSONATA_TEMPLATE}


def describe_diagnostics(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        where = f" at {d.location}" if d.location else ""
        lines.append(f"{d.severity} {d.code}{where}: {d.message}")
    return "\n".join(lines)


class StateMachineFormScreen(ModalScreen[StateMachine | None]):
    DEFAULT_CSS = """
    StateMachineFormScreen { align: center middle; }
    StateMachineFormScreen #sm-box {
        width: 100;
        max-width: 95%;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    StateMachineFormScreen .form-row { height: auto; margin-bottom: 1; }
    StateMachineFormScreen .form-row Label { width: 6; }
    StateMachineFormScreen .form-row Input { width: 1fr; background: $boost; }
    StateMachineFormScreen .form-row SelectCurrent { background: $boost; }
    StateMachineFormScreen .form-row Button { margin-left: 1; }
    StateMachineFormScreen #sm-type-label { width: 6; padding-left: 1; }
    StateMachineFormScreen #sm-type { width: 14; }
    StateMachineFormScreen #sm-template-label { width: 10; padding-left: 1; }
    StateMachineFormScreen #sm-template { width: 14; }
    StateMachineFormScreen #sm-role { width: 1fr; }
    StateMachineFormScreen #sm-facts { height: auto; margin-bottom: 1; }
    StateMachineFormScreen #sm-definition { height: 1fr; min-height: 5; }
    StateMachineFormScreen #sm-status { height: auto; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="machine_form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="machine_form.submit"),
        Binding("ctrl+t", "test_state", "Test state", id="machine_form.test_state"),
    ]

    def __init__(self, machine: StateMachine | StateMachineDetail | None = None) -> None:
        super().__init__()
        self.machine = machine
        self.detail = machine if isinstance(machine, StateMachineDetail) else None
        self.roles: dict[str, Role] = {}
        self.created_role: Role | None = None
        self.busy = False
        # Whether the endpoint offers ValidateStateMachineDefinition (None: not known yet).
        self.validation_offered: bool | None = None
        # A definition AWS holds as one line is shown one value a line, and sent back
        # as one line (see core/json_layout.py).
        self.laid_out = False
        if machine is None:
            self._original = TEMPLATE
        else:
            self._original = self._shown(self.detail.definition) if self.detail else ""

    @property
    def editing(self) -> bool:
        return self.machine is not None

    def _shown(self, definition: str) -> str:
        """The definition as the editor shows it (laid out when no one did)."""
        text = laid_out(definition)
        self.laid_out = text is not definition
        return text

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def editor(self) -> JsonEditor:
        return self.query_one("#sm-definition", JsonEditor)

    # Layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        verb = "Save" if self.editing else "Create"
        with Vertical(id="sm-box"):
            if self.machine is None:
                yield Static("New state machine", classes="modal-title")
                with Horizontal(classes="form-row"):
                    yield Label("Name")
                    yield Input(
                        placeholder="e.g. OrderPipeline (1-80 characters)",
                        id="sm-name",
                        compact=True,
                    )
                    yield Label("Type", id="sm-type-label")
                    yield Select[str](
                        [(t, t) for t in MACHINE_TYPES],
                        allow_blank=False,
                        value="STANDARD",
                        id="sm-type",
                        compact=True,
                    )
                    yield Label("Template", id="sm-template-label")
                    yield Select[str](
                        [(t, t) for t in TEMPLATES],
                        allow_blank=False,
                        value="JSONPath",
                        id="sm-template",
                        compact=True,
                    )
                with Horizontal(classes="form-row"):
                    yield Label("Role")
                    yield Select[str]([], prompt="Loading roles…", id="sm-role", compact=True)
                    yield Input(placeholder="arn:aws:iam::<account>:role/<name>", id="sm-role-arn")
                    yield Button("New role", id="sm-new-role", compact=True)
                yield LoggingFields(id="sm-logging")
            else:
                title = Text("Edit definition of ")
                title.append_text(plain(self.machine.name))
                yield Static(title, classes="modal-title")
                yield Static(id="sm-facts")
                yield LoggingFields(id="sm-logging")
                yield PublishFields(id="sm-publish")
            with Horizontal(classes="form-row"):
                yield Label("File")
                yield Input(
                    placeholder="path of a definition file; Enter loads it",
                    id="sm-file",
                    compact=True,
                )
                yield Button("Load", id="sm-load", compact=True)
            yield JsonEditor(self._original, id="sm-definition")
            yield Static(
                f"Tab indents · Esc leaves the editor · Ctrl+S {verb.lower()}s"
                " · Ctrl+T tests a state",
                id="sm-status",
            )
            yield Static("", classes="inline-error", id="sm-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button(f"{verb} (Ctrl+S)", variant="primary", id="sm-submit")
                yield Button("Cancel (Esc)", id="sm-cancel")

    def on_mount(self) -> None:
        if self.machine is None:
            self.query_one("#sm-role-arn").display = False
            self.query_one("#sm-name", Input).focus()
            self.load_roles()
            self.probe_validation(TEMPLATE, "STANDARD")
        elif self.detail is None:
            self.query_one("#sm-submit", Button).disabled = True
            self.editor.text_area.read_only = True
            self.status("Loading the current definition…")
            self.load_detail(self.machine.arn)
        else:
            self.show_detail(self.detail)

    def status(self, message: str) -> None:
        self.query_one("#sm-status", Static).update(plain(message))

    def problem(self, message: str) -> None:
        self.query_one("#sm-problem", Static).update(plain(clip(message)))

    @property
    def problem_text(self) -> str:
        return str(self.query_one("#sm-problem", Static).content)

    def client(self) -> StepFunctionsClient | None:
        client = self.sfn_app.client
        if client is None:
            self.problem("Not connected yet; try again in a moment.")
        return client

    # Edit mode: the current definition -----------------------------------------------

    @work(group="sm-load", exit_on_error=False)
    async def load_detail(self, arn: str) -> None:
        client = self.client()
        if client is None:
            return
        try:
            detail = await client.describe_state_machine(arn)
        except SfnError as error:
            self.status("")
            self.problem(f"Cannot load the current definition: {error}")
            return
        self.show_detail(detail)

    def show_detail(self, detail: StateMachineDetail) -> None:
        self.detail = detail
        self._original = self._shown(detail.definition)
        facts = Text()
        for label, value in (("Type", detail.type), ("Role", detail.role_arn)):
            facts.append(f"{label} ", style="bold")
            facts.append_text(plain(value))
            facts.append("   ")
        facts.rstrip()
        self.query_one("#sm-facts", Static).update(facts)
        self.query_one(LoggingFields).show(detail.logging)
        area = self.editor.text_area
        if area.text != self._original:
            area.load_text(self._original)
        size = len(detail.definition.encode("utf-8", errors="surrogatepass"))
        too_large = size > MAX_DEFINITION_BYTES
        area.read_only = too_large
        area.focus()
        self.query_one("#sm-submit", Button).disabled = too_large
        if too_large:
            self.status(
                f"This definition is {size:,} bytes, over the {MAX_DEFINITION_BYTES:,}-byte"
                " quota for a definition: it is shown read-only (a save would be refused)."
            )
        elif self.laid_out:
            self.status(
                "AWS holds it as one line: shown one value a line (saved that way, or as"
                " one line if that way is over 1 MiB). Tab indents · Ctrl+S saves"
            )
        else:
            self.status("Tab indents · Esc leaves the editor · Ctrl+S saves · Ctrl+T tests a state")
        self.probe_validation(detail.definition, detail.type)

    # Roles ------------------------------------------------------------------------

    @work(group="sm-roles", exit_on_error=False)
    async def load_roles(self) -> None:
        client = self.client()
        if client is None:
            return
        try:
            roles = await client.list_states_roles()
        except SfnError as error:
            self.query_one("#sm-role").display = False
            self.query_one("#sm-role-arn").display = True
            self.status(f"Cannot list IAM roles ({error}): paste a role ARN instead.")
            return
        self.show_roles(roles)

    def show_roles(self, roles: list[Role], select: str | None = None) -> None:
        """List the roles to pick from. None is picked for the user, not even when there
        is only one: on the embedded engine that one is the ChatSFN demo's role, and a
        role is a choice about permissions. The demo's role is listed last, named so."""
        self.roles = {role.arn: role for role in roles}
        ordered = sorted(roles, key=lambda role: role.name == CHAT_ROLE_NAME)
        pick = self.query_one("#sm-role", Select)
        count = len(roles)
        pick.prompt = (
            f"Pick one of {count} role{'s' if count > 1 else ''} Step Functions may assume"
            if roles
            else "No role trusts Step Functions: press New role"
        )
        pick.set_options([(self._role_label(role), role.arn) for role in ordered])
        if select is not None:
            pick.value = select

    @staticmethod
    def _role_label(role: Role) -> Text:
        label = plain(role.name)
        if role.name == CHAT_ROLE_NAME:
            label.append(" (the ChatSFN demo's role)", style="dim")
        return label

    @on(Button.Pressed, "#sm-new-role")
    def new_role_pressed(self) -> None:
        self.query_one("#sm-new-role", Button).disabled = True
        self.status(f"Finding or creating the IAM role {DEFAULT_ROLE_NAME}…")
        self.create_role()

    @work(group="sm-roles", exit_on_error=False)
    async def create_role(self) -> None:
        from sfn_tui.core.chatsfn import ensure_role

        client = self.client()
        try:
            if client is None:
                return
            try:
                ensured = await ensure_role(client, DEFAULT_ROLE_NAME)
            except Exception as error:  # SfnError or ChatSfnProblem: said in words
                self.status("")
                self.problem(f"Cannot create the role: {error}")
                return
            role = ensured.value
            if ensured.created:
                self.created_role = role
            roles = [r for r in self.roles.values() if r.arn != role.arn] + [role]
            self.query_one("#sm-role").display = True
            self.query_one("#sm-role-arn").display = False
            self.show_roles(roles, select=role.arn)
            self.status(f"{ensured.verb} the role {role.name} (trusts states.amazonaws.com).")
        finally:
            self.query_one("#sm-new-role", Button).disabled = False

    def role_arn(self) -> str:
        if self.query_one("#sm-role").display:
            value = self.query_one("#sm-role", Select).value
            return value if isinstance(value, str) else ""
        return self.query_one("#sm-role-arn", Input).value.strip()

    # Template ---------------------------------------------------------------------

    @on(Select.Changed, "#sm-template")
    def template_picked(self, event: Select.Changed) -> None:
        """The new machine's template in the query language picked; the text it replaces
        comes back with Ctrl+Z when the user had written something of their own."""
        template = TEMPLATES.get(str(event.value))
        editor = self.editor
        if template is None or editor.text == template:
            return
        own = editor.text not in TEMPLATES.values()
        self._original = template
        editor.replace_text(template)
        editor.clear_error()
        undo = " Ctrl+Z in the editor brings back your text." if own else ""
        self.status(f"The {event.value} template.{undo}")

    # Definition file --------------------------------------------------------------

    @on(Input.Submitted, "#sm-file")
    @on(Button.Pressed, "#sm-load")
    def load_pressed(self) -> None:
        raw = self.query_one("#sm-file", Input).value.strip()
        if not raw:
            self.problem("Type the path of a definition file first.")
            self.query_one("#sm-file", Input).focus()
            return
        self.load_file(Path(raw).expanduser())

    @work(group="sm-file", exit_on_error=False)
    async def load_file(self, path: Path) -> None:
        try:
            text = await asyncio.to_thread(read_definition_file, path)
        except ValueError as error:
            self.problem(str(error))
            return
        self.problem("")
        shown = laid_out(text)
        self.laid_out = shown is not text
        self.editor.replace_text(shown)
        lines = shown.count("\n") + (0 if shown.endswith("\n") else 1)
        layout = " (one line in the file: shown one value a line)"
        self.status(
            f"Loaded {path} ({lines:,} lines{layout if self.laid_out else ''})."
            " Ctrl+Z in the editor brings back the old text."
        )
        self.check_locally(shown, focus=False)

    # Submit -----------------------------------------------------------------------

    def sendable(self, text: str) -> str:
        """What Create or Save sends for the editor's `text` (valid JSON): what the editor
        shows, unless it was laid out for editing and is over the quota that way (a
        1 MiB one-line definition is 1.6 MiB laid out): then one line again."""
        if self.laid_out and len(text.encode("utf-8", "surrogatepass")) > MAX_DEFINITION_BYTES:
            return compact(text)
        return text

    def check_locally(self, definition: str, focus: bool = True) -> bool:
        try:
            if self.laid_out:
                # Syntax first, where it is in the editor (laid out, the text may be over
                # the size limit that only what is sent has to meet).
                check_json(definition, "definition", max_bytes=sys.maxsize)
                definition = self.sendable(definition)
            check_definition(definition)
        except InvalidJson as error:  # InvalidDefinition too
            self.editor.show_error(str(error), error.line if focus else 0, error.column)
            return False
        self.editor.clear_error()
        return True

    @on(Button.Pressed, "#sm-submit")
    @on(Input.Submitted, "#sm-name,#sm-role-arn")
    def action_submit(self) -> None:
        if self.busy or self.query_one("#sm-submit", Button).disabled:
            return
        self.problem("")
        name, role_arn, machine_type = "", "", "STANDARD"
        if self.machine is None:
            name_input = self.query_one("#sm-name", Input)
            try:
                name = check_name(name_input.value, "state machine")
            except InvalidName as error:
                self.problem(str(error))
                name_input.focus()
                return
            role_arn = self.role_arn()
            if not role_arn:
                self.problem("Pick a role that Step Functions may assume (or press New role).")
                return
            if not self.query_one("#sm-role").display:  # pasted: check its shape here
                try:
                    role_arn = check_role_arn(role_arn)
                except InvalidValue as error:
                    self.problem(str(error))
                    self.query_one("#sm-role-arn", Input).focus()
                    return
            picked = self.query_one("#sm-type", Select).value
            machine_type = picked if isinstance(picked, str) else "STANDARD"
        elif self.detail is not None:
            machine_type = self.detail.type
        else:
            return
        try:
            logging = self.query_one(LoggingFields).value()
        except InvalidValue as error:
            self.problem(str(error))
            return
        text = self.editor.text
        if not self.check_locally(text):
            self.problem("Fix the definition first: see the error under the editor.")
            return
        definition = self.sendable(text)
        detail = self.detail
        publish = self.query_one(PublishFields).value() if self.editing else (False, "")
        if (
            detail is not None
            and (text == self._original or definition == detail.definition)
            and logging == detail.logging
            and not publish[0]
        ):
            self.problem("The definition is unchanged: nothing to save.")
            return
        self.set_busy(True)
        self.submit(name, role_arn, machine_type, definition, logging)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#sm-submit", Button).disabled = busy

    @work(exclusive=True, group="sm-submit", exit_on_error=False)
    async def submit(
        self,
        name: str,
        role_arn: str,
        machine_type: str,
        definition: str,
        logging: LoggingConfig | None = None,
    ) -> None:
        client = self.client()
        if client is None:
            self.set_busy(False)
            return
        try:
            self.status("Checking the definition with the service…")
            warnings = await self.service_check(client, definition, machine_type)
            if warnings is None:
                return
            self.status("Saving…" if self.editing else "Creating…")
            machine = await self.save(client, name, role_arn, machine_type, definition, logging)
        except SfnError as error:
            self.status("")
            self.problem(self.explain(error))
            return
        finally:
            self.set_busy(False)
        if warnings:
            self.notify(
                describe_diagnostics(warnings), title="Definition warnings", severity="warning"
            )
        self.dismiss(machine)

    async def service_check(
        self, client: StepFunctionsClient, definition: str, machine_type: str
    ) -> list[Diagnostic] | None:
        """The service's warnings, or None (errors shown) when it finds errors.
        Endpoints without ValidateStateMachineDefinition, or an identity not allowed to
        call it, leave the check to the create/update call itself."""
        try:
            diagnostics = await client.validate_state_machine_definition(definition, machine_type)
        except SfnError:
            return []
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            self.status("")
            self.editor.show_error(describe_diagnostics(errors))
            count = len(errors)
            self.problem(
                f"The service found {count} problem{'s' if count > 1 else ''} in the definition."
            )
            return None
        return [d for d in diagnostics if not d.is_error]

    async def save(
        self,
        client: StepFunctionsClient,
        name: str,
        role_arn: str,
        machine_type: str,
        definition: str,
        logging: LoggingConfig | None = None,
    ) -> StateMachine:
        if self.detail is not None:
            d = self.detail
            publish, description = self.query_one(PublishFields).value()
            new_definition = definition if definition != d.definition else None
            new_logging = logging if logging is not None and logging != d.logging else None
            version: str | None
            if new_definition is None and new_logging is None:  # only publish: as it is
                version = await client.publish_state_machine_version(d.arn, description)
            else:
                version = await client.update_state_machine(
                    d.arn,
                    new_definition,
                    new_logging,
                    publish=publish,
                    version_description=description,
                )
            if version:
                self.notify(f"Published version {version.rsplit(':', 1)[-1]} of {d.name}.")
            return StateMachine(arn=d.arn, name=d.name, type=d.type, creation_date=d.creation_date)
        # CreateStateMachine answers a name in use with the existing machine when the
        # request matches it (AWS) or always (the local engine): ask first.
        existing = await client.find_state_machine(name)
        if existing is not None:
            raise AlreadyExists(
                f"A state machine named {name} already exists ({existing.arn});"
                " pick another name, or edit that one's definition (e).",
                operation="CreateStateMachine",
            )
        return await client.create_state_machine(name, definition, role_arn, machine_type, logging)

    def explain(self, error: SfnError) -> str:
        text = str(error)
        lowered = text.lower()
        if self.created_role is not None and "role" in lowered and "assume" in lowered:
            text += " The role was created moments ago; IAM takes a few seconds: try again."
        if error.code == "InvalidLoggingConfiguration":
            text += (
                " Check that the log group exists (aws logs create-log-group --log-group-name"
                " <name>), that its ARN ends in :*, and that the role may deliver logs."
            )
        return text

    @work(group="sm-probe", exit_on_error=False)
    async def probe_validation(self, definition: str, machine_type: str) -> None:
        """Ask once, early, whether the endpoint validates definitions: the client
        remembers a "not supported", so Create does not wait on the endpoint's retries."""
        client = self.sfn_app.client
        if client is None:
            return
        try:
            await client.validate_state_machine_definition(definition, machine_type)
        except NotSupported:
            self.validation_offered = False
        except SfnError:
            pass
        else:
            self.validation_offered = True

    # Test state -------------------------------------------------------------------

    def action_test_state(self) -> None:
        """TestState on a state of the definition as it is in the editor, with the
        machine's role (or the one picked for a new machine)."""
        if self.sfn_app.read_only:
            self.problem("Read-only mode: TestState is not run.")
            return
        text = self.editor.text
        if not self.check_locally(text):
            self.problem("Fix the definition first: see the error under the editor.")
            return
        self.problem("")
        if self.detail is not None:
            name, role = self.detail.name, self.detail.role_arn
        else:
            name = self.query_one("#sm-name", Input).value or "the new state machine"
            role = self.role_arn()
        self.app.push_screen(TestStateScreen(name, self.sendable(text), role or None))

    # Cancel -----------------------------------------------------------------------

    def changed(self) -> bool:
        if self.machine is None and self.query_one("#sm-name", Input).value:
            return True
        return self.editor.text != self._original or self.query_one(LoggingFields).changed()

    @on(Button.Pressed, "#sm-cancel")
    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        what = "your changes to the definition" if self.editing else "this new state machine"
        self.app.push_screen(
            ConfirmScreen("Discard?", f"Close and discard {what}?", confirm="Discard"), answered
        )
