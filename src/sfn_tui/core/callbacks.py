"""Runs waiting on a person through a callback: a `.waitForTaskToken` Task.

Such a Task hands `$$.Task.Token` to a queue, a topic, a function or an HTTP endpoint
and waits until someone calls SendTaskSuccess/SendTaskFailure with it. Nothing hands
the task to us as GetActivityTask does: we find it in the run's history (a
TaskScheduled whose resource ends in `.waitForTaskToken`, not yet closed), and the
token in the resolved parameters of that event, at the place the definition passed
`$$.Task.Token` (JSONPath `"x.$": "$$.Task.Token"`, or JSONata
`{% $states.context.Task.Token %}`).

Pure functions over definitions and history events (no I/O); `CallbackWatcher` in
`core/callback_watch.py` does the reading.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfn_tui.aws.models import HistoryEvent

WAIT_SUFFIX = ".waitForTaskToken"
TASK_CLOSED = frozenset(
    {"TaskSucceeded", "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed"}
)
RUN_ENDED = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)
TOKEN_JSONPATH = "$$.Task.Token"
TOKEN_JSONATA = re.compile(r"\$states\.context\.Task\.Token\b")
HIDDEN_TOKEN = "«task token»"  # what is shown where the token was (a token is a secret)
# Where a service integration carries what the person is meant to read.
PAYLOAD_FIELDS = ("MessageBody", "Message", "Payload", "Input", "Detail", "Entries", "RequestBody")

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class CallbackWait:
    """A run waiting at a `.waitForTaskToken` Task, as its history shows it."""

    execution_arn: str
    state_name: str
    scheduled_event_id: int
    resource: str  # e.g. "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    parameters: Any  # the resolved parameters (parsed JSON); None if not in the history
    token: str | None = None  # None: see `why_no_token`
    why_no_token: str = ""
    heartbeat_seconds: int | None = None
    timeout_seconds: int | None = None
    scheduled_at: datetime | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.execution_arn, self.scheduled_event_id)

    @property
    def service(self) -> str:
        """`sqs:sendMessage`, `sns:publish`, `lambda:invoke`...: what it was handed to."""
        tail = self.resource.removeprefix("arn:aws:states:::")
        return tail.removesuffix(WAIT_SUFFIX)

    def shown_payload(self) -> str:
        """What was sent, as JSON text, the token hidden (see `payload_of`)."""
        return json.dumps(payload_of(self.parameters, self.token), ensure_ascii=False)


def payload_of(parameters: Any, token: str | None = None) -> Any:
    """What a callback Task sent for a person to read: the message body, published
    message or function payload when there is one, else all its parameters; the token
    hidden (where it is known, and under any key that names a token)."""
    shown = _hide(parameters, token)
    if isinstance(shown, dict):
        for name in PAYLOAD_FIELDS:
            if name in shown:
                inner = shown[name]
                if isinstance(inner, str):
                    with contextlib.suppress(ValueError):
                        inner = _hide(json.loads(inner), token)
                shown = inner
                break
    return shown


def hide_tokens(value: Any, tokens: Iterable[str]) -> Any:
    """`value` with each of these tokens hidden wherever it appears in a string."""
    for token in tokens:
        value = _hide(value, token)
    return value


def _hide(value: Any, token: str | None) -> Any:
    if isinstance(value, dict):
        return {
            k: HIDDEN_TOKEN if "token" in k.lower() and isinstance(v, str) else _hide(v, token)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_hide(v, token) for v in value]
    if isinstance(value, str) and token and token in value:
        return value.replace(token, HIDDEN_TOKEN)
    return value


# The definition: where the token goes ----------------------------------------------


def _states(definition: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state of a definition, nested branches and Map processors included."""
    if not isinstance(definition, dict):
        return
    states = definition.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        yield name, state
        for branch in state.get("Branches") or ():
            yield from _states(branch)
        for key in ("ItemProcessor", "Iterator"):
            yield from _states(state.get(key))


