"""Express runs, read where AWS keeps them: the machine's CloudWatch Logs log group.

Step Functions keeps no history of Express runs (ListExecutions answers
StateMachineTypeNotSupported, DescribeExecution and GetExecutionHistory InvalidArn). With
a ``loggingConfiguration`` it writes each history event the level takes to the log group
as one JSON record: ``id``, ``type``, ``details``, ``previous_event_id``,
``event_timestamp`` (milliseconds) and ``execution_arn``.

`LoggedRuns` answers the poller's two questions (``list_executions``,
``describe_execution``) for one Express machine from those records, so the dashboard
shows Express runs the way it shows Standard ones: newest first, a page at a time, over a
window of time (the last 3 hours unless widened). It asks CloudWatch Logs only for the
records that start and end runs, walking back from now in slices of time sized to how
busy the log group is, and on each tick only for what arrived since the last one.

`LoggedRun` reads one run's records for its detail: the same history events
GetExecutionHistory would give, input and output only where ``includeExecutionData``
is on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sfn_tui.aws.errors import NotApplicable, NotFound
from sfn_tui.aws.logs import LogEvent, LogPage
from sfn_tui.aws.models import (
    Execution,
    ExecutionDetail,
    ExecutionPage,
    HistoryEvent,
    LoggingConfig,
    StateMachineDetail,
)

RUN_STARTED = "ExecutionStarted"
RUN_ENDS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED",
    "ExecutionTimedOut": "TIMED_OUT",
}
WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("3 h", timedelta(hours=3)),  # the console's Express view: Logs Insights, last 3 hours
    ("24 h", timedelta(hours=24)),
    ("7 d", timedelta(days=7)),
)
EXPRESS_LIMIT = timedelta(minutes=5)  # an Express run lasts five minutes at most
CONFIG_TTL = 30.0  # seconds a machine's logging configuration is trusted
MIN_REFRESH = 1.0  # seconds between two catch-ups (the poller may ask twice a tick)
OVERLAP = timedelta(seconds=60)  # records arrive late: each catch-up looks back this far
FIRST_SPAN = timedelta(minutes=10)  # the first slice of time read back from now
MIN_SPAN = timedelta(seconds=1)
MAX_SPAN = timedelta(days=7)
SLICE_CAP = 5_000  # records per slice; a fuller slice is read again, narrower
CATCH_UP_CAP = 20_000  # records per catch-up; more means reading the newest page afresh
MAX_QUERIES = 40  # slices read for one page at most
MAX_RUN_EVENTS = 25_000  # a run's history, as GetExecutionHistory's quota


class NoExecutionLog(NotApplicable):
    """The machine logs no runs (level OFF or no log group): nothing to list."""


class ReadsLogs(Protocol):
    async def filter_log_events(
        self,
        log_group: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        pattern: str = "",
        next_token: str | None = None,
        limit: int = 10_000,
    ) -> LogPage: ...


class DescribesMachines(Protocol):
    async def describe_state_machine(self, arn: str) -> StateMachineDetail: ...


# Records ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One history event as CloudWatch Logs holds it."""

    execution_arn: str
    id: int
    previous_id: int
    type: str
    timestamp: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def history_event(self) -> HistoryEvent:
        return HistoryEvent(
            id=self.id,
            previous_id=self.previous_id,
            type=self.type,
            timestamp=self.timestamp,
            details=self.details,
        )


def parse_record(event: LogEvent) -> LoggedEvent | None:
    """The record a log event's message holds; None for anything else in the group
    (a line written by something other than Step Functions)."""
    try:
        record = json.loads(event.message)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    arn, kind, number = record.get("execution_arn"), record.get("type"), record.get("id")
    if not isinstance(arn, str) or not isinstance(kind, str) or not str(number).isdigit():
        return None
    millis = str(record.get("event_timestamp", ""))
    when = int(millis) if millis.isdigit() else event.timestamp
    previous = str(record.get("previous_event_id", "0"))
    details = record.get("details")
    return LoggedEvent(
        execution_arn=arn,
        id=int(str(number)),
        previous_id=int(previous) if previous.isdigit() else 0,
        type=kind,
        timestamp=datetime.fromtimestamp(when / 1000, tz=UTC),
        details=details if isinstance(details, dict) else {},
    )


