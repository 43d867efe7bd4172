"""The execution detail's Map Runs tab: the Map Runs an execution started (ListMapRuns),
the highlighted one described (DescribeMapRun), Enter opens its child executions.

It polls on its own while there is something to learn: ListMapRuns while the execution
runs (a new Map Run may start), and one DescribeMapRun per refresh for the highlighted
Map Run while that one runs; nothing once both have ended.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.map_runs import MapRun, MapRunDetail
from sfn_tui.aws.models import TERMINAL_STATUSES
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain, status_text, timestamp
from sfn_tui.tui.widgets.map_run_view import map_run_text


class MapRunsPanel(Vertical):
    DEFAULT_CSS = """
    MapRunsPanel { height: 1fr; }
    MapRunsPanel #map-runs-note { height: auto; padding: 0 1; }
    MapRunsPanel #map-runs-list { height: auto; max-height: 8; }
    MapRunsPanel #map-run-box { height: 1fr; padding: 0 1; border-top: solid $primary 50%; }
    MapRunsPanel #map-run-summary { height: auto; }
    """

    class Changed(Message):
        """A Map Run was listed or described (the graph's notes may change)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.execution_arn = ""
        self.states: list[str] = []  # the definition's DISTRIBUTED Map states
        self.runs: list[MapRun] = []
        self.details: dict[str, MapRunDetail] = {}
        self.parent_running = True
        self.listed = False
        self.listed_after_end = False  # listed once the execution had ended: complete
        self.problem = ""
        self._busy = False
        self._timer: Timer | None = None
        self._open: Callable[[MapRun], None] | None = None

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="map-runs-note")
        yield OptionList(id="map-runs-list")
        with VerticalScroll(id="map-run-box"):
            yield Static(id="map-run-summary")

    @property
    def options(self) -> OptionList:
        return self.query_one("#map-runs-list", OptionList)

    @property
    def highlighted(self) -> MapRun | None:
        index = self.options.highlighted
        return self.runs[index] if index is not None and index < len(self.runs) else None

    def start(
        self, execution_arn: str, states: list[str], on_open: Callable[[MapRun], None]
    ) -> None:
        """Begin listing the Map Runs of `execution_arn` (its definition has `states`)."""
        if self.execution_arn:
            return
        self.execution_arn, self.states, self._open = execution_arn, states, on_open
        self._show_note()
        self._timer = self.set_interval(self.sfn_app.poll_interval, self._tick)
        self.load()

    def parent_status(self, status: str) -> None:
        self.parent_running = status not in TERMINAL_STATUSES

    def _tick(self) -> None:
        if not self._busy:
            self.load()

    @property
    def settled(self) -> bool:
        """Nothing more to learn: the execution and every Map Run described have ended."""
        if self.parent_running or not self.listed_after_end:
            return False
        return all(
            arn in self.details and not self.details[arn].running
            for arn in (r.arn for r in self.runs)
        )

    @work(group="map-runs-panel", exit_on_error=False)
    async def load(self) -> None:
        client = self.sfn_app.client
        if client is None or self._busy or not self.execution_arn:
            return
        self._busy = True
        try:
            if not self.listed_after_end:
                ended = not self.parent_running
                runs = await client.list_map_runs(self.execution_arn)
                self.listed = True
                self.listed_after_end = ended
                if [r.arn for r in runs] != [r.arn for r in self.runs]:
                    self.runs = runs
                    self._show_list()
            # Each Map Run described once; then only the highlighted one, while it runs.
            wanted = [r for r in self.runs if r.arn not in self.details]
            open_run = self.highlighted
            if open_run is not None and open_run not in wanted:
                known = self.details.get(open_run.arn)
                if known is None or known.running:
                    wanted.append(open_run)
            for run in wanted:
                self.details[run.arn] = await client.describe_map_run(run.arn)
            self.problem = ""
            if wanted:
                self._show_list()
                self.post_message(self.Changed())
        except SfnError as error:
            self.problem = str(error)
        finally:
            self._busy = False
        self._show_note()
        self._show_summary()
        if self.settled and self._timer is not None:
            self._timer.stop()
            self._timer = None

    # Showing ----------------------------------------------------------------------

    def _show_note(self) -> None:
        note = Text()
        if self.problem:
            note.append("⚠ ", "bold yellow")
            note.append_text(plain(self.problem))
        elif not self.listed:
            note.append("Listing the Map Runs…", "dim")
        elif not self.runs:
            note.append("No Map Run yet", "dim")
            if self.states:
                note.append(f" (Distributed Map: {', '.join(self.states)})", "dim")
        else:
            count = len(self.runs)
            note.append(f"{count} Map Run{'s' if count != 1 else ''}")
            note.append(" · Enter lists the child executions", "dim")
        self.query_one("#map-runs-note", Static).update(note)

    def _show_list(self) -> None:
        options = self.options
        keep = options.highlighted
        options.clear_options()
        tz = self.sfn_app.tz
        for run in self.runs:
            line = Text()
            line.append_text(plain(run.label))
            detail = self.details.get(run.arn)
            if detail is not None:
                line.append("  ")
                line.append_text(status_text(detail.status))
                items = detail.items
                line.append(f"  {items.done:,}/{items.total:,} items", "dim")
            line.append(f"  started {timestamp(run.start_date, tz)}", "dim")
            options.add_option(Option(line, id=run.arn))
        if self.runs:
            options.highlighted = keep if keep is not None and keep < len(self.runs) else 0

    def _show_summary(self) -> None:
        run = self.highlighted
        box = self.query_one("#map-run-summary", Static)
        detail = self.details.get(run.arn) if run is not None else None
        if detail is None:
            box.update("")
            return
        box.update(map_run_text(detail, self.sfn_app.clock(), self.sfn_app.tz))

    @on(OptionList.OptionHighlighted, "#map-runs-list")
    def run_highlighted(self) -> None:
        self._show_summary()
        run = self.highlighted
        if run is not None and run.arn not in self.details and not self._busy:
            self.load()

    @on(OptionList.OptionSelected, "#map-runs-list")
    def run_selected(self) -> None:
        run = self.highlighted
        if run is not None and self._open is not None:
            self._open(run)

    def open_highlighted(self) -> bool:
        run = self.highlighted
        if run is None or self._open is None:
            return False
        self._open(run)
        return True
