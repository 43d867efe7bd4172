"""core/compare.py and core/export.py as units: path alignment with gaps, which fields
differ, the export's pages and refusals (no textual, no engine)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sfn_tui.aws.models import Execution, ExecutionDetail, HistoryEvent
from sfn_tui.core import export
from sfn_tui.core.compare import PathRow, Step, align, compare

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def step(name: str, status: str = "succeeded") -> Step:
    return Step(name, "Pass", status, 0.1)


def names(rows: list[PathRow]) -> list[tuple[str | None, str | None]]:
    return [(r.left.name if r.left else None, r.right.name if r.right else None) for r in rows]


def test_align_same_paths() -> None:
    rows = align([step("A"), step("B")], [step("A"), step("B")])
    assert names(rows) == [("A", "A"), ("B", "B")]
    assert not any(r.differs for r in rows)


def test_align_a_branch_taken_by_one_run_only() -> None:
    rows = align(
        [step("Check"), step("Auto"), step("Done")], [step("Check"), step("Review"), step("Done")]
    )
    assert names(rows) == [("Check", "Check"), ("Auto", None), (None, "Review"), ("Done", "Done")]
    assert [r.differs for r in rows] == [False, True, True, False]


def test_align_a_longer_path_and_another_outcome() -> None:
    rows = align([step("A"), step("B", "failed")], [step("A"), step("B"), step("C")])
    assert names(rows) == [("A", "A"), ("B", "B"), (None, "C")]
    assert [r.differs for r in rows] == [False, True, True]


def event(n: int, kind: str, **details: Any) -> HistoryEvent:
    return HistoryEvent(n, n - 1, kind, T0 + timedelta(seconds=n), details)


def detail(name: str, status: str, input: str, output: str | None) -> ExecutionDetail:
    execution = Execution(
        arn=f"arn:aws:states:us-east-1:1:execution:M:{name}",
        name=name,
        state_machine_arn="arn:aws:states:us-east-1:1:stateMachine:M",
        status=status,
        start_date=T0,
        stop_date=T0 + timedelta(seconds=5),
    )
    return ExecutionDetail(execution, input, output, None, None)


def history(*states: str) -> list[HistoryEvent]:
    events = [event(1, "ExecutionStarted", input="{}")]
    for name in states:
        n = len(events) + 1
        events.append(event(n, "PassStateEntered", name=name, input="{}"))
        events.append(event(n + 1, "PassStateExited", name=name, output="{}"))
    events.append(event(len(events) + 1, "ExecutionSucceeded", output="{}"))
    return events


def test_compare_fields_and_path() -> None:
    left = (detail("a", "SUCCEEDED", '{"amount": 50, "x": 1}', '"ok"'), history("Check", "Auto"))
    right = (detail("b", "SUCCEEDED", '{"x": 1, "amount": 50}', '"no"'), history("Check", "Review"))
    result = compare(left, right)
    by_label = {f.label: f for f in result.fields}
    assert not by_label["Status"].differs
    assert not by_label["Input"].differs  # the same JSON, keys in another order
    assert by_label["Output"].differs
    assert by_label["Duration"].left == by_label["Duration"].right
    assert names(list(result.path)) == [("Check", "Check"), ("Auto", None), (None, "Review")]
    assert result.path[0].left is not None and result.path[0].left.took == "1.000s"
    assert not result.same


class Pages:
    """A reader answering a history of `events` events in pages of `size`."""

    def __init__(self, events: int, size: int) -> None:
        self.events, self.size, self.calls = events, size, []  # type: list[Any]

    async def raw(self, operation: str, **kw: Any) -> dict[str, Any]:
        self.calls.append((operation, kw))
        if operation == "GetExecutionHistory":
            start = int(kw.get("nextToken") or 0)
            end = min(start + self.size, self.events)
            page: dict[str, Any] = {"events": [{"id": i + 1} for i in range(start, end)]}
            if end < self.events:
                page["nextToken"] = str(end)
            return page
        return {"operation": operation, "when": T0}


async def test_collect_reads_every_page_and_reports_progress() -> None:
    reader = Pages(events=2_500, size=1_000)
    seen: list[tuple[int, int]] = []
    document = await export.collect(reader, "arn:x", lambda p: seen.append((p.pages, p.events)))
    assert seen == [(1, 1_000), (2, 2_000), (3, 2_500)]
    assert [e["id"] for e in document["history"]] == list(range(1, 2_501))
    assert document["execution"]["operation"] == "DescribeExecution"
    assert document["stateMachine"]["operation"] == "DescribeStateMachineForExecution"
    assert json.loads(export.to_json(document))["execution"]["when"] == T0.isoformat()


def test_write_refuses_to_replace_without_being_told(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    target.write_text("old")
    with pytest.raises(export.ExportError, match="already exists"):
        export.write(target, {"a": 1})
    assert target.read_text() == "old"
    export.write(target, {"a": 1}, overwrite=True)
    assert json.loads(target.read_text()) == {"a": 1}


def test_write_errors_in_words(tmp_path: Path) -> None:
    with pytest.raises(export.ExportError, match="does not exist"):
        export.write(tmp_path / "no" / "run.json", {})
    with pytest.raises(export.ExportError, match="is a directory"):
        export.write(tmp_path, {})
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        with pytest.raises(export.ExportError, match="permission denied"):
            export.write(locked / "run.json", {})


def test_default_path_is_in_the_current_directory(tmp_path: Path) -> None:
    assert export.default_path("run-1", tmp_path) == tmp_path / "run-1.json"
