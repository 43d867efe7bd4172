"""What an execution's history says, state by state. Pure: no I/O, no Textual.

`ExecutionHistory` takes events as they arrive (page by page, or only the new ones of a
running execution) and keeps, incrementally:

- the state each event belongs to (followed through `previousEventId`, so events of
  Parallel branches and Map iterations that interleave still land on their own state);
- one `StateRun` per StateEntered event: input, output, times, attempts, error;
- where the failures are, and which event types occur (for filtering).

`statuses()` turns the runs into what the graph colours: per state name, not reached,
running, succeeded, failed, caught or stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.evaluation_failures import evaluation_failure_words

# Events that end an execution.
EXECUTION_END = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)
# Events that start one attempt of a state's work (a retry starts another one).
ATTEMPT_EVENTS = frozenset(
    {
        "TaskScheduled",
        "ActivityScheduled",
        "LambdaFunctionScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
# Lifecycle events of a Parallel or Map state itself (not of a branch or iteration).
GROUP_PREFIXES = ("Parallel", "Map")
# Walking back through previousEventId never takes more steps than this.
MAX_WALK = 10_000


class StateStatus(StrEnum):
    """What the execution did with a state. `mark` and `word` read without colour."""

    NOT_REACHED = "not reached"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CAUGHT = "caught"
    STOPPED = "stopped"

    @property
    def mark(self) -> str:
        return STATUS_MARKS[self]

    @property
    def word(self) -> str:
        return str(self.value)


STATUS_MARKS = {
    StateStatus.NOT_REACHED: "·",
    StateStatus.RUNNING: "▶",
    StateStatus.SUCCEEDED: "✔",
    StateStatus.FAILED: "✖",
    StateStatus.CAUGHT: "↷",
    StateStatus.STOPPED: "■",
}
# When a state ran several times (loops, Map iterations), the most telling status wins.
STATUS_RANK = {
    StateStatus.RUNNING: 5,
    StateStatus.FAILED: 4,
    StateStatus.STOPPED: 3,
    StateStatus.CAUGHT: 2,
    StateStatus.SUCCEEDED: 1,
    StateStatus.NOT_REACHED: 0,
}


def is_failure(event_type: str) -> bool:
    """An event that reports something going wrong (also a Fail state being entered)."""
    return (
        event_type.endswith(("Failed", "TimedOut", "Aborted")) or event_type == "FailStateEntered"
    )


def _is_outcome_failure(event_type: str) -> bool:
    return event_type.endswith(("Failed", "TimedOut")) and not event_type.startswith(
        ("Execution", "MapIteration")
    )


def _is_outcome_success(event_type: str) -> bool:
    return event_type.endswith("Succeeded") and not event_type.startswith(
        ("Execution", "MapIteration")
    )


def _state_type(event_type: str) -> str:
    """'TaskStateEntered' -> 'Task'."""
    return event_type.split("State", 1)[0]


@dataclass(slots=True)
class StateRun:
    """One time a state was entered: from StateEntered to StateExited (if any)."""

    name: str
    state_type: str
    entered_index: int  # position of the StateEntered event in the history
    entered_at: datetime
    input: str | None
    iteration: int | None = None  # the Map iteration it ran in, if any
    exited_index: int | None = None
    exited_at: datetime | None = None
    output: str | None = None
    attempts: int = 0
    failures: int = 0
    last_outcome: str = ""  # "ok", "failed" or ""
    stopped: bool = False
    error: str | None = None
    cause: str | None = None

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def exited(self) -> bool:
        return self.exited_index is not None

    def status(self, finished: bool) -> StateStatus:
        """`finished`: the execution has ended (nothing still open will go on)."""
        if self.exited:
            return StateStatus.CAUGHT if self.last_outcome == "failed" else StateStatus.SUCCEEDED
        if self.state_type == "Fail":
            return StateStatus.FAILED
        if not finished:
            return StateStatus.RUNNING
        if self.last_outcome == "failed":
            return StateStatus.FAILED
        return StateStatus.STOPPED

    def duration(self, until: datetime | None = None) -> float | None:
        """Seconds from entered to exited; to `until` while still open; None if unknown."""
        end = self.exited_at or until
        if end is None:
            return None
        return max(0.0, (end - self.entered_at).total_seconds())


class ExecutionHistory:
    """An execution's history, analysed incrementally as events arrive."""

    def __init__(self, events: Iterable[HistoryEvent] = ()) -> None:
        self.events: list[HistoryEvent] = []
        self.runs: list[StateRun] = []
        self.run_of: list[int | None] = []  # per event: index into runs, or None
        self.failures: list[int] = []  # event positions where something failed
        self.type_counts: dict[str, int] = {}
        self.started_at: datetime | None = None
        self.ended = False
        self._position: dict[int, int] = {}  # event id -> position
        self._open_by_name: dict[str, list[int]] = {}  # state name -> open run indices
        self._last_open: list[int] = []  # open runs in the order entered
        self.extend(events)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def last_id(self) -> int:
        return self.events[-1].id if self.events else 0

    @property
    def first_failure(self) -> int | None:
        return self.failures[0] if self.failures else None

    def state_name(self, index: int) -> str:
        """The state an event belongs to ('' for execution-level events)."""
        run = self.run_of[index]
        return self.runs[run].name if run is not None else ""

    def extend(self, events: Iterable[HistoryEvent]) -> list[HistoryEvent]:
        """Add events not seen yet (by id, in id order); returns the ones added."""
        added = sorted((e for e in events if e.id > self.last_id), key=lambda e: e.id)
        unique: list[HistoryEvent] = []
        for event in added:
            if unique and unique[-1].id == event.id:
                continue
            unique.append(event)
            self._add(event)
        return unique

    def indices_of_type(self, event_type: str) -> list[int]:
        return [i for i, e in enumerate(self.events) if e.type == event_type]

    def statuses(self, finished: bool | None = None) -> dict[str, StateStatus]:
        """Per state name, the most telling status over all its runs."""
        done = self.ended if finished is None else finished
        result: dict[str, StateStatus] = {}
        for run in self.runs:
            status = run.status(done)
            current = result.get(run.name)
            if current is None or STATUS_RANK[status] > STATUS_RANK[current]:
                result[run.name] = status
        return result

    # Building -------------------------------------------------------------------

    def _add(self, event: HistoryEvent) -> None:
        index = len(self.events)
        self.events.append(event)
        self._position[event.id] = index
        self.type_counts[event.type] = self.type_counts.get(event.type, 0) + 1
        kind = event.type
        if is_failure(kind):
            self.failures.append(index)
        if kind == "ExecutionStarted" and self.started_at is None:
            self.started_at = event.timestamp
        if kind in EXECUTION_END:
            self.ended = True
            self._blame(event)
        if kind.startswith("Execution"):
            self.run_of.append(None)
            return
        run = self._owner(event)
        self.run_of.append(run)
        if kind.endswith("StateEntered"):
            return
        if run is not None:
            self._record(run, index, event)

    def _blame(self, event: HistoryEvent) -> None:
        """A failed execution's error belongs to the Fail state it ended in, if any."""
        if event.type != "ExecutionFailed":
            return
        parent = self._position.get(event.previous_id)
        number = self.run_of[parent] if parent is not None else None
        if number is None and self._last_open:
            number = self._last_open[-1]
        if number is None or self.runs[number].state_type != "Fail":
            return
        run, details = self.runs[number], event.details
        error, cause = details.get("error"), details.get("cause")
        run.error = error if isinstance(error, str) else run.error
        run.cause = cause if isinstance(cause, str) else run.cause

    def _owner(self, event: HistoryEvent) -> int | None:
        kind, details = event.type, event.details
        name = details.get("name") if isinstance(details.get("name"), str) else None
        if kind.endswith("StateEntered") and name is not None:
            return self._enter(event, name)
        if name is not None:  # StateExited, MapIteration*: the open run of that name
            return self._find(event, lambda r: r.name == name and not r.exited, name)
        group = next((p for p in GROUP_PREFIXES if kind.startswith(p + "State")), None)
        if group is None and kind.startswith("MapRun"):
            group = "Map"
        if group is not None:
            return self._find(event, lambda r: r.state_type == group and not r.exited, None)
        parent = self._position.get(event.previous_id)
        if parent is not None and self.run_of[parent] is not None:
            return self.run_of[parent]
        return self._last_open[-1] if self._last_open else None

    def _enter(self, event: HistoryEvent, name: str) -> int:
        iteration: int | None = None
        parent = self._position.get(event.previous_id)
        if parent is not None:
            previous, owner = self.events[parent], self.run_of[parent]
            if previous.type == "MapIterationStarted":
                value = previous.details.get("index")
                iteration = value if isinstance(value, int) else None
            elif owner is not None:
                iteration = self.runs[owner].iteration
        raw_input = event.details.get("input")
        run = StateRun(
            name=name,
            state_type=_state_type(event.type),
            entered_index=len(self.events) - 1,
            entered_at=event.timestamp,
            input=raw_input if isinstance(raw_input, str) else None,
            iteration=iteration,
        )
        self.runs.append(run)
        number = len(self.runs) - 1
        self._open_by_name.setdefault(name, []).append(number)
        self._last_open.append(number)
        return number

    def _find(
        self, event: HistoryEvent, wanted: Callable[[StateRun], bool], name: str | None
    ) -> int | None:
        """Walk back through previousEventId to the run that `wanted(run)` accepts,
        skipping whole runs at a time; fall back to the newest open one."""
        position = self._position.get(event.previous_id)
        steps = 0
        while position is not None and steps < MAX_WALK:
            steps += 1
            run = self.run_of[position]
            if run is None:
                position = self._position.get(self.events[position].previous_id)
                continue
            if wanted(self.runs[run]):
                return run
            # Not this one: jump to the event before this run was entered.
            entered = self.events[self.runs[run].entered_index]
            position = self._position.get(entered.previous_id)
        candidates = self._open_by_name.get(name, []) if name is not None else self._last_open
        for run in reversed(candidates):
            if wanted(self.runs[run]):
                return run
        return None

    def _record(self, number: int, index: int, event: HistoryEvent) -> None:
        run, kind, details = self.runs[number], event.type, event.details
        if kind.endswith("StateExited"):
            run.exited_index = index
            run.exited_at = event.timestamp
            output = details.get("output")
            run.output = output if isinstance(output, str) else None
            self._close(number)
        elif kind in ATTEMPT_EVENTS:
            run.attempts += 1
        elif _is_outcome_failure(kind):
            run.failures += 1
            run.last_outcome = "failed"
            error, cause = details.get("error"), details.get("cause")
            run.error = error if isinstance(error, str) else run.error
            run.cause = cause if isinstance(cause, str) else run.cause
        elif _is_outcome_success(kind):
            run.last_outcome = "ok"
        elif kind.endswith("Aborted") and not kind.startswith("MapIteration"):
            run.stopped = True

    def _close(self, number: int) -> None:
        for open_runs in (self._open_by_name.get(self.runs[number].name, []), self._last_open):
            for i in range(len(open_runs) - 1, -1, -1):
                if open_runs[i] == number:
                    del open_runs[i]
                    break


