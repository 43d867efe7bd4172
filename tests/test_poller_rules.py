"""The dashboard's poller alone (core/poller.py), against the embedded engine through the
fault proxy: what it lists, how often, what it reports when calls fail, hang or come
back, and which followed runs it describes. Each test a few seconds at most, so
scripts/mutation.py can run them for every mutant of the poller (the Pilot scenes of
test_poll_backoff.py and test_faults_dashboard.py take minutes).

Waits are deadlines (`until`), never sleeps; the only bounds on time are lower bounds
(a loaded machine only waits longer).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings, StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.errors import (
    CredentialsProblem,
    EndpointRefused,
    EndpointTimeout,
    EndpointUnreachable,
    NotApplicable,
    ServiceError,
    SfnError,
    Throttled,
)
from sfn_tui.core.express_runs import LoggedRuns, NoExecutionLog
from sfn_tui.core.poller import (
    CREDENTIALS_PAUSE,
    CatalogFetched,
    ExecutionsDescribed,
    ExecutionsFetched,
    ExecutionsUnavailable,
    Poller,
    PollFailed,
    PollLate,
    PollRecovered,
    PollUpdate,
    failure_kind,
)
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client, until, wait_until

REGION = "ap-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-poller-rules"
FAST = ClientSettings(read_timeout=2, connect_timeout=1, long_poll_read_timeout=5, max_attempts=1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (CredentialsProblem("expired"), "credentials"),
        (Throttled("rate"), "throttled"),
        (EndpointTimeout("hung"), "timeout"),
        (EndpointRefused("refused"), "disconnected"),
        (EndpointUnreachable("dropped"), "disconnected"),
        (ServiceError("500"), "error"),
        (SfnError("other"), "error"),
    ],
)
def test_each_failure_has_its_kind(error: SfnError, kind: str) -> None:
    assert failure_kind(error) == kind
    assert PollFailed(error, T0, 2.0).kind == kind


def test_failure_and_late_report_the_times_they_say() -> None:
    seen = T0 + timedelta(seconds=5)
    failed = PollFailed(Throttled("rate"), since=T0, retry_in=4.0, at=seen, last_success=None)
    assert failed.stale_since == T0 and failed.retry_at == seen + timedelta(seconds=4)
    earlier = T0 - timedelta(seconds=60)
    failed = PollFailed(Throttled("rate"), since=T0, retry_in=4.0, last_success=earlier)
    assert failed.stale_since == earlier and failed.retry_at == T0 + timedelta(seconds=4)
    late = PollLate(T0, None, seen)
    assert late.waited(seen) == 5.0 and late.waited(T0 - timedelta(seconds=1)) == 0.0


@pytest.mark.parametrize(("interval", "late"), [(0.5, 5.0), (2.0, 5.0), (4.0, 8.0)])
def test_a_tick_is_late_after_twice_the_interval_and_never_under_five_seconds(
    interval: float, late: float
) -> None:
    assert Poller(None, interval=interval).late_after == late  # type: ignore[arg-type]
    assert Poller(None, interval=interval, late_after=0.3).late_after == 0.3  # type: ignore[arg-type]


proxy = fault_proxy_fixture()


@pytest.fixture
async def client(proxy: FaultProxy) -> AsyncIterator[StepFunctionsClient]:
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True), FAST
    ) as sfn:
        yield sfn


@pytest.fixture
def sfn(engine: str) -> Any:
    """Straight to the engine (not through the proxy): the world the tests set up."""
    return boto_client("stepfunctions", engine, REGION)


def new_machine(sfn: Any) -> str:
    """Runs wait an hour when their input says {"wait": true}, else succeed at once."""
    definition = {
        "StartAt": "Which",
        "States": {
            "Which": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.wait", "BooleanEquals": True, "Next": "Hold"}],
                "Default": "Done",
            },
            "Hold": {"Type": "Wait", "Seconds": 3600, "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    return str(
        sfn.create_state_machine(
            name=f"poller-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
    )


def start(sfn: Any, machine: str, wait: bool) -> str:
    run = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"wait": wait}))
    return str(run["executionArn"])


class Running:
    """A poller's `run()` consumed in the background; its updates, in order."""

    def __init__(self, poller: Poller) -> None:
        self.poller = poller
        self.updates: list[PollUpdate] = []
        self.task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for update in self.poller.run():
            self.updates.append(update)

    def of(self, kind: type[Any]) -> list[Any]:
        return [u for u in self.updates if isinstance(u, kind)]

    async def seen(self, kind: type[Any], count: int = 1, timeout: float = 10.0) -> list[Any]:
        await until(lambda: len(self.of(kind)) >= count, f"{count} {kind.__name__}", timeout)
        return self.of(kind)

    async def stop(self) -> None:
        self.poller.stop()
        await asyncio.wait_for(self.task, timeout=10)


