"""Build the engine's failure of a state with a States.* error (used by several patches).

Raised inside a state, a ``FailureEventException`` is what moto's engine turns into a
failed state: a Retrier or Catcher of a Task, Parallel or Map state can match it, and
uncaught it fails the run with this error and cause (ExecutionFailed).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def states_failure(env: Any, error: str, cause: str) -> Exception:
    """A FailureEventException for the States.* error ``error`` (e.g. States.Runtime)."""
    asl = "moto.stepfunctions.parser.asl"
    api: Any = import_module("moto.stepfunctions.parser.api")
    failure: Any = import_module(f"{asl}.component.common.error_name.failure_event")
    names = f"{asl}.component.common.error_name"
    StatesErrorName: Any = import_module(f"{names}.states_error_name").StatesErrorName
    EventDetails: Any = import_module(f"{asl}.eval.event.event_detail").EventDetails
    return failure.FailureEventException(
        failure_event=failure.FailureEvent(
            env=env,
            error_name=StatesErrorName.from_name(error),
            event_type=api.HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=api.TaskFailedEventDetails(error=error, cause=cause)
            ),
        )
    )
