"""What the dashboard does differently for an EXPRESS machine: its runs come from its
CloudWatch Logs log group (`core/express_runs.LoggedRuns`) over a window of time, a note
says when the log group cannot show them all (or at all), and Stop and Redrive do not
apply to its runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import Execution, StateMachine
from sfn_tui.core.express_runs import WINDOWS, LoggedRuns, NoExecutionLog
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.widgets.express_note import ExpressNote, failures_only_text, no_logging_text

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient

NO_STOP = "Express runs cannot be stopped: StopExecution applies to Standard workflows only."
NO_REDRIVE = "Express runs cannot be redriven: RedriveExecution applies to Standard workflows only."
UNFINISHED = frozenset({"RUNNING", "PENDING_REDRIVE"})
REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
# Where Stop and Redrive would be on an Express run, a key that says why they are not;
# `t` for the time window. (Textual runs the first binding of a key its screen allows.)
EXPRESS_BINDINGS = (
    Binding("x", "express_note('stop')", "Stop n/a", tooltip=NO_STOP, id="main.stop_express"),
    Binding(
        "R",
        "express_note('redrive')",
        "Redrive n/a",
        key_display="R",
        tooltip=NO_REDRIVE,
        id="main.redrive_express",
    ),
    Binding(
        "t",
        "widen_window",
        "Window",
        tooltip="Time window of the Express runs listed (3 h, 24 h, 7 d)",
        id="main.express_window",
    ),
)


def is_express(machine: StateMachine | None) -> bool:
    return machine is not None and machine.type == "EXPRESS"


class ExpressWatch:
    """The dashboard's Express state: the log source of the watched machine, the window."""

    def __init__(self, note: Callable[[], ExpressNote], clock: Callable[[], datetime]) -> None:
        self._note = note
        self.clock = clock
        self.window_index = 0
        self.source: LoggedRuns | None = None
        self.machine: StateMachine | None = None

    @property
    def window_label(self) -> str:
        return WINDOWS[self.window_index][0]

    def watch(
        self, machine: StateMachine | None, client: StepFunctionsClient | None
    ) -> LoggedRuns | None:
        """The source to list this machine's runs with (None: not Express, or no client)."""
        self.machine = machine if is_express(machine) else None
        self._note().show(None)
        if self.machine is None or client is None:
            self.source = None
            return None
        self.source = LoggedRuns(
            client,
            client.logs,
            self.machine.arn,
            window=WINDOWS[self.window_index][1],
            clock=self.clock,
        )
        return self.source

    def allows(
        self,
        action: str,
        parameters: tuple[object, ...],
        execution: Execution | None,
        read_only: bool,
    ) -> bool:
        """check_action for EXPRESS_BINDINGS: the note where Stop (a running run) or
        Redrive (a failed one) would be; the window while an Express machine is watched."""
        if action == "widen_window":
            return self.machine is not None
        if execution is None or not execution.is_express or read_only:
            return False
        wanted = UNFINISHED if parameters == ("stop",) else REDRIVABLE
        return execution.status in wanted

    def widen(self) -> str:
        """The next window (3 h, 24 h, 7 d, then 3 h again); its label."""
        self.window_index = (self.window_index + 1) % len(WINDOWS)
        if self.source is not None:
            self.source.set_window(WINDOWS[self.window_index][1])
        return self.window_label

    def title(self) -> str:
        """What the pane's title adds for an Express machine."""
        if self.machine is None:
            return ""
        config = self.source.config if self.source is not None else None
        extra = " · failed runs only" if config is not None and config.failures_only else ""
        return f" · logged, last {self.window_label}{extra}"

    def listed(self) -> None:
        """Runs were listed: say so when only failed ones can be."""
        config = self.source.config if self.source is not None else None
        if self.machine is None or config is None:
            return
        self._note().show(failures_only_text(config) if config.failures_only else None)

    def unavailable(self, reason: SfnError) -> Text:
        """The runs cannot be listed: the note says why (and how to change it)."""
        machine = self.machine
        if isinstance(reason, NoExecutionLog) and machine is not None:
            text = no_logging_text(machine.name, machine.arn)
        else:
            text = plain(reason)  # the service's words: literally, escapes written out
        self._note().show(text)
        return text
