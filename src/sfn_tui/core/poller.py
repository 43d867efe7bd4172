"""The dashboard's poller: one async loop that lists the watched state machine's
executions each tick, and machines and activities less often or on demand.

Runs the dashboard shows beyond that newest page (older pages the user loaded, or the
cursor's run pushed off it) are not in the listing: those still running are followed.
Every FOLLOW_TICKS ticks one ListExecutions(RUNNING) says which of them are still
going; only those that are not get a DescribeExecution, once, for their final status.

It yields small update objects; the UI turns them into messages. After a failure it
backs off (doubling, capped) and says so, with what kind of failure it is (endpoint
unreachable, throttled, credentials refused, service error); after a success it
returns to its interval. It never gives up: an outage ends when a call succeeds.

A poll that hangs is said long before the client gives up on it (15 s read timeout times
3 attempts on AWS: 47 s): once a tick has had no answer for `late_after` seconds,
`PollLate` is yielded, and the tick goes on waiting. `late_after` is max(5 s, twice the
interval): a healthy tick answers in milliseconds on loopback and well under a second
on AWS, so 5 s is never a false alarm on a slow network, and the user was told to
expect data every interval, so twice that without an answer is news. Every update
that reports trouble carries `last_success`, the time of the last good refresh: how
old the data on screen is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sfn_tui.aws.errors import (
    CredentialsProblem,
    EndpointTimeout,
    EndpointUnreachable,
    NotApplicable,
    NotFound,
    SfnError,
    Throttled,
)
from sfn_tui.aws.models import Activity, Execution, ExecutionDetail, ExecutionPage, StateMachine
from sfn_tui.core.clock import utc_now

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
LATE_AFTER_MIN = 5.0  # seconds without an answer before a poll is called late (see above)
CREDENTIALS_PAUSE = 30.0  # refused credentials: wait this long (or for `refresh`) to retry
EXECUTIONS_PAGE = 100
FOLLOW_TICKS = 5  # ticks between checks of the followed runs (10 s at the default 2 s)
FOLLOW_ENDED_MAX = 10  # ended runs described per check (the rest at the next one)
FOLLOW_UNSURE_MAX = 2  # runs described per check when RUNNING runs fill more than a page
UNFINISHED = frozenset({"RUNNING", "PENDING_REDRIVE"})


class ExecutionSource(Protocol):
    """Where a machine's runs are listed: the client (ListExecutions), or for an Express
    machine its log group (core/express_runs.py)."""

    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage: ...
    async def describe_execution(self, arn: str) -> ExecutionDetail: ...


class PollingClient(Protocol):
    async def list_state_machines(self) -> list[StateMachine]: ...
    async def list_activities(self) -> list[Activity]: ...
    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage: ...
    async def describe_execution(self, arn: str) -> ExecutionDetail: ...


@dataclass(frozen=True, slots=True)
class CatalogFetched:
    machines: tuple[StateMachine, ...]
    activities: tuple[Activity, ...]
    at: datetime
    sent: float  # monotonic time the listing was sent (core/local_changes.py)


@dataclass(frozen=True, slots=True)
class ExecutionsFetched:
    state_machine_arn: str
    page: ExecutionPage
    status_filter: str | None
    at: datetime
    sent: float  # monotonic time the listing was sent (core/local_changes.py)


@dataclass(frozen=True, slots=True)
class ExecutionsDescribed:
    """Followed runs (shown beyond the newest page, not finished) as they are now."""

    state_machine_arn: str
    executions: tuple[Execution, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class ExecutionsUnavailable:
    """The watched machine's runs cannot be listed, and that is a fact about the machine
    (ListExecutions of an EXPRESS machine, an Express machine without logging), not an
    outage: no backoff, and not asked again until the watch or a refresh changes."""

    state_machine_arn: str
    reason: SfnError
    at: datetime


FailureKind = Literal["disconnected", "timeout", "throttled", "credentials", "error"]


def failure_kind(error: SfnError) -> FailureKind:
    """What a failed poll means for the operator."""
    if isinstance(error, CredentialsProblem):
        return "credentials"  # polling is paused until they are renewed
    if isinstance(error, Throttled):
        return "throttled"  # the poller backs off
    if isinstance(error, EndpointTimeout):
        return "timeout"  # a call hung until the read timeout: data on screen is stale
    if isinstance(error, EndpointUnreachable):
        return "disconnected"  # refused or dropped: data on screen is stale
    return "error"


@dataclass(frozen=True, slots=True)
class PollFailed:
    error: SfnError
    since: datetime  # when this run of failures began
    retry_in: float  # seconds until the next attempt
    failures: int = 1  # failed ticks in a row
    at: datetime | None = None  # when this tick failed
    last_success: datetime | None = None  # the last good refresh (None: not one yet)

    @property
    def stale_since(self) -> datetime:
        """Since when the data on screen has not been refreshed."""
        return self.last_success or self.since

    @property
    def kind(self) -> FailureKind:
        return failure_kind(self.error)

    @property
    def retry_at(self) -> datetime:
        return (self.at or self.since) + timedelta(seconds=self.retry_in)


@dataclass(frozen=True, slots=True)
class PollLate:
    """A tick has had no answer for the poller's `late_after` seconds and still waits."""

    waiting_since: datetime  # when the tick began
    last_success: datetime | None  # the last good refresh (None: not one yet)
    at: datetime

    def waited(self, now: datetime) -> float:
        return max(0.0, (now - self.waiting_since).total_seconds())


