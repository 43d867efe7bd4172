"""The chat view of an execution: its activity exchanges read as a conversation.

Pure functions over history events (no I/O). The AWS "ChatSFN" example sends
`{"message": ..., "actions": [...]}` to an activity and waits for `{"action": ...}`;
other activities are shown too, with their input and output as pretty JSON.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.callbacks import callback_scheduled, hide_tokens, payload_of, scheduled_of

Speaker = Literal["workflow", "user", "system"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One line of the conversation. `actions` are the replies the workflow offers."""

    speaker: Speaker
    text: str
    actions: tuple[str, ...] = ()
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChatPrompt:
    """A ChatSFN-shaped task input: a message and the actions that may answer it."""

    message: str
    actions: tuple[str, ...]


def pretty_json(raw: str | None) -> str:
    """Indented JSON for display; the raw text when it is not JSON."""
    if raw is None:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to redraw
        return raw


def _parse(raw: Any) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _actions(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(a, str) for a in value):
        return tuple(value)
    return None


def chat_prompt(task_input: str) -> ChatPrompt | None:
    """The message and actions of a ChatSFN-shaped input; None for any other input."""
    data = _parse(task_input)
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return None
    actions = _actions(data.get("actions"))
    if actions is None:
        return None
    return ChatPrompt(message=data["message"], actions=actions)


def chat_reply(action: str) -> str:
    """The output a ChatSFN activity expects for a chosen action."""
    return json.dumps({"action": action})


def _error_text(details: dict[str, Any]) -> str:
    error = str(details.get("error") or "").strip()
    cause = str(details.get("cause") or "").strip()
    if error and cause:
        return f"{error}: {cause}"
    return error or cause


def _with_error(sentence: str, details: dict[str, Any]) -> str:
    said = _error_text(details)
    return f"{sentence} ({said})" if said else sentence


def _scheduled_turn(event: HistoryEvent) -> Turn:
    raw = event.details.get("input")
    data = _parse(raw)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return Turn(
            "workflow", data["message"], _actions(data.get("actions")) or (), event.timestamp
        )
    return Turn("workflow", pretty_json(raw if isinstance(raw, str) else None), (), event.timestamp)


def _answer_turn(event: HistoryEvent) -> Turn:
    raw = event.details.get("output")
    data = _parse(raw)
    if isinstance(data, dict) and isinstance(data.get("action"), str):
        return Turn("user", data["action"], (), event.timestamp)
    return Turn("user", pretty_json(raw if isinstance(raw, str) else None), (), event.timestamp)


def _final_turn(output: str | None, at: datetime | None) -> Turn:
    data = _parse(output)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return Turn("workflow", data["message"], (), at)
    if output is None or not output.strip():
        return Turn("system", "The run succeeded.", (), at)
    return Turn("system", f"The run succeeded with output:\n{pretty_json(output)}", (), at)


def _callback_turn(event: HistoryEvent, secrets: Collection[str]) -> Turn:
    """What a `.waitForTaskToken` Task sent for a person to read (its token hidden,
    and any of `secrets`: tokens known to be inside other text)."""
    raw = event.details.get("parameters")
    payload = hide_tokens(payload_of(_parse(raw)), secrets)
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return Turn(
            "workflow", payload["message"], _actions(payload.get("actions")) or (), event.timestamp
        )
    return Turn("workflow", json.dumps(payload, indent=2, ensure_ascii=False), (), event.timestamp)


_CALLBACK_CLOSED = {"TaskFailed": "The task was failed", "TaskTimedOut": "The task timed out"}

_SYSTEM_EVENTS = {
    "ActivityFailed": "The task was failed",
    "ActivityTimedOut": "The task timed out",
    "ActivityScheduleFailed": "The task could not be scheduled",
    "ExecutionFailed": "The run failed",
    "ExecutionAborted": "The run was stopped",
    "ExecutionTimedOut": "The run timed out",
}


def conversation_from_history(
    events: Iterable[HistoryEvent],
    final_output: str | None = None,
    secrets: Collection[str] = (),
) -> list[Turn]:
    """The conversation an execution's history tells, oldest first.

    `final_output` (e.g. from DescribeExecution) stands in for the ExecutionSucceeded
    output when the history does not carry it (a truncated or partial history).
    `secrets`: task tokens to hide wherever they appear in what a callback sent.
    """
    turns: list[Turn] = []
    succeeded_at: datetime | None = None
    succeeded_output: str | None = None
    succeeded = False
    ordered = sorted(events, key=lambda e: e.id)
    by_id = {event.id: event for event in ordered}
    for event in ordered:
        kind = event.type
        if callback_scheduled(event):
            turns.append(_callback_turn(event, secrets))
        elif kind in ("TaskSucceeded", *_CALLBACK_CLOSED):
            scheduled = scheduled_of(event, by_id)
            if scheduled is None or not callback_scheduled(scheduled):
                continue  # a task that waited for no person
            if kind == "TaskSucceeded":
                turns.append(_answer_turn(event))
            else:
                sentence = _with_error(_CALLBACK_CLOSED[kind], event.details)
                turns.append(Turn("system", sentence, (), event.timestamp))
        elif kind == "ActivityScheduled":
            turns.append(_scheduled_turn(event))
        elif kind == "ActivitySucceeded":
            turns.append(_answer_turn(event))
        elif kind == "ExecutionSucceeded":
            succeeded = True
            succeeded_at = event.timestamp
            output = event.details.get("output")
            succeeded_output = output if isinstance(output, str) else None
        elif kind in _SYSTEM_EVENTS:
            turns.append(
                Turn(
                    "system", _with_error(_SYSTEM_EVENTS[kind], event.details), (), event.timestamp
                )
            )
    if succeeded:
        turns.append(_final_turn(succeeded_output or final_output, succeeded_at))
    elif final_output is not None:
        turns.append(_final_turn(final_output, None))
    return turns
