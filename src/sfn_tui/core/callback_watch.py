"""Finding the runs that wait on a callback (see core/callbacks.py), within a budget.

For each followed state machine whose definition has a `.waitForTaskToken` Task, one
ListExecutions(RUNNING) a tick; then at most `reads_per_tick` newest-history reads
(GetExecutionHistory, reverse order, one page), new runs first, then the runs read
longest ago. A run waiting on a callback is read again now and then, to notice an
answer sent from elsewhere; a run that is no longer RUNNING is reported with no waits.
On AWS that is, with the defaults, at most 0.2 ListExecutions a second per followed
machine and 0.8 history reads a second in all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from sfn_tui.aws.errors import NotFound, SfnError
from sfn_tui.aws.models import ExecutionPage, HistoryEvent, StateMachineDetail
from sfn_tui.core.callbacks import WAIT_SUFFIX, CallbackWait, open_callbacks

log = logging.getLogger(__name__)

TICK = 5.0
READS_PER_TICK = 4
RECHECK = 10.0  # seconds before a run is read again
HOT_FOR = 30.0  # seconds a hinted run is read every second (a run just started or answered)
HOT_TICK = 1.0
HISTORY_PAGE = 100  # newest events read per run


class CallbackClient(Protocol):
    async def describe_state_machine(self, arn: str) -> StateMachineDetail: ...
    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage: ...
    async def get_execution_history_page(
        self,
        arn: str,
        next_token: str | None = None,
        max_results: int = 1000,
        reverse: bool = False,
    ) -> tuple[list[HistoryEvent], str | None]: ...
    async def describe_state_machine_for_execution(self, arn: str) -> StateMachineDetail: ...


Report = Callable[[str, list[CallbackWait]], None]


class CallbackWatcher:
    """`follow(arns)` sets the machines; `report(execution_arn, waits)` gets each run's
    open callbacks whenever it is read (an empty list: none, or the run ended)."""

    def __init__(
        self,
        client: CallbackClient,
        report: Report,
        *,
        tick: float = TICK,
        reads_per_tick: int = READS_PER_TICK,
        recheck: float = RECHECK,
    ) -> None:
        self.client = client
        self.report = report
        self.tick = tick
        self.reads_per_tick = reads_per_tick
        self.recheck = recheck
        self._machines: set[str] = set()
        self._waiting_kind: dict[str, bool] = {}  # machine -> has a .waitForTaskToken Task
        self._runs: dict[str, float] = {}  # running run -> when last read (0: never)
        self._definitions: dict[str, Any] = {}  # run -> the definition it runs
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._hot: dict[str, float] = {}  # run -> until when it is read every HOT_TICK

    @property
    def machines(self) -> set[str]:
        return set(self._machines)

    def follow(self, machine_arns: set[str]) -> None:
        """Follow these machines' runs from now on (and only these)."""
        if machine_arns == self._machines:
            return
        self._machines = set(machine_arns)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="callback-watch")
        self._wake.set()

    def hint(self, execution_arn: str) -> None:
        """This run is about to wait (just started, or just answered): read it every
        second for a while, so its next callback shows at once, not in 10 s."""
        self._hot[execution_arn] = time.monotonic() + HOT_FOR
        self._runs.setdefault(execution_arn, 0.0)
        self._wake.set()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _loop(self) -> None:
        while True:
            # Cleared before the check, not after: a follow() or hint() made while the
            # check awaits the service then wakes the next one at once.
            self._wake.clear()
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except SfnError as error:
                log.info("Looking for callbacks failed: %s", error)
            now = time.monotonic()
            self._hot = {arn: until for arn, until in self._hot.items() if until > now}
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), min(self.tick, HOT_TICK) if self._hot else self.tick
                )

    async def check(self) -> None:
        """One tick: list the followed machines' running runs, read the due ones."""
        running: dict[str, str] = {}
        for machine in sorted(self._machines):
            if not await self._has_callbacks(machine):
                continue
            page = await self.client.list_executions(machine, status="RUNNING")
            running.update((e.arn, machine) for e in page.executions)
        for arn in [a for a in self._runs if a not in running and a not in self._hot]:
            del self._runs[arn]
            self._definitions.pop(arn, None)
            self.report(arn, [])  # ended (or no longer followed): nothing waits there
        for arn in running:
            self._runs.setdefault(arn, 0.0)
        now = time.monotonic()
        due = sorted(
            (
                a
                for a, read in self._runs.items()
                if not read
                or now - read >= self.recheck
                or (a in self._hot and now - read >= HOT_TICK)
            ),
            key=lambda a: (a not in self._hot, self._runs[a]),
        )
        for arn in due[: self.reads_per_tick]:
            await self._read(arn)

    async def _has_callbacks(self, machine: str) -> bool:
        known = self._waiting_kind.get(machine)
        if known is None:
            try:
                detail = await self.client.describe_state_machine(machine)
            except NotFound:
                return False
            known = WAIT_SUFFIX in detail.definition
            self._waiting_kind[machine] = known
        return known

    async def _read(self, arn: str) -> None:
        self._runs[arn] = time.monotonic()
        try:
            if arn not in self._definitions:
                detail = await self.client.describe_state_machine_for_execution(arn)
                self._definitions[arn] = _parsed(detail.definition)
            events, _ = await self.client.get_execution_history_page(
                arn, max_results=HISTORY_PAGE, reverse=True
            )
        except NotFound:
            self._runs.pop(arn, None)
            self.report(arn, [])
            return
        self.report(arn, open_callbacks(arn, events, self._definitions.get(arn)))


def _parsed(definition: str) -> Any:
    try:
        return json.loads(definition)
    except ValueError:
        return None
