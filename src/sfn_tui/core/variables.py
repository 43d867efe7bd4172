"""Workflow variables as an execution's history tells them. Pure: no I/O, no Textual.

A state's `Assign` is applied when it exits: its StateExited event carries
`assignedVariables` (name -> the value as JSON text). What a state can read when it is
entered follows AWS's scope rules
(https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html):

- at the top level, every variable assigned by a state that exited before;
- inside a Parallel branch or a Map iteration, the outer variables as they were when
  the Parallel or Map state was entered, plus what states of the same branch (or the
  same iteration) assigned before; an inner assignment is never seen outside (only
  through outputs), nor by another branch or iteration.

`StatePlace` (core/query_language.py) says which Parallel/Map state and branch each
state runs in; without a definition every state is taken as top-level.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sfn_tui.core.history import ExecutionHistory, StateRun
from sfn_tui.core.query_language import StatePlace

MAX_DEPTH = 50


@dataclass(frozen=True, slots=True)
class Scope:
    """The variables a run could read when it was entered: name -> JSON text, and for
    each the state whose exit assigned it."""

    values: dict[str, str] = field(default_factory=dict)
    assigned_by: dict[str, str] = field(default_factory=dict)


def assigned_variables(history: ExecutionHistory, run: StateRun) -> dict[str, str]:
    """What `run` assigned when it exited (name -> JSON text); empty while it runs."""
    if run.exited_index is None:
        return {}
    raw = history.events[run.exited_index].details.get("assignedVariables")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def scope_at(
    history: ExecutionHistory, run: StateRun, places: Mapping[str, StatePlace] | None = None
) -> Scope:
    """The variables in scope when `run` was entered: outer frames first, so an inner
    assignment of a name shows over an outer one."""
    places = places or {}
    values: dict[str, str] = {}
    assigned_by: dict[str, str] = {}
    for frame in reversed(_frames(history, run, places)):
        for other in history.runs:
            if other.exited_index is None or other.exited_index >= frame.before:
                continue
            if not frame.holds(other, places):
                continue
            for name, value in assigned_variables(history, other).items():
                values[name] = value
                assigned_by[name] = other.name
    return Scope(values, assigned_by)


@dataclass(frozen=True, slots=True)
class _Frame:
    """One level of scope: read at history position `before`; its states are those of
    `branch_of` (a Parallel/Map state and branch; None: the top level) that ran inside
    `group` (that state's run), in Map iteration `iteration`."""

    before: int
    group: StateRun | None = None
    branch_of: tuple[str, int] | None = None
    iteration: int | None = None

    def holds(self, other: StateRun, places: Mapping[str, StatePlace]) -> bool:
        place = places.get(other.name)
        if self.branch_of is None:
            return place is None or place.parent is None
        if place is None or (place.parent, place.branch) != self.branch_of:
            return False
        group = self.group
        if group is None or other.entered_index < group.entered_index:
            return False
        if group.exited_index is not None and other.entered_index > group.exited_index:
            return False
        # A Map's iterations are scopes of their own.
        return group.state_type != "Map" or other.iteration == self.iteration


def _frames(
    history: ExecutionHistory, run: StateRun, places: Mapping[str, StatePlace]
) -> list[_Frame]:
    """From `run`'s own frame outwards to the top level."""
    frames: list[_Frame] = []
    current = run
    for _ in range(MAX_DEPTH):
        place = places.get(current.name)
        if place is None or place.parent is None:
            frames.append(_Frame(current.entered_index))
            return frames
        group = _enclosing(history, current, place.parent)
        frames.append(
            _Frame(current.entered_index, group, (place.parent, place.branch), current.iteration)
        )
        if group is None:
            return frames
        current = group
    return frames


def _enclosing(history: ExecutionHistory, run: StateRun, parent: str) -> StateRun | None:
    """The run of the Parallel/Map state `parent` that `run` ran inside: the latest one
    entered before it and not exited before it was entered."""
    found: StateRun | None = None
    for other in history.runs:
        if other.name != parent or other.entered_index > run.entered_index:
            continue
        if other.exited_index is not None and other.exited_index < run.entered_index:
            continue
        found = other
    return found


def pretty_value(raw: str, limit: int = 2000) -> str:
    """A variable's JSON text on one line, cut at `limit` characters."""
    try:
        text = json.dumps(json.loads(raw), ensure_ascii=False)
    except (ValueError, RecursionError):
        text = raw
    return text if len(text) <= limit else text[: limit - 1] + "…"
