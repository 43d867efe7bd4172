"""An execution history holds 25,000 events at most: reaching it fails the run.

AWS (Step Functions service quotas, "Maximum execution history size": 25,000 events;
"If the execution history reaches this quota, the execution will fail"). AWS's own
histories show the shape: event 25,000 is ExecutionFailed, error States.Runtime, cause
"The execution reached the maximum number of history events (25000).", and event
24,999 is the last one the machine produced. moto let a history grow without bound (a
loop ran, and took memory, forever).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MAX_EVENTS = 25_000
ERROR = "States.Runtime"

_installed = False


def cause(limit: int) -> str:
    return f"The execution reached the maximum number of history events ({limit})."


def watch(env: Any) -> None:
    """Count the events of the execution whose root environment this is."""
    env.event_manager._sfn_tui_env = env


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    api: Any = import_module("moto.stepfunctions.parser.api")
    EventManager: Any = import_module(
        "moto.stepfunctions.parser.asl.eval.event.event_manager"
    ).EventManager
    Environment: Any = import_module("moto.stepfunctions.parser.asl.eval.environment").Environment
    ExecutionWorker: Any = import_module(
        "moto.stepfunctions.parser.backend.execution_worker"
    ).ExecutionWorker
    ProgramError: Any = import_module(
        "moto.stepfunctions.parser.asl.eval.program_state"
    ).ProgramError
    terminal = {
        api.HistoryEventType.ExecutionSucceeded,
        api.HistoryEventType.ExecutionFailed,
        api.HistoryEventType.ExecutionAborted,
        api.HistoryEventType.ExecutionTimedOut,
    }

    original_environment = ExecutionWorker._get_evaluation_environment

    def get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        watch(env)
        return env

    ExecutionWorker._get_evaluation_environment = get_evaluation_environment

    original_add = EventManager.add_event

    def add_event(
        self: Any, context: Any, event_type: Any, event_details: Any = None, *a: Any, **kw: Any
    ) -> Any:
        env = getattr(self, "_sfn_tui_env", None)
        if env is None:
            return original_add(self, context, event_type, event_details, *a, **kw)
        limit = MAX_EVENTS
        with self._mutex:
            count = len(self._history_event_list)
        failure = api.ExecutionFailedEventDetails(error=ERROR, cause=cause(limit))
        if getattr(self, "_sfn_tui_full", False):
            if event_type != api.HistoryEventType.ExecutionFailed:
                return count  # the run is failing: nothing more is recorded
            return original_add(
                self, context, event_type, {"executionFailedEventDetails": failure}, *a, **kw
            )
        if count >= limit - 1 and event_type not in terminal:
            self._sfn_tui_full = True
            env.set_error(failure)
            return count
        return original_add(self, context, event_type, event_details, *a, **kw)

    EventManager.add_event = add_event

    original_set_error = Environment.set_error

    def set_error(self: Any, error: Any) -> None:
        full = getattr(self.event_manager, "_sfn_tui_full", False)
        if full and isinstance(self._program_state, ProgramError):
            return  # the history limit's failure stands
        original_set_error(self, error)

    Environment.set_error = set_error