@dataclass(frozen=True, slots=True)
class PollRecovered:
    at: datetime
    outage_seconds: float


PollUpdate = (
    CatalogFetched
    | ExecutionsFetched
    | ExecutionsDescribed
    | ExecutionsUnavailable
    | PollFailed
    | PollLate
    | PollRecovered
)


class Poller:
    def __init__(
        self,
        client: PollingClient,
        *,
        interval: float = 2.0,
        catalog_interval: float = 30.0,
        clock: Callable[[], datetime] = utc_now,
        late_after: float | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.late_after = (
            late_after if late_after is not None else max(LATE_AFTER_MIN, 2 * interval)
        )
        self.last_success: datetime | None = None
        self.catalog_interval = catalog_interval
        self.clock = clock
        self.watched: str | None = None
        self.status_filter: str | None = None
        self._wake = asyncio.Event()
        self._catalog_due = True
        self._last_catalog = 0.0
        self._failures = 0
        self._failed_since: datetime | None = None
        self._failure_kind: FailureKind | None = None
        self._stopped = False
        self._followed: list[str] = []  # in the order they are checked, round robin
        self._ticks_to_follow_check = 0
        self.source: ExecutionSource | None = None  # lists the watched machine's runs
        self._unavailable: str | None = None  # watched machine whose runs cannot be listed

    @property
    def current_delay(self) -> float:
        """Seconds until the next tick: the interval, or the backoff after failures
        (refused credentials pause polling for CREDENTIALS_PAUSE, or until `refresh`)."""
        if not self._failures:
            return self.interval
        if self._failure_kind == "credentials":
            return max(self.interval, CREDENTIALS_PAUSE)
        return min(MAX_BACKOFF, max(self.interval, 1.0) * 2 ** min(self._failures, 10))

    def watch(
        self,
        state_machine_arn: str | None,
        status_filter: str | None = None,
        source: ExecutionSource | None = None,
    ) -> None:
        """List this machine's executions from now on (at once), through `source` if
        given (an Express machine's log group), else through the client."""
        if state_machine_arn != self.watched or source is not self.source:
            self._followed = []
        self.watched = state_machine_arn
        self.status_filter = status_filter
        self.source = source
        self._unavailable = None
        self._wake.set()

    def follow(self, execution_arns: Iterable[str]) -> None:
        """Follow these runs of the watched machine until they end (see the module
        docstring): the dashboard shows them, the listing of the newest page does not
        have them. Replaces the runs followed so far."""
        wanted = dict.fromkeys(execution_arns)
        kept = [arn for arn in self._followed if arn in wanted]
        self._followed = kept + [arn for arn in wanted if arn not in set(kept)]

    @property
    def followed(self) -> tuple[str, ...]:
        return tuple(self._followed)

    def refresh(self, *, catalog: bool = True) -> None:
        """Poll now instead of waiting for the next tick."""
        if catalog:
            self._catalog_due = True
            self._unavailable = None
        self._wake.set()

    def catalog_listed(self) -> None:
        """Machines and activities were just listed elsewhere (the launch's early
        listing): the first ticks list executions only, the catalog in catalog_interval."""
        self._catalog_due = False
        self._last_catalog = time.monotonic()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    async def run(self) -> AsyncIterator[PollUpdate]:
        while not self._stopped:
            started = self.clock()
            tick = asyncio.ensure_future(self._tick())
            try:
                done, _ = await asyncio.wait({tick}, timeout=self.late_after)
                if not done:
                    log.warning(
                        "A refresh has had no answer for %.0f s (last good refresh: %s)",
                        self.late_after,
                        self.last_success.isoformat() if self.last_success else "none yet",
                    )
                    yield PollLate(started, self.last_success, self.clock())
                updates = await tick
            finally:
                if not tick.done():
                    tick.cancel()  # stopped, or the consumer went away
            for update in updates:
                yield update
            if self._stopped:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.current_delay)
            self._wake.clear()

    async def _check_followed(
        self, machine_arn: str, running_page: ExecutionPage | None
    ) -> tuple[Execution, ...]:
        """Followed runs that ended, as they are now (they are followed no more).

        One ListExecutions(RUNNING) per check; a followed run not in it has ended and is
        described once. With more runs RUNNING than one page holds, absence proves
        nothing: then a few followed runs are described in turn instead. With the RUNNING
        filter on, the tick's own listing is that page (`running_page`)."""
        if not self._followed:
            return ()
        if self._ticks_to_follow_check > 0:
            self._ticks_to_follow_check -= 1
            return ()
        self._ticks_to_follow_check = FOLLOW_TICKS - 1
        page = running_page
        if page is None:
            try:
                page = await (self.source or self.client).list_executions(
                    machine_arn, status="RUNNING", max_results=EXECUTIONS_PAGE
                )
            except NotFound:
                return ()
        running = {e.arn for e in page.executions}
        unsure = [arn for arn in self._followed if arn not in running]
        batch = unsure[: FOLLOW_ENDED_MAX if page.next_token is None else FOLLOW_UNSURE_MAX]
        lister = self.source or self.client
        results = await asyncio.gather(
            *(lister.describe_execution(arn) for arn in batch), return_exceptions=True
        )
        described: list[Execution] = []
        done: set[str] = set()
        for arn, result in zip(batch, results, strict=True):
            if isinstance(result, NotFound):
                done.add(arn)
            elif isinstance(result, BaseException):
                raise result
            else:
                described.append(result.execution)
                if result.execution.status not in UNFINISHED:
                    done.add(arn)
        # The dashboard may have changed what it follows during the calls: keep its list,
        # minus what ended, with the runs described moved to the back.
        current = [arn for arn in self._followed if arn not in done]
        asked = set(batch)
        self._followed = [a for a in current if a not in asked] + [a for a in current if a in asked]
        return tuple(described)

    async def _tick(self) -> list[PollUpdate]:
        """One round of calls; what it found, or why it failed."""
        updates: list[PollUpdate] = []
        try:
            now = time.monotonic()
            if self._catalog_due or now - self._last_catalog >= self.catalog_interval:
                # Cleared before the calls: a refresh asked for while they are on their
                # way (a machine just created) lists again, not lost with this answer.
                self._catalog_due = False
                sent = time.monotonic()
                try:
                    machines, activities = await asyncio.gather(
                        self.client.list_state_machines(), self.client.list_activities()
                    )
                except SfnError:
                    self._catalog_due = True
                    raise
                self._last_catalog = now
                updates.append(
                    CatalogFetched(tuple(machines), tuple(activities), self.clock(), sent)
                )
                self._unavailable = None  # each catalog refresh asks again
            watched, status = self.watched, self.status_filter
            if watched is not None and watched == self._unavailable:
                watched = None  # its runs cannot be listed: said once already
            if watched:
                sent = time.monotonic()
                try:
                    page = await (self.source or self.client).list_executions(
                        watched, status=status, max_results=EXECUTIONS_PAGE
                    )
                except NotFound:
                    # The machine was deleted elsewhere: show it gone, not an outage.
                    self._catalog_due = True
                    page = ExecutionPage((), None)
                except NotApplicable as reason:
                    # A fact about the machine (e.g. EXPRESS): said once, not retried.
                    self._unavailable = watched
                    if watched == self.watched:
                        updates.append(ExecutionsUnavailable(watched, reason, self.clock()))
                    watched = None
                    page = ExecutionPage((), None)
            if watched:
                if watched == self.watched and status == self.status_filter:
                    updates.append(ExecutionsFetched(watched, page, status, self.clock(), sent))
                described = await self._check_followed(
                    watched, page if status == "RUNNING" else None
                )
                if described and watched == self.watched:
                    updates.append(ExecutionsDescribed(watched, described, self.clock()))
        except SfnError as error:
            self._failures += 1
            self._failure_kind = failure_kind(error)
            if self._failed_since is None:
                self._failed_since = self.clock()
            log.log(
                logging.WARNING if self._failures == 1 else logging.INFO,
                "Refresh failed (%s), %d in a row: %s; next attempt in %.0f s",
                self._failure_kind,
                self._failures,
                error,
                self.current_delay,
            )
            return [
                PollFailed(
                    error,
                    self._failed_since,
                    self.current_delay,
                    self._failures,
                    self.clock(),
                    self.last_success,
                )
            ]
        done_at = self.clock()
        recovered: list[PollUpdate] = []
        if self._failed_since is not None:
            outage = (done_at - (self.last_success or self._failed_since)).total_seconds()
            self._failures = 0
            self._failed_since = None
            self._failure_kind = None
            self._catalog_due = True
            recovered.append(PollRecovered(done_at, outage))
            log.info("Refreshing again after %.0f s without fresh data", outage)
        self.last_success = done_at
        return recovered + updates
