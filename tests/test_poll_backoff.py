"""Backoff is what the endpoint sees, not only what the header says: during an outage
(every polled call answered HTTP 503 by the fault proxy), the calls that reach the
proxy per minute fall far below the polling rate, for the dashboard's poller and for
the inbox's long polls alike; when the endpoint is back, polling resumes.

Counts are upper bounds on a rate: a loaded machine only makes fewer calls, so the
bounds hold however slow the test runs. The poll interval is 0.5 s (120 calls a minute
per listing); the poller doubles its wait after each failure (2, 4, 8, ... s, at most
30 s), the inbox's long polls too (1, 2, 4, ... s)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for

REGION = "ap-southeast-4"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-backoff"
FAST = ClientSettings(read_timeout=2, connect_timeout=1, long_poll_read_timeout=5, max_attempts=1)
POLL_INTERVAL = 0.5
POLLED = ("ListStateMachines", "ListActivities", "ListExecutions", "GetActivityTask")


proxy = fault_proxy_fixture()


@pytest.fixture
def world(engine: str) -> dict[str, str]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"backoff-{tag}")["activityArn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(
        name=f"backoff-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return {"activity": activity, "machine": machine, "name": f"backoff-{tag}"}


class Window:
    """Calls of one operation reaching the proxy from now on, per minute."""

    def __init__(self, proxy: FaultProxy, operation: str) -> None:
        self.proxy, self.operation = proxy, operation
        self.start_count = proxy.count(operation)
        self.started = time.monotonic()

    @property
    def calls(self) -> int:
        return self.proxy.count(self.operation) - self.start_count

    def per_minute(self) -> float:
        return self.calls * 60 / (time.monotonic() - self.started)


async def test_an_outage_slows_the_calls_that_reach_the_endpoint(
    proxy: FaultProxy, world: dict[str, str]
) -> None:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=POLL_INTERVAL,
        catalog_interval=POLL_INTERVAL,  # the catalog on every tick: one listing a tick
        client_settings=FAST,
        worked_activities=frozenset({world["name"]}),
    )
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(
            pilot, lambda: world["machine"] in dashboard.machines.items, what="machine listed"
        )
        dashboard.machines.select_key(world["machine"])
        await wait_for(
            pilot,
            lambda: dashboard.watched is not None and dashboard.watched.arn == world["machine"],
            what="machine watched",
        )
        inbox = app.inbox
        assert inbox is not None
        await wait_for(pilot, lambda: world["activity"] in inbox.worked, what="activity worked")
        # A healthy endpoint first: the listings go out at the poll interval.
        healthy = Window(proxy, "ListExecutions")
        await wait_for(pilot, lambda: healthy.calls >= 6, what="six polls")
        assert healthy.per_minute() > 20  # the measure sees polling when there is some

        for operation in POLLED:
            proxy.fault(operation, "status", status=503)
        windows = {op: Window(proxy, op) for op in ("ListStateMachines", "ListExecutions")}
        long_polls = Window(proxy, "GetActivityTask")

        def poller_failures() -> int:
            failed = app.poll_failure
            return failed.failures if failed is not None else 0

        def inbox_failures() -> int:
            error = inbox.poll_errors.get(world["activity"])
            return error.failures if error is not None else 0

        # Four failed ticks take at least 2 + 4 + 8 s of backoff; four failed long polls
        # at least 1 + 2 + 4 s.
        await wait_for(
            pilot,
            lambda: poller_failures() >= 4 and inbox_failures() >= 4,
            timeout=60,
            what="four failures each",
        )
        for operation, window in windows.items():
            assert window.calls <= poller_failures() + 1, operation
            rate = window.per_minute()
            # Four calls in at least 14 s: at most ~21 a minute, against 120 without.
            assert rate <= 25, f"{operation}: {rate:.0f} calls a minute during the outage"
        rate = long_polls.per_minute()
        assert long_polls.calls <= inbox_failures() + 1
        assert rate <= 40, f"GetActivityTask: {rate:.0f} calls a minute during the outage"

        proxy.clear()
        back = Window(proxy, "ListExecutions")
        await wait_for(
            pilot, lambda: app.poll_failure is None and back.calls >= 3, timeout=40, what="back"
        )
        await wait_for(pilot, lambda: inbox_failures() == 0, timeout=40, what="inbox back")


def test_the_window_counts_calls_per_minute() -> None:
    """The measure itself: a call a second is 60 a minute, within the clock's error."""

    class Counting:
        def __init__(self) -> None:
            self.n = 0

        def count(self, _operation: str) -> int:
            return self.n

    counting = Counting()
    window = Window(counting, "X")  # type: ignore[arg-type]
    window.started -= 10.0
    counting.n = 10
    assert 55 <= window.per_minute() <= 60.1
    assert window.calls == 10
