"""Finding which run a claimed activity task belongs to.

GetActivityTask does not say which run a task belongs to. The run is the RUNNING
execution, of a machine whose definition names the activity, whose history has an
open ActivityScheduled with the task's input that was ActivityStarted by this worker.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sfn_tui.aws.errors import NotFound
from sfn_tui.aws.models import (
    ActivityTask,
    ExecutionPage,
    HistoryEvent,
    StateMachine,
    StateMachineDetail,
)

RUN_ENDED = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)


class LocatorClient(Protocol):
    async def list_state_machines(self) -> list[StateMachine]: ...
    async def describe_state_machine(self, arn: str) -> StateMachineDetail: ...
    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage: ...
    async def get_execution_history(
        self, arn: str, max_events: int = 25_000
    ) -> list[HistoryEvent]: ...


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a task came from: its run and its ActivityScheduled event."""

    execution_arn: str
    scheduled_event_id: int
    started_at: datetime | None
    heartbeat_seconds: int | None
    timeout_seconds: int | None
    # The history it was found in: the chat shows the new message from it at once.
    history: tuple[HistoryEvent, ...] = field(default=(), compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.execution_arn, self.scheduled_event_id)


def _same_json(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return a == b


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def open_activity_tasks(
    execution_arn: str, events: list[HistoryEvent], activity_arn: str
) -> list[tuple[Placement, str | None, str | None]]:
    """The activity tasks of this history not yet closed, as (placement, input,
    worker name); the worker name is None while the task is not started."""
    scheduled: dict[int, HistoryEvent] = {}
    started: dict[int, HistoryEvent] = {}  # scheduled id -> ActivityStarted
    started_to_scheduled: dict[int, int] = {}
    for event in sorted(events, key=lambda e: e.id):
        if event.type == "ActivityScheduled":
            resource = event.details.get("resource")
            if resource in (None, activity_arn):
                scheduled[event.id] = event
        elif event.type == "ActivityStarted":
            target = event.previous_id if event.previous_id in scheduled else None
            if target is None or target in started:
                waiting = [i for i in scheduled if i not in started]
                target = waiting[-1] if waiting else None
            if target is not None:
                started[target] = event
                started_to_scheduled[event.id] = target
        elif event.type in ("ActivitySucceeded", "ActivityFailed", "ActivityTimedOut"):
            prev = event.previous_id
            target = started_to_scheduled.get(prev, prev if prev in scheduled else None)
            if target is None:
                running = [i for i in scheduled if i in started]
                target = running[-1] if running else None
            if target is not None:
                scheduled.pop(target, None)
                started.pop(target, None)
        elif event.type == "ActivityScheduleFailed":
            prev = event.previous_id
            target = prev if prev in scheduled else (max(scheduled) if scheduled else None)
            if target is not None:
                scheduled.pop(target, None)
    found = []
    for sid, event in scheduled.items():
        start = started.get(sid)
        worker = start.details.get("workerName") if start is not None else None
        placement = Placement(
            execution_arn=execution_arn,
            scheduled_event_id=sid,
            started_at=start.timestamp if start is not None else None,
            heartbeat_seconds=_int(event.details.get("heartbeatInSeconds")),
            timeout_seconds=_int(event.details.get("timeoutInSeconds")),
        )
        raw = event.details.get("input")
        found.append((placement, raw if isinstance(raw, str) else None, worker))
    return found


class ExecutionLocator:
    """Finds the run of a claimed task (see above). Caches definitions for a while;
    hinted executions are checked first."""

    DEFINITION_TTL = 300.0
    MAX_RUNNING_SCANNED = 100
    MAX_HINTS = 20
    CONCURRENCY = 4

    def __init__(self, client: LocatorClient, worker_name: str) -> None:
        self.client = client
        self.worker_name = worker_name
        self._definitions: dict[str, tuple[float, str]] = {}
        self._hints: list[str] = []

    def hint(self, execution_arn: str) -> None:
        if execution_arn in self._hints:
            self._hints.remove(execution_arn)
        self._hints.insert(0, execution_arn)
        del self._hints[self.MAX_HINTS :]

    async def locate(
        self, task: ActivityTask, exclude: Collection[tuple[str, int]] = ()
    ) -> Placement | None:
        found = await self._matches(self._hints, task, exclude, hinted=True)
        if not found:
            found = await self._matches(await self._running_candidates(task), task, exclude)
        if not found:
            return None

        def distance(p: Placement) -> timedelta:
            return abs((p.started_at or task.received_at) - task.received_at)

        return min(found, key=distance)

    async def _matches(
        self,
        execution_arns: list[str],
        task: ActivityTask,
        exclude: Collection[tuple[str, int]],
        *,
        hinted: bool = False,
    ) -> list[Placement]:
        gate = asyncio.Semaphore(self.CONCURRENCY)

        async def one(arn: str) -> list[Placement]:
            async with gate:
                try:
                    events = await self.client.get_execution_history(arn)
                except NotFound:
                    if hinted and arn in self._hints:
                        self._hints.remove(arn)
                    return []
            if hinted and arn in self._hints and any(e.type in RUN_ENDED for e in events):
                self._hints.remove(arn)  # a finished run has no more tasks to place
            return [
                replace(p, history=tuple(events))
                for p, raw, worker in open_activity_tasks(arn, events, task.activity_arn)
                if worker == self.worker_name
                and p.key not in exclude
                and _same_json(raw, task.input)
            ]

        results = await asyncio.gather(*(one(arn) for arn in list(execution_arns)))
        return [p for group in results for p in group]

    async def _running_candidates(self, task: ActivityTask) -> list[str]:
        arns: list[str] = []
        machines = await self.client.list_state_machines()
        gate = asyncio.Semaphore(self.CONCURRENCY)

        async def definition(arn: str) -> str | None:
            async with gate:
                return await self._definition(arn)

        # Definitions are cached; the first scan over many machines runs a few at a time.
        definitions = await asyncio.gather(*(definition(m.arn) for m in machines))
        for machine, text in zip(machines, definitions, strict=True):
            if text is None or task.activity_arn not in text:
                continue
            try:
                page = await self.client.list_executions(
                    machine.arn, status="RUNNING", max_results=self.MAX_RUNNING_SCANNED
                )
            except NotFound:
                continue
            arns.extend(e.arn for e in page.executions if e.arn not in self._hints)
        return arns

    async def _definition(self, machine_arn: str) -> str | None:
        cached = self._definitions.get(machine_arn)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.DEFINITION_TTL:
            return cached[1]
        try:
            detail = await self.client.describe_state_machine(machine_arn)
        except NotFound:
            self._definitions.pop(machine_arn, None)
            return None
        self._definitions[machine_arn] = (now, detail.definition)
        return detail.definition
