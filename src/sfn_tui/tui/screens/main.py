"""The dashboard: state machines, activities and the selected machine's executions."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Footer

from sfn_tui.aws.models import StateMachine
from sfn_tui.core.poller import CatalogFetched, ExecutionsFetched, PollFailed, PollRecovered
from sfn_tui.tui.messages import Polled
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.panes import ActivitiesTable, ExecutionsTable, StateMachinesTable

if TYPE_CHECKING:
    from sfn_tui.core.inbox import TaskInbox
    from sfn_tui.tui.app import SfnTuiApp

NARROW_WIDTH = 110
SELECT_DEBOUNCE = 0.25


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("w", "toggle_work", "Work/unwork", id="main.work"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._select_timer: Timer | None = None
        self.watched: StateMachine | None = None

    @property
    def sfn_app(self) -> SfnTuiApp:
        return cast("SfnTuiApp", self.app)

    def compose(self) -> ComposeResult:
        app = self.sfn_app
        yield StatusHeader(tz=app.tz, id="header")
        with Container(id="panes"):
            with Container(id="catalog"):
                yield StateMachinesTable(id="machines")
                yield ActivitiesTable(id="activities")
            yield ExecutionsTable(id="executions")
        yield Footer()

    def on_mount(self) -> None:
        app = self.sfn_app
        for table in (self.machines, self.activities, self.executions):
            table.configure_time(app.clock, app.tz)
        self.machines.border_title = "State machines"
        self.activities.border_title = "Activities"
        self.executions.border_title = "Executions"
        self.machines.loading = True
        self.activities.loading = True
        self.set_interval(1.0, self.executions.tick)
        self.machines.focus()

    # Widgets ----------------------------------------------------------------------

    @property
    def machines(self) -> StateMachinesTable:
        return self.query_one(StateMachinesTable)

    @property
    def activities(self) -> ActivitiesTable:
        return self.query_one(ActivitiesTable)

    @property
    def executions(self) -> ExecutionsTable:
        return self.query_one(ExecutionsTable)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    def action_focus_pane(self, step: int) -> None:
        panes: list[Widget] = [self.machines, self.executions, self.activities]
        focused = self.focused
        index = panes.index(focused) if focused in panes else 0
        panes[(index + step) % len(panes)].focus()

    # Poll results -----------------------------------------------------------------

    @on(Polled)
    def apply_poll(self, message: Polled) -> None:
        update = message.update
        app = self.sfn_app
        if isinstance(update, CatalogFetched):
            self.machines.loading = False
            self.activities.loading = False
            self.machines.sync(update.machines)
            self.activities.sync(update.activities)
            app.auto_work({a.arn: a.name for a in update.activities})
            app.refreshed_at = update.at
            if self.watched is None or self.watched.arn not in self.machines.items:
                self._watch_selected(immediately=True)
        elif isinstance(update, ExecutionsFetched):
            if self.watched is None or update.state_machine_arn != self.watched.arn:
                return
            self.executions.loading = False
            page = update.page
            self.executions.sync(page.executions, complete=page.next_token is None)
            app.refreshed_at = update.at
        elif isinstance(update, PollFailed):
            if not app.failing:
                self.notify(
                    f"{update.error} — retrying in {update.retry_in:.0f}s; data on screen is stale.",
                    title="Refresh failed",
                    severity="warning",
                    timeout=8,
                )
            app.failing_since = update.since
            app.failing = f"{update.error} (retry in {update.retry_in:.0f}s)"
            for table in (self.machines, self.activities, self.executions):
                table.loading = False
        elif isinstance(update, PollRecovered):
            app.failing = ""
            self.notify(
                f"Refreshing again after {update.outage_seconds:.0f}s.", title="Reconnected"
            )

    def show_inbox(self, inbox: TaskInbox) -> None:
        counts = {arn: inbox.waiting_count(arn) for arn in self.activities.items}
        self.activities.show_tasks(counts, inbox.worked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_work":
            return self.focused is self.activities
        return True

    def action_toggle_work(self) -> None:
        self.sfn_app.action_toggle_work_selected()

    @on(DataTable.RowHighlighted)
    @on(DataTable.RowSelected)
    def _pane_changed(self) -> None:
        self.refresh_bindings()

    # Selection --------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#machines")
    def machine_highlighted(self) -> None:
        if self._select_timer is not None:
            self._select_timer.stop()
        self._select_timer = self.set_timer(SELECT_DEBOUNCE, self._watch_selected)

    @on(DataTable.RowSelected, "#machines")
    def machine_selected(self) -> None:
        self._watch_selected(immediately=True)
        self.executions.focus()

    def _watch_selected(self, immediately: bool = False) -> None:
        machine = self.machines.selected
        if machine is not None and self.watched is not None and machine.arn == self.watched.arn:
            return
        self.watched = machine
        self.executions.clear_items()
        if machine is None:
            self.executions.border_title = "Executions"
            self.sfn_app.watch_machine(None)
            return
        self.executions.border_title = f"Executions · {machine.name}"
        self.executions.loading = True
        self.sfn_app.watch_machine(machine.arn)
