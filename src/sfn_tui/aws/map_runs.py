"""Typed views of Distributed Map runs (ListMapRuns, DescribeMapRun), and the local
checks of an UpdateMapRun request (the API reference's ranges)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

COUNT_FIELDS = (
    "pending",
    "running",
    "succeeded",
    "failed",
    "timedOut",
    "aborted",
    "total",
    "resultsWritten",
    "failuresNotRedrivable",
)


def map_run_label(map_run_arn: str) -> str:
    """``…:mapRun:<machine>/<label>:<id>`` → ``<label>`` (the ARN when it is not one)."""
    parts = map_run_arn.split(":")
    if len(parts) >= 8 and parts[5] == "mapRun" and "/" in parts[6]:
        return parts[6].split("/", 1)[1]
    return map_run_arn


@dataclass(frozen=True, slots=True)
class MapRun:
    """One entry of ListMapRuns."""

    arn: str
    execution_arn: str
    state_machine_arn: str  # <machine>/<label>: the child executions' state machine
    start_date: datetime
    stop_date: datetime | None = None

    @property
    def label(self) -> str:
        return map_run_label(self.arn)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> MapRun:
        return cls(
            arn=item["mapRunArn"],
            execution_arn=item["executionArn"],
            state_machine_arn=item.get("stateMachineArn", ""),
            start_date=item["startDate"],
            stop_date=item.get("stopDate"),
        )


@dataclass(frozen=True, slots=True)
class MapRunCounts:
    """itemCounts or executionCounts of DescribeMapRun."""

    pending: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    timed_out: int = 0
    aborted: int = 0
    total: int = 0
    results_written: int = 0
    failures_not_redrivable: int = 0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.timed_out + self.aborted

    @classmethod
    def from_api(cls, item: dict[str, Any] | None) -> MapRunCounts:
        item = item or {}
        return cls(
            pending=int(item.get("pending", 0)),
            running=int(item.get("running", 0)),
            succeeded=int(item.get("succeeded", 0)),
            failed=int(item.get("failed", 0)),
            timed_out=int(item.get("timedOut", 0)),
            aborted=int(item.get("aborted", 0)),
            total=int(item.get("total", 0)),
            results_written=int(item.get("resultsWritten", 0)),
            failures_not_redrivable=int(item.get("failuresNotRedrivable", 0)),
        )


@dataclass(frozen=True, slots=True)
class MapRunDetail:
    """DescribeMapRun."""

    arn: str
    execution_arn: str
    status: str  # RUNNING | SUCCEEDED | FAILED | ABORTED
    start_date: datetime
    stop_date: datetime | None
    max_concurrency: int
    tolerated_failure_percentage: float
    tolerated_failure_count: int
    items: MapRunCounts
    executions: MapRunCounts
    redrive_count: int = 0

    @property
    def label(self) -> str:
        return map_run_label(self.arn)

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> MapRunDetail:
        return cls(
            arn=item["mapRunArn"],
            execution_arn=item["executionArn"],
            status=item["status"],
            start_date=item["startDate"],
            stop_date=item.get("stopDate"),
            max_concurrency=int(item.get("maxConcurrency") or 0),
            tolerated_failure_percentage=float(item.get("toleratedFailurePercentage") or 0.0),
            tolerated_failure_count=int(item.get("toleratedFailureCount") or 0),
            items=MapRunCounts.from_api(item.get("itemCounts")),
            executions=MapRunCounts.from_api(item.get("executionCounts")),
            redrive_count=int(item.get("redriveCount") or 0),
        )


@dataclass(frozen=True, slots=True)
class MapRunUpdate:
    """An UpdateMapRun request: None leaves a setting as it is."""

    max_concurrency: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: float | None = None

    @property
    def empty(self) -> bool:
        return (
            self.max_concurrency is None
            and self.tolerated_failure_count is None
            and self.tolerated_failure_percentage is None
        )


def parse_update(
    max_concurrency: str, tolerated_count: str, tolerated_percentage: str
) -> tuple[MapRunUpdate | None, dict[str, str]]:
    """The request typed in three fields ("" leaves a setting unchanged), or the problem
    with each field (UpdateMapRun API reference: maxConcurrency and toleratedFailureCount
    are whole numbers from 0, toleratedFailurePercentage a number from 0 to 100;
    maxConcurrency 0 means no limit)."""
    problems: dict[str, str] = {}

    def whole(name: str, text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            problems[name] = "must be a whole number (0 or more)"
            return None
        if value < 0:
            problems[name] = "must be 0 or more"
            return None
        return value

    concurrency = whole("maxConcurrency", max_concurrency)
    count = whole("toleratedFailureCount", tolerated_count)
    percentage: float | None = None
    text = tolerated_percentage.strip().removesuffix("%").strip()
    if text:
        try:
            percentage = float(text)
        except ValueError:
            problems["toleratedFailurePercentage"] = "must be a number from 0 to 100"
        else:
            if not math.isfinite(percentage) or not 0 <= percentage <= 100:
                problems["toleratedFailurePercentage"] = "must be a number from 0 to 100"
                percentage = None
    if problems:
        return None, problems
    update = MapRunUpdate(concurrency, count, percentage)
    if update.empty:
        return None, {"": "Change at least one setting."}
    return update, {}