def _token_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith(".$") and inner == TOKEN_JSONPATH:
                yield (*path, key[:-2])
            else:
                yield from _token_paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _token_paths(inner, (*path, index))
    elif isinstance(value, str) and TOKEN_JSONATA.search(value):
        yield path


def token_paths(definition: Any, state_name: str) -> list[Path]:
    """Where state `state_name` puts the task token in its Parameters (or Arguments)."""
    found: list[Path] = []
    for name, state in _states(definition):
        if name != state_name:
            continue
        for field in ("Parameters", "Arguments"):
            found.extend(_token_paths(state.get(field)))
    return found


def _at(value: Any, path: Path) -> Any:
    for step in path:
        if isinstance(value, str):  # a JSON string inside (an SQS MessageBody given as text)
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
            continue
        if not (isinstance(value, dict) and isinstance(step, str) and step in value):
            return None
        value = value[step]
    return value


def find_token(parameters: Any, paths: Iterable[Path]) -> str | None:
    for path in paths:
        found = _at(parameters, path)
        if isinstance(found, str) and found:
            return found
    return None


# The history: which callbacks are still open ------------------------------------------


def _parsed(raw: Any) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def open_callbacks(
    execution_arn: str, events: Iterable[HistoryEvent], definition: Any = None
) -> list[CallbackWait]:
    """The `.waitForTaskToken` tasks of a run scheduled and not yet closed, oldest first.
    `events` may be the whole history or its newest part, in any order."""
    by_id = {event.id: event for event in events}
    if any(event.type in RUN_ENDED for event in by_id.values()):
        return []
    closed: set[int] = set()
    for event in by_id.values():
        if event.type in TASK_CLOSED:
            scheduled = scheduled_of(event, by_id)
            if scheduled is not None:
                closed.add(scheduled.id)
    waits: list[CallbackWait] = []
    for event in sorted(by_id.values(), key=lambda e: e.id):
        if not callback_scheduled(event) or event.id in closed:
            continue
        resource = str(event.details.get("resource", ""))
        state = _state_of(event, by_id)
        parameters = _parsed(event.details.get("parameters"))
        resource_type = str(event.details.get("resourceType", ""))
        full = f"arn:aws:states:::{resource_type}:{resource}" if resource_type else resource
        paths = token_paths(definition, state) if definition is not None else []
        token = find_token(parameters, paths) if parameters is not None else None
        why = ""
        if parameters is None:
            why = (
                "The run's history does not carry this task's parameters, so its token"
                " cannot be read here; it went only to the service that was called."
            )
        elif token is None:
            why = (
                "The token is not in the task's parameters as the definition passes it"
                f" (it went to {full.removeprefix('arn:aws:states:::').removesuffix(WAIT_SUFFIX)}"
                " only)."
            )
        waits.append(
            CallbackWait(
                execution_arn=execution_arn,
                state_name=state,
                scheduled_event_id=event.id,
                resource=full,
                parameters=parameters,
                token=token,
                why_no_token=why,
                heartbeat_seconds=_int(event.details.get("heartbeatInSeconds")),
                timeout_seconds=_int(event.details.get("timeoutInSeconds")),
                scheduled_at=event.timestamp,
            )
        )
    return waits


def callback_scheduled(event: HistoryEvent) -> bool:
    return event.type == "TaskScheduled" and str(event.details.get("resource", "")).endswith(
        WAIT_SUFFIX
    )


def scheduled_of(event: HistoryEvent, by_id: dict[int, HistoryEvent]) -> HistoryEvent | None:
    """The TaskScheduled event a later task event (started, submitted, closed) follows."""
    step = by_id.get(event.previous_id)
    while step is not None and step.type != "TaskScheduled":
        step = by_id.get(step.previous_id)
    return step


def _state_of(event: HistoryEvent, by_id: dict[int, HistoryEvent]) -> str:
    """The name of the state a task event belongs to (its StateEntered event)."""
    step = by_id.get(event.previous_id)
    while step is not None:
        name = step.details.get("name")
        if step.type.endswith("StateEntered") and isinstance(name, str):
            return name
        step = by_id.get(step.previous_id)
    return "?"
