"""Two executions side by side: status, input, output, and the path each took through
the states with each state's duration, lined up so that the differences stand out.

`compare(left, right)` takes each run's DescribeExecution answer and history and
returns a `Comparison`: fields (same or different) and path rows aligned by state name
(a state only one run went through has a gap on the other side).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher

from sfn_tui.aws.models import TERMINAL_STATUSES, ExecutionDetail, HistoryEvent
from sfn_tui.core.history import ExecutionHistory, StateRun, duration_text, pretty


@dataclass(frozen=True, slots=True)
class Step:
    """One state a run went through: its name, outcome and duration."""

    name: str
    state_type: str
    status: str  # StateStatus word: succeeded, failed, caught, running, stopped
    seconds: float | None

    @property
    def took(self) -> str:
        return duration_text(self.seconds)


@dataclass(frozen=True, slots=True)
class PathRow:
    """A line of the two paths: the same state on both sides, or a gap on one."""

    left: Step | None
    right: Step | None

    @property
    def differs(self) -> bool:
        """A gap, or the same state with another outcome (durations always vary)."""
        if self.left is None or self.right is None:
            return True
        return self.left.status != self.right.status


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


@dataclass(frozen=True, slots=True)
class Comparison:
    left_name: str
    right_name: str
    fields: tuple[Field, ...]
    path: tuple[PathRow, ...]

    @property
    def same(self) -> bool:
        return not any(f.differs for f in self.fields) and not any(r.differs for r in self.path)


def steps(detail: ExecutionDetail, events: list[HistoryEvent]) -> list[Step]:
    """The top-level path of a run: each state entered, in order (Map iterations and
    Parallel branches are not part of the path)."""
    history = ExecutionHistory(events)
    finished = detail.execution.status in TERMINAL_STATUSES or history.ended
    out: list[Step] = []
    for run in history.runs:
        if run.iteration is not None:
            continue
        out.append(_step(run, finished))
    return out


def _step(run: StateRun, finished: bool) -> Step:
    return Step(run.name, run.state_type, run.status(finished).word, run.duration())


def _normal(raw: str | None) -> str:
    """JSON pretty-printed with sorted keys (so key order is not a difference)."""
    if raw is None:
        return "—"
    try:
        return json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return pretty(raw)


def _took(detail: ExecutionDetail) -> str:
    execution = detail.execution
    if execution.stop_date is None:
        return "—"
    return duration_text((execution.stop_date - execution.start_date).total_seconds())


def align(left: list[Step], right: list[Step]) -> list[PathRow]:
    """Line the two paths up by state name (longest common run of names first)."""
    matcher = SequenceMatcher(a=[s.name for s in left], b=[s.name for s in right], autojunk=False)
    rows: list[PathRow] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(PathRow(a, b) for a, b in zip(left[i1:i2], right[j1:j2], strict=True))
            continue
        a_part, b_part = left[i1:i2], right[j1:j2]
        # A replaced stretch: pair states while both have some, then gaps.
        for k in range(max(len(a_part), len(b_part))):
            a = a_part[k] if k < len(a_part) else None
            b = b_part[k] if k < len(b_part) else None
            if a is not None and b is not None and a.name != b.name:
                rows.append(PathRow(a, None))
                rows.append(PathRow(None, b))
            else:
                rows.append(PathRow(a, b))
    return rows


def compare(
    left: tuple[ExecutionDetail, list[HistoryEvent]],
    right: tuple[ExecutionDetail, list[HistoryEvent]],
) -> Comparison:
    (a, a_events), (b, b_events) = left, right
    fields = (
        Field("Status", a.execution.status, b.execution.status),
        Field("Machine", _machine(a), _machine(b)),
        Field("Duration", _took(a), _took(b)),
        Field("Error", a.error or "—", b.error or "—"),
        Field("Input", _normal(a.input), _normal(b.input)),
        Field("Output", _normal(a.output), _normal(b.output)),
    )
    path = align(steps(a, a_events), steps(b, b_events))
    return Comparison(a.execution.name, b.execution.name, fields, tuple(path))


def _machine(detail: ExecutionDetail) -> str:
    execution = detail.execution
    name = execution.state_machine_arn.rsplit(":", 1)[-1]
    qualifier = execution.version_arn or execution.alias_arn
    return f"{name}:{qualifier.rsplit(':', 1)[-1]}" if qualifier else name