@pytest.fixture
async def running(client: StepFunctionsClient) -> AsyncIterator[Any]:
    made: list[Running] = []

    def make(**options: Any) -> Running:
        made.append(Running(Poller(client, **options)))
        return made[-1]

    yield make
    for each in made:
        if not each.task.done():
            await each.stop()


async def test_the_watched_runs_are_listed_each_tick_and_the_catalog_at_its_own_pace(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    activity = sfn.create_activity(name=f"poller-{uuid.uuid4().hex[:8]}")["activityArn"]
    run = start(sfn, machine, wait=False)
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine)

    fetched = await poll.seen(ExecutionsFetched, 4)

    assert [e.arn for e in fetched[-1].page.executions] == [run]
    assert fetched[-1].state_machine_arn == machine and fetched[-1].status_filter is None
    [catalog] = poll.of(CatalogFetched)
    assert machine in {m.arn for m in catalog.machines}
    assert activity in {a.arn for a in catalog.activities}
    assert catalog.at.tzinfo is UTC  # shown in the user's zone, so never naive
    assert proxy.count("ListStateMachines") == 1 and proxy.count("ListActivities") == 1

    poll.poller.refresh(catalog=False)  # the runs now, not the catalog
    await poll.seen(ExecutionsFetched, len(fetched) + 1)
    assert len(poll.of(CatalogFetched)) == 1
    poll.poller.refresh()
    await poll.seen(CatalogFetched, 2)
    await poll.stop()
    assert poll.task.done()


async def test_each_listing_says_when_it_was_sent_not_when_it_came(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    """The dashboard keeps its own changes over listings sent before them
    (core/local_changes.py): a listing whose answer is held carries the time it was
    sent, before the hold, not the time it came."""
    import time

    machine = new_machine(sfn)
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine)
    await poll.seen(CatalogFetched)
    await poll.seen(ExecutionsFetched)
    for operation, kind in (
        ("ListStateMachines", CatalogFetched),
        ("ListExecutions", ExecutionsFetched),
    ):
        asked = time.monotonic()
        proxy.fault(operation, "late", times=1)
        poll.poller.refresh()
        await until(lambda: proxy.held(operation) == 1, f"{operation} held")  # noqa: B023
        held = time.monotonic()
        before = len(poll.of(kind))
        proxy.clear(operation)
        listing = (await poll.seen(kind, before + 1))[before]
        assert asked <= listing.sent <= held, operation


async def test_the_catalog_is_listed_again_once_its_interval_has_passed(
    running: Any, proxy: FaultProxy
) -> None:
    poll = running(interval=0.05, catalog_interval=0.2)
    await poll.seen(CatalogFetched, 3)
    assert proxy.count("ListStateMachines") >= 3


async def test_a_failed_tick_backs_off_doubling_and_the_calls_wait_for_it(
    running: Any, proxy: FaultProxy
) -> None:
    """The backoff is applied, not only reported: the second failed call comes no
    sooner than the first said it would (max(interval, 1 s) doubled per failure)."""
    proxy.throttle("ListStateMachines")
    poll = running(interval=0.5, catalog_interval=3600)

    first, second = (await poll.seen(PollFailed, 2, timeout=15))[:2]

    assert (first.retry_in, second.retry_in) == (2.0, 4.0)
    assert (first.failures, second.failures) == (1, 2)
    assert first.kind == "throttled" and first.last_success is None
    assert first.at is not None and second.since == first.since <= first.at
    assert first.at is not None and second.at is not None
    assert second.at - first.at >= timedelta(seconds=first.retry_in)
    assert proxy.count("ListStateMachines") == 2  # nothing in between
    assert poll.of(CatalogFetched) == []


