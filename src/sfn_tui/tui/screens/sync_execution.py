"""A synchronous start of an Express machine (StartSyncExecution): a spinner while the
run goes on, then its status, output or error and cause, and what it was billed.

StartSyncExecution answers when the run ends, five minutes at most (an Express run that
lasts longer ends TIMED_OUT). Closing the modal while it runs stops waiting, not the run.
Dismissed with the `SyncResult`, or None when closed before the answer or on a refusal.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, LoadingIndicator, Static

from sfn_tui.aws.errors import EndpointTimeout, SfnError
from sfn_tui.aws.models import StateMachine, SyncResult
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import duration, plain, status_text
from sfn_tui.tui.screens.execution_detail import clipped


def result_text(result: SyncResult) -> Text:
    execution = result.execution
    text = Text()
    text.append_text(status_text(execution.status))
    if execution.stop_date is not None:
        took = (execution.stop_date - execution.start_date).total_seconds()
        text.append(f"  after {duration(took)}")
    text.append("\nBilled  ", style="bold")
    if result.billed_milliseconds is None:
        text.append("— (the endpoint gave no billing details)", style="dim")
    else:
        text.append(f"{result.billed_milliseconds:,} ms")
        if result.billed_memory_mb is not None:
            text.append(f" · {result.billed_memory_mb:,} MB of memory")
    if execution.status == "TIMED_OUT":
        text.append(
            "\nThe run went past the five minutes an Express workflow may last.", style="yellow"
        )
    if result.error or result.cause:
        text.append("\nError   ", style="bold red")
        text.append_text(plain(result.error or "(no error name)"))
        if result.cause:
            text.append("\nCause   ", style="bold red")
            text.append_text(clipped(result.cause))
    if result.output is not None:
        text.append("\nOutput\n", style="bold")
        text.append_text(clipped(result.output))
    return text


class SyncExecutionScreen(ModalScreen[SyncResult | None]):
    DEFAULT_CSS = """
    SyncExecutionScreen { align: center middle; }
    SyncExecutionScreen #sync-box { width: 90; max-height: 90%; }
    SyncExecutionScreen #sync-waiting { height: 3; }
    SyncExecutionScreen #sync-elapsed { height: auto; color: $text-muted; }
    SyncExecutionScreen #sync-result-box { height: auto; max-height: 24; }
    SyncExecutionScreen #sync-result { height: auto; }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="sync.close")]

    def __init__(self, machine: StateMachine, name: str, input: str) -> None:
        super().__init__()
        self.machine = machine
        self.run_name = name
        self.input = input
        self.result: SyncResult | None = None
        self._timer: Timer | None = None
        self._elapsed = 0  # seconds waited, counted by the timer

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        title = Text("Running ")
        title.append_text(plain(self.run_name))
        title.append(" of ")
        title.append_text(plain(self.machine.name))
        title.append(" synchronously")
        with Vertical(id="sync-box", classes="modal-box"):
            yield Static(title, classes="modal-title")
            yield LoadingIndicator(id="sync-waiting")
            yield Static(
                "StartSyncExecution answers when the run ends (an Express run lasts five"
                " minutes at most). Esc stops waiting; the run goes on.",
                id="sync-elapsed",
            )
            with VerticalScroll(id="sync-result-box"):
                yield Static(id="sync-result")
            yield Static("", classes="inline-error", id="sync-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Close (Esc)", id="sync-close")

    def on_mount(self) -> None:
        self.query_one("#sync-result-box").display = False
        self._timer = self.set_interval(1.0, self._tick)
        self.start()

    def _tick(self) -> None:
        self._elapsed += 1
        self.query_one("#sync-elapsed", Static).update(
            f"Running for {duration(self._elapsed)}… StartSyncExecution answers when the run"
            " ends (five minutes at most). Esc stops waiting; the run goes on."
        )

    def _done(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.query_one("#sync-waiting").display = False

    @work(exclusive=True, group="sync-execution", exit_on_error=False)
    async def start(self) -> None:
        client = self.sfn_app.client
        if client is None:
            self._done()
            self._problem("Not connected yet; try again in a moment.")
            return
        try:
            result = await client.start_sync_execution(self.machine.arn, self.run_name, self.input)
        except EndpointTimeout as error:
            self._done()
            self._problem(
                f"{error}: no answer within the five minutes an Express run may last (and"
                " a margin). The run may still have ended; its log records tell."
            )
            return
        except SfnError as error:
            self._done()
            self._problem(str(error))
            return
        self._done()
        self.result = result
        title = plain(self.run_name)
        title.append(" of ")
        title.append_text(plain(self.machine.name))
        title.append(", run synchronously (StartSyncExecution)")
        self.query_one(".modal-title", Static).update(title)
        self.query_one("#sync-elapsed", Static).update(
            Text.assemble(("Execution  ", "bold"), plain(result.execution.arn))
        )
        self.query_one("#sync-result", Static).update(result_text(result))
        self.query_one("#sync-result-box").display = True
        self.query_one("#sync-close", Button).focus()

    def _problem(self, message: str) -> None:
        self.query_one("#sync-problem", Static).update(plain(message))
        self.query_one("#sync-elapsed", Static).update("")

    @on(Button.Pressed, "#sync-close")
    def action_close(self) -> None:
        self.dismiss(self.result)
