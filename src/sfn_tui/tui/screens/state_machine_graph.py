"""A state machine's definition drawn as a graph (no execution: every state plain)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import StateMachineDetail
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain, visible
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.state_graph import StateGraph


class StateMachineGraphScreen(Screen[None]):
    CSS_PATH = "../detail.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="graph.back"),
        Binding("r", "reload", "Refresh", id="graph.refresh"),
        Binding("ctrl+t", "test_state", "Test state", id="graph.test_state"),
    ]

    def __init__(self, state_machine_arn: str) -> None:
        super().__init__()
        self.state_machine_arn = state_machine_arn
        self.machine: StateMachineDetail | None = None

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(tz=self.sfn_app.tz)
        yield Static(self._title(), id="detail-title")
        yield StateGraph(id="machine-graph")
        yield SteadyFooter()

    def on_mount(self) -> None:
        graph = self.query_one(StateGraph)
        graph.show_lines([Text("Loading the definition…", style="dim")])
        graph.focus()
        self.load()

    def _title(self, problem: str = "") -> Text:
        title = Text()
        title.append("State machine ", style="bold")
        machine = self.machine
        if machine is None:
            title.append_text(plain(self.state_machine_arn.rsplit(":", 1)[-1]))
        else:
            name = plain(machine.name)
            name.stylize("bold")
            title.append_text(name)
            title.append(f"  {visible(machine.type)}  ", style="dim")
            title.append_text(plain(machine.arn))
        if problem:
            title.append("\n⚠ ", style="bold yellow")
            title.append_text(plain(problem))
        return title

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "test_state":
            if self.sfn_app.read_only:
                return False  # hidden: a tested state may call its resource
            return None if self.machine is None else True
        return True

    def action_test_state(self) -> None:
        """TestState on a state of this machine (its role goes with the call)."""
        machine = self.machine
        if machine is None or self.sfn_app.read_only:
            return
        self.app.push_screen(
            TestStateScreen(machine.name, machine.definition, machine.role_arn or None)
        )

    @work(exclusive=True, group="machine-graph", exit_on_error=False)
    async def load(self) -> None:
        client = self.sfn_app.client
        title = self.query_one("#detail-title", Static)
        if client is None:
            title.update(self._title("Not connected yet: press r to try again."))
            return
        try:
            self.machine = await client.describe_state_machine(self.state_machine_arn)
        except SfnError as error:
            title.update(self._title(str(error)))
            return
        title.update(self._title())
        self.query_one(StateGraph).show(self.machine.definition)
        self.refresh_bindings()
