"""Activity tasks through a fault-injecting proxy in front of the real engine: a claimed
task outlives a dropped connection, a failed send keeps the task for a retry, a refused
retry after a send lost in transit is called ambiguous, and quitting during an open
long poll fails the task it brings instead of losing it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import SHUTDOWN_ERROR, InboxTask, TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-north-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
REVIEW = {
    "StartAt": "Review",
    "States": {
        "Review": {"Type": "Task", "Resource": "ACTIVITY", "TimeoutSeconds": 120, "End": True}
    },
}
# Short timeouts, no botocore retries; the long poll's read timeout stays above the
# engine's hold (1 s in tests), as it must.
FAST = ClientSettings(read_timeout=1.5, connect_timeout=1, long_poll_read_timeout=8, max_attempts=1)


proxy = fault_proxy_fixture()


@pytest.fixture
def review(engine: str) -> tuple[Any, str, str]:
    """A machine whose one Task state waits on a fresh activity: (boto client, activity
    ARN, machine ARN)."""
    sfn = boto_client("stepfunctions", engine, REGION)
    activity_arn = sfn.create_activity(name=f"fault-review-{uuid.uuid4().hex[:6]}")["activityArn"]
    definition = json.dumps(REVIEW).replace("ACTIVITY", activity_arn)
    machine_arn = sfn.create_state_machine(
        name=f"fault-review-{uuid.uuid4().hex[:6]}", definition=definition, roleArn=ROLE
    )["stateMachineArn"]
    return sfn, activity_arn, machine_arn


def make_app(endpoint: str, activity_arn: str, settings: ClientSettings = FAST) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({activity_arn.rsplit(":", 1)[1]}),
        client_settings=settings,
    )


def start(sfn: Any, machine_arn: str, marker: str) -> str:
    return str(
        sfn.start_execution(
            stateMachineArn=machine_arn, name=f"r-{marker[:12]}", input=json.dumps({"m": marker})
        )["executionArn"]
    )


def task_with(app: SfnTuiApp, marker: str) -> InboxTask | None:
    inbox = app.inbox
    if inbox is None:
        return None
    return next((t for t in inbox.tasks if marker in t.input), None)


def status_of(sfn: Any, run: str) -> str:
    return str(sfn.describe_execution(executionArn=run)["status"])


async def open_chat_on(pilot: Any, app: SfnTuiApp, marker: str) -> InboxTask:
    """Wait for the task to be claimed, open the chat pane and pick it."""
    await wait_for(
        pilot,
        lambda: (t := task_with(app, marker)) is not None and t.execution_arn is not None,
        what="task claimed and its run found",
    )
    item = task_with(app, marker)
    assert item is not None
    if not isinstance(app.screen, ChatScreen):
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat opened")
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    chat.task_id, chat.execution_arn = item.id, item.execution_arn  # as picking it does
    chat.tasks_changed()
    await wait_for(pilot, lambda: marker in screen_text(app), what="task shown")
    return item


async def send_reply(pilot: Any, app: SfnTuiApp, reply: dict[str, Any]) -> None:
    app.screen.query_one("#json-reply").text = json.dumps(reply)  # type: ignore[attr-defined]
    await pilot.press("ctrl+s")


async def test_claimed_task_outlives_a_dropped_connection(
    review: tuple[Any, str, str], proxy: FaultProxy
) -> None:
    sfn, activity_arn, machine_arn = review
    first = uuid.uuid4().hex
    run = start(sfn, machine_arn, first)
    app = make_app(proxy.url, activity_arn)
    async with app.run_test(size=(140, 40)) as pilot:
        item = await open_chat_on(pilot, app, first)
        assert item.execution_arn == run
        inbox = app.inbox
        assert inbox is not None

        await proxy.refuse()  # the connection drops
        await wait_for(pilot, lambda: "disconnected since" in screen_text(app), what="outage")
        await wait_for(pilot, lambda: activity_arn in inbox.poll_errors, what="polls failing")
        await inbox.check_now()  # a liveness check that cannot reach the endpoint ...
        assert item.status is TaskStatus.WAITING  # ... keeps the task
        # A long poll the engine still holds for a cut connection would take a new task
        # with it (AWS would too: a token handed to a dead connection is lost until the
        # task times out). Start the next run once the engine holds none.
        await wait_for(pilot, lambda: not proxy.upstream.get("GetActivityTask"), what="no poll")
        second = uuid.uuid4().hex
        later = start(sfn, machine_arn, second)  # a task comes up during the outage

        await send_reply(pilot, app, {"ok": first})
        await wait_for(
            pilot, lambda: item.status is TaskStatus.SEND_FAILED, what="send failed, task kept"
        )
        assert not item.send_uncertain  # refused: certainly not delivered
        await wait_shown(pilot, "Ctrl+R sends it again")
        assert item in inbox.claimed()

        await proxy.allow()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: status_of(sfn, run) == "SUCCEEDED", what="retry delivered")
        assert json.loads(sfn.describe_execution(executionArn=run)["output"]) == {"ok": first}

        # The task that came up while the connection was down is not lost either.
        late = await open_chat_on(pilot, app, second)
        await send_reply(pilot, app, {"ok": second})
        await wait_for(pilot, lambda: status_of(sfn, later) == "SUCCEEDED", what="answered")
        assert late.status is TaskStatus.ANSWERED


async def test_send_failing_with_500_keeps_the_task_for_a_retry(
    review: tuple[Any, str, str], proxy: FaultProxy
) -> None:
    sfn, activity_arn, machine_arn = review
    marker = uuid.uuid4().hex
    run = start(sfn, machine_arn, marker)
    app = make_app(proxy.url, activity_arn)
    async with app.run_test(size=(140, 40)) as pilot:
        item = await open_chat_on(pilot, app, marker)
        proxy.fault("SendTaskSuccess", "status", status=500)
        await send_reply(pilot, app, {"approved": True})
        await wait_for(
            pilot,
            lambda: "The answer was not delivered" in screen_text(app),
            what="failure shown",
        )
        assert item.status is TaskStatus.SEND_FAILED
        assert "internal error (HTTP 500)" in (item.last_error or "")
        await wait_shown(pilot, "Ctrl+R sends it again")
        assert status_of(sfn, run) == "RUNNING"

        proxy.clear()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: status_of(sfn, run) == "SUCCEEDED", what="retry delivered")
        assert item.status is TaskStatus.ANSWERED
        output = json.loads(sfn.describe_execution(executionArn=run)["output"])
        assert output == {"approved": True}


async def test_refused_retry_after_a_send_lost_in_transit_is_called_ambiguous(
    review: tuple[Any, str, str], proxy: FaultProxy
) -> None:
    """The operator retries (Ctrl+R) a send whose reply was lost."""
    sfn, activity_arn, machine_arn = review
    marker = uuid.uuid4().hex
    run = start(sfn, machine_arn, marker)
    app = make_app(proxy.url, activity_arn)
    async with app.run_test(size=(140, 40)) as pilot:
        item = await open_chat_on(pilot, app, marker)
        # The engine takes the answer, but the connection breaks before its reply arrives.
        proxy.fault("SendTaskSuccess", "drop_mid", times=1)
        await send_reply(pilot, app, {"approved": True})
        await wait_for(pilot, lambda: item.status is TaskStatus.SEND_FAILED, what="send failed")
        assert item.send_uncertain
        await wait_for(pilot, lambda: status_of(sfn, run) == "SUCCEEDED", what="it was delivered")

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: item.status is TaskStatus.EXPIRED, what="retry refused")
        assert ("SendTaskSuccess", 400, "TaskTimedOut") in proxy.answers
        assert "may have been delivered" in (item.reason or "")
        await wait_shown(pilot, "may have been delivered", flat=True)
        assert item not in (app.inbox.claimed() if app.inbox else [])


async def test_send_retried_by_botocore_then_refused_is_called_ambiguous(
    review: tuple[Any, str, str], proxy: FaultProxy
) -> None:
    """botocore's own retry (AWS default settings retry a broken connection) resends an
    answer that was delivered; the "task closed" it gets is not "not delivered"."""
    sfn, activity_arn, machine_arn = review
    marker = uuid.uuid4().hex
    run = start(sfn, machine_arn, marker)
    retrying = ClientSettings(
        read_timeout=1.5, connect_timeout=1, long_poll_read_timeout=8, max_attempts=2
    )
    app = make_app(proxy.url, activity_arn, retrying)
    async with app.run_test(size=(140, 40)) as pilot:
        item = await open_chat_on(pilot, app, marker)
        proxy.fault("SendTaskSuccess", "drop_mid", times=1)
        await send_reply(pilot, app, {"approved": True})
        await wait_for(pilot, lambda: item.status is TaskStatus.EXPIRED, what="send refused")
        assert proxy.count("SendTaskSuccess") == 2  # botocore sent it twice
        assert ("SendTaskSuccess", 400, "TaskTimedOut") in proxy.answers
        assert status_of(sfn, run) == "SUCCEEDED"
        assert "may have been delivered" in (item.reason or "")
        assert "not delivered" not in (item.reason or "")


async def test_quitting_during_an_open_long_poll_fails_the_task_it_brings(
    review: tuple[Any, str, str], proxy: FaultProxy
) -> None:
    sfn, activity_arn, machine_arn = review
    app = make_app(proxy.url, activity_arn)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: app.inbox is not None and activity_arn in app.inbox.worked,
            what="activity worked",
        )
        proxy.fault("GetActivityTask", "hang")  # the next long poll stays open ...
        await wait_for(pilot, lambda: proxy.held("GetActivityTask") > 0, what="poll open")
        run = start(sfn, machine_arn, uuid.uuid4().hex)  # ... while a task comes up
        await pilot.press("q")  # nothing claimed yet: quits at once
        await wait_for(pilot, lambda: app.inbox is not None and app.inbox.closing, what="closing")
        proxy.clear()  # the open poll reaches the engine and brings the task
        await wait_for(pilot, lambda: status_of(sfn, run) == "FAILED", what="task failed, not lost")
        await wait_for(pilot, lambda: app.return_code is not None, what="app exited")
    described = sfn.describe_execution(executionArn=run)
    assert described["error"] == SHUTDOWN_ERROR
    assert app.inbox is not None
    [item] = app.inbox.tasks  # the one task the open poll brought: failed, not dropped
    assert item.status is TaskStatus.FAILED
