"""The dashboard through a fault-injecting proxy in front of the real engine: an endpoint
down at start or lost mid-session, throttling, hung calls, malformed answers, broken
connections and refused credentials. Each is seen on screen, the app keeps running and
recovers without a restart."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.core.poller import CREDENTIALS_PAUSE, PollFailed
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.formatting import clock_time
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.test_modals import type_into

REGION = "af-south-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
WAIT_ONE = {
    "StartAt": "Hold",
    "States": {"Hold": {"Type": "Wait", "Seconds": 1, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}
# Short timeouts and no botocore retries: a hung call is given up in about a second.
FAST = ClientSettings(read_timeout=1.5, connect_timeout=1, long_poll_read_timeout=5, max_attempts=1)
POLLED = ("ListStateMachines", "ListActivities", "ListExecutions")
CLOCK = re.compile(r"\d\d:\d\d:\d\d")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


proxy = fault_proxy_fixture()


def make_app(endpoint: str, settings: ClientSettings = FAST, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(
        connection, poll_interval=0.5, catalog_interval=1.0, client_settings=settings, **kwargs
    )


def create_machine(sfn: Any, prefix: str) -> str:
    return str(
        sfn.create_state_machine(
            name=unique(prefix), definition=json.dumps(WAIT_ONE), roleArn=ROLE
        )["stateMachineArn"]
    )


def record_notices(app: SfnTuiApp) -> list[str]:
    """Every notification the app shows from now on, as "title: message"."""
    seen: list[str] = []
    original: Callable[..., None] = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(f"{kwargs.get('title', '')}: {message}")
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


def header(app: SfnTuiApp) -> str:
    return screen_text(app).splitlines()[0]


def failure(app: SfnTuiApp) -> PollFailed | None:
    return app.poll_failure


def healthy(app: SfnTuiApp) -> bool:
    return app.poll_failure is None and "refreshed" in header(app)


async def watch(pilot: Any, app: SfnTuiApp, machine_arn: str) -> None:
    """Select the machine so its executions are polled too."""
    dashboard = app.dashboard
    await wait_for(pilot, lambda: machine_arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(machine_arn)
    await wait_for(
        pilot,
        lambda: dashboard.watched is not None and dashboard.watched.arn == machine_arn,
        what="machine watched",
    )


async def test_endpoint_down_at_start_is_named_retried_and_fills_in_when_up(
    engine: str, sfn: Any
) -> None:
    machine_arn = create_machine(sfn, "fault-start")
    proxy = FaultProxy(engine)
    await proxy.start(refusing=True)  # nothing listens on its port yet
    try:
        app = make_app(proxy.url)
        notices = record_notices(app)  # from the start: the first failure comes at once
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(
                pilot, lambda: "disconnected since" in header(app), what="disconnected shown"
            )
            assert CLOCK.search(header(app))
            await wait_for(
                pilot,
                lambda: any(f"cannot reach the endpoint {proxy.url}" in n for n in notices),
                what="the endpoint named",
            )
            first = failure(app)
            assert first is not None
            await wait_for(
                pilot,
                lambda: (f := failure(app)) is not None and f.failures >= 2,
                what="a retry",
            )
            second = failure(app)
            assert second is not None and second.retry_in > first.retry_in  # backing off
            assert app.dashboard.machines.items == {}

            await proxy.allow()  # the endpoint comes up
            await wait_for(
                pilot,
                lambda: machine_arn in app.dashboard.machines.items,
                timeout=30,
                what="panes filled without a restart",
            )
            await wait_for(pilot, lambda: healthy(app), what="header back to normal")
            await wait_shown(pilot, absent=("stale",))
            assert app.return_code is None
    finally:
        await proxy.stop()


async def test_endpoint_lost_mid_session_keeps_stale_data_then_recovers(
    sfn: Any, proxy: FaultProxy
) -> None:
    machine_arn = create_machine(sfn, "fault-lost")
    machine_name = machine_arn.rsplit(":", 1)[1]
    app = make_app(proxy.url)
    async with app.run_test(size=(160, 40)) as pilot:
        await watch(pilot, app, machine_arn)
        run = sfn.start_execution(stateMachineArn=machine_arn, name=unique("before"))
        await wait_for(
            pilot,
            lambda: run["executionArn"] in app.dashboard.executions.items,
            what="run listed",
        )

        await proxy.refuse()  # the endpoint goes away
        await wait_for(pilot, lambda: "disconnected since" in header(app), what="disconnected")
        since = CLOCK.search(header(app).split("disconnected since", 1)[1])
        assert since is not None
        # Last known data kept on screen, and marked stale.
        await wait_for(
            pilot, lambda: screen_text(app).count("· stale") >= 3, what="every pane marked stale"
        )
        await wait_shown(pilot, machine_name, "State machines · stale", "Executions")
        assert run["executionArn"] in app.dashboard.executions.items

        newcomer = create_machine(sfn, "fault-while-down")
        await proxy.allow()  # and comes back
        await wait_for(
            pilot,
            lambda: newcomer in app.dashboard.machines.items,
            timeout=30,
            what="changes made during the outage shown",
        )
        await wait_for(pilot, lambda: healthy(app), what="recovered")
        await wait_shown(pilot, absent=("stale",))
        assert machine_arn in app.dashboard.machines.items


async def test_sustained_throttling_slows_polling_and_actions_still_work(
    sfn: Any, proxy: FaultProxy
) -> None:
    machine_arn = create_machine(sfn, "fault-throttle")
    app = make_app(proxy.url)
    async with app.run_test(size=(160, 40)) as pilot:
        await watch(pilot, app, machine_arn)
        for operation in POLLED:
            proxy.throttle(operation)
        await wait_for(pilot, lambda: "throttled since" in header(app), what="throttled shown")
        await wait_for(
            pilot,
            lambda: (f := failure(app)) is not None and f.failures >= 2,
            timeout=30,
            what="throttled twice",
        )
        slowed = failure(app)
        assert slowed is not None and slowed.kind == "throttled"
        assert slowed.retry_in > app.poll_interval  # the poller slows down ...
        assert f"one refresh every {slowed.retry_in:.0f}s" in header(app)  # ... visibly

        # A user action still goes through (StartExecution is not throttled) ...
        name = unique("during-throttling")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="modal")
        await type_into(pilot, app.screen, "#start-name", name)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, StartExecutionScreen), what="started"
        )
        started = sfn.list_executions(stateMachineArn=machine_arn)["executions"]
        assert name in {e["name"] for e in started}

        # ... or, when it is throttled too, says so in words.
        proxy.throttle("StartExecution")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="modal")
        await type_into(pilot, app.screen, "#start-name", unique("refused"))
        app.screen.query_one(JsonEditor).replace_text("{}")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: "throttled by the service (too many requests)" in screen_text(app),
            what="throttling explained",
        )
        await pilot.press("escape")
        assert app.return_code is None

        proxy.clear()
        await wait_for(pilot, lambda: healthy(app), timeout=40, what="recovered")
        assert app.poller is not None and app.poller.current_delay == app.poll_interval


async def test_hung_call_times_out_and_is_reported_without_freezing_the_ui(
    sfn: Any, proxy: FaultProxy
) -> None:
    machine_arn = create_machine(sfn, "fault-hang")
    # A read timeout long enough that the help screen opens while the call still hangs,
    # even on a loaded machine (1.5 s was not, at a load average of 7).
    app = make_app(proxy.url, replace(FAST, read_timeout=8))
    async with app.run_test(size=(160, 40)) as pilot:
        await watch(pilot, app, machine_arn)
        proxy.fault("ListExecutions", "hang")
        await wait_for(pilot, lambda: proxy.held("ListExecutions") > 0, what="a call hanging")
        # The UI answers keys while the call hangs.
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help opened")
        assert proxy.held("ListExecutions") > 0, "the help screen waited for the hung call"
        await pilot.press("escape")

        await wait_for(
            pilot, lambda: "no answer since" in header(app), timeout=30, what="timeout reported"
        )
        assert "ListExecutions timed out" in header(app)
        hung = failure(app)
        assert hung is not None and hung.kind == "timeout"
        assert "did not answer in time" in str(hung.error)

        proxy.clear()
        run = sfn.start_execution(stateMachineArn=machine_arn, name=unique("after-hang"))
        await wait_for(
            pilot,
            lambda: run["executionArn"] in app.dashboard.executions.items,
            timeout=30,
            what="the poller went on",
        )
        await wait_for(pilot, lambda: healthy(app), what="recovered")


async def test_malformed_response_is_a_service_error_and_the_app_goes_on(
    sfn: Any, proxy: FaultProxy
) -> None:
    machine_arn = create_machine(sfn, "fault-malformed")
    app = make_app(proxy.url)
    notices = record_notices(app)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: machine_arn in app.dashboard.machines.items, what="listed")
        proxy.fault("ListStateMachines", "malformed")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: "the service sent a malformed response" in header(app),
            what="malformed response reported",
        )
        assert any("ListStateMachines failed: the service sent a malformed" in n for n in notices)
        assert machine_arn in app.dashboard.machines.items  # not emptied by a bad answer
        proxy.clear()
        await pilot.press("r")
        await wait_for(pilot, lambda: healthy(app), what="recovered")
        assert app.return_code is None


@pytest.mark.parametrize(
    ("kind", "options", "words"),
    [
        ("status", {"status": 503}, "internal error (HTTP 503)"),
        ("status", {"status": 500}, "internal error (HTTP 500)"),
        ("drop", {}, "disconnected since"),
        ("drop_mid", {}, "disconnected since"),
    ],
)
async def test_server_errors_and_broken_connections_are_reported_and_survived(
    sfn: Any, proxy: FaultProxy, kind: Any, options: dict[str, Any], words: str
) -> None:
    machine_arn = create_machine(sfn, "fault-5xx")
    app = make_app(proxy.url)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: machine_arn in app.dashboard.machines.items, what="listed")
        proxy.fault("ListStateMachines", kind, **options)
        await pilot.press("r")
        await wait_for(pilot, lambda: words in header(app), what=f"{kind} reported")
        assert proxy.served("ListStateMachines") >= 1
        assert machine_arn in app.dashboard.machines.items
        proxy.clear()
        await pilot.press("r")
        await wait_for(pilot, lambda: healthy(app), what="recovered")


async def test_expired_credentials_pause_polling_and_say_how_to_renew(
    sfn: Any, proxy: FaultProxy
) -> None:
    machine_arn = create_machine(sfn, "fault-creds")
    app = make_app(proxy.url)
    notices = record_notices(app)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: machine_arn in app.dashboard.machines.items, what="listed")
        proxy.fault(
            "*",
            "error",
            status=400,
            code="ExpiredTokenException",
            message="The security token included in the request is expired",
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: "polling paused since" in header(app), what="paused")
        assert "aws sso login" in header(app)
        assert any("Polling paused" in n and "aws sso login" in n for n in notices)
        paused = failure(app)
        assert paused is not None and paused.kind == "credentials"
        assert paused.retry_in == CREDENTIALS_PAUSE  # paused, not hammering the service
        assert machine_arn in app.dashboard.machines.items

        proxy.clear()  # the operator renewed the credentials ...
        await pilot.press("r")  # ... and asks for a refresh
        await wait_for(pilot, lambda: healthy(app), what="polling resumed")


# The client waits as long as AWS's would (15 s here, no retries): lateness must be said
# long before the call gives up.
PATIENT = ClientSettings(
    read_timeout=30, connect_timeout=1, long_poll_read_timeout=35, max_attempts=1
)
NO_ANSWER_FOR = re.compile(r"no answer for (\d+)s")


async def test_a_late_poll_is_said_at_once_counting_up_from_the_last_refresh(
    sfn: Any, proxy: FaultProxy
) -> None:
    """A hung ListExecutions: within seconds (not at the client's timeout) the header
    stops saying "refreshed" and says "no answer for Ns", counting up, with the time of
    the last good refresh; the answer, when it comes, brings the header back."""
    machine_arn = create_machine(sfn, "fault-late")
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, client_settings=PATIENT)
    async with app.run_test(size=(160, 40)) as pilot:
        await watch(pilot, app, machine_arn)
        await wait_for(pilot, lambda: healthy(app), what="healthy")
        proxy.fault("ListExecutions", "hang")
        await wait_for(pilot, lambda: proxy.held("ListExecutions") > 0, what="a call hanging")
        assert app.refreshed_at is not None
        last_good = clock_time(app.refreshed_at, app.tz)

        await wait_for(
            pilot, lambda: "no answer for" in header(app), timeout=12, what="lateness said"
        )
        first = header(app)
        assert "refreshed" not in first
        assert f"last refresh {last_good}" in first
        seconds = NO_ANSWER_FOR.search(first)
        assert seconds is not None
        await wait_for(
            pilot,
            lambda: (
                (m := NO_ANSWER_FOR.search(header(app))) is not None
                and int(m.group(1)) > int(seconds.group(1))
            ),
            what="counting up",
        )
        assert proxy.held("ListExecutions") > 0  # still the same call, not a timeout

        proxy.clear()  # the answer arrives
        await wait_for(pilot, lambda: healthy(app), what="refreshed again")
        await wait_shown(pilot, absent=("no answer",))
