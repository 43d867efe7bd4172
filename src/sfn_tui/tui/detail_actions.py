"""What can be done to a run from its detail screen: stop, redrive, start again with the
same input, copy its ARN, export it, mark it and compare it with the marked run.

`DetailActions` is a mixin of `ExecutionDetailScreen`: its bindings, its actions, and
`allows(action)` (the screen's check_action asks it), so the footer offers only what
applies to this run as it is now:

* Stop (x): a RUNNING Standard run;
* Redrive (R): a FAILED, TIMED_OUT or ABORTED Standard run, when the endpoint has
  RedriveExecution (asked once per endpoint, see `StepFunctionsClient.supports_redrive`)
  and DescribeExecution does not say NOT_REDRIVABLE; otherwise R says why not, in words
  (the service's redriveStatusReason);
* Start again (s): a new run of the same machine (the same version or alias) with the
  same input, in the start dialog, under a fresh name;
* Stop, Redrive and Start again are hidden in read-only mode; Copy ARN (y), Export (E),
  Mark (m) and Compare (=) are reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.binding import Binding
from textual.command import Provider

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import (
    Execution,
    ExecutionDetail,
    StateMachine,
    is_express_arn,
)
from sfn_tui.core.validation import generate_execution_name
from sfn_tui.tui import run_mark
from sfn_tui.tui.detail_commands import DetailCommands
from sfn_tui.tui.screens.compare import CompareScreen
from sfn_tui.tui.screens.export import ExportScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen

if TYPE_CHECKING:
    from textual.timer import Timer

    from sfn_tui.tui.app_services import AppServices

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
CHANGES = frozenset({"stop", "redrive", "start_again"})

DETAIL_ACTION_BINDINGS = [
    Binding("x", "stop", "Stop", tooltip="Stop execution", id="detail.stop"),
    Binding("R", "redrive", "Redrive", key_display="R", id="detail.redrive"),
    # R where a redrive cannot work: says why (not in the footer).
    Binding("R", "why_no_redrive", "Why no redrive", show=False, id="detail.why_no_redrive"),
    Binding(
        "s", "start_again", "Start again", tooltip="Same input, new name", id="detail.start_again"
    ),
    Binding("y", "copy_arn", "Copy ARN", id="detail.copy_arn"),
    Binding("E", "export", "Export", key_display="E", id="detail.export"),
    Binding("m", "mark", "Mark", tooltip="Mark this run to compare", id="detail.mark"),
    Binding(
        "equals_sign",
        "compare",
        "Compare",
        key_display="=",
        tooltip="Compare with the marked run",
        id="detail.compare",
    ),
]


DETAIL_ACTIONS = frozenset(b.action for b in DETAIL_ACTION_BINDINGS)


class DetailActions:
    """Mixin for ExecutionDetailScreen (see the module's docstring)."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {DetailCommands}

    if TYPE_CHECKING:
        execution_arn: str
        detail: ExecutionDetail | None
        finished: bool
        _timer: Timer | None
        app: Any

        @property
        def sfn_app(self) -> AppServices: ...
        def notify(self, message: str, **kw: Any) -> None: ...
        def refresh_bindings(self) -> None: ...
        def action_reload(self) -> None: ...
        def _tick(self) -> None: ...
        def _show_title(self) -> None: ...

    _redrive_supported: bool | None = None  # None: not asked yet
    _asking_redrive = False

    # What applies -----------------------------------------------------------------

    def _execution(self) -> Execution | None:
        return self.detail.execution if self.detail is not None else None

    def allows(self, action: str) -> bool | None:
        """check_action for these actions: False hides the key from the footer."""
        execution = self._execution()
        if action in CHANGES and self.sfn_app.read_only:
            return False
        if action == "copy_arn":
            return True
        if execution is None:
            return False
        standard = not is_express_arn(execution.arn)
        if action == "stop":
            return standard and execution.status == "RUNNING"
        if action == "redrive":
            return standard and self.redrive_refusal() is None
        if action == "why_no_redrive":
            return self.redrive_refusal() is not None
        if action == "start_again":
            return True
        if action in ("export", "mark"):
            return standard
        if action == "compare":
            marked = run_mark.marked(self.app)
            return standard and marked is not None and marked.arn != execution.arn
        return True

    def redrive_refusal(self) -> str | None:
        """Why this run cannot be redriven, in words; None when it can."""
        detail, execution = self.detail, self._execution()
        if detail is None or execution is None:
            return "The execution is still loading."
        if is_express_arn(execution.arn):
            return "Express runs cannot be redriven: start a new run instead (s)."
        if execution.status not in REDRIVABLE:
            return (
                f"It is {execution.status}: only a FAILED, TIMED_OUT or ABORTED run can be"
                " redriven."
            )
        if self.sfn_app.read_only:  # and no RedriveExecution probe reaches the service
            return "Read-only mode: nothing can be changed."
        if detail.redrive_status == "NOT_REDRIVABLE":
            reason = detail.redrive_status_reason or "the service gives no reason"
            return f"Step Functions says it cannot be redriven: {reason}"
        if self._redrive_supported is None:
            self._ask_redrive_support()
            return "Finding out whether this endpoint supports RedriveExecution…"
        if not self._redrive_supported:
            return (
                "This endpoint does not support RedriveExecution: start a new run with the"
                " same input instead (s)."
            )
        return None

    @work(group="redrive-support", exit_on_error=False)
    async def _ask_redrive_support(self) -> None:
        client = self.sfn_app.client
        if client is None or self._asking_redrive:
            return
        self._asking_redrive = True
        try:
            self._redrive_supported = await client.supports_redrive(self.execution_arn)
        finally:
            self._asking_redrive = False
        self.refresh_bindings()

    # Actions ----------------------------------------------------------------------

    def _follow_again(self) -> None:
        """The run changed (stopped, redriven): read it again, and poll while it runs."""
        self.finished = False
        if self._timer is None:
            pump = cast(Any, self)  # the screen (MessagePump.set_interval)
            self._timer = pump.set_interval(self.sfn_app.poll_interval, self._tick)
        self.action_reload()

    def _changed(self, done: bool | None) -> None:
        if done:
            self._follow_again()

    def action_stop(self) -> None:
        execution = self._execution()
        if execution is None or self.allows("stop") is not True:
            self.notify("Only a RUNNING Standard execution can be stopped.", severity="warning")
            return
        self.app.push_screen(StopExecutionScreen(execution), self._changed)

    def action_redrive(self) -> None:
        execution = self._execution()
        refusal = self.redrive_refusal()
        if execution is None or refusal is not None:
            self.action_why_no_redrive()
            return
        if self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        self.app.push_screen(RedriveExecutionScreen(execution), self._changed)

    def action_why_no_redrive(self) -> None:
        self.notify(
            self.redrive_refusal() or "It can be redriven: press R.",
            title="No redrive",
            markup=False,
        )

    def action_copy_arn(self) -> None:
        self.app.copy_to_clipboard(self.execution_arn)
        self.notify(f"Copied {self.execution_arn}", title="ARN copied", timeout=4, markup=False)

    def action_start_again(self) -> None:
        if self.sfn_app.read_only:
            self.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        if self.detail is None:
            self.notify("The execution is still loading.", severity="warning")
            return
        self._start_again(self.detail)

    @work(group="start-again", exclusive=True, exit_on_error=False)
    async def _start_again(self, detail: ExecutionDetail) -> None:
        client = self.sfn_app.client
        if client is None:
            self.notify("Not connected yet.", severity="warning")
            return
        execution = detail.execution
        try:
            found = await client.describe_state_machine(execution.state_machine_arn)
        except SfnError as error:
            self.notify(str(error), title="Cannot start again", severity="error", markup=False)
            return
        # Here, not at the top: start_execution -> sync_execution -> execution_detail.
        from sfn_tui.tui.screens.start_execution import StartExecutionScreen

        machine = StateMachine(found.arn, found.name, found.type, found.creation_date)
        screen = StartExecutionScreen(
            machine,
            self.sfn_app.last_inputs,
            target=execution.alias_arn or execution.version_arn,
            name=generate_execution_name(self.sfn_app.clock()),
            input_text=detail.input if detail.input is not None else "{}",
        )
        self.app.push_screen(screen, self._started)

    def _started(self, execution: Execution | None) -> None:
        if execution is None:
            return
        self.notify(f"Started {execution.name}.", markup=False)
        self.sfn_app.action_refresh()
        if not execution.is_express:
            screen_type = cast(Any, type(self))  # ExecutionDetailScreen
            self.app.push_screen(screen_type(execution.arn, run=execution))

    def action_export(self) -> None:
        execution = self._execution()
        if execution is None:
            self.notify("The execution is still loading.", severity="warning")
            return
        self.app.push_screen(ExportScreen(execution))

    def action_mark(self) -> None:
        execution = self._execution()
        if execution is None:
            return
        run_mark.toggle(self.app, execution)
        marked = run_mark.marked(self.app)
        if marked is not None:
            self.notify(
                f"Marked {execution.name}: open another run and press = to compare.",
                title="Run marked",
                markup=False,
            )
        else:
            self.notify(f"{execution.name} is no longer marked.", markup=False)
        self._show_title()
        self.refresh_bindings()

    def action_compare(self) -> None:
        execution = self._execution()
        marked = run_mark.marked(self.app)
        if execution is None:
            return
        if marked is None or marked.arn == execution.arn:
            self.notify("Mark another run first (m), then open this one and press =.")
            return
        self.app.push_screen(CompareScreen(marked.arn, execution.arn))
