"""The dashboard: state machines, activities and the selected machine's executions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual.widgets.data_table import RowKey

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import EXECUTION_STATUSES, Activity, Execution, StateMachine
from sfn_tui.core.local_changes import LocalChanges
from sfn_tui.core.poller import (
    UNFINISHED,
    CatalogFetched,
    ExecutionsDescribed,
    ExecutionsFetched,
    ExecutionsUnavailable,
    PollFailed,
    PollLate,
    PollRecovered,
)
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.empty_states import (
    activities_empty,
    activity_tasks,
    executions_empty,
    machines_empty,
)
from sfn_tui.tui.express_watch import (
    EXPRESS_BINDINGS,
    NO_REDRIVE,
    NO_STOP,
    ExpressWatch,
    is_express,
)
from sfn_tui.tui.formatting import visible
from sfn_tui.tui.launch_frame import NARROW_WIDTH
from sfn_tui.tui.messages import Polled
from sfn_tui.tui.widgets.express_note import ExpressNote
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader, notice_title, notice_words
from sfn_tui.tui.widgets.keyed_table import KeyedTable
from sfn_tui.tui.widgets.panes import ActivitiesTable, ExecutionsTable, StateMachinesTable

if TYPE_CHECKING:
    from sfn_tui.core.inbox import TaskInbox

T = TypeVar("T")
SELECT_DEBOUNCE = 0.25


MUTATIONS = frozenset(
    {
        "create",
        "delete",
        "update_state_machine",
        "start_execution",
        "stop_execution",
        "redrive_execution",
        "toggle_work",
    }
)
REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
STATUS_FILTERS: tuple[str | None, ...] = (None, *EXECUTION_STATUSES[:5])
LOAD_MORE_MARGIN = 5  # rows from the end at which the next page is fetched


def _apply_changes(table: KeyedTable[T], made: tuple[T, ...], gone: tuple[str, ...]) -> None:
    """Rows for resources just made, none for those just deleted."""
    if made:
        table.sync(made, complete=False)
    if any(arn in table.source for arn in gone):
        table.sync([item for arn, item in table.source.items() if arn not in gone])


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "a",
            "create",
            "Create",
            tooltip="Create state machine or activity (the focused pane's)",
            id="main.create",
        ),
        Binding(
            "e", "update_state_machine", "Edit", tooltip="Update state machine", id="main.edit"
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            tooltip="Delete state machine or activity (the focused pane's)",
            id="main.delete",
        ),
        Binding("s", "start_execution", "Start", tooltip="Start execution", id="main.start"),
        Binding("x", "stop_execution", "Stop", tooltip="Stop execution", id="main.stop"),
        EXPRESS_BINDINGS[0],  # x on an Express run: why there is no Stop
        Binding(
            "R",
            "redrive_execution",
            "Redrive",
            key_display="R",
            tooltip="Redrive execution",
            id="main.redrive",
        ),
        *EXPRESS_BINDINGS[1:],  # R on an Express run; t, the time window
        Binding("g", "graph", "Graph", tooltip="Show state machine graph", id="main.graph"),
        Binding("v", "versions", "Versions", tooltip="Versions and aliases", id="main.versions"),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="Filter the focused pane",
            id="main.filter",
        ),
        Binding("f", "status_filter", "Status", tooltip="Status filter", id="main.status_filter"),
        Binding(
            "F",
            "follow_newest",
            "Follow",
            show=False,  # the footer is full at 140 columns: in help, palette and the title
            key_display="F",
            tooltip="Follow newest execution (toggle)",
            id="main.follow_newest",
        ),
        Binding(
            "w",
            "toggle_work",
            "Work/unwork",
            tooltip="Work or stop working the selected activity",
            id="main.work",
        ),
        Binding(
            "w",
            "follow_callbacks",
            "Callbacks",
            tooltip="Follow callbacks of the selected state machine",
            id="main.follow_callbacks",
        ),
        Binding("y", "copy_arn", "Copy ARN", id="main.copy_arn"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._select_timer: Timer | None = None
        self.watched: StateMachine | None = None
        self.status_filter: str | None = None
        self.more_token: str | None = None  # next page of the watched machine's executions
        self.pages_loaded = 0
        self._highlighted: RowKey | None = None  # the executions row last highlighted
        self._filter_target: KeyedTable[Any] | None = None
        self.express = ExpressWatch(
            lambda: self.query_one(ExpressNote), lambda: self.sfn_app.clock()
        )
        # Made or deleted here: not undone by a listing sent before (core/local_changes).
        self.machines_changed: LocalChanges[StateMachine] = LocalChanges()
        self.activities_changed: LocalChanges[Activity] = LocalChanges()
        self.runs_started: LocalChanges[Execution] = LocalChanges()  # the watched machine's

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        app = self.sfn_app
        yield StatusHeader(tz=app.tz, id="header")
        with Container(id="panes"):
            with Container(id="catalog"):
                yield StateMachinesTable(id="machines")
                yield ActivitiesTable(id="activities")
            with Vertical(id="executions-box"):
                yield ExpressNote(id="executions-note")
                yield ExecutionsTable(id="executions")
        yield Input(placeholder="filter by name (Enter keeps it, Esc clears)", id="filter")
        yield SteadyFooter()

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

    def apply_described(self, executions: tuple[Execution, ...]) -> None:
        """Followed runs as they are now: rows updated, or gone from a status-filtered
        pane once their status no longer matches (as the listing of the newest page
        drops them)."""
        table = self.executions
        # Only rows still loaded (a page change may have dropped some meanwhile).
        fresh = [e for e in executions if e.arn in table.source]
        wanted = self.status_filter
        if wanted is not None and any(e.status != wanted for e in fresh):
            kept = {e.arn: e for e in fresh if e.status == wanted}
            left = {e.arn for e in fresh} - kept.keys()
            self.sync_executions(
                [kept.get(arn, e) for arn, e in table.source.items() if arn not in left],
                complete=True,
            )
        else:
            self.sync_executions(fresh, complete=False)

    def sync_executions(self, executions: list[Execution], *, complete: bool) -> None:
        """Apply runs to the executions pane; when the selected run's status changes
        (a poll saw it end), the keys that depend on it (Stop, Redrive) follow."""
        before = self.executions.selected
        self.executions.sync(executions, complete=complete)
        after = self.executions.selected
        if (before and before.status) != (after and after.status):
            self.refresh_bindings()

    def follow_unfinished(self, newest: set[str]) -> None:
        """Have the poller follow the unfinished runs shown beyond the newest page (it
        lists only that page): their status changes reach the screen too."""
        poller = self.sfn_app.poller
        if poller is not None:
            poller.follow(
                arn
                for arn, execution in self.executions.source.items()
                if arn not in newest and execution.status in UNFINISHED
            )

    @on(Polled)
    def apply_poll(self, message: Polled) -> None:
        update = message.update
        app = self.sfn_app
        app.poll_late = update if isinstance(update, PollLate) else None  # any answer ends it
        if isinstance(update, CatalogFetched):
            self.machines.loading = False
            self.activities.loading = False
            activities = self.activities_changed.over(update.activities, update.sent)
            self.machines.sync(self.machines_changed.over(update.machines, update.sent))
            self.activities.sync(activities)
            app.auto_work({a.arn: a.name for a in activities})
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
            # With only that page loaded the pane shows exactly it: runs pushed off it
            # by newer ones go (End loads them again), so a pane left open for days
            # does not gather every run started meanwhile.
            first_only = self.pages_loaded <= 1
            shown = self.runs_started.over(page.executions, update.sent)
            selected = self.executions.selected
            if (
                first_only
                and selected is not None
                and page.next_token is not None
                and all(e.arn != selected.arn for e in shown)
            ):
                shown.append(selected)  # the cursor's run stays, however far it drifts
            self.sync_executions(shown, complete=first_only)
            if first_only:
                self.more_token = page.next_token
                self.pages_loaded = 1
            self.follow_unfinished({e.arn for e in page.executions})
            if self.express.machine is not None:
                self.express.listed()
                self.retitle()
            elif self.executions.filter_text:
                self.retitle()  # the count of runs the filter searched
            app.refreshed_at = update.at
        elif isinstance(update, ExecutionsUnavailable):
            if self.watched is not None and update.state_machine_arn == self.watched.arn:
                self.executions.loading = False
                self.express.unavailable(update.reason)
                self.retitle()
        elif isinstance(update, ExecutionsDescribed):
            if self.watched is not None and update.state_machine_arn == self.watched.arn:
                self.apply_described(update.executions)
        elif isinstance(update, PollFailed):
            previous = app.poll_failure
            if previous is None or previous.kind != update.kind:
                self.notify(
                    notice_words(update),
                    title=notice_title(update),
                    severity="warning",
                    timeout=10,
                )
            app.failing_since = update.since
            app.failing = f"{update.error} (retry in {update.retry_in:.0f}s)"
            app.poll_failure = update
            for table in (self.machines, self.activities, self.executions):
                table.loading = False
            self.retitle()
        elif isinstance(update, PollRecovered):
            app.failing = ""
            app.poll_failure = None
            self.retitle()
            if app.inbox is not None:
                app.inbox.reconnected()
            self.notify(
                f"Refreshing again after {update.outage_seconds:.0f}s.", title="Reconnected"
            )
        self.show_empties()

    def show_inbox(self, inbox: TaskInbox) -> None:
        counts = {arn: inbox.waiting_count(arn) for arn in self.activities.items}
        self.activities.show_tasks(counts, inbox.worked)
        self.describe_activity()

    def show_empties(self) -> None:
        """What each pane says when it has no rows (drawn only then)."""
        region = self.sfn_app.connection.region
        self.machines.show_empty(machines_empty(region, self.machines.filter_text))
        self.activities.show_empty(activities_empty(region, self.activities.filter_text))
        watched, table = self.watched, self.executions
        if self.express.machine is not None and not table.source:
            table.show_empty("")  # the Express note above the pane says why
            return
        table.show_empty(
            executions_empty(
                watched.name if watched else None,
                self.status_filter,
                table.filter_text,
                self.more_token is not None,
            )
        )

    @on(DataTable.RowHighlighted, "#activities")
    def describe_activity(self) -> None:
        """Under the activities pane: whether the selected one's tasks come here."""
        table = self.activities
        activity = table.selected
        if activity is None:
            table.border_subtitle = ""
            return
        waiting = table.task_counts.get(activity.arn, 0)
        table.border_subtitle = activity_tasks(
            activity.arn in table.worked, waiting, read_only=self.sfn_app.read_only
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            # Asked while it is pushed over the launch frame (that frame's footer, for
            # Textual's `screen.` bindings), before its panes exist: it is asked again
            # once they do, and nothing of it is on screen before.
            return True
        focused, read_only = self.focused, self.sfn_app.read_only
        on_machines, on_executions = focused is self.machines, focused is self.executions
        execution = self.executions.selected if on_executions else None
        if action in MUTATIONS and read_only:
            return False
        if action in ("express_note", "widen_window"):
            return self.express.allows(action, parameters, execution, read_only)
        if action == "toggle_work":
            return focused is self.activities and self.activities.selected is not None
        if action == "follow_callbacks":  # lists callbacks; answering is refused read-only
            return on_machines and self.machines.selected is not None
        if action in ("status_filter", "follow_newest"):
            return on_executions
        if action == "create":
            return on_machines or focused is self.activities
        if action == "delete":
            return (on_machines or focused is self.activities) and self._selected_in_focus()
        if action == "update_state_machine":
            if on_executions and is_express(self.watched):
                return True  # its logging decides what the pane can show
            return on_machines and self.machines.selected is not None
        if action == "start_execution":
            return (on_machines or on_executions) and self._target_machine() is not None
        if action == "stop_execution":
            return (
                execution is not None and execution.status == "RUNNING" and not execution.is_express
            )
        if action == "redrive_execution":
            return (
                execution is not None
                and execution.status in REDRIVABLE
                and not execution.is_express
            )
        if action in ("graph", "versions"):
            return self._target_machine() is not None
        return True

    def _selected_in_focus(self) -> bool:
        table = self._focused_table()
        return table is not None and table.selected is not None

    def _target_machine(self) -> StateMachine | None:
        """The machine an action is about: the one selected, else the one watched."""
        return self.machines.selected or self.watched

    def action_toggle_work(self) -> None:
        self.sfn_app.action_toggle_work_selected()

    def action_follow_callbacks(self) -> None:
        machine = self.machines.selected
        if machine is not None:
            self.sfn_app.toggle_callbacks(machine.arn, machine.name)

    def show_followed(self, machine_arns: set[str]) -> None:
        self.machines.show_followed(machine_arns)

    # Operations (keys act on the focused pane; the palette names them explicitly) ------

    def action_create(self) -> None:
        if self.focused is self.activities:
            self.create_activity()
        else:
            self.create_state_machine()

    def action_delete(self) -> None:
        if self.focused is self.activities:
            self.delete_activity()
        else:
            self.delete_state_machine()

    def create_state_machine(self) -> None:
        from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen

        def created(machine: StateMachine | None) -> None:
            if machine is not None:
                self.resources_changed(machines=(machine,))
                self.machines.select_key(machine.arn)
                self.machines.focus()
                self.notify(f"Created state machine {machine.name}.")

        self._open(StateMachineFormScreen(), created)

    def action_update_state_machine(self) -> None:
        from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen

        machine = self._target_machine()
        if machine is None:
            self.notify("Select a state machine first.", severity="warning")
            return

        def updated(result: StateMachine | None) -> None:
            if result is not None:
                self.notify(f"Updated {result.name}.")
                watched = self.watched
                if watched is not None and watched.arn == result.arn and is_express(result):
                    self._rewatch()  # its logging may have changed

        self._open(StateMachineFormScreen(machine), updated)

    def delete_state_machine(self) -> None:
        from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen

        machine = self.machines.selected
        if machine is None:
            self.notify("Select a state machine first.", severity="warning")
            return
        self._open(DeleteResourceScreen(machine), partial(self._deleted, machine.arn))

    def create_activity(self) -> None:
        from sfn_tui.tui.screens.activity_form import CreateActivityScreen

        def created(activity: Activity | None) -> None:
            if activity is not None:
                self.resources_changed(activities=(activity,))
                self.activities.select_key(activity.arn)
                self.activities.focus()
                self.notify(f"Created activity {activity.name}.")

        self._open(CreateActivityScreen(), created)

    def delete_activity(self) -> None:
        from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen

        activity = self.activities.selected
        if activity is None:
            self.notify("Select an activity first.", severity="warning")
            return
        # Nothing changes until the user confirms: the modal stops working the
        # activity once it is deleted.
        self._open(DeleteResourceScreen(activity), partial(self._deleted, activity.arn))

    def _deleted(self, arn: str, done: bool | None) -> None:
        if done:
            self.resources_changed(gone=(arn,))

    def _changed(self, done: bool | None) -> None:
        if done:
            self.sfn_app.action_refresh()

    def resources_changed(
        self,
        machines: tuple[StateMachine, ...] = (),
        activities: tuple[Activity, ...] = (),
        gone: tuple[str, ...] = (),
    ) -> None:
        """Machines or activities this app created or deleted: shown or gone at once
        (not at the next catalog refresh), then the catalog is listed again."""
        self.machines_changed.made(machines)
        self.activities_changed.made(activities)
        self.machines_changed.gone(gone)
        self.activities_changed.gone(gone)
        _apply_changes(self.machines, machines, gone)
        _apply_changes(self.activities, activities, gone)
        if self.watched is not None and self.watched.arn in gone:
            self._watch_selected(immediately=True)
        self.show_empties()
        self.sfn_app.action_refresh()

    def action_start_execution(self) -> None:
        from sfn_tui.tui.screens.start_execution import StartExecutionScreen

        machine = self._target_machine()
        if machine is None:
            self.notify("Select a state machine first.", severity="warning")
            return

        def started(execution: Execution | None) -> None:
            if execution is None:
                return
            if execution.is_express:
                self.notify(
                    f"Started {execution.name}. Express runs are listed once their log"
                    " records arrive.",
                    title="Express run started",
                )
                self.sfn_app.action_refresh()
                return
            self.notify(f"Started {execution.name}.")
            self.run_started(execution)

        self._open(StartExecutionScreen(machine, self.sfn_app.last_inputs), started)

    def run_started(self, execution: Execution) -> None:
        """A Standard run this app just started: its row shown and selected at once if
        the pane lists its machine's runs of its status (ListExecutions is eventually
        consistent, and a listing sent before the start must not take it off again)."""
        watched = self.watched
        if (
            watched is not None
            and watched.arn == execution.state_machine_arn
            and self.status_filter in (None, execution.status)
        ):
            self.runs_started.made((execution,))
            self.executions.sync([execution], complete=False)
            self.executions.select_key(execution.arn)
            self.executions.focus()
        self.sfn_app.action_refresh()

    def action_stop_execution(self) -> None:
        from sfn_tui.tui.screens.stop_execution import StopExecutionScreen

        execution = self.executions.selected
        if execution is not None and execution.is_express:
            self.action_express_note("stop")  # the palette does not ask check_action
            return
        if execution is None or execution.status != "RUNNING":
            self.notify("Select a RUNNING execution first.", severity="warning")
            return
        self._open(StopExecutionScreen(execution), self._changed)

    def action_redrive_execution(self) -> None:
        from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen

        execution = self.executions.selected
        if execution is not None and execution.is_express:
            self.action_express_note("redrive")
            return
        if execution is None or execution.status not in REDRIVABLE:
            self.notify(
                "Select a FAILED, TIMED_OUT or ABORTED execution first.", severity="warning"
            )
            return
        self._open(RedriveExecutionScreen(execution), self._changed)

    def action_express_note(self, what: str) -> None:
        self.notify(NO_STOP if what == "stop" else NO_REDRIVE, title="Express run")

    def action_widen_window(self) -> None:
        label = self.express.widen()
        self.notify(f"Express runs of the last {label}.", timeout=3)
        self._rewatch()

    def action_graph(self) -> None:
        from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen

        machine = self._target_machine()
        if machine is not None:
            self.app.push_screen(StateMachineGraphScreen(machine.arn))

    def action_versions(self, then: str | None = None) -> None:
        """The versions and aliases of the selected (else watched) machine; `then` is a
        palette entry's operation, done there once they are loaded."""
        from sfn_tui.tui.screens.versions import VersionsScreen

        screen = self.app.screen
        if isinstance(screen, VersionsScreen):  # the palette, over the versions screen
            if then is not None:
                screen.run_follow_up(then)
            return
        machine = self._target_machine()
        if machine is None:
            self.notify("Select a state machine first.", severity="warning")
            return
        if then is not None and self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        self.app.push_screen(VersionsScreen(machine, then=then))

    def publish_version(self) -> None:
        self.action_versions("publish_version")

    def create_alias(self) -> None:
        self.action_versions("create_alias")

    def update_alias(self) -> None:
        self.action_versions("update_alias")

    def delete_version(self) -> None:
        self.action_versions("delete_version")

    def delete_alias(self) -> None:
        self.action_versions("delete_alias")

    def action_test_state(self) -> None:
        """TestState on a state of the selected machine (a changing action: refused in
        read-only mode, as a state tested with a real role may call its resource)."""
        from sfn_tui.tui.screens.test_state import TestStateScreen

        machine = self._target_machine()
        if machine is not None:
            self._open(TestStateScreen(machine.name, machine_arn=machine.arn), lambda _: None)

    @on(DataTable.RowSelected, "#executions")
    def open_execution(self) -> None:
        from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen

        execution = self.executions.selected
        if execution is not None:
            self.app.push_screen(ExecutionDetailScreen(execution.arn, run=execution))

    def _open(self, screen: ModalScreen[Any], callback: Callable[[Any], None]) -> None:
        """Open a modal that changes something, unless read-only or not connected."""
        if self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        if self.sfn_app.client is None:
            self.notify("Not connected yet.", severity="warning")
            return
        self.app.push_screen(screen, callback)

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
        self.runs_started = LocalChanges()  # listed afresh: another machine's, or filter's
        self.more_token, self.pages_loaded = None, 0
        self.retitle()
        machine = self.watched
        self.executions.loading = machine is not None
        source = self.express.watch(machine, self.sfn_app.client)
        self.retitle()
        self.sfn_app.watch_machine(machine.arn if machine else None, self.status_filter, source)

    def retitle(self) -> None:
        """The panes' titles, as text (Content, not markup: a filter or a machine's name
        may hold `[/`, which Textual's escape() leaves for its parser to fail on)."""
        stale = " · stale" if self.sfn_app.poll_failure is not None else ""

        def with_filter(title: str, table: KeyedTable[Any], scope: str = "") -> str:
            if table.filter_text:
                title = f"{title} · /{visible(table.filter_text)}{scope}"
            return title + stale

        self.machines.border_title = Content(with_filter("State machines", self.machines))
        self.activities.border_title = Content(with_filter("Activities", self.activities))
        title = "Executions"
        if self.watched is not None:
            title += f" · {visible(self.watched.name)}"
        title += self.express.title()
        if self.status_filter:
            title += f" · {self.status_filter} only"
        if self.executions.follow_newest:
            title += " · ⇣ following newest"
        # ListExecutions has no name filter: `/` searches the runs loaded so far, and
        # says so while older ones are still on the service.
        scope = f" in {len(self.executions.source):,} loaded" if self.more_token else ""
        self.executions.border_title = Content(with_filter(title, self.executions, scope))
        self.show_empties()

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
        # At once, not through the app's queue (`focus()`): keys typed right after `/`
        # are handed on as soon as `/` settles, and with no pane focused yet (typed at
        # launch, before the catalog came) that was before a queued focus landed.
        self.set_focus(bar)

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

    def action_follow_newest(self) -> None:
        """Toggle following the newest run (like a log viewer's follow mode)."""
        table = self.executions
        table.follow_newest = not table.follow_newest
        if table.follow_newest:
            table.to_newest()
            self.notify("Following the newest execution (F stops).", timeout=3)
        else:
            self.notify("The cursor stays on its execution.", timeout=3)
        self.retitle()

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
        # Only the user's moves count: new runs arriving above keep the cursor on its
        # run, pushing it down, and that must not load page after page by itself.
        moved, self._highlighted = event.row_key != self._highlighted, event.row_key
        near = event.cursor_row >= self.executions.row_count - LOAD_MORE_MARGIN
        if moved and near and self.more_token:
            self.load_more()

    @on(ExecutionsTable.MoreWanted)
    def more_wanted(self) -> None:
        if self.more_token:  # None while a page is on its way
            self.load_more()

    @work(exclusive=True, group="more-executions", exit_on_error=False)
    async def load_more(self) -> None:
        client, machine, token = self.sfn_app.client, self.watched, self.more_token
        if client is None or machine is None or token is None:
            return
        self.more_token = None  # one fetch at a time
        lister = self.express.source or client
        try:
            page = await lister.list_executions(
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
        self.retitle()