def new_events(page: Iterable[HistoryEvent], last_id: int) -> list[HistoryEvent]:
    """Events of a page not seen yet (id above `last_id`), oldest first."""
    return sorted((e for e in page if e.id > last_id), key=lambda e: e.id)


def reached_known(page: list[HistoryEvent], last_id: int) -> bool:
    """Paging newest first: this page reaches events already known, so stop."""
    return any(e.id <= last_id for e in page)


# What one event says, in one line and in full ------------------------------------


def _one_line(raw: str, limit: int) -> str:
    text = raw[: limit * 2] if len(raw) > limit * 2 else raw
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_summary(event: HistoryEvent, limit: int = 200) -> str:
    """The gist of an event's details on one line: error, input/output, resource..."""
    details = event.details
    failed = evaluation_failure_words(event)
    if failed is not None:
        return _one_line(failed, limit)
    error, cause = details.get("error"), details.get("cause")
    if isinstance(error, str) or isinstance(cause, str):
        said = ": ".join(str(x) for x in (error, cause) if isinstance(x, str) and x)
        return _one_line(said, limit)
    for key in ("output", "input"):
        value = details.get(key)
        if isinstance(value, str):
            return _one_line(value, limit)
    parts: list[str] = []
    for key in ("resourceType", "resource", "index", "length", "workerName", "parameters"):
        value = details.get(key)
        if value is not None and value != "":
            parts.append(f"{key}={value}")
    if parts:
        return _one_line(" ".join(parts), limit)
    return ""


