"""Which errors a Retrier's or Catcher's ErrorEquals matches, as AWS documents it.

AWS (Handling errors in Step Functions workflows, "Error names"):

* ``States.ALL`` matches any error name, except the terminal ``States.DataLimitExceeded``
  and ``States.Runtime``;
* ``States.Runtime`` is never retried or caught: the execution always fails;
* ``States.TaskFailed`` matches any error name except ``States.Timeout``;
* ``States.Timeout``: a Task ran longer than TimeoutSeconds *or* sent no heartbeat for
  longer than HeartbeatSeconds; ``States.HeartbeatTimeout`` names only the second case
  and is "only available inside the Catch and Retry fields".

So a missed heartbeat is still recorded as ``States.Timeout`` (ActivityTimedOut /
TaskTimedOut, ExecutionFailed: as AWS's histories show it), but carries a mark that lets
an ErrorEquals of ``States.HeartbeatTimeout`` match it. moto matched States.ALL against
everything, States.TaskFailed against custom names only, and never matched
States.HeartbeatTimeout.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

TERMINAL = ("States.DataLimitExceeded", "States.Runtime")

_installed = False


def matches(pattern: str, error_name: str | None, heartbeat: bool = False) -> bool:
    """Whether an ErrorEquals entry matches an error (``heartbeat``: a missed heartbeat)."""
    if error_name == "States.Runtime":
        return False
    if pattern == "States.ALL":
        return error_name not in TERMINAL
    if pattern == "States.TaskFailed":
        return error_name not in ("States.Timeout", *TERMINAL)
    if pattern == "States.HeartbeatTimeout":
        return heartbeat or error_name == "States.HeartbeatTimeout"
    return pattern == error_name


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True

    def mod(name: str) -> Any:
        return import_module(f"moto.stepfunctions.parser.asl.{name}")

    error_name = "component.common.error_name"
    ErrorEqualsDecl = mod(f"{error_name}.error_equals_decl").ErrorEqualsDecl
    StatesErrorName = mod(f"{error_name}.states_error_name").StatesErrorName
    StatesErrorNameType = mod(f"{error_name}.states_error_name_type").StatesErrorNameType
    HeartbeatTimeoutError = mod("eval.callback.callback").HeartbeatTimeoutError
    StateTask = mod("component.state.exec.state_task.state_task").StateTask
    StateTaskActivity = mod(
        "component.state.exec.state_task.state_task_activitiy"
    ).StateTaskActivity

    class MissedHeartbeat(StatesErrorName):  # type: ignore[misc, valid-type]
        """States.Timeout, from a heartbeat that did not come in time."""

        def __init__(self) -> None:
            super().__init__(typ=StatesErrorNameType.StatesTimeout)

    def eval_body(self: Any, env: Any) -> None:
        error = env.stack.pop()
        name = getattr(error, "error_name", None)
        heartbeat = isinstance(error, MissedHeartbeat)
        env.stack.append(any(matches(str(p.error_name), name, heartbeat) for p in self.error_names))

    ErrorEqualsDecl._eval_body = eval_body

    def mark_heartbeats(cls: Any) -> None:
        original = cls._from_error

        def from_error(self: Any, env: Any, ex: Exception) -> Any:
            failure_event = original(self, env, ex)
            if isinstance(ex, HeartbeatTimeoutError):
                failure_event.error_name = MissedHeartbeat()
            return failure_event

        cls._from_error = from_error

    mark_heartbeats(StateTask)  # service tasks (.waitForTaskToken callbacks), Lambda
    mark_heartbeats(StateTaskActivity)
