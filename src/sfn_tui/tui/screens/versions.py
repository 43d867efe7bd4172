"""A state machine's versions and aliases (the console's "Versions" and "Aliases" tabs).

Versions: ListStateMachineVersions, each described for its description. Aliases:
ListStateMachineAliases, each described for its routing. Keys publish a version, create,
update (routing) or delete an alias, delete a version (the service refuses while an
alias routes to it: its words are shown), and start a run on the selected version or
alias. Every change is refused in read-only mode.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from sfn_tui.aws.errors import NotSupported, SfnError
from sfn_tui.aws.models import Execution, StateMachine
from sfn_tui.aws.versions import StateMachineAlias, StateMachineVersion
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain, visible
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.version_forms import AliasFormScreen, PublishVersionScreen
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.keyed_table import KeyedTable
from sfn_tui.tui.widgets.version_tables import AliasesTable, VersionsTable

CHANGES = frozenset(
    {"publish_version", "create_alias", "update_alias", "delete", "start_execution"}
)
# What a palette entry asks the screen to do once it has loaded.
FOLLOW_UPS = frozenset(
    {"publish_version", "create_alias", "update_alias", "delete_version", "delete_alias"}
)


class VersionsScreen(Screen[None]):
    CSS_PATH = "../detail.tcss"
    DEFAULT_CSS = """
    VersionsScreen #versions-panes { height: 1fr; }
    VersionsScreen VersionsTable { height: 1fr; border: round $panel; }
    VersionsScreen AliasesTable { height: 1fr; border: round $panel; }
    VersionsScreen VersionsTable:focus, VersionsScreen AliasesTable:focus {
        border: round $accent;
    }
    VersionsScreen #versions-status { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="versions.back"),
        Binding("p", "publish_version", "Publish version", id="versions.publish"),
        Binding("a", "create_alias", "Create alias", id="versions.create_alias"),
        Binding(
            "e", "update_alias", "Routing", tooltip="Update alias routing", id="versions.routing"
        ),
        Binding("d", "delete", "Delete", id="versions.delete"),
        Binding(
            "s", "start_execution", "Start", tooltip="Start execution on it", id="versions.start"
        ),
        Binding("r", "reload", "Refresh", id="versions.refresh"),
        Binding("tab", "focus_pane(1)", "Next pane", show=False, id="versions.next_pane"),
    ]

    def __init__(self, machine: StateMachine, then: str | None = None) -> None:
        super().__init__()
        self.machine = machine
        self.then = then if then in FOLLOW_UPS else None  # done once loaded
        self.loaded = False
        self._loading = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def versions(self) -> VersionsTable:
        return self.query_one(VersionsTable)

    @property
    def aliases(self) -> AliasesTable:
        return self.query_one(AliasesTable)

    def compose(self) -> ComposeResult:
        title = Text("Versions and aliases of ", style="bold")
        title.append_text(plain(self.machine.name))
        title.append(f"  {visible(self.machine.arn)}", style="dim")
        yield StatusHeader(tz=self.sfn_app.tz)
        yield Static(title, id="detail-title")
        with Vertical(id="versions-panes"):
            yield VersionsTable(id="versions-table")
            yield AliasesTable(id="aliases-table")
        yield Static(Text("Loading…", style="dim"), id="versions-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        app = self.sfn_app
        for table in (self.versions, self.aliases):
            table.configure_time(app.clock, app.tz)
        self.versions.border_title = "Versions"
        self.aliases.border_title = "Aliases"
        self.versions.focus()
        self.load()

    def status(self, message: str | Text) -> None:
        self.query_one("#versions-status", Static).update(
            message if isinstance(message, Text) else plain(message)
        )

    # Loading ----------------------------------------------------------------------

    @work(group="versions-load", exit_on_error=False)
    async def load(self) -> None:
        client = self.sfn_app.client
        if client is None:
            self.status("Not connected yet; r tries again.")
            return
        if self._loading:
            return
        self._loading = True
        try:
            versions, aliases = await asyncio.gather(
                client.list_state_machine_versions(self.machine.arn),
                client.list_state_machine_aliases(self.machine.arn),
            )
        except NotSupported:
            self.status("This endpoint has no state machine versions or aliases.")
            return
        except SfnError as error:
            self.status(f"{error} (r tries again)")
            return
        finally:
            self._loading = False
        self.show(versions, aliases)

    def show(self, versions: list[StateMachineVersion], aliases: list[StateMachineAlias]) -> None:
        self.versions.sync(versions)
        self.aliases.sync(aliases)
        self.versions.border_title = f"Versions ({len(versions)})"
        self.aliases.border_title = f"Aliases ({len(aliases)})"
        if not versions:
            self.status("No versions yet: p publishes the machine's current definition.")
        else:
            self.status("p publish · a create alias · e alias routing · d delete · s start on it")
        self.loaded = True
        self.refresh_bindings()
        follow_up, self.then = self.then, None
        if follow_up is not None:
            self.run_follow_up(follow_up)

    def run_follow_up(self, what: str) -> None:
        """A palette entry's operation: on the newest version or alias."""
        if what in ("update_alias", "delete_alias"):
            self.aliases.focus()
            if self.aliases.selected is None:
                self.notify("This state machine has no alias.", severity="warning")
                return
            self.action_update_alias() if what == "update_alias" else self.delete_alias()
        elif what == "delete_version":
            self.versions.focus()
            self.delete_version()
        elif what == "publish_version":
            self.action_publish_version()
        elif what == "create_alias":
            self.action_create_alias()

    # Keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGES and self.sfn_app.read_only:
            return False
        table = self._focused_table()
        if action == "update_alias":
            return isinstance(table, AliasesTable) and table.selected is not None
        if action in ("delete", "start_execution"):
            return table is not None and table.selected is not None
        return True

    def _focused_table(self) -> KeyedTable[Any] | None:
        focused = self.focused
        return focused if isinstance(focused, VersionsTable | AliasesTable) else None

    def action_focus_pane(self, step: int) -> None:
        (self.aliases if isinstance(self.focused, VersionsTable) else self.versions).focus()

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def _refused(self) -> bool:
        if self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return True
        if self.sfn_app.client is None:
            self.notify("Not connected yet.", severity="warning")
            return True
        return False

    def action_publish_version(self) -> None:
        if self._refused():
            return

        def published(arn: str | None) -> None:
            if arn:
                self.notify(f"Published version {arn.rsplit(':', 1)[-1]} of {self.machine.name}.")
                self.load()

        self.app.push_screen(PublishVersionScreen(self.machine), published)

    def action_create_alias(self) -> None:
        if self._refused():
            return
        if not self.versions.source:
            self.notify("Publish a version first: an alias routes to versions.", severity="warning")
            return
        self.app.push_screen(
            AliasFormScreen(self.machine, self._versions_newest_first()), self._alias_saved
        )

    def action_update_alias(self) -> None:
        alias = self.aliases.selected
        if self._refused() or alias is None:
            return
        self.app.push_screen(
            AliasFormScreen(self.machine, self._versions_newest_first(), alias), self._alias_saved
        )

    def _versions_newest_first(self) -> list[StateMachineVersion]:
        return sorted(self.versions.source.values(), key=lambda v: v.number, reverse=True)

    def _alias_saved(self, arn: str | None) -> None:
        if arn:
            self.notify(f"Saved alias {arn.rsplit(':', 1)[-1]}.")
            self.load()

    def action_delete(self) -> None:
        if self.focused is self.aliases:
            self.delete_alias()
        else:
            self.delete_version()

    def delete_version(self) -> None:
        version = self.versions.selected
        if self._refused():
            return
        if version is None:
            self.notify("This state machine has no version.", severity="warning")
            return
        body = (
            f"Delete version {version.number} of {self.machine.name}? Runs can no longer"
            " start on it; its finished runs stay. The service refuses while an alias"
            " routes to it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(version.arn, f"version {version.number}", alias=False)

        self.app.push_screen(ConfirmScreen("Delete version", body, confirm="Delete"), answered)

    def delete_alias(self) -> None:
        alias = self.aliases.selected
        if self._refused() or alias is None:
            return
        body = (
            f"Delete alias {alias.name} ({alias.routing_text})? Runs started through it"
            " stay; nothing can start on it any more."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(alias.arn, f"alias {alias.name}", alias=True)

        self.app.push_screen(ConfirmScreen("Delete alias", body, confirm="Delete"), answered)

    @work(group="versions-delete", exit_on_error=False)
    async def delete(self, arn: str, what: str, *, alias: bool) -> None:
        client = self.sfn_app.client
        if client is None:
            return
        try:
            if alias:
                await client.delete_state_machine_alias(arn)
            else:
                await client.delete_state_machine_version(arn)
        except SfnError as error:
            message = Text(f"Could not delete {visible(what)}: ", style="bold red")
            message.append_text(plain(str(error)))
            self.status(message)
            # Not str.capitalize(): it would lower the rest, the name's case with it.
            title = f"{what[:1].upper()}{what[1:]} not deleted"
            self.notify(str(error), title=title, severity="error")
            return
        self.notify(f"Deleted {what}.")
        self.load()

    def action_start_execution(self) -> None:
        table = self._focused_table()
        target = table.selected if table is not None else None
        if self._refused() or target is None:
            return
        app = self.sfn_app

        def started(execution: Execution | None) -> None:
            if execution is not None:
                self.notify(f"Started {execution.name} on {target.arn.rsplit(':', 1)[-1]}.")
                app.action_refresh()

        self.app.push_screen(
            StartExecutionScreen(self.machine, app.last_inputs, target=target.arn), started
        )