def runs_pattern() -> str:
    """CloudWatch Logs filter pattern for the records that start or end a run."""
    types = (RUN_STARTED, *RUN_ENDS)
    return "{ " + " || ".join(f'($.type = "{t}")' for t in types) + " }"


def run_pattern(execution_arn: str) -> str:
    """CloudWatch Logs filter pattern for one run's records."""
    return f'{{ $.execution_arn = "{execution_arn}" }}'


def express_parts(execution_arn: str) -> tuple[str, str]:
    """(state machine ARN, run name) of
    ``arn:<p>:states:<region>:<account>:express:<machine>:<name>:<id>``."""
    parts = execution_arn.split(":")
    if len(parts) < 9 or parts[5] != "express":
        return "", execution_arn.rsplit(":", 1)[-1]
    machine = ":".join([*parts[:5], "stateMachine", parts[6]])
    return machine, parts[7]


def millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


# Runs ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Run:
    arn: str
    started: datetime | None = None
    first_seen: datetime | None = None
    ended: datetime | None = None
    status: str = "RUNNING"


class RunBook:
    """The runs known from their start and end records."""

    def __init__(self, state_machine_arn: str) -> None:
        self.state_machine_arn = state_machine_arn
        self.runs: dict[str, _Run] = {}
        self._seen: set[tuple[str, int]] = set()

    def add(self, event: LoggedEvent) -> None:
        key = (event.execution_arn, event.id)
        if key in self._seen:
            return
        self._seen.add(key)
        run = self.runs.get(event.execution_arn)
        if run is None:
            run = self.runs[event.execution_arn] = _Run(event.execution_arn)
        if run.first_seen is None or event.timestamp < run.first_seen:
            run.first_seen = event.timestamp
        if event.type == RUN_STARTED:
            run.started = event.timestamp
        elif event.type in RUN_ENDS:
            run.ended, run.status = event.timestamp, RUN_ENDS[event.type]

    def execution(self, run: _Run) -> Execution:
        machine, name = express_parts(run.arn)
        start = run.started or run.first_seen or datetime.now(UTC)
        return Execution(
            arn=run.arn,
            name=name,
            state_machine_arn=machine or self.state_machine_arn,
            status=run.status,
            start_date=start,
            stop_date=run.ended,
            start_known=run.started is not None,
        )

    def shown(self, failures_only: bool) -> list[Execution]:
        """Runs to list, newest first: those whose start is known (a run whose start
        record is older than what was read waits for it), every run when the level logs
        failures only (no ExecutionStarted is logged then)."""
        runs = [r for r in self.runs.values() if r.started is not None or failures_only]
        return sorted(
            (self.execution(r) for r in runs), key=lambda e: (e.start_date, e.arn), reverse=True
        )


