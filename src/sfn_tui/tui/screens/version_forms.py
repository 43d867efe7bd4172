"""The modals of the versions and aliases screen: publish a version, create or update
an alias's routing. Each checks what it can before any call (routing: one or two
versions, weights adding to 100; alias name) and makes the call itself in a worker; a
refusal keeps the modal open with the service's words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import StateMachine
from sfn_tui.aws.versions import Route, StateMachineAlias, StateMachineVersion
from sfn_tui.core.routing import InvalidRouting, check_alias_name, check_routing, parse_weight
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import described, plain
from sfn_tui.tui.widgets.publish_fields import MAX_VERSION_DESCRIPTION

FORM_CSS = """
{name} {{ align: center middle; }}
{name} .modal-box {{ width: 84; }}
{name} .form-row {{ height: auto; margin-bottom: 1; }}
{name} .form-row Label {{ width: 13; padding: 0; }}
{name} .form-row Input {{ width: 1fr; background: $boost; }}
{name} .form-row Select {{ width: 1fr; }}
{name} .weight {{ width: 8; }}
"""


class _Form(ModalScreen[str | None]):
    """A modal with a status line and Save / Cancel; dismissed with an ARN or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="version_form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="version_form.submit"),
    ]

    busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def buttons(self, verb: str) -> ComposeResult:
        yield Static("", classes="inline-error", id="vf-problem")
        with Horizontal(classes="modal-buttons"):
            yield Button(f"{verb} (Ctrl+S)", variant="primary", id="vf-submit")
            yield Button("Cancel (Esc)", id="vf-cancel")

    def problem(self, message: str) -> None:
        self.query_one("#vf-problem", Static).update(plain(message))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#vf-submit", Button).disabled = busy

    @on(Button.Pressed, "#vf-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#vf-submit")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        if self.busy:
            return
        self.problem("")
        self.submit()

    def submit(self) -> None:
        raise NotImplementedError


class PublishVersionScreen(_Form):
    """PublishStateMachineVersion of the machine's current revision, with a description."""

    DEFAULT_CSS = FORM_CSS.format(name="PublishVersionScreen")

    def __init__(self, machine: StateMachine) -> None:
        super().__init__()
        self.machine = machine

    def compose(self) -> ComposeResult:
        title = Text("Publish version of ")
        title.append_text(plain(self.machine.name))
        with Vertical(classes="modal-box"):
            yield Static(title, classes="modal-title")
            yield Static(
                "A version is an immutable snapshot of the machine's current definition and"
                " settings. Publishing a revision that already has a version answers that"
                " version.",
                classes="form-note",
            )
            with Horizontal(classes="form-row"):
                yield Label("Description")
                yield Input(
                    placeholder="optional",
                    max_length=MAX_VERSION_DESCRIPTION,
                    id="vf-description",
                    compact=True,
                )
            yield from self.buttons("Publish")

    def on_mount(self) -> None:
        self.query_one("#vf-description", Input).focus()

    def submit(self) -> None:
        self.set_busy(True)
        self.publish(self.query_one("#vf-description", Input).value.strip())

    @work(exclusive=True, group="version-form", exit_on_error=False)
    async def publish(self, description: str) -> None:
        client = self.sfn_app.client
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            arn = await client.publish_state_machine_version(self.machine.arn, description)
        except SfnError as error:
            self.problem(str(error))
            return
        finally:
            self.set_busy(False)
        self.dismiss(arn)


NO_SECOND = "none"