def pretty(raw: Any) -> str:
    """A JSON string indented; any other text as it is."""
    if not isinstance(raw, str):
        return json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to redraw
        return raw


def event_detail_sections(event: HistoryEvent) -> list[tuple[str, str]]:
    """An event's details as (title, text) sections: JSON strings pretty-printed."""
    sections: list[tuple[str, str]] = []
    rest: dict[str, Any] = {}
    for key, value in event.details.items():
        if key in ("input", "output", "parameters") and isinstance(value, str):
            sections.append((key, pretty(value)))
        elif key in ("error", "cause") and isinstance(value, str):
            sections.append((key, pretty(value) if key == "cause" else value))
        elif key == "name":
            continue  # the state's name, shown beside the event already
        elif key.endswith("Details") and isinstance(value, dict):
            if value.get("truncated"):  # inputDetails/outputDetails
                rest[key] = value
        else:
            rest[key] = value
    if rest:
        sections.insert(0, ("details", json.dumps(rest, indent=2, ensure_ascii=False, default=str)))
    failed = evaluation_failure_words(event)
    if failed is not None:
        sections.insert(0, ("what failed", failed))
    return sections


# Times -----------------------------------------------------------------------------


def offset_text(seconds: float | None) -> str:
    """Time since the execution started: '+0.012s', '+2m03.500s', '+1h02m03s'."""
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"+{seconds:.3f}s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"+{int(minutes)}m{rest:06.3f}s"
    hours, minutes = divmod(int(minutes), 60)
    return f"+{hours}h{minutes:02d}m{int(rest):02d}s"


def duration_text(seconds: float | None) -> str:
    """A state's duration: '0.012s', '2m03.5s', '1h02m03s'."""
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.3f}s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)}m{rest:04.1f}s"
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}h{minutes:02d}m{int(rest):02d}s"