class LoggedRuns:
    """An Express machine's runs for the poller, from its log group (see the module
    docstring). ``list_executions`` and ``describe_execution`` mirror the client's."""

    def __init__(
        self,
        sfn: DescribesMachines,
        logs: ReadsLogs | None,
        state_machine_arn: str,
        *,
        window: timedelta = WINDOWS[0][1],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sfn = sfn
        self.logs = logs
        self.state_machine_arn = state_machine_arn
        self.window = window
        self.clock = clock
        self.monotonic = monotonic
        self.config: LoggingConfig | None = None
        self._config_at = -CONFIG_TTL
        self._reset()

    def _reset(self) -> None:
        self.book = RunBook(self.state_machine_arn)
        self._loaded_to: datetime | None = None  # read back to here (None: nothing yet)
        self._caught_up: datetime | None = None  # read forward to here
        self._span = FIRST_SPAN
        self._refreshed = -MIN_REFRESH

    def set_window(self, window: timedelta) -> None:
        """Read this window of time from now on (the runs are read again)."""
        if window != self.window:
            self.window = window
            self._reset()

    @property
    def window_start(self) -> datetime:
        return self.clock() - self.window

    async def logging(self) -> LoggingConfig:
        """The machine's logging configuration (asked again every CONFIG_TTL seconds).
        NoExecutionLog when it logs nothing."""
        now = self.monotonic()
        if self.config is None or now - self._config_at >= CONFIG_TTL:
            detail = await self.sfn.describe_state_machine(self.state_machine_arn)
            if self.config is not None and detail.logging != self.config:
                self._reset()  # another log group or level: read it afresh
            self.config, self._config_at = detail.logging, now
        config = self.config
        if not config.logs or self.logs is None:
            raise NoExecutionLog(
                "Express runs are only visible through logging, and this state machine has none.",
                operation="ListExecutions",
            )
        return config

    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage:
        config = await self.logging()
        if next_token is None:
            await self._refresh(config)
            older_than: datetime | None = None
        else:
            older_than = datetime.fromtimestamp(int(next_token) / 1000, tz=UTC)
            await self._read_back(config, max_results, status, older_than)
        runs = self._matching(config, status, older_than)
        page = runs[:max_results]
        more = len(runs) > max_results or (
            self._loaded_to is not None and self._loaded_to > self.window_start
        )
        token = str(millis(page[-1].start_date)) if page and more else None
        return ExecutionPage(tuple(page), token)

    async def describe_execution(self, arn: str) -> ExecutionDetail:
        run = self.book.runs.get(arn)
        if run is None:
            raise NotFound(
                f"DescribeExecution failed: no log record of {arn}", operation="DescribeExecution"
            )
        return ExecutionDetail(self.book.execution(run), None, None, None, None)

    # Reading ------------------------------------------------------------------------

    def _matching(
        self, config: LoggingConfig, status: str | None, older_than: datetime | None
    ) -> list[Execution]:
        start = self.window_start
        return [
            e
            for e in self.book.shown(config.failures_only)
            if e.start_date >= start
            and (status is None or e.status == status)
            and (older_than is None or e.start_date < older_than)
        ]

    async def _refresh(self, config: LoggingConfig) -> None:
        now = self.monotonic()
        if now - self._refreshed < MIN_REFRESH and self._loaded_to is not None:
            return
        self._refreshed = now
        if self._loaded_to is None or self._caught_up is None:
            self._caught_up = self._loaded_to = self.clock()
            await self._read_back(config, 100, None, None)
            return
        since = self._caught_up - OVERLAP
        self._caught_up = self.clock()
        events, complete = await self._query(config, since, None, CATCH_UP_CAP)
        if not complete:  # more arrived than one catch-up reads: start from now again
            self._reset()
            self._caught_up = self._loaded_to = self.clock()
            await self._read_back(config, 100, None, None)
            return
        self._add(events)

    async def _read_back(
        self, config: LoggingConfig, wanted: int, status: str | None, older_than: datetime | None
    ) -> None:
        """Read older slices until `wanted` runs older than `older_than` are known, or the
        window's start is reached."""
        for _ in range(MAX_QUERIES):
            loaded_to = self._loaded_to
            start = self.window_start
            if loaded_to is None or loaded_to <= start:
                return
            if len(self._matching(config, status, older_than)) > wanted:
                return
            low = max(start, loaded_to - self._span)
            # A run ending in this slice may have started up to five minutes before it.
            events, complete = await self._query(config, low, loaded_to, SLICE_CAP)
            if not complete and self._span > MIN_SPAN:
                self._span = max(MIN_SPAN, self._span / 4)
                continue
            self._add(events)
            self._loaded_to = low
            if len(events) < SLICE_CAP // 8:
                self._span = min(MAX_SPAN, self._span * 4)

    async def _query(
        self, config: LoggingConfig, low: datetime, high: datetime | None, cap: int
    ) -> tuple[list[LoggedEvent], bool]:
        """The run-level records between two times; complete=False when capped."""
        logs = self.logs
        assert logs is not None
        found: list[LoggedEvent] = []
        token: str | None = None
        read = 0
        while True:
            page = await logs.filter_log_events(
                config.log_group_name,
                start_ms=millis(low),
                end_ms=millis(high) if high is not None else None,
                pattern=runs_pattern(),
                next_token=token,
                limit=min(10_000, cap),
            )
            for event in page.events:
                record = parse_record(event)
                # Endpoints without JSON filter patterns answer every record: keep ours.
                if record is not None and self._ours(record):
                    found.append(record)
            token = page.next_token
            read += len(page.events)
            if token is None:
                return found, True
            if len(found) >= cap or read >= cap * 10:
                return found, False

    def _ours(self, record: LoggedEvent) -> bool:
        """A run-level record of this machine (endpoints without JSON filter patterns
        answer every record of the group)."""
        if record.type != RUN_STARTED and record.type not in RUN_ENDS:
            return False
        return express_parts(record.execution_arn)[0] in ("", self.state_machine_arn)

    def _add(self, events: list[LoggedEvent]) -> None:
        for event in events:
            self.book.add(event)


# One run ---------------------------------------------------------------------------


class LoggedRun:
    """One Express run's detail and history, from its records."""

    def __init__(
        self,
        sfn: DescribesMachines,
        logs: ReadsLogs | None,
        execution_arn: str,
        hint: Execution | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        window: timedelta = WINDOWS[-1][1],
    ) -> None:
        self.sfn = sfn
        self.logs = logs
        self.execution_arn = execution_arn
        self.hint = hint
        self.clock = clock
        self.window = window
        self.config: LoggingConfig | None = None
        self.events: list[LoggedEvent] = []
        self._ids: set[int] = set()

    @property
    def state_machine_arn(self) -> str:
        machine = express_parts(self.execution_arn)[0]
        return machine or (self.hint.state_machine_arn if self.hint else "")

    async def load(self) -> ExecutionDetail:
        """Read the run's records (again: new ones are added) and sum them up."""
        if self.config is None:
            detail = await self.sfn.describe_state_machine(self.state_machine_arn)
            self.config = detail.logging
        config = self.config
        if not config.logs or self.logs is None:
            raise NoExecutionLog(
                "This Express run cannot be read: its state machine logs nothing now.",
                operation="FilterLogEvents",
            )
        hint = self.hint
        low = (hint.start_date - OVERLAP) if hint else self.clock() - self.window
        high = None
        if hint is not None and hint.stop_date is not None and self.ended:
            high = hint.stop_date + OVERLAP
        token: str | None = None
        while len(self.events) < MAX_RUN_EVENTS:
            page = await self.logs.filter_log_events(
                config.log_group_name,
                start_ms=millis(low),
                end_ms=millis(high) if high is not None else None,
                pattern=run_pattern(self.execution_arn),
                next_token=token,
            )
            for event in page.events:
                record = parse_record(event)
                mine = record is not None and record.execution_arn == self.execution_arn
                if record is not None and mine and record.id not in self._ids:
                    self._ids.add(record.id)
                    self.events.append(record)
            token = page.next_token
            if token is None:
                break
        self.events.sort(key=lambda e: e.id)
        return self.detail(config)

    @property
    def ended(self) -> bool:
        return any(e.type in RUN_ENDS for e in self.events)

    def history(self) -> list[HistoryEvent]:
        return [e.history_event() for e in self.events]

    def detail(self, config: LoggingConfig) -> ExecutionDetail:
        machine, name = express_parts(self.execution_arn)
        started = next((e for e in self.events if e.type == RUN_STARTED), None)
        ended = next((e for e in self.events if e.type in RUN_ENDS), None)
        first = self.events[0].timestamp if self.events else None
        hint = self.hint
        start = started.timestamp if started else first or (hint.start_date if hint else None)
        execution = Execution(
            arn=self.execution_arn,
            name=name,
            state_machine_arn=machine or (hint.state_machine_arn if hint else ""),
            status=RUN_ENDS[ended.type] if ended else (hint.status if hint else "RUNNING"),
            start_date=start or self.clock(),
            stop_date=ended.timestamp if ended else (hint.stop_date if hint else None),
            start_known=started is not None,
        )

        def text(event: LoggedEvent | None, key: str) -> str | None:
            value = event.details.get(key) if event is not None else None
            return value if isinstance(value, str) else None

        return ExecutionDetail(
            execution=execution,
            input=text(started, "input"),
            output=text(ended, "output"),
            error=text(ended, "error"),
            cause=text(ended, "cause"),
        )
