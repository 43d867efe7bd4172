"""One Map Run: its counts and settings (DescribeMapRun) and its child executions
(ListExecutions with mapRunArn), page by page as in the executions pane.

Only the newest page is listed at first; moving down to the last rows asks for the next
one (a 10,000-item Map Run is never loaded whole). While the Map Run runs, each refresh
asks for one DescribeMapRun and the newest page again; once it has ended, nothing.
Enter opens a child like any execution; Escape goes back up.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.map_runs import MapRun, MapRunDetail, map_run_label
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.map_run_commands import MapRunCommands
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.map_run_view import map_run_text
from sfn_tui.tui.widgets.panes import ExecutionsTable

PAGE_SIZE = 100
LOAD_MORE_MARGIN = 5  # rows from the end at which the next page is fetched
STATUS_FILTERS: tuple[str | None, ...] = (
    None,
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "ABORTED",
    "PENDING_REDRIVE",
)
REDRIVE_FILTERS: tuple[str | None, ...] = (None, "REDRIVEN", "NOT_REDRIVEN")


class MapRunScreen(Screen[None]):
    CSS_PATH = "../detail.tcss"
    COMMANDS = {MapRunCommands}
    DEFAULT_CSS = """
    MapRunScreen #map-run-title { height: auto; padding: 0 1; background: $boost; }
    MapRunScreen #map-run-counts { height: auto; padding: 0 1; }
    MapRunScreen #children-bar { height: auto; padding: 0 1; border-top: solid $primary 50%; }
    MapRunScreen #children { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="map_run.back"),
        Binding("s", "status_filter", "Status filter", id="map_run.status_filter"),
        Binding("v", "redrive_filter", "Redrive filter", id="map_run.redrive_filter"),
        Binding("u", "update_map_run", "Update Map Run", id="map_run.update"),
        Binding("r", "reload", "Refresh", id="map_run.refresh"),
    ]

    def __init__(self, map_run_arn: str, execution_arn: str = "") -> None:
        super().__init__()
        self.map_run_arn = map_run_arn
        self.execution_arn = execution_arn
        self.detail: MapRunDetail | None = None
        self.status_filter: str | None = None
        self.redrive_filter: str | None = None
        self.more_token: str | None = None
        self.pages_loaded = 0
        self.problem = ""
        self._busy = False
        self._again = False  # the filters changed while a load was on its way
        self._highlighted: object = None
        self._timer: Timer | None = None

    @classmethod
    def of(cls, run: MapRun) -> MapRunScreen:
        return cls(run.arn, run.execution_arn)

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    @property
    def child_table(self) -> ExecutionsTable:
        return self.query_one("#children", ExecutionsTable)

    def compose(self) -> ComposeResult:
        yield StatusHeader(tz=self.sfn_app.tz)
        yield Static(id="map-run-title")
        yield Static(Text("Describing the Map Run…", style="dim"), id="map-run-counts")
        yield Static(id="children-bar")
        yield ExecutionsTable(id="children")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.child_table.configure_time(self.sfn_app.clock, self.sfn_app.tz)
        self._show_title()
        self._show_bar()
        self.child_table.focus()
        self._timer = self.set_interval(self.sfn_app.poll_interval, self._tick)
        self.load()

    # Loading ----------------------------------------------------------------------

    def _tick(self) -> None:
        if self.detail is not None and not self.detail.running:
            self._stop_polling()
        elif not self._busy:
            self.load()

    def _stop_polling(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @work(group="map-run", exit_on_error=False)
    async def load(self) -> None:
        """DescribeMapRun, then the newest page of children (merged into those shown)."""
        client = self.sfn_app.client
        if client is None or self._busy:
            return
        self._busy = True
        self._again = False
        filters = (self.status_filter, self.redrive_filter)
        try:
            self.detail = await client.describe_map_run(self.map_run_arn)
            self._show_counts()
            page = await client.list_map_run_executions(
                self.map_run_arn,
                status=self.status_filter,
                redrive_filter=self.redrive_filter,
                max_results=PAGE_SIZE,
            )
            first = self.pages_loaded <= 1
            if filters == (self.status_filter, self.redrive_filter):
                self.child_table.sync(page.executions, complete=first)
                if first:
                    self.more_token = page.next_token
                    self.pages_loaded = 1
            else:
                self._again = True  # listed with the old filters: list again
            self.problem = ""
        except SfnError as error:
            self.problem = str(error)
        finally:
            self._busy = False
        if self._again:
            self.load()
        self.refresh_bindings()  # Update Map Run is offered once the Map Run is described
        self._show_title()
        self._show_bar()
        if self.detail is not None and not self.detail.running:
            self._stop_polling()

    @work(exclusive=True, group="map-run-more", exit_on_error=False)
    async def load_more(self) -> None:
        client, token = self.sfn_app.client, self.more_token
        if client is None or token is None:
            return
        self.more_token = None  # one fetch at a time
        filters = (self.status_filter, self.redrive_filter)
        try:
            page = await client.list_map_run_executions(
                self.map_run_arn,
                status=self.status_filter,
                redrive_filter=self.redrive_filter,
                max_results=PAGE_SIZE,
                next_token=token,
            )
        except SfnError as error:
            self.more_token = token
            self.notify(f"{error}", title="Loading more child executions failed", severity="error")
            return
        if filters != (self.status_filter, self.redrive_filter):
            return  # the filter changed meanwhile: this page belongs to the old list
        self.child_table.sync(page.executions, complete=False)
        self.more_token = page.next_token
        self.pages_loaded += 1
        self._show_bar()

    def _relist(self) -> None:
        self.child_table.clear_items()
        self.more_token, self.pages_loaded = None, 0
        self._show_bar()
        if self._busy:
            self._again = True
        else:
            self.load()

    # Showing ----------------------------------------------------------------------

    def _show_title(self) -> None:
        title = Text()
        title.append("Map Run ", "bold")
        label = plain(map_run_label(self.map_run_arn))
        label.stylize("bold")
        title.append_text(label)
        if self.execution_arn:
            title.append("  of execution ", "dim")
            title.append_text(plain(self.execution_arn.rsplit(":", 1)[-1]))
        if self.problem:
            title.append("\n⚠ ", "bold yellow")
            title.append_text(plain(self.problem))
        self.query_one("#map-run-title", Static).update(title)

    def _show_counts(self) -> None:
        if self.detail is not None:
            self.query_one("#map-run-counts", Static).update(
                map_run_text(self.detail, self.sfn_app.clock(), self.sfn_app.tz)
            )

    def _show_bar(self) -> None:
        bar = Text()
        shown = self.child_table.row_count
        bar.append("Child executions ", "bold")
        bar.append(f"{shown:,} shown")
        if self.more_token:
            bar.append(" · more below", "dim")
        bar.append(f" · status: {self.status_filter or 'all'} (s)", "dim")
        bar.append(f" · redrive: {self.redrive_filter or 'all'} (v)", "dim")
        bar.append(" · Enter opens", "dim")
        self.query_one("#children-bar", Static).update(bar)

    # Paging -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#children")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        moved, self._highlighted = event.row_key != self._highlighted, event.row_key
        near = event.cursor_row >= self.child_table.row_count - LOAD_MORE_MARGIN
        if moved and near and self.more_token:
            self.load_more()

    @on(ExecutionsTable.MoreWanted)
    def more_wanted(self) -> None:
        if self.more_token:
            self.load_more()

    @on(DataTable.RowSelected, "#children")
    def open_child(self) -> None:
        child = self.child_table.selected
        if child is None:
            return
        from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen

        self.app.push_screen(ExecutionDetailScreen(child.arn, child))

    # Actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "update_map_run":
            if self.sfn_app.read_only:
                return False  # hidden: nothing can be changed
            return True if self.detail is not None else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        if self._timer is None and self.detail is not None and not self.detail.running:
            self.detail = None  # describe once more, then stop again
            self._timer = self.set_interval(self.sfn_app.poll_interval, self._tick)
        self._relist()

    def action_status_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.notify(f"Child executions: {self.status_filter or 'all statuses'}", timeout=2)
        self._relist()

    def action_redrive_filter(self) -> None:
        index = REDRIVE_FILTERS.index(self.redrive_filter)
        self.redrive_filter = REDRIVE_FILTERS[(index + 1) % len(REDRIVE_FILTERS)]
        words = {None: "redriven or not", "REDRIVEN": "redriven", "NOT_REDRIVEN": "not redriven"}
        self.notify(f"Child executions: {words[self.redrive_filter]}", timeout=2)
        self._relist()

    def action_update_map_run(self) -> None:
        if self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        if self.detail is None:
            self.notify("The Map Run is not described yet.", severity="warning")
            return
        from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen

        def updated(done: bool | None) -> None:
            if done:
                self.action_reload()

        self.app.push_screen(UpdateMapRunScreen(self.detail), updated)
