"""One execution in detail: summary, event history, each state's runs, and the graph.

Loaded by workers through the app's client. The history comes page by page (the first
page is shown at once, the rest keeps loading); while the execution runs, the screen
asks every poll interval for the summary and the events newer than the last one it has,
and stops asking once the execution has ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from sfn_tui.aws.errors import NotFound, SfnError
from sfn_tui.aws.map_runs import MapRun
from sfn_tui.aws.models import (
    TERMINAL_STATUSES,
    Execution,
    ExecutionDetail,
    HistoryEvent,
    is_express_arn,
)
from sfn_tui.aws.versions import qualifier_label
from sfn_tui.core.express_runs import LoggedRun, express_parts
from sfn_tui.core.history import (
    ExecutionHistory,
    StateRun,
    duration_text,
    event_detail_sections,
    offset_text,
    pretty,
    reached_known,
)
from sfn_tui.core.map_runs import distributed_map_states, graph_notes, map_run_states
from sfn_tui.core.test_state import state_inputs, state_scopes
from sfn_tui.tui import run_mark
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.detail_actions import DETAIL_ACTION_BINDINGS, DETAIL_ACTIONS, DetailActions
from sfn_tui.tui.detail_commands import DetailCommands
from sfn_tui.tui.formatting import duration, plain, status_text, timestamp
from sfn_tui.tui.map_run_commands import MapRunCommands
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.screens.text_viewer import TextViewerScreen
from sfn_tui.tui.state_variables import StateExtras, state_extras
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.history_table import HistoryTable, LazyTable, StateRunsTable
from sfn_tui.tui.widgets.map_runs_panel import MapRunsPanel
from sfn_tui.tui.widgets.state_graph import StateGraph

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient

PAGE_SIZE = 1000  # events per GetExecutionHistory page (the service's maximum)
CATCH_UP_PAGE = 100  # newest-first page size when only new events are wanted
MAX_PAGES = 30  # 25,000 events at most, so 25 pages of 1,000
MAX_SHOWN = 100_000  # characters of an input/output drawn; the rest is cut
# Lines of an input, output or event detail drawn in place: a Static lays out all it
# holds (10,000 lines took seconds); the whole text opens in a viewer (i, o, Enter).
PREVIEW_LINES = 200
TABS = ("summary", "history", "states", "graph", "map-runs")


def ran_on(arn: str) -> Text:
    """ "v2  arn:…:PriceQuote:2": the version or alias a run used, and its ARN."""
    text = plain(qualifier_label(arn))  # an alias's name is the service's
    text.stylize("bold")
    text.append("  ")
    text.append_text(plain(arn))
    return text


def clipped(raw: str | None, whole: str = "") -> Text:
    """Pretty JSON (or the text as it is), literally, its first PREVIEW_LINES lines (at
    most MAX_SHOWN characters); `whole` says where the rest is."""
    if raw is None:
        return Text("—", style="dim")
    return preview(pretty(raw), whole)


def preview(text: str, whole: str = "") -> Text:
    """`text`, cut after PREVIEW_LINES lines (and MAX_SHOWN characters), saying so."""
    cut = 0
    for _ in range(PREVIEW_LINES):
        cut = text.find("\n", cut) + 1
        if cut == 0:
            break
    head = text[: cut - 1] if cut else text
    head = head[:MAX_SHOWN]
    if len(head) == len(text):
        return plain(text)
    shown = plain(head)
    lines = text.count("\n") + 1
    where = f": {whole}" if whole else ""
    shown.append(f"\n… (first {head.count(chr(10)) + 1:,} of {lines:,} lines{where})", style="dim")
    return shown


def event_detail(event: HistoryEvent, state: str, since: str) -> Text:
    text = Text()
    text.append(f"#{event.id} ", style="bold")
    text.append_text(plain(event.type))
    if state:
        text.append("  state ")
        text.append_text(plain(state))
    text.append(f"  {since}", style="dim")
    if event.previous_id:
        text.append(f"  after #{event.previous_id}", style="dim")
    for title, body in event_detail_sections(event):
        text.append(f"\n{title}\n", style="bold red" if title in ("error", "cause") else "bold")
        text.append_text(preview(body, "Enter shows the whole event"))
    return text


def event_text(event: HistoryEvent, state: str) -> str:
    """An event's details in full, for the viewer."""
    head = f"#{event.id} {event.type}" + (f"  state {state}" if state else "")
    return "\n\n".join(
        [head, *(f"{title}\n{body}" for title, body in event_detail_sections(event))]
    )