async def test_the_backoff_is_capped_and_a_refresh_retries_at_once(
    running: Any, proxy: FaultProxy
) -> None:
    proxy.throttle("ListStateMachines")
    poll = running(interval=20.0, catalog_interval=3600)
    [failed] = await poll.seen(PollFailed)
    assert failed.retry_in == 30.0  # 40 s, capped

    proxy.clear()
    poll.poller.refresh()
    [recovered] = await poll.seen(PollRecovered)
    assert recovered.outage_seconds >= 0
    assert failed.at is not None and recovered.at >= failed.at
    await poll.seen(CatalogFetched)
    assert poll.poller.current_delay == 20.0
    assert poll.poller.last_success is not None


async def test_refused_credentials_pause_polling_until_a_refresh(
    running: Any, proxy: FaultProxy
) -> None:
    proxy.fault(
        "ListStateMachines", "error", status=400, code="ExpiredTokenException", message="expired"
    )
    poll = running(interval=0.5, catalog_interval=3600)
    [failed] = await poll.seen(PollFailed)
    assert failed.kind == "credentials" and failed.retry_in == CREDENTIALS_PAUSE
    assert poll.poller.current_delay == CREDENTIALS_PAUSE

    proxy.clear()
    poll.poller.refresh()
    await poll.seen(CatalogFetched)
    assert poll.poller.current_delay == 0.5


