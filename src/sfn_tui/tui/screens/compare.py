"""Two executions side by side (core/compare.py): status, machine, duration, error,
input, output, then the path each took through the states with each state's duration.
Rows that differ are marked ≠ and drawn in yellow; a state only one run went through
leaves a gap on the other side."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import ExecutionDetail, HistoryEvent
from sfn_tui.core.compare import Comparison, Step, compare
from sfn_tui.core.history import STATUS_MARKS, StateStatus
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain, status_text
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader

DIFFERS = "≠"
DIFF_STYLE = "bold yellow"
MAX_FIELD = 4_000  # characters of an input/output shown per side


def _step(step: Step | None) -> Text:
    if step is None:
        return Text("—", style="dim")
    mark = STATUS_MARKS.get(StateStatus(step.status), "·")
    text = Text(f"{mark} ")
    text.append_text(plain(step.name))
    text.append(f"  {step.took}", style="dim")
    return text


def _clip(value: str) -> Text:
    if len(value) <= MAX_FIELD:
        return plain(value)
    text = plain(value[:MAX_FIELD])
    text.append(f"\n… (first {MAX_FIELD:,} of {len(value):,} characters)", style="dim")
    return text


def comparison_table(result: Comparison) -> Table:
    table = Table(expand=True, show_lines=False, pad_edge=False, box=None)
    table.add_column("", no_wrap=True, style="bold", width=9)
    table.add_column(Text.assemble(("A ", "bold"), plain(result.left_name)), ratio=1)
    table.add_column("", width=1, no_wrap=True)
    table.add_column(Text.assemble(("B ", "bold"), plain(result.right_name)), ratio=1)
    for field in result.fields:
        differs = field.differs
        left, right = _clip(field.left), _clip(field.right)
        if field.label == "Status":
            left, right = status_text(field.left), status_text(field.right)
        elif differs:
            left.stylize(DIFF_STYLE)
            right.stylize(DIFF_STYLE)
        mark = Text(DIFFERS if differs else " ", style=DIFF_STYLE)
        table.add_row(field.label, left, mark, right)
    table.add_row("", "", "", "")
    table.add_row("Path", Text("state  duration", style="dim"), "", "")
    for row in result.path:
        left, right = _step(row.left), _step(row.right)
        if row.differs:
            left.stylize(DIFF_STYLE)
            right.stylize(DIFF_STYLE)
        table.add_row("", left, Text(DIFFERS if row.differs else " ", style=DIFF_STYLE), right)
    return table


class CompareScreen(Screen[None]):
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: auto; padding: 0 1; }
    CompareScreen #compare-scroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("S", "swap", "Swap sides", key_display="S", id="compare.swap"),
    ]

    def __init__(self, left_arn: str, right_arn: str) -> None:
        super().__init__()
        self.arns = (left_arn, right_arn)
        self.result: Comparison | None = None
        self.loaded: list[tuple[ExecutionDetail, list[HistoryEvent]]] = []

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(tz=self.sfn_app.tz)
        yield Static(Text("Loading both executions…", style="dim"), id="compare-title")
        with VerticalScroll(id="compare-scroll"):
            yield Static(id="compare-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#compare-scroll").focus()
        self.load()

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def load(self) -> None:
        client = self.sfn_app.client
        title = self.query_one("#compare-title", Static)
        if client is None:
            title.update(Text("Not connected yet: Esc, then = again.", style="yellow"))
            return
        try:
            self.loaded = [
                (await client.describe_execution(arn), await client.get_execution_history(arn))
                for arn in self.arns
            ]
        except SfnError as error:
            title.update(plain(f"⚠ {error}"))
            return
        self.show()

    def show(self) -> None:
        if len(self.loaded) != 2:
            return
        result = compare(self.loaded[0], self.loaded[1])
        self.result = result
        differences = sum(f.differs for f in result.fields) + sum(r.differs for r in result.path)
        title = Text("Compare  ", style="bold")
        title.append_text(plain(result.left_name))
        title.append("  with  ", style="dim")
        title.append_text(plain(result.right_name))
        if differences:
            title.append(f"  · {differences} difference{'s' if differences != 1 else ''} ")
            title.append(DIFFERS, style=DIFF_STYLE)
        else:
            title.append("  · the same (durations aside)", style="green")
        self.query_one("#compare-title", Static).update(title)
        self.query_one("#compare-body", Static).update(comparison_table(result))

    def action_swap(self) -> None:
        self.loaded.reverse()
        self.arns = (self.arns[1], self.arns[0])
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
