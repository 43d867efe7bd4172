"""The dashboard: state machines, activities and the selected machine's executions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.events import Key
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import EXECUTION_STATUSES, StateMachine
from sfn_tui.core.poller import CatalogFetched, ExecutionsFetched, PollFailed, PollRecovered
from sfn_tui.tui.messages import Polled
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.keyed_table import KeyedTable
from sfn_tui.tui.widgets.panes import ActivitiesTable, ExecutionsTable, StateMachinesTable

if TYPE_CHECKING:
    from sfn_tui.core.inbox import TaskInbox
    from sfn_tui.tui.app import SfnTuiApp

NARROW_WIDTH = 110
SELECT_DEBOUNCE = 0.25


STATUS_FILTERS: tuple[str | None, ...] = (None, *EXECUTION_STATUSES[:5])
LOAD_MORE_MARGIN = 5  # rows from the end at which the next page is fetched


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="main.filter"),
        Binding("f", "status_filter", "Status filter", id="main.status_filter"),
        Binding("w", "toggle_work", "Work/unwork", id="main.work"),
        Binding("y", "copy_arn", "Copy ARN", id="main.copy_arn"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._select_timer: Timer | None = None
        self.watched: StateMachine | None = None
        self.status_filter: str | None = None
        self.more_token: str | None = None  # next page of the watched machine's executions
        self.pages_loaded = 0
        self._filter_target: KeyedTable[Any] | None = None

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
        yield Input(placeholder="filter by name (Enter keeps it, Esc clears)", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        app = self.sfn_app
        for table in (self.machines, self.activities, self.executions):
            table.configure_time(app.clock, app.tz)
        self.query_one("#filter", Input).display = False
        self.retitle()
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
            if update.status_filter != self.status_filter:
                return
            self.executions.loading = False
            page = update.page
            # The poll refreshes the newest page; pages loaded beyond it stay as they are.
            first_only = self.pages_loaded <= 1
            self.executions.sync(page.executions, complete=page.next_token is None and first_only)
            if first_only:
                self.more_token = page.next_token
                self.pages_loaded = 1
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
            return self.focused is self.activities and not self.sfn_app.read_only
        if action == "status_filter":
            return self.focused is self.executions
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
        self._rewatch()

    def _rewatch(self) -> None:
        """List the watched machine's executions afresh (machine or status filter changed)."""
        self.executions.clear_items()
        self.more_token, self.pages_loaded = None, 0
        self.retitle()
        machine = self.watched
        self.executions.loading = machine is not None
        self.sfn_app.watch_machine(machine.arn if machine else None, self.status_filter)

    def retitle(self) -> None:
        def with_filter(title: str, table: KeyedTable[Any]) -> str:
            return f"{title} · /{table.filter_text}" if table.filter_text else title

        self.machines.border_title = escape(with_filter("State machines", self.machines))
        self.activities.border_title = escape(with_filter("Activities", self.activities))
        title = "Executions"
        if self.watched is not None:
            title += f" · {self.watched.name}"
        if self.status_filter:
            title += f" · {self.status_filter} only"
        self.executions.border_title = escape(with_filter(title, self.executions))

    # Finding things -----------------------------------------------------------------

    def _focused_table(self) -> KeyedTable[Any] | None:
        focused = self.focused
        return focused if isinstance(focused, KeyedTable) else None

    def action_filter(self) -> None:
        target = self._focused_table() or self.machines
        self._filter_target = target
        bar = self.query_one("#filter", Input)
        bar.value = target.filter_text
        bar.display = True
        bar.focus()

    @on(Input.Changed, "#filter")
    def filter_typed(self, event: Input.Changed) -> None:
        if self._filter_target is not None:
            self._filter_target.set_filter(event.value)
            self.retitle()

    @on(Input.Submitted, "#filter")
    def filter_kept(self) -> None:
        self._close_filter()

    def _close_filter(self) -> None:
        bar = self.query_one("#filter", Input)
        bar.display = False
        if self._filter_target is not None:
            self._filter_target.focus()

    def on_key(self, event: Key) -> None:
        bar = self.query_one("#filter", Input)
        if event.key == "escape" and bar.has_focus:
            event.stop()
            bar.value = ""
            self._close_filter()

    def action_status_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.notify(f"Executions: {self.status_filter or 'all statuses'}", timeout=2)
        self._rewatch()

    def action_copy_arn(self) -> None:
        table = self._focused_table()
        item = table.selected if table is not None else None
        arn = getattr(item, "arn", None)
        if not arn:
            self.notify("Select a row first.", severity="warning")
            return
        self.app.copy_to_clipboard(arn)
        self.notify(f"Copied {arn}", title="ARN copied", timeout=4)

    @on(DataTable.RowHighlighted, "#executions")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if self.more_token and event.cursor_row >= self.executions.row_count - LOAD_MORE_MARGIN:
            self.load_more()

    @work(exclusive=True, group="more-executions", exit_on_error=False)
    async def load_more(self) -> None:
        client, machine, token = self.sfn_app.client, self.watched, self.more_token
        if client is None or machine is None or token is None:
            return
        self.more_token = None  # one fetch at a time
        try:
            page = await client.list_executions(
                machine.arn, status=self.status_filter, next_token=token
            )
        except SfnError as error:
            self.more_token = token
            self.notify(f"{error}", title="Loading more executions failed", severity="error")
            return
        if self.watched is not machine:
            return
        self.executions.sync(page.executions, complete=False)
        self.more_token = page.next_token
        self.pages_loaded += 1