async def test_after_an_outage_it_says_so_and_lists_the_catalog_again(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    poll = running(interval=30, catalog_interval=3600)  # ticks when the test says
    poll.poller.watch(machine)
    await poll.seen(ExecutionsFetched)
    good = poll.poller.last_success
    proxy.throttle("ListExecutions", times=1)

    poll.poller.refresh(catalog=False)
    [failed] = await poll.seen(PollFailed)
    # The last success the failure saw: a tick may have followed `good` (watch wakes
    # it), and another may succeed after the failure before this line runs (CI read
    # the live value once, after such a tick).
    last = failed.last_success
    assert good is not None and last is not None and good <= last <= failed.since
    assert failed.stale_since == last
    poll.poller.refresh(catalog=False)  # skip the 30 s backoff
    [recovered] = await poll.seen(PollRecovered)
    assert recovered.outage_seconds == pytest.approx((recovered.at - last).total_seconds())
    poll.poller.refresh(catalog=False)  # the next tick lists the catalog again
    catalogs = await poll.seen(CatalogFetched, 2)
    assert catalogs[-1].at >= recovered.at
    assert len(poll.of(PollRecovered)) == 1


async def test_a_tick_without_an_answer_is_called_late_and_still_waited_for(
    running: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.fault("ListStateMachines", "hang")
    poll = running(interval=30, catalog_interval=3600, late_after=0.2)
    with caplog.at_level(logging.WARNING, logger="sfn_tui.core.poller"):
        [late] = await poll.seen(PollLate)
    assert late.last_success is None and late.at >= late.waiting_since
    assert poll.of(CatalogFetched) == [] and poll.of(PollFailed) == []
    assert caplog.messages == ["A refresh has had no answer for 0 s (last good refresh: none yet)"]

    proxy.clear()
    await poll.seen(CatalogFetched)
    assert len(poll.of(PollLate)) == 1
    assert poll.of(PollFailed) == []
    good = poll.poller.last_success
    assert good is not None

    proxy.fault("ListStateMachines", "hang")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sfn_tui.core.poller"):
        poll.poller.refresh()
        second = (await poll.seen(PollLate, 2))[1]
    assert second.last_success == good
    assert caplog.messages == [
        f"A refresh has had no answer for 0 s (last good refresh: {good.isoformat()})"
    ]
    proxy.clear()
    await poll.seen(CatalogFetched, 2)


async def test_a_machine_deleted_elsewhere_shows_no_runs_and_the_catalog_again(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    start(sfn, machine, wait=False)
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine)
    await poll.seen(ExecutionsFetched)
    proxy.fault("ListExecutions", "error", status=400, code="StateMachineDoesNotExist")

    await until(
        lambda: any(u.page.executions == () for u in poll.of(ExecutionsFetched)), "an empty page"
    )
    await poll.seen(CatalogFetched, 2)
    assert poll.of(PollFailed) == []


async def test_runs_that_cannot_be_listed_are_said_once_until_a_refresh(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    proxy.fault("ListExecutions", "error", status=400, code="StateMachineTypeNotSupported")
    ticks: list[datetime] = []

    def clock() -> datetime:
        ticks.append(datetime.now(UTC))
        return ticks[-1]

    poll = running(interval=0.05, catalog_interval=3600, clock=clock)
    poll.poller.watch(machine)
    [unavailable] = await poll.seen(ExecutionsUnavailable)
    assert unavailable.state_machine_arn == machine and unavailable.at in ticks
    assert isinstance(unavailable.reason, NotApplicable)
    assert unavailable.reason.code == "StateMachineTypeNotSupported"
    asked, seen = proxy.count("ListExecutions"), len(ticks)
    await until(lambda: len(ticks) >= seen + 5, "more ticks")
    assert proxy.count("ListExecutions") == asked and poll.of(ExecutionsFetched) == []
    assert poll.of(PollFailed) == [] and len(poll.of(ExecutionsUnavailable)) == 1

    poll.poller.refresh()  # the catalog again: asks again
    await poll.seen(ExecutionsUnavailable, 2)
    proxy.clear()
    poll.poller.watch(machine)  # a watch asks again too
    await poll.seen(ExecutionsFetched)


def test_follow_keeps_the_order_and_a_new_watch_forgets() -> None:
    poller = Poller(None)  # type: ignore[arg-type]
    poller.watch("m1")
    poller.follow(["a", "b"])
    poller.follow(["c", "b", "a", "c"])
    assert poller.followed == ("a", "b", "c")
    poller.follow(["c"])
    assert poller.followed == ("c",)
    poller.watch("m1", "RUNNING")
    assert poller.followed == ("c",) and poller.status_filter == "RUNNING"
    poller.watch("m2")
    assert poller.followed == () and poller.watched == "m2"


async def test_followed_runs_are_described_once_when_they_end(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    """All ended runs at once (up to FOLLOW_ENDED_MAX, 10, when the RUNNING page is
    whole), each described once; a run still RUNNING never."""
    machine = new_machine(sfn)
    holding = start(sfn, machine, wait=True)
    ended = [start(sfn, machine, wait=False) for _ in range(3)]
    for run in ended:
        until_sync(lambda run=run: sfn.describe_execution(executionArn=run)["status"] != "RUNNING")
    gone = machine.replace(":stateMachine:", ":execution:") + ":deleted-meanwhile"
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine)
    poll.poller.follow([*ended, gone, holding])

    [described] = await poll.seen(ExecutionsDescribed)
    assert poll.of(PollFailed) == []  # a run that no longer exists is dropped quietly
    assert [(e.arn, e.status) for e in described.executions] == [
        (run, "SUCCEEDED") for run in ended
    ]
    assert described.state_machine_arn == machine and described.at is not None
    assert poll.poller.followed == (holding,)
    sfn.stop_execution(executionArn=holding)
    later = (await poll.seen(ExecutionsDescribed, 2))[1]
    assert [(e.arn, e.status) for e in later.executions] == [(holding, "ABORTED")]
    assert poll.poller.followed == ()
    await poll.stop()
    assert proxy.count("DescribeExecution") == 5  # each once, the running one never
    assert len(poll.of(ExecutionsDescribed)) == 2


async def test_followed_runs_are_checked_every_fifth_tick(
    client: StepFunctionsClient, sfn: Any, proxy: FaultProxy
) -> None:
    """Ticks 1, 6, 11, 16 check the followed run (one more ListExecutions each); the
    updates of a tick are yielded once its calls are done, so the count is exact."""
    machine = new_machine(sfn)
    holding = start(sfn, machine, wait=True)
    poller = Poller(client, interval=0.05, catalog_interval=3600)
    poller.watch(machine)
    poller.follow([holding])
    checks: list[int] = []  # checks done by the end of each tick

    async def sixteen_ticks() -> None:
        async for update in poller.run():
            if isinstance(update, ExecutionsFetched):
                checks.append(proxy.count("ListExecutions") - (len(checks) + 1))
                if len(checks) == 16:
                    poller.stop()

    await asyncio.wait_for(sixteen_ticks(), timeout=30)

    checked_at = [n for n in range(1, 17) if checks[n - 1] > (checks[n - 2] if n > 1 else 0)]
    assert checked_at == [1, 6, 11, 16]
    assert proxy.count("DescribeExecution") == 0  # still RUNNING: nothing to describe
    assert poller.followed == (holding,)


async def test_with_the_running_filter_the_tick_listing_is_the_check(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    holding, ended = start(sfn, machine, wait=True), start(sfn, machine, wait=False)
    until_sync(lambda: sfn.describe_execution(executionArn=ended)["status"] == "SUCCEEDED")
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine, "RUNNING")
    poll.poller.follow([holding, ended])

    [described] = await poll.seen(ExecutionsDescribed)
    assert [e.arn for e in described.executions] == [ended]
    await poll.seen(ExecutionsFetched, 7)
    await poll.stop()
    fetched = poll.of(ExecutionsFetched)
    assert {e.arn for e in fetched[-1].page.executions} == {holding}
    assert fetched[-1].status_filter == "RUNNING"
    assert proxy.count("ListExecutions") == len(fetched)


def until_sync(predicate: Any) -> None:
    wait_until(predicate, timeout=10, message="the engine")


async def test_with_more_runs_running_than_a_page_the_followed_are_described_two_in_turn(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    """With more RUNNING runs than the check's page (100) holds, a followed run missing
    from the page may still be running: FOLLOW_UNSURE_MAX (2) of them are described per
    check, in turn, and those still running stay followed."""
    machine = new_machine(sfn)
    oldest = [start(sfn, machine, wait=True) for _ in range(4)]
    newer = [start(sfn, machine, wait=True) for _ in range(100)]
    try:
        poll = running(interval=0.05, catalog_interval=3600)
        poll.poller.watch(machine)
        poll.poller.follow(oldest)
        first, second = await poll.seen(ExecutionsDescribed, 2, timeout=20)
        await poll.stop()
        assert [(e.arn, e.status) for e in first.executions] == [
            (run, "RUNNING") for run in oldest[:2]
        ]
        assert [e.arn for e in second.executions] == oldest[2:]
        assert set(poll.poller.followed) == set(oldest)
        described = proxy.count("DescribeExecution")
        assert described == 2 * len(poll.of(ExecutionsDescribed))
    finally:
        for run in oldest + newer:
            sfn.stop_execution(executionArn=run)


async def test_a_consumer_that_leaves_mid_tick_leaves_no_call_behind(proxy: FaultProxy) -> None:
    """The dashboard goes away (its worker cancelled) while a tick waits for an answer:
    the tick's calls are cancelled with it, not left running in the background (here
    until the client's read timeout, a minute)."""
    proxy.fault("ListStateMachines", "hang")
    patient = ClientSettings(read_timeout=60, connect_timeout=1, max_attempts=1)
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    async with StepFunctionsClient(connection, patient) as client:
        await leave_mid_tick(Poller(client, interval=30, catalog_interval=3600, late_after=60))
    proxy.clear()


async def leave_mid_tick(poller: Poller) -> None:
    """Consume `poller` in a task, cancel it while a tick waits, and see the tick go."""

    async def consume() -> None:
        async for _ in poller.run():
            pass

    def ticks() -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() if "Poller._tick" in repr(t.get_coro())]

    consumer = asyncio.create_task(consume())
    await until(lambda: bool(ticks()), "a tick waiting for its answer", 10)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    await until(lambda: not ticks(), "no tick left running", 10)


async def test_an_express_machines_runs_are_listed_through_its_source_not_the_client(
    running: Any, sfn: Any, client: StepFunctionsClient, proxy: FaultProxy
) -> None:
    """A machine watched with a source (an Express machine's log group) is listed through
    it: no ListExecutions reaches the service, and a machine without logging is said to
    have no execution log."""
    express = sfn.create_state_machine(
        name=f"poller-express-{uuid.uuid4().hex[:8]}",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn=ROLE,
        type="EXPRESS",
    )["stateMachineArn"]
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(express, source=LoggedRuns(client, client.logs, express))
    [unavailable] = await poll.seen(ExecutionsUnavailable)
    assert isinstance(unavailable.reason, NoExecutionLog)
    assert proxy.count("DescribeStateMachine") == 1 and proxy.count("ListExecutions") == 0


async def test_a_catalog_listed_at_launch_is_listed_again_only_at_its_interval(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    """The launch's early listing fetched machines and activities: the poller's first
    ticks list the watched runs only, and the catalog comes with a refresh."""
    machine = new_machine(sfn)
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.catalog_listed()  # before the first tick (the task has not run yet)
    poll.poller.watch(machine)
    await poll.seen(ExecutionsFetched, 3)
    assert poll.of(CatalogFetched) == [] and poll.of(PollFailed) == []
    assert proxy.count("ListStateMachines") == proxy.count("ListActivities") == 0
    poll.poller.refresh()
    await poll.seen(CatalogFetched)
    assert proxy.count("ListStateMachines") == 1


def test_a_new_poller_watches_nothing_at_the_documented_intervals() -> None:
    """Every 2 s for runs, 30 s for machines and activities (README: Running it)."""
    poller = Poller(None)  # type: ignore[arg-type]
    assert (poller.interval, poller.catalog_interval) == (2.0, 30.0)
    assert (poller.watched, poller.status_filter, poller.source) == (None, None, None)
    assert poller.followed == () and poller.current_delay == 2.0


async def test_the_first_tick_lists_the_catalog_whatever_the_clock_says(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    machine = new_machine(sfn)
    poll = running(interval=0.05, catalog_interval=1e12)  # longer than any uptime
    poll.poller.watch(machine)
    await poll.seen(CatalogFetched)
    await poll.seen(ExecutionsFetched, 3)
    assert len(poll.of(CatalogFetched)) == 1 and proxy.count("ListStateMachines") == 1


async def test_a_page_asked_for_before_the_watch_changed_is_not_shown(
    running: Any, sfn: Any, proxy: FaultProxy
) -> None:
    """The operator switches the status filter while a listing is on its way: the page
    that comes back is for the old filter and is dropped, not shown under the new one."""
    machine = new_machine(sfn)
    proxy.fault("ListExecutions", "hang")
    poll = running(interval=0.05, catalog_interval=3600)
    poll.poller.watch(machine)
    await until(lambda: proxy.held("ListExecutions") == 1, "the listing held")
    poll.poller.watch(machine, "RUNNING")
    proxy.clear()
    fetched = await poll.seen(ExecutionsFetched, 2)
    assert [f.status_filter for f in fetched] == ["RUNNING", "RUNNING"]
    assert all(f.at is not None for f in fetched)


async def test_each_outage_is_logged_once_as_a_warning_and_its_end_as_info(
    running: Any, sfn: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """The operator's log: the first failed refresh of an outage is a warning, the
    next ones info, the recovery says how long data was not fresh; a second outage
    starts counting again."""
    machine = new_machine(sfn)
    poll = running(interval=30, catalog_interval=3600)  # ticks when the test says
    poll.poller.watch(machine)
    await poll.seen(ExecutionsFetched)
    with caplog.at_level(logging.INFO, logger="sfn_tui.core.poller"):
        for outage in (1, 2):
            proxy.throttle("ListExecutions", times=2)
            for failures in (1, 2):
                poll.poller.refresh(catalog=False)
                await poll.seen(PollFailed, 2 * (outage - 1) + failures)
            poll.poller.refresh(catalog=False)
            await poll.seen(PollRecovered, outage)
    records = [(r.levelname, r.getMessage()) for r in caplog.records]
    failed = [(level, text.split(":")[0]) for level, text in records if "failed" in text]
    assert (
        failed
        == [
            ("WARNING", "Refresh failed (throttled), 1 in a row"),
            ("INFO", "Refresh failed (throttled), 2 in a row"),
        ]
        * 2
    )
    assert records[0][1].endswith("(Rate exceeded); next attempt in 30 s")  # the error
    recovered = [(level, text) for level, text in records if text.startswith("Refreshing")]
    outages = [u.outage_seconds for u in poll.of(PollRecovered)]
    assert recovered == [
        ("INFO", f"Refreshing again after {seconds:.0f} s without fresh data")
        for seconds in outages
    ]
    assert [f.failures for f in poll.of(PollFailed)] == [1, 2, 1, 2]