def run_detail(
    run: StateRun, status: str, since: str, took: str, extras: StateExtras | None = None
) -> Text:
    text = Text()
    text.append_text(plain(run.name))
    text.stylize("bold")
    language = f" · {extras.language}" if extras is not None and extras.language else ""
    text.append(f"  {run.state_type}{language}  {status}  entered {since}  took {took}")
    if run.iteration is not None:
        text.append(f"  iteration {run.iteration}")
    if run.retries:
        text.append(f"  retries {run.retries}", style="dark_orange")
    if run.error or run.cause:
        text.append("\nerror\n", style="bold red")
        text.append_text(plain(": ".join(x for x in (run.error, run.cause) if x)))
    if extras is not None:
        text.append_text(extras.variables)
    text.append("\ninput\n", style="bold")
    text.append_text(clipped(run.input))
    text.append("\noutput\n", style="bold")
    text.append_text(clipped(run.output) if run.exited else Text("— (not exited)", style="dim"))
    return text


class EventTypePicker(ModalScreen[str | None]):
    """Pick the event type to show; "" means all events, None means cancelled."""

    CSS_PATH = "../detail.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="detail.picker.cancel")]

    def __init__(self, counts: dict[str, int], current: str | None) -> None:
        super().__init__()
        self.counts = counts
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="type-picker", classes="modal-box"):
            yield Static("Show events of type", classes="modal-title")
            options = [Option(Text(f"All events ({sum(self.counts.values()):,})"), id="")]
            for kind, count in sorted(self.counts.items()):
                # An endpoint that is not AWS may send any type: text, escapes written out.
                options.append(Option(Text.assemble(plain(kind), f" ({count:,})"), id=kind))
            yield OptionList(*options, id="type-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = ["", *sorted(self.counts)]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExecutionDetailScreen(DetailActions, Screen[None]):
    CSS_PATH = "../detail.tcss"
    COMMANDS = {MapRunCommands, DetailCommands}
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("f", "first_failure", "First failure", id="detail.first_failure"),
        Binding("t", "filter_type", "Filter type", id="detail.filter_type"),
        Binding("r", "reload", "Refresh", id="detail.refresh"),
        Binding("ctrl+t", "test_state", "Test state", id="detail.test_state"),
        Binding("1", "tab('summary')", "Summary tab", show=False, id="detail.tab_summary"),
        Binding("2", "tab('history')", "History tab", show=False, id="detail.tab_history"),
        Binding("3", "tab('states')", "States tab", show=False, id="detail.tab_states"),
        Binding("4", "tab('graph')", "Graph tab", show=False, id="detail.tab_graph"),
        Binding("5", "tab('map-runs')", "Map Runs tab", show=False, id="detail.tab_map_runs"),
        Binding(
            "i",
            "show_whole('input')",
            "Input",
            show=False,
            tooltip="Whole input",
            id="detail.input",
        ),
        Binding(
            "o",
            "show_whole('output')",
            "Output",
            show=False,
            tooltip="Whole output",
            id="detail.output",
        ),
        Binding("enter", "show_event", "Whole event", show=False, id="detail.event"),
        *DETAIL_ACTION_BINDINGS,  # stop, redrive, start again, copy, export, mark, compare
    ]

    def __init__(self, execution_arn: str, run: Execution | None = None) -> None:
        super().__init__()
        self.execution_arn = execution_arn
        self.run = run  # the row it was opened from (an Express run's times, where known)
        self.logged: LoggedRun | None = None  # an Express run: read from its log group
        self.history = ExecutionHistory()
        self.detail: ExecutionDetail | None = None
        self.definition: str | None = None
        self.role_arn = ""  # the role of the machine the run used
        self.finished = False  # ended, and its history is all here: no more polling
        self.complete = False  # the first pass through the history pages is done
        self.problem = ""
        self._page_token: str | None = None
        self._definition_tried = False  # and failed: not asked again on each poll
        self._loading = False
        self._timer: Timer | None = None
        self._map_runs_checked = False  # the definition was looked at for a Distributed Map

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    # Layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(tz=self.sfn_app.tz)
        yield Static(Text("Loading the execution…", style="dim"), id="detail-title")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Summary", id="summary"), VerticalScroll(id="summary-scroll"):
                yield Static(id="summary-fields")
                yield Static(id="summary-error")
                yield Static(id="summary-io")
            with TabPane("History", id="history"):
                yield Static(id="history-bar")
                yield HistoryTable(id="history-table")
                with VerticalScroll(id="event-detail-box", classes="detail-box"):
                    yield Static(id="event-detail")
            with TabPane("States", id="states"):
                yield StateRunsTable(id="runs-table")
                with VerticalScroll(id="run-detail-box", classes="detail-box"):
                    yield Static(id="run-detail")
            with TabPane("Graph", id="graph"):
                yield StateGraph(id="detail-graph")
            with TabPane("Map Runs", id="map-runs"):
                yield MapRunsPanel(id="map-runs-panel")
        yield SteadyFooter()

    @property
    def table(self) -> HistoryTable:
        return self.query_one(HistoryTable)

    @property
    def runs_table(self) -> StateRunsTable:
        return self.query_one(StateRunsTable)

    @property
    def graph(self) -> StateGraph:
        return self.query_one(StateGraph)

    def on_mount(self) -> None:
        self.query_one("#summary-error").display = False
        self.table.use(self.history)
        self.runs_table.use(self.history, finished=False, now=None)
        self.graph.show_lines([Text("The graph appears once the definition is loaded.")])
        self.query_one(TabbedContent).hide_tab("map-runs")
        self._timer = self.set_interval(self.sfn_app.poll_interval, self._tick)
        self.load()

    # Loading ----------------------------------------------------------------------

    def _tick(self) -> None:
        if self.finished:
            self._stop_polling()
        elif not self._loading:
            self.load()

    def _stop_polling(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @work(group="execution-detail", exit_on_error=False)
    async def load(self) -> None:
        """Describe the execution, then fetch the history it does not have yet."""
        client = self.sfn_app.client
        if client is None:
            self._set_problem("Not connected yet; retrying.")
            return
        if self._loading:
            return
        self._loading = True
        try:
            if is_express_arn(self.execution_arn):
                detail = await self._load_logged(client)
            else:
                detail = await client.describe_execution(self.execution_arn)
            self.detail = detail
            self.map_runs.parent_status(detail.execution.status)
            ended = detail.execution.status in TERMINAL_STATUSES
            self._show_summary()
            if self.definition is None and not self._definition_tried:
                await self._load_definition(client, detail)
            self._start_map_runs()
            if self.logged is None:
                await self._load_history(client)
            if ended and self.complete:
                self.finished = True
                self._stop_polling()
            self._set_problem("")
        except NotFound as error:
            self.finished = True
            self._stop_polling()
            self._set_problem(f"{error}. It may have been deleted with its state machine.")
        except SfnError as error:
            self._set_problem(f"{error} (retrying every {self.sfn_app.poll_interval:g}s)")
        finally:
            self._loading = False
        self._show_bar(loading=not self.complete)
        self._show_summary()
        self._show_runs()
        self._show_graph()
        self.refresh_bindings()

    async def _load_logged(self, client: StepFunctionsClient) -> ExecutionDetail:
        """An Express run: its summary and history from its CloudWatch Logs records (all
        at once: no history pages, no GetExecutionHistory)."""
        if self.logged is None:
            self.logged = LoggedRun(
                client, client.logs, self.execution_arn, self.run, clock=self.sfn_app.clock
            )
        detail = await self.logged.load()
        self._add([e for e in self.logged.history() if e.id > self.history.last_id])
        self.complete = True
        return detail

    async def _load_definition(self, client: StepFunctionsClient, detail: ExecutionDetail) -> None:
        """The definition the run used (else the machine's current one). Without it the
        graph says why, and everything else still loads; r tries again."""
        try:
            machine = await client.describe_state_machine_for_execution(self.execution_arn)
        except SfnError:
            try:
                machine = await client.describe_state_machine(detail.execution.state_machine_arn)
            except SfnError as error:
                self._definition_tried = True
                self.graph.show_lines([plain(f"The definition could not be loaded: {error}")])
                return
        self.definition = machine.definition
        self.role_arn = machine.role_arn

    async def _load_history(self, client: StepFunctionsClient) -> None:
        arn = self.execution_arn
        if not self.complete:
            # First pass: oldest first, page by page; each page is shown as it comes.
            for _ in range(MAX_PAGES):
                events, token = await client.get_execution_history_page(
                    arn, next_token=self._page_token, max_results=PAGE_SIZE
                )
                self._add(events)
                self._page_token = token
                if token is None:
                    break
                self._show_bar(loading=True)
            # Done, unless the page cap was hit: the next poll goes on from the token.
            self.complete = self._page_token is None
            return
        # Later: only events newer than the last one, newest first until known ones.
        last = self.history.last_id
        found: list[HistoryEvent] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES * (PAGE_SIZE // CATCH_UP_PAGE)):
            page, cursor = await client.get_execution_history_page(
                arn, next_token=cursor, max_results=CATCH_UP_PAGE, reverse=True
            )
            found.extend(e for e in page if e.id > last)
            newest_first = len(page) > 1 and page[0].id > page[-1].id
            if cursor is None or (newest_first and reached_known(page, last)):
                break
        self._add(found)

    def _add(self, events: list[HistoryEvent]) -> None:
        before = len(self.history)
        if not self.history.extend(events):
            return
        self.table.events_added(before)
        self._show_bar(loading=not self.complete)
        self._show_runs()
        self._show_graph()
        self.refresh_bindings()

    # Showing ----------------------------------------------------------------------

    def _set_problem(self, problem: str) -> None:
        if problem != self.problem:
            self.problem = problem
            self._show_title()

    def _show_title(self) -> None:
        title = Text()
        detail = self.detail
        if detail is None:
            title.append("Execution ", style="bold")
            title.append_text(plain(express_parts(self.execution_arn)[1]))
        else:
            execution = detail.execution
            title.append_text(status_text(execution.status))
            title.append("  ")
            name = plain(execution.name)
            name.stylize("bold")
            title.append_text(name)
            title.append("  of ", style="dim")
            title.append_text(plain(execution.state_machine_arn.rsplit(":", 1)[-1]))
            title.append(f"  · {self._took()}", style="dim")
            if run_mark.is_marked(self.app, execution.arn):
                title.append(f"  {run_mark.MARKER} marked", style="bold magenta")
        if self.problem:
            title.append("\n⚠ ", style="bold yellow")
            title.append_text(plain(self.problem))
        self.query_one("#detail-title", Static).update(title)

    def _took(self) -> str:
        detail = self.detail
        if detail is None:
            return ""
        execution = detail.execution
        end = execution.stop_date or self.sfn_app.clock()
        took = duration((end - execution.start_date).total_seconds())
        return took if execution.stop_date else f"running for {took}"

    def _show_summary(self) -> None:
        self._show_title()
        detail = self.detail
        if detail is None:
            return
        execution, tz = detail.execution, self.sfn_app.tz
        fields = Text()

        def field(label: str, value: Text | str) -> None:
            fields.append(f"{label:<14}", style="bold")
            fields.append_text(value if isinstance(value, Text) else plain(value))
            fields.append("\n")

        field("Status", status_text(execution.status))
        field("Name", execution.name)
        field("ARN", execution.arn)
        field("State machine", execution.state_machine_arn.rsplit(":", 1)[-1])
        field("Machine ARN", execution.state_machine_arn)
        if execution.version_arn:
            field("Version", ran_on(execution.version_arn))
        if execution.alias_arn:
            field("Alias", ran_on(execution.alias_arn))
        field("Started", timestamp(execution.start_date, tz))
        field("Stopped", timestamp(execution.stop_date, tz))
        field("Duration", self._took())
        events = f"{len(self.history):,}"
        if not self.complete:
            events += " (loading…)"
        first = self.history.first_failure
        if first is not None:
            events += f" · first failure at #{self.history.events[first].id} (f jumps to it)"
        field("Events", events)
        fields.rstrip()
        self.query_one("#summary-fields", Static).update(fields)

        panel = self.query_one("#summary-error", Static)
        if detail.error or detail.cause:
            error = Text()
            error.append("✖ ", style="bold red")
            error.append_text(plain(detail.error or "(no error name)"))
            error.stylize("bold red")
            if detail.cause:
                error.append("\n")
                error.append_text(clipped(detail.cause))
            panel.update(error)
            panel.border_title = "Error"
            panel.display = True
        else:
            panel.display = False

        io = Text()
        io.append("Input\n", style="bold")
        unlogged = self._unlogged()
        if detail.input is None and unlogged:
            io.append(unlogged, style="dim")
        else:
            io.append_text(clipped(detail.input, "i shows it all"))
        io.append("\n\nOutput\n", style="bold")
        if detail.output is None and unlogged and execution.status == "SUCCEEDED":
            io.append(unlogged, style="dim")
        elif detail.output is not None:
            io.append_text(clipped(detail.output, "o shows it all"))
        elif execution.status == "RUNNING":
            io.append("— (still running)", style="dim")
        else:
            io.append("— (none)", style="dim")
        self.query_one("#summary-io", Static).update(io)

    def _unlogged(self) -> str:
        """Why an Express run's input or output is not shown ("" when it would be)."""
        config = self.logged.config if self.logged is not None else None
        if config is None or config.include_execution_data:
            return ""
        return "— not logged (the state machine's logging leaves execution data out)"

    def _show_bar(self, loading: bool = False) -> None:
        table = self.table
        bar = Text()
        total = len(self.history)
        if table.only_type is not None:
            bar.append(f"{table.row_count():,} of {total:,} events · type ")
            bar.append_text(plain(table.only_type))
            bar.append(" (t changes)", style="dim")
        else:
            bar.append(f"{total:,} events")
            bar.append(" · t filters by type", style="dim")
        failures = len(self.history.failures)
        if failures:
            bar.append(f" · {failures:,} failure event{'s' if failures != 1 else ''}", style="red")
            bar.append(" (f jumps)", style="dim")
        if loading:
            bar.append(" · loading more…", style="bold")
        config = self.logged.config if self.logged is not None else None
        if config is not None:
            bar.append(f" · from CloudWatch Logs {config.log_group_name}", style="dim")
            if config.failures_only:
                bar.append(f" (level {config.level}: failure events only)", style="dim")
        self.query_one("#history-bar", Static).update(bar)

    def _show_runs(self) -> None:
        ended = self.detail is not None and self.detail.execution.status in TERMINAL_STATUSES
        self.runs_table.use(self.history, finished=ended or self.history.ended, now=self._now())

    def _now(self) -> datetime:
        return self.sfn_app.clock()

    def _show_graph(self) -> None:
        if self.definition is None:
            return
        ended = self.detail is not None and self.detail.execution.status in TERMINAL_STATUSES
        notes = graph_notes(self.map_runs.details, map_run_states(self.history))
        self.graph.show(self.definition, self.history.statuses(ended or self.history.ended), notes)

    # Map Runs ---------------------------------------------------------------------

    @property
    def map_runs(self) -> MapRunsPanel:
        return self.query_one(MapRunsPanel)

    @property
    def has_map_runs(self) -> bool:
        """The definition has a Distributed Map: the Map Runs tab is shown."""
        return bool(self.map_runs.execution_arn)

    def _start_map_runs(self) -> None:
        """Once the definition is known: a Distributed Map gets the Map Runs tab."""
        if self._map_runs_checked or self.definition is None:
            return
        self._map_runs_checked = True
        states = distributed_map_states(self.definition)
        if not states:
            return
        self.query_one(TabbedContent).show_tab("map-runs")
        self.map_runs.start(self.execution_arn, states, self._open_map_run)

    def _open_map_run(self, run: MapRun) -> None:
        from sfn_tui.tui.screens.map_run import MapRunScreen

        self.app.push_screen(MapRunScreen.of(run))

    @on(MapRunsPanel.Changed)
    def map_runs_changed(self) -> None:
        self._show_graph()

    def action_open_map_run(self) -> None:
        if not self.map_runs.open_highlighted():
            self.notify("No Map Run to open.", severity="warning")

    @on(LazyTable.Highlighted, "#history-table")
    def event_highlighted(self, message: LazyTable.Highlighted) -> None:
        index = self.table.event_index(message.row)
        box = self.query_one("#event-detail", Static)
        if index is None:
            box.update("")
            return
        event = self.history.events[index]
        started = self.history.started_at
        since = offset_text((event.timestamp - started).total_seconds() if started else None)
        box.update(event_detail(event, self.history.state_name(index), since))

    @on(LazyTable.Highlighted, "#runs-table")
    def run_highlighted(self, message: LazyTable.Highlighted) -> None:
        table = self.runs_table
        run = table.run(message.row)
        box = self.query_one("#run-detail", Static)
        if run is None:
            box.update("")
            return
        status = run.status(table.finished)
        started = self.history.started_at
        since = offset_text((run.entered_at - started).total_seconds() if started else None)
        took = duration_text(run.duration(None if table.finished else table.now))
        extras = state_extras(self.history, run, self.definition)
        box.update(run_detail(run, f"{status.mark} {status.word}", since, took, extras))

    # Actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_event":  # Enter elsewhere is the focused widget's
            return self.focused is self.table
        if action == "show_whole":
            return self.detail is not None
        if action == "first_failure":
            return bool(self.history.failures)
        if action in DETAIL_ACTIONS:
            return self.allows(action)
        if action == "filter_type":
            return True if len(self.history) else None
        if action == "test_state":
            if self.sfn_app.read_only:
                return False  # hidden: a tested state may call its resource
            return None if self.definition is None else True
        return True

    def action_test_state(self) -> None:
        """TestState on a state of the run's machine, each input prefilled with the
        state's latest input in this run (the state highlighted on the States tab first)."""
        if self.definition is None or self.sfn_app.read_only:
            return
        run = self.runs_table.run(self.runs_table.cursor) if len(self.history) else None
        machine = self.detail.execution.state_machine_arn if self.detail else self.execution_arn
        self.app.push_screen(
            TestStateScreen(
                machine.rsplit(":", 1)[-1],
                self.definition,
                self.role_arn or None,
                inputs=state_inputs(self.history),
                scopes=state_scopes(self.history, self.definition),
                state=run.name if run is not None else None,
            )
        )

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_show_whole(self, part: str) -> None:
        """The run's whole input or output, in a viewer."""
        detail = self.detail
        raw = None if detail is None else detail.input if part == "input" else detail.output
        if raw is None:
            self.notify(f"No {part} to show.", severity="warning")
            return
        name = detail.execution.name if detail is not None else ""
        self.app.push_screen(TextViewerScreen(f"{part.capitalize()} of {name}", pretty(raw)))

    def action_show_event(self) -> None:
        """The event under the history's cursor, in full, in a viewer."""
        table = self.table
        index = table.event_index(table.cursor)
        if index is None:
            return
        event = self.history.events[index]
        title = f"Event #{event.id} of {self.detail.execution.name if self.detail else ''}"
        self.app.push_screen(
            TextViewerScreen(title, event_text(event, self.history.state_name(index)))
        )

    def action_reload(self) -> None:
        self._definition_tried = False
        if not self._loading:
            self.load()

    def action_tab(self, tab: str) -> None:
        if tab == "map-runs" and not self.has_map_runs:
            self.notify("No Map Runs: this execution's definition has no Distributed Map.")
            return
        if tab in TABS:
            self.query_one(TabbedContent).active = tab
            self._focus_tab(tab)

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        self._focus_tab(pane)

    def _focus_tab(self, tab: str) -> None:
        target = {
            "history": "#history-table",
            "states": "#runs-table",
            "graph": "#detail-graph",
            "summary": "#summary-scroll",
            "map-runs": "#map-runs-list",
        }.get(tab)
        if target is not None:
            self.query_one(target).focus()

    def action_first_failure(self) -> None:
        """Jump to the first failure event; pressed again on a failure, to the next."""
        failures = self.history.failures
        if not failures:
            self.notify("No failure in this execution's history.")
            return
        table = self.table
        current = table.event_index(table.cursor)
        on_failure = self.query_one(TabbedContent).active == "history" and current in failures
        target = failures[0]
        if on_failure and current is not None:
            later = [f for f in failures if f > current]
            target = later[0] if later else failures[0]
        if table.row_of(target) is None:
            table.filter_type(None)
            self._show_bar(loading=not self.complete)
        self.action_tab("history")
        table.select_event(target)

    def action_filter_type(self) -> None:
        if not len(self.history):
            return

        def picked(choice: str | None) -> None:
            if choice is None:
                return
            self.table.filter_type(choice or None)
            self._show_bar(loading=not self.complete)
            self.action_tab("history")

        self.app.push_screen(
            EventTypePicker(dict(self.history.type_counts), self.table.only_type), picked
        )