class AliasFormScreen(_Form):
    """CreateStateMachineAlias, or UpdateStateMachineAlias of `alias`: up to two
    versions with weights adding up to 100."""

    DEFAULT_CSS = FORM_CSS.format(name="AliasFormScreen")

    def __init__(
        self,
        machine: StateMachine,
        versions: Sequence[StateMachineVersion],
        alias: StateMachineAlias | None = None,
    ) -> None:
        super().__init__()
        self.machine = machine
        self.versions = list(versions)
        self.alias = alias

    def _options(self) -> list[tuple[Text, str]]:
        """The versions to route to. Texts: a Select reads a str as markup, and a
        version's description is the service's."""
        return [
            (described(f"Version {v.number}", v.description, " — "), v.arn) for v in self.versions
        ]

    def compose(self) -> ComposeResult:
        routing = self.alias.routing if self.alias else ()
        first = routing[0] if routing else None
        second = routing[1] if len(routing) > 1 else None
        options = self._options()
        title = Text("Update alias routing of " if self.alias else "Create alias of ")
        title.append_text(plain(self.alias.name if self.alias else self.machine.name))
        with Vertical(classes="modal-box"):
            yield Static(title, classes="modal-title")
            if self.alias is None:
                with Horizontal(classes="form-row"):
                    yield Label("Name")
                    yield Input(
                        placeholder="e.g. live, prod", max_length=80, id="vf-name", compact=True
                    )
            with Horizontal(classes="form-row"):
                yield Label("Description")
                yield Input(
                    self.alias.description if self.alias else "",
                    placeholder="optional",
                    max_length=MAX_VERSION_DESCRIPTION,
                    id="vf-description",
                    compact=True,
                )
            with Horizontal(classes="form-row"):
                yield Label("Version")
                yield Select[str](
                    options,
                    value=first.version_arn
                    if first
                    else (options[0][1] if options else Select.NULL),
                    allow_blank=not options,
                    id="vf-first",
                    compact=True,
                )
                yield Input(
                    str(first.weight) if first else "100",
                    classes="weight",
                    id="vf-first-weight",
                    compact=True,
                )
                yield Label(" %")
            with Horizontal(classes="form-row"):
                yield Label("2nd version")
                yield Select[str](
                    [(Text("none: all runs on the first"), NO_SECOND), *options],
                    value=second.version_arn if second else NO_SECOND,
                    allow_blank=False,
                    id="vf-second",
                    compact=True,
                )
                yield Input(
                    str(second.weight) if second else "0",
                    classes="weight",
                    id="vf-second-weight",
                    compact=True,
                )
                yield Label(" %")
            yield Static(
                "Weights are whole percentages adding up to 100; runs started on the alias go"
                " to each version in that proportion.",
                classes="form-note",
            )
            yield from self.buttons("Update" if self.alias else "Create")

    def on_mount(self) -> None:
        if self.alias is None:
            self.query_one("#vf-name", Input).focus()
        else:
            self.query_one("#vf-first", Select).focus()

    def routes(self) -> list[Route]:
        """The routing typed, checked (InvalidRouting says what is wrong)."""
        first = self.query_one("#vf-first", Select).value
        if not isinstance(first, str):
            raise InvalidRouting("Publish a version first: an alias routes to versions.")
        routes = [
            Route(
                first, parse_weight(self.query_one("#vf-first-weight", Input).value, "the version")
            )
        ]
        second = self.query_one("#vf-second", Select).value
        if isinstance(second, str) and second != NO_SECOND:
            weight = parse_weight(
                self.query_one("#vf-second-weight", Input).value, "the 2nd version"
            )
            routes.append(Route(second, weight))
        check_routing(routes)
        return routes

    def submit(self) -> None:
        try:
            name = ""
            if self.alias is None:
                name = self.query_one("#vf-name", Input).value.strip()
                check_alias_name(name)
            routes = self.routes()
        except InvalidRouting as error:
            self.problem(str(error))
            return
        self.set_busy(True)
        self.save(name, routes, self.query_one("#vf-description", Input).value.strip())

    @work(exclusive=True, group="version-form", exit_on_error=False)
    async def save(self, name: str, routes: list[Route], description: str) -> None:
        client = self.sfn_app.client
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            if self.alias is None:
                arn = await client.create_state_machine_alias(name, routes, description)
            else:
                await client.update_state_machine_alias(self.alias.arn, routes, description)
                arn = self.alias.arn
        except SfnError as error:
            self.problem(str(error))
            return
        finally:
            self.set_busy(False)
        self.dismiss(arn)
