"""The inbox's rules that mutation testing found untested (scripts/mutation.py): the words
a task's reason gives for each way its run ended, AWS's limits on a failure's error and
cause, forgetting only closed tasks, what `unwork`, `hurry` and `reconnected` do, a
shutdown whose Worker.Shutdown cannot be delivered for one task of two, and what each
heartbeat outcome does to its task.

Against the embedded engine (a real client, one short run per task), each test in a
second or two, so mutmut can run them for every mutant of core/inbox.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings, StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.callback_watch import CallbackWait, CallbackWatcher
from sfn_tui.core.heartbeats import Outcome
from sfn_tui.core.inbox import (
    MAX_HISTORIES,
    RESOLVE_DELAYS,
    SHUTDOWN_ERROR,
    InboxTask,
    InvalidReply,
    NotAnswerable,
    ShutdownSummary,
    TaskInbox,
    TaskStatus,
    _status_words,
    default_worker_name,
)
from sfn_tui.core.locate import Placement
from sfn_tui.local import activities
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import REGION, boto_client, until, wait_until
from tests.test_inbox import claimed_task, finished, machine, placed, start, unique

# The words an expired task's reason gives for each status a run can end in (AWS's
# ExecutionStatus values), as the chat pane shows them.
ENDED = [
    ("SUCCEEDED", "the run already SUCCEEDED"),
    ("FAILED", "the run FAILED"),
    ("TIMED_OUT", "the run TIMED_OUT"),
    ("ABORTED", "the run was ABORTED"),
    ("PENDING_REDRIVE", "the run FAILED and is pending redrive"),
    ("SOMETHING_NEW", "the run is SOMETHING_NEW"),
]


@pytest.mark.parametrize(("status", "words"), ENDED)
def test_each_way_a_run_ends_is_said_in_words(status: str, words: str) -> None:
    assert _status_words(status) == words


@pytest.fixture
async def client(engine: str) -> AsyncIterator[StepFunctionsClient]:
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    ) as sfn:
        yield sfn


@pytest.fixture
async def inbox(client: StepFunctionsClient) -> AsyncIterator[TaskInbox]:
    """Checks runs only when a test calls `check_now` (no liveness loop in between)."""
    box = TaskInbox(client, worker_name=unique("rules"), liveness_interval=3600)
    yield box
    if not box.closing:
        await box.shutdown(grace=0)


async def tasks_of(
    client: StepFunctionsClient, inbox: TaskInbox, count: int, **fields: object
) -> tuple[list[InboxTask], list[str]]:
    """`count` runs of one new machine, each with its claimed task (in run order)."""
    act, sm = await machine(client, TimeoutSeconds=60, **fields)
    inbox.work(act)
    runs = [await start(client, sm, {"n": n}) for n in range(count)]
    items = await claimed_task(inbox, act, count)
    for item in items:
        await placed(item)
    by_run = {item.execution_arn: item for item in items}
    return [by_run[run] for run in runs], runs


async def test_tasks_of_runs_ended_elsewhere_expire_saying_how_each_ended(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    (done, failed, stopped, going), runs = await tasks_of(client, inbox, 4)
    await client.send_task_success(done.task.token, "{}")
    await client.send_task_failure(failed.task.token, "Elsewhere", "failed by someone else")
    await client.stop_execution(runs[2])
    for run in runs[:3]:
        await finished(client, run)

    await inbox.check_now()

    assert [done.reason, failed.reason, stopped.reason] == [
        "The run already SUCCEEDED.",
        "The run FAILED.",
        "The run was ABORTED.",
    ]
    assert [t.status for t in (done, failed, stopped)] == [TaskStatus.EXPIRED] * 3
    assert going.status is TaskStatus.WAITING and going.reason is None
    assert inbox.claimed() == [going]


async def test_a_failure_is_refused_over_aws_limits_and_sent_at_them(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """SendTaskFailure: error at most 256 characters, cause at most 32,768."""
    (item, plain), (run, plain_run) = await tasks_of(client, inbox, 2)
    assert (await inbox.fail(plain.id, "OnlyAnError")).status is TaskStatus.FAILED
    detail = await finished(client, plain_run)
    assert (detail.error, detail.cause or "") == ("OnlyAnError", "")  # no cause given: none
    with pytest.raises(InvalidReply) as refused:
        await inbox.fail(item.id, "E" * 257)
    assert str(refused.value) == (
        "The error name is 257 characters; at most 256 are allowed. Nothing was sent."
    )
    with pytest.raises(InvalidReply) as refused:
        await inbox.fail(item.id, "E", "c" * 32_769)
    assert str(refused.value) == (
        "The cause is 32,769 characters; at most 32,768 are allowed. Nothing was sent."
    )
    assert item.status is TaskStatus.WAITING
    assert (await client.describe_execution(run)).execution.status == "RUNNING"

    error, cause = "E" * 256, "c" * 32_768
    assert (await inbox.fail(item.id, error, cause)).status is TaskStatus.FAILED
    detail = await finished(client, run)
    assert (detail.execution.status, detail.error, detail.cause) == ("FAILED", error, cause)
    with pytest.raises(NotAnswerable, match="it is failed"):
        await inbox.fail(item.id, "Again")


async def test_only_a_closed_task_is_forgotten(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    (first, second), _ = await tasks_of(client, inbox, 2)
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)

    with pytest.raises(NotAnswerable) as refused:
        inbox.forget(first.id)
    assert str(refused.value) == f"Task {first.id} is still open; answer or fail it first."
    assert inbox.get(first.id) is first and changes == []

    await inbox.answer(first.id, "{}")
    changes.clear()
    inbox.forget(first.id)
    assert inbox.tasks == [second] and changes
    with pytest.raises(KeyError):
        inbox.get(first.id)


proxy = fault_proxy_fixture()


@pytest.fixture
async def through_proxy(proxy: FaultProxy) -> AsyncIterator[StepFunctionsClient]:
    settings = ClientSettings(
        read_timeout=2, connect_timeout=1, long_poll_read_timeout=5, max_attempts=1
    )
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True), settings
    ) as sfn:
        yield sfn


def poll_loop(arn: str) -> asyncio.Task[object]:
    [loop] = [t for t in asyncio.all_tasks() if t.get_name() == f"inbox-poll {arn}"]
    return loop


async def test_unworking_an_activity_backing_off_stops_it_and_clears_its_error(
    client: StepFunctionsClient, through_proxy: StepFunctionsClient, proxy: FaultProxy
) -> None:
    act, _ = await machine(client)
    proxy.throttle("GetActivityTask")
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
    try:
        box.work(act)
        await until(lambda: act in box.poll_errors, "the throttled poll")
        loop = poll_loop(act)
        await until(lambda: not box.is_polling(act), "the backoff between polls")
        changes: list[int] = []
        box.on_change = lambda: changes.append(1)

        box.unwork(act)

        assert box.worked == set() and box.poll_errors == {} and changes
        box.unwork(act)  # again, or an activity never worked: nothing to stop
        with pytest.raises(asyncio.CancelledError):
            await loop  # cancelled in its backoff, not left to end after it
    finally:
        await box.shutdown(grace=0)


async def test_working_an_activity_again_keeps_its_one_poll_loop(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """`work` is idempotent: one long poll per activity at a time, however often the
    catalog or a key asks (two loops would claim two tasks at once)."""
    act, _ = await machine(client)
    inbox.work(act)
    loop = poll_loop(act)
    inbox.work(act)
    inbox.work(act)
    assert poll_loop(act) is loop and inbox.worked == {act}


async def test_an_activity_deleted_while_worked_is_no_longer_worked_and_says_why(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    from sfn_tui.aws.errors import NotFound

    act, _ = await machine(client)
    await client.delete_activity(act)
    before = datetime.now(UTC)
    inbox.work(act)
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)
    await until(lambda: act in inbox.poll_errors, "the refused poll")
    error = inbox.poll_errors[act]
    assert isinstance(error.error, NotFound)
    assert error.failures == 1 and error.retry_in == 0.0  # not retried: no backoff shown
    assert before <= error.since <= datetime.now(UTC)
    assert act not in inbox.worked and changes
    name = f"inbox-poll {act}"
    await until(
        lambda: all(t.get_name() != name for t in asyncio.all_tasks()), "the poll loop ended"
    )


async def test_a_failing_poll_says_what_failed_how_often_since_when_and_when_again(
    client: StepFunctionsClient,
    through_proxy: StepFunctionsClient,
    proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Throttled twice: the PollError the UI shows names the error, counts the
    failures, keeps the time of the first, and says when the next try comes (1 s, then
    2 s); each failure is logged with the activity, the error and the wait, and the
    recovery with the count. A later outage counts from one again, from its own time."""
    from sfn_tui.aws.errors import Throttled

    act, _ = await machine(client)
    proxy.throttle("GetActivityTask", times=2)
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
    seen: list[tuple[int, datetime, float]] = []

    def changed() -> None:
        error = box.poll_errors.get(act)
        if error is not None and (not seen or seen[-1][0] != error.failures):
            assert isinstance(error.error, Throttled)
            seen.append((error.failures, error.since, error.retry_in))

    box.on_change = changed
    before = datetime.now(UTC)
    caplog.set_level(logging.INFO, logger="sfn_tui.core.inbox")
    try:
        box.work(act)
        await until(lambda: len(seen) == 2, "two failed polls", timeout=20)
        await until(lambda: act not in box.poll_errors, "polling works again", timeout=20)
        proxy.throttle("GetActivityTask", times=1)  # a new outage counts from one again
        await until(lambda: len(seen) == 3, "a third failed poll", timeout=20)
        await until(lambda: act not in box.poll_errors, "polling works again", timeout=20)
    finally:
        await box.shutdown(grace=0)
    (one, first, wait1), (two, since, wait2), (again, later, wait3) = seen
    assert (one, wait1, two, wait2, again, wait3) == (1, 1.0, 2, 2.0, 1, 1.0)
    assert before <= first <= datetime.now(UTC) and since == first and later > first
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Polling")]
    why = (
        "GetActivityTask failed: throttled by the service (too many requests); try again"
        " shortly (Rate exceeded)"
    )
    assert lines == [
        f"Polling {act} failed ({why}); retry in 1 s",
        f"Polling {act} failed ({why}); retry in 2 s",
        f"Polling {act} works again after 2 failed poll(s)",
        f"Polling {act} failed ({why}); retry in 1 s",
        f"Polling {act} works again after 1 failed poll(s)",
    ], lines


async def test_reconnected_checks_open_tasks_at_once(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """The endpoint answers again: a task whose run ended meanwhile is shown as expired
    without waiting for the next liveness check (an hour away here)."""
    (item,), (run,) = await tasks_of(client, inbox, 1)
    await client.stop_execution(run)
    await finished(client, run)

    inbox.reconnected()

    await until(lambda: item.status is TaskStatus.EXPIRED, "the task checked")
    assert item.reason == "The run was ABORTED."


async def test_hurry_ends_the_wait_for_polls_in_flight(
    client: StepFunctionsClient, inbox: TaskInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second q: shutdown stops waiting for the open long poll (held 30 s) at once and
    abandons it, though its grace (60 s) has not run out."""
    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)
    act, _ = await machine(client)
    inbox.hurry(5.0)  # before shutdown (a signal as the app starts): no error
    assert 0 < inbox.seconds_left() <= 5
    inbox.work(act)
    await until(lambda: inbox.is_polling(act), "a poll in flight")
    closing = asyncio.create_task(inbox.shutdown(grace=60))
    await until(lambda: inbox.closing, "shutdown to begin")
    assert inbox.seconds_left() > 30

    inbox.hurry(1000.0)  # never longer than the grace
    assert 30 < inbox.seconds_left() <= 60
    inbox.hurry(0.5)
    assert 0 < inbox.seconds_left() <= 0.5
    inbox.hurry(0.0)

    assert inbox.seconds_left() == 0.0
    summary = await asyncio.wait_for(closing, timeout=20)
    assert summary.abandoned_polls == 1
    assert summary.describe().endswith(
        "; abandoned 1 open poll(s); a task handed to one of them is lost until its timeout"
    )


async def test_a_shutdown_failure_not_delivered_is_named_and_the_rest_are_failed(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    (gone, kept), runs = await tasks_of(client, inbox, 2)
    await client.stop_execution(runs[0])  # the inbox has not checked it yet
    await finished(client, runs[0])

    summary = await inbox.shutdown(grace=1)

    assert (gone.status, kept.status) == (TaskStatus.EXPIRED, TaskStatus.FAILED)
    assert summary.failed == 1
    assert summary.not_delivered == (f"{gone.id}: {gone.reason}",)
    assert "already timed out or was answered" in (gone.reason or "")
    assert summary.describe() == (
        f"failed 1 unanswered task(s) with {SHUTDOWN_ERROR}; 1 could not be failed and will"
        " time out"
    )
    detail = await finished(client, runs[1])
    assert (detail.execution.status, detail.error) == ("FAILED", SHUTDOWN_ERROR)


async def test_each_heartbeat_outcome_from_the_keepers_thread(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """What the heartbeat keeper reports (from its own thread) reaches the task: an
    error is shown, a sent heartbeat is counted and clears the error, a refused one
    expires the task; an outcome for a task no longer listed is ignored."""
    (item, other), _ = await tasks_of(client, inbox, 2)
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)

    async def report(outcome: Outcome) -> None:
        await asyncio.to_thread(inbox._heartbeat_outcome, outcome)

    await report(Outcome(item.id, sent=False, error="SendTaskHeartbeat timed out"))
    await until(lambda: item.heartbeat_error is not None, "the error shown")
    assert item.heartbeat_error == "SendTaskHeartbeat timed out" and changes
    assert item.heartbeats_sent == 0 and item.status is TaskStatus.WAITING

    changes.clear()
    await report(Outcome(item.id, sent=True))
    await until(lambda: item.heartbeats_sent == 1, "the heartbeat counted")
    assert item.heartbeat_error is None and changes
    changes.clear()
    await report(Outcome(item.id, sent=True))
    await until(lambda: item.heartbeats_sent == 2, "the second heartbeat counted")
    assert changes == []  # nothing new to show

    await report(Outcome("T999", sent=False, gone=True))
    await report(Outcome(item.id, sent=False, gone=True))
    await until(lambda: item.status is TaskStatus.EXPIRED, "the refused heartbeat")
    assert item.reason == "It timed out or its run ended (the heartbeat was refused)."
    assert other.status is TaskStatus.WAITING and other.heartbeats_sent == 0

    await inbox.answer(other.id, "{}")
    await report(Outcome(other.id, sent=False, gone=True))  # answered meanwhile
    await report(Outcome(item.id, sent=True))  # a marker: outcomes are applied in order
    await until(lambda: item.heartbeats_sent == 3, "the marker")
    assert other.status is TaskStatus.ANSWERED and other.reason is None


async def test_a_heartbeat_outcome_after_the_inbox_loop_closed_is_dropped(
    client: StepFunctionsClient,
) -> None:
    """The keeper's thread may report after the app's loop has closed: nothing to show,
    and no error in that thread."""

    async def made() -> TaskInbox:
        return TaskInbox(client, unique("rules"), liveness_interval=3600)

    box = await asyncio.to_thread(asyncio.run, made())  # its loop is closed now
    await asyncio.to_thread(box._heartbeat_outcome, Outcome("T1", sent=True))


async def test_a_task_needing_heartbeats_without_a_sender_says_so(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    [item], _ = await tasks_of(client, inbox, 1, HeartbeatSeconds=30)
    assert item.heartbeat_seconds == 30
    assert item.heartbeat_error == "No heartbeat sender: the task may time out."


# Callbacks: runs waiting at a .waitForTaskToken Task (SQS here), found in their history --


def approval_machine(sfn: Any, sqs: Any, body: dict[str, Any], **task: Any) -> tuple[str, str]:
    """(machine ARN, queue URL): one SQS .waitForTaskToken Task named Approve."""
    tag = uuid.uuid4().hex[:8]
    queue = sqs.create_queue(QueueName=f"rules-{tag}")["QueueUrl"]
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": body},
        "End": True,
        **task,
    }
    definition = {"StartAt": "Approve", "States": {"Approve": ask}}
    machine = sfn.create_state_machine(
        name=f"rules-{tag}", definition=json.dumps(definition), roleArn=CALLBACK_ROLE
    )["stateMachineArn"]
    return machine, queue


CALLBACK_ROLE = "arn:aws:iam::123456789012:role/sfn-tui-inbox-rules"
WITH_TOKEN = {"message": "Ship order 42?", "token.$": "$$.Task.Token"}
FORMATTED = {"text.$": "States.Format('Ship order {}? token {}', $.order, $$.Task.Token)"}


@pytest.fixture
def boto(engine: str) -> tuple[Any, Any]:
    return boto_client("stepfunctions", engine, REGION), boto_client("sqs", engine, REGION)


async def callbacks_found(inbox: TaskInbox, runs: list[str]) -> list[InboxTask]:
    for run in runs:
        inbox.hint_callbacks(run)  # read every second, not at the watcher's tick
    await until(lambda: all(inbox.for_execution(run) for run in runs), "the callbacks", timeout=20)
    return [inbox.for_execution(run)[0] for run in runs]


def started(sfn: Any, machine: str, order: int = 0) -> str:
    run = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": order}))
    return str(run["executionArn"])


async def test_callbacks_are_listed_not_claimed_answered_and_expired_when_answered_elsewhere(
    inbox: TaskInbox, boto: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sfn, sqs = boto
    machine, _ = approval_machine(sfn, sqs, WITH_TOKEN, HeartbeatSeconds=30, TimeoutSeconds=300)
    runs = [started(sfn, machine), started(sfn, machine)]
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)
    inbox.follow_callbacks({machine})
    assert inbox.followed == {machine}

    with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
        mine, theirs = await callbacks_found(inbox, runs)
    assert changes  # shown as they are found
    assert f"Callback {mine.id} found in {runs[0]} (sqs:sendMessage)" in caplog.messages

    assert inbox.claimed() == [] and set(inbox.waiting()) == {mine, theirs}
    assert mine.source == "Approve (sqs:sendMessage)"
    assert mine.activity_arn == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert mine.callback is not None and mine.received_at == mine.callback.scheduled_at
    assert mine.received_at is not None
    assert (mine.heartbeat_seconds, mine.timeout_seconds) == (30, 300)
    assert mine.task.token and inbox.tokens_of(runs[0]) == [mine.task.token]
    assert inbox.tokens_of(None) == [] and mine.task.token not in mine.input
    assert json.loads(mine.input)["message"] == "Ship order 42?"

    inbox.attend(mine.id)  # answering it now: it needs heartbeats, and none can be sent
    assert mine.heartbeat_error == "No heartbeat sender: the task may time out."
    assert theirs.heartbeat_error is None
    inbox.attend(None)

    sfn.send_task_success(taskToken=theirs.task.token, output=json.dumps({"by": "someone"}))
    inbox.hint_callbacks(runs[1])
    await until(lambda: theirs.status is TaskStatus.EXPIRED, "the other callback gone")
    assert theirs.reason == (
        "It is no longer waiting: answered from elsewhere, timed out, or its run ended."
    )
    assert (await inbox.answer(mine.id, '{"ok": true}')).status is TaskStatus.ANSWERED
    until_sync(lambda: sfn.describe_execution(executionArn=runs[0])["status"] == "SUCCEEDED")
    assert mine.status is TaskStatus.ANSWERED  # not expired by the watcher afterwards


async def test_a_callbacks_token_read_elsewhere_is_adopted_once_and_settled(
    inbox: TaskInbox, boto: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sfn, sqs = boto
    machine, queue = approval_machine(sfn, sqs, FORMATTED, HeartbeatSeconds=60)
    runs = [started(sfn, machine, 1), started(sfn, machine, 2)]
    inbox.follow_callbacks({machine})
    first, second = await callbacks_found(inbox, runs)
    assert first.task.token == "" and first.callback is not None
    with pytest.raises(NotAnswerable) as refused:
        await inbox.answer(first.id, "{}")
    assert str(refused.value) == (
        f"Task {first.id} cannot be answered from here. {first.callback.why_no_token}"
    )
    token = (await tokens_on(sqs, queue, 2))["Ship order 1?"]
    settled: list[bool] = []

    async def settle(answered: bool) -> None:
        settled.append(answered)
        raise RuntimeError("the queue is gone")  # logged; the answer stands

    inbox.attend(first.id)  # being answered: it gets heartbeats once it has a token
    assert first.heartbeat_error is None
    with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
        assert inbox.adopt_token(first.id, token, settle) is first
    assert f"Task {first.id}: its token was read from where the run sent it" in caplog.messages
    assert first.task.token == token and token not in first.input
    assert first.callback.token == token and first.callback.why_no_token == ""
    assert first.heartbeat_error == "No heartbeat sender: the task may time out."
    assert inbox.tokens_of(runs[0]) == [token]
    with pytest.raises(NotAnswerable) as refused:
        inbox.adopt_token(first.id, token)
    assert str(refused.value) == f"Task {first.id} does not wait for a token."
    with pytest.raises(NotAnswerable) as refused:
        inbox.adopt_token(second.id, token)
    assert str(refused.value) == "That token belongs to another task on the list."
    assert second.task.token == "" and second.heartbeat_error is None

    with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
        assert (await inbox.answer(first.id, '{"ok": 1}')).status is TaskStatus.ANSWERED
        failed = f"Task {first.id}: settling where its token came from failed"
        await until(lambda: failed in caplog.messages, "the settle's failure logged")
    assert settled == [True] and first.settle is None and first.status is TaskStatus.ANSWERED
    until_sync(lambda: sfn.describe_execution(executionArn=runs[0])["status"] == "SUCCEEDED")
    assert sfn.describe_execution(executionArn=runs[1])["status"] == "RUNNING"


async def test_shutdown_waits_for_a_settle_started_just_before_it(
    inbox: TaskInbox, boto: tuple[Any, Any]
) -> None:
    """A callback answered just before quitting: settling where its token came from
    (deleting the queue message) is under way when shutdown starts; shutdown returns
    only once it has ended. Ordering only: the settle is held on an event and shutdown
    has nothing else to wait for (no claimed task, no poll)."""
    sfn, sqs = boto
    machine, queue = approval_machine(sfn, sqs, FORMATTED)
    run = started(sfn, machine, 1)
    inbox.follow_callbacks({machine})
    (item,) = await callbacks_found(inbox, [run])
    token = (await tokens_on(sqs, queue, 1))["Ship order 1?"]
    release = asyncio.Event()
    settled: list[bool] = []

    async def settle(answered: bool) -> None:
        await release.wait()
        settled.append(answered)

    inbox.adopt_token(item.id, token, settle)
    assert (await inbox.answer(item.id, '{"ok": 1}')).status is TaskStatus.ANSWERED
    shutting = asyncio.create_task(inbox.shutdown(grace=0))
    # Not a timing sleep: 200 turns of the event loop (no wall clock) let shutdown run
    # as far as it can; it has no I/O left but the settle. Correct code cannot flake
    # here (it is blocked on `release`, which only this test sets); code that does not
    # wait for the settle returns within those turns.
    for _ in range(200):
        await asyncio.sleep(0)
    assert not shutting.done() and settled == []
    release.set()
    await shutting
    assert settled == [True]


async def test_a_task_that_arrives_during_the_grace_and_cannot_be_failed_says_why(
    client: StepFunctionsClient, through_proxy: StepFunctionsClient, proxy: FaultProxy
) -> None:
    """A poll in flight when shutdown starts brings a task (its answer held at the
    proxy: the engine handed the task out); its Worker.Shutdown is refused. The summary
    names it and why, as for a claimed task."""
    act, machine_arn = await machine(client)
    run = await start(client, machine_arn, {"late": True})
    proxy.fault("GetActivityTask", "late", times=1)
    proxy.fault("SendTaskFailure", "status", status=500)
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
    box.work(act)
    await until(lambda: proxy.held("GetActivityTask") == 1, "the task handed out, held")
    shutting = asyncio.create_task(box.shutdown(grace=20))
    await until(lambda: box.closing, "shutting down")
    proxy.clear("GetActivityTask")
    summary = await shutting
    (late,) = box.tasks
    assert summary.arrived_during_grace == 1 and summary.failed == 0
    assert summary.not_delivered == (f"{late.id}: {late.last_error}",)
    assert late.last_error and "SendTaskFailure" in late.last_error
    assert late.status is TaskStatus.SEND_FAILED
    await client.stop_execution(run)


def until_sync(predicate: Any) -> None:
    wait_until(predicate, timeout=10, message="the engine")


async def test_only_the_attended_callback_gets_heartbeats(
    client: StepFunctionsClient, boto: tuple[Any, Any]
) -> None:
    """The person answering is the worker: heartbeats go to the callback on screen, and
    stop for it once another one is (the other's heartbeats are the clock here)."""
    sfn, sqs = boto
    machine, _ = approval_machine(sfn, sqs, WITH_TOKEN, HeartbeatSeconds=3, TimeoutSeconds=300)
    runs = [started(sfn, machine), started(sfn, machine)]
    box = TaskInbox(
        client,
        unique("rules"),
        liveness_interval=3600,
        heartbeat_client=client.heartbeat_sender,
    )
    try:
        box.follow_callbacks({machine})
        first, second = await callbacks_found(box, runs)
        assert first.heartbeats_sent == second.heartbeats_sent == 0
        box.attend(first.id)
        await until(lambda: first.heartbeats_sent >= 1, "a heartbeat for the first", timeout=20)

        box.attend(second.id)
        sent = first.heartbeats_sent
        await until(lambda: second.heartbeats_sent >= 3, "heartbeats for the second", timeout=30)
        assert first.heartbeats_sent <= sent + 1  # one may have been on its way
        box.attend(first.id)  # back: its heartbeats start again
        await until(lambda: first.heartbeats_sent >= sent + 2, "the first again", timeout=30)
    finally:
        await box.shutdown(grace=0)


async def test_a_run_waiting_at_two_callbacks_lists_each_once_as_it_comes(
    inbox: TaskInbox, boto: tuple[Any, Any]
) -> None:
    """A Parallel state waits at two callbacks: the first is listed, then the second
    when its branch gets there (after a read that saw the first again), each once."""
    sfn, sqs = boto
    tag = uuid.uuid4().hex[:8]
    queue = sqs.create_queue(QueueName=f"rules-{tag}")["QueueUrl"]
    gate = sfn.create_activity(name=f"rules-gate-{tag}")["activityArn"]

    def ask(name: str) -> dict[str, Any]:
        body = {"message": f"{name}?", "token.$": "$$.Task.Token"}
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": body},
            "TimeoutSeconds": 300,
            "End": True,
        }

    later = {"Type": "Task", "Resource": gate, "TimeoutSeconds": 300, "Next": "Second"}
    both = {
        "Type": "Parallel",
        "End": True,
        "Branches": [
            {"StartAt": "First", "States": {"First": ask("First")}},
            {"StartAt": "Gate", "States": {"Gate": later, "Second": ask("Second")}},
        ],
    }
    definition = {"StartAt": "Both", "States": {"Both": both}}
    machine = sfn.create_state_machine(
        name=f"rules-two-{tag}", definition=json.dumps(definition), roleArn=CALLBACK_ROLE
    )["stateMachineArn"]
    run = started(sfn, machine)
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)
    inbox.follow_callbacks({machine})
    [first] = await callbacks_found(inbox, [run])
    assert first.source == "First (sqs:sendMessage)"

    gate_task = await asyncio.to_thread(sfn.get_activity_task, activityArn=gate)
    changes.clear()
    sfn.send_task_success(taskToken=gate_task["taskToken"], output="{}")
    inbox.hint_callbacks(run)
    await until(lambda: len(inbox.for_execution(run)) >= 2, "the second callback", timeout=20)
    assert changes  # the new callback is shown as it is found
    assert [t.source for t in inbox.for_execution(run)] == [
        "First (sqs:sendMessage)",
        "Second (sqs:sendMessage)",
    ]
    assert first.status is TaskStatus.WAITING  # still waiting, listed once


async def test_a_new_inbox_works_nothing_at_the_documented_defaults(
    client: StepFunctionsClient,
) -> None:
    """Runs of claimed tasks checked every 5 s; a run not found is searched 12 times;
    the worker named after the host and pid; nothing worked, held or failing yet."""
    box = TaskInbox(client)
    try:
        assert box.liveness_interval == 5.0 and box.max_resolve_attempts == 12
        assert box.worker_name == default_worker_name() and box.on_change is None
        assert box.tasks == [] and box.poll_errors == {} and box.histories == {}
        assert box.worked == set() and box.waiting() == []
        assert box.closing is False and box.seconds_left() == 0.0  # not shutting down
    finally:
        await box.shutdown(grace=0)

    def told() -> None:
        pass

    given = TaskInbox(client, "me", told, liveness_interval=60, max_resolve_attempts=3)
    try:
        assert (given.worker_name, given.on_change) == ("me", told)
        assert (given.liveness_interval, given.max_resolve_attempts) == (60, 3)
    finally:
        await given.shutdown(grace=0)


async def test_an_on_change_that_raises_is_logged_and_the_inbox_goes_on(
    client: StepFunctionsClient, inbox: TaskInbox, caplog: pytest.LogCaptureFixture
) -> None:
    act, _ = await machine(client)
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("a screen gone")

    inbox.on_change = broken
    with caplog.at_level(logging.ERROR, logger="sfn_tui.core.inbox"):
        inbox.work(act)
        inbox.unwork(act)
    assert len(calls) == 2  # told again after the first raised
    assert caplog.messages == ["The inbox's on_change callback raised"] * 2
    assert all(r.exc_info is not None for r in caplog.records)  # with the traceback


def test_the_worker_name_is_host_and_pid_within_awss_80_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GetActivityTask's workerName: at most 80 characters (AWS API Reference,
    GetActivityTask); a long host name is cut, the pid is kept whole."""
    pid = str(os.getpid())
    monkeypatch.setattr(socket, "gethostname", lambda: "ops-box")
    assert default_worker_name() == f"sfn-tui@ops-box:{pid}"
    monkeypatch.setattr(socket, "gethostname", lambda: "h" * 200)
    name = default_worker_name()
    assert len(name) == 80 and name == f"sfn-tui@{'h' * (80 - 9 - len(pid))}:{pid}"


async def test_a_bad_reply_and_a_retry_without_a_failed_send_are_refused_in_words(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    (item,), _ = await tasks_of(client, inbox, 1)
    with pytest.raises(InvalidReply) as refused:
        await inbox.answer(item.id, "{")
    assert str(refused.value).startswith("The reply is not valid JSON: ")
    assert str(refused.value).endswith(" Nothing was sent.")
    with pytest.raises(NotAnswerable) as refused_retry:
        await inbox.retry(item.id)
    assert str(refused_retry.value) == f"Task {item.id} has no failed send to retry."
    assert item.status is TaskStatus.WAITING


async def test_attending_another_task_after_the_last_was_forgotten(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """The operator answers a task, it leaves the list, and the cursor lands on the next
    one: attending it must not trip over the task that is gone."""
    (first, second), _ = await tasks_of(client, inbox, 2)
    inbox.attend(first.id)
    assert (await inbox.answer(first.id, "{}")).status is TaskStatus.ANSWERED
    inbox.forget(first.id)
    inbox.attend(second.id)
    assert (await inbox.answer(second.id, "{}")).status is TaskStatus.ANSWERED


async def test_an_adopted_token_gets_heartbeats_only_while_its_callback_is_attended(
    client: StepFunctionsClient, boto: tuple[Any, Any]
) -> None:
    """A token read from where the run sent it makes the callback answerable; the one
    being answered (attended) then gets heartbeats, the other does not."""
    sfn, sqs = boto
    machine, queue = approval_machine(sfn, sqs, FORMATTED, HeartbeatSeconds=3, TimeoutSeconds=300)
    runs = [started(sfn, machine, 1), started(sfn, machine, 2)]
    box = TaskInbox(
        client, unique("rules"), liveness_interval=3600, heartbeat_client=client.heartbeat_sender
    )
    try:
        box.follow_callbacks({machine})
        first, second = await callbacks_found(box, runs)
        tokens = await tokens_on(sqs, queue, 2)
        box.attend(first.id)
        box.adopt_token(first.id, tokens["Ship order 1?"])
        box.adopt_token(second.id, tokens["Ship order 2?"])
        await until(lambda: first.heartbeats_sent >= 2, "heartbeats for the first", timeout=20)
        assert second.heartbeats_sent == 0 and second.heartbeat_error is None
        assert first.heartbeat_error is None
    finally:
        await box.shutdown(grace=0)


async def tokens_on(sqs: Any, queue: str, count: int) -> dict[str, str]:
    """{"Ship order N?": token} from the approval messages on the queue, once `count`
    of them have been read."""
    tokens: dict[str, str] = {}

    def read() -> bool:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        for message in messages.get("Messages", []):
            text = json.loads(message["Body"])["text"]
            tokens[text.split(" token ")[0]] = text.rsplit(" ", 1)[-1]
        return len(tokens) >= count

    await until(read, f"{count} approval message(s) on the queue")
    return tokens


@pytest.fixture
async def checked(
    client: StepFunctionsClient, through_proxy: StepFunctionsClient
) -> AsyncIterator[Any]:
    """`make(count, **task_fields)`: an inbox reading runs through the fault proxy, and
    its `count` claimed, placed tasks in the inbox's order (checks only when asked)."""
    boxes: list[TaskInbox] = []

    async def make(count: int, **fields: Any) -> tuple[TaskInbox, list[InboxTask]]:
        act, sm = await machine(client, **fields)
        box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
        boxes.append(box)
        box.work(act)
        for n in range(count):
            await start(client, sm, {"n": n})
        items = await claimed_task(box, act, count)
        for item in items:
            await placed(item)
        return box, list(box.tasks)

    yield make
    for box in boxes:
        if not box.closing:
            await box.shutdown(grace=0)


async def test_a_check_reads_the_run_of_each_open_task_only_and_goes_on_after_each(
    client: StepFunctionsClient, checked: Any, proxy: FaultProxy
) -> None:
    box, (done, first, second, going) = await checked(4, TimeoutSeconds=60)
    await box.answer(done.id, "{}")  # closed: its run is not read again
    for item in (first, second):
        assert item.execution_arn is not None
        await client.stop_execution(item.execution_arn)
        await finished(client, item.execution_arn)
    read = proxy.count("DescribeExecution")
    await box.check_now()
    assert proxy.count("DescribeExecution") - read == 3  # first, second, going
    assert [(t.status, t.reason) for t in (first, second)] == [
        (TaskStatus.EXPIRED, "The run was ABORTED.")
    ] * 2
    assert (done.status, going.status) == (TaskStatus.ANSWERED, TaskStatus.WAITING)


async def test_a_run_the_check_cannot_read_is_said_and_one_the_endpoint_forgot_expires(
    checked: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    box, items = await checked(2, TimeoutSeconds=60)
    proxy.throttle("DescribeExecution")
    with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
        await box.check_now()
    said = [m for m in caplog.messages if m.startswith("Checking the run")]
    assert [m.split(": ")[0] for m in said] == [
        f"Checking the run of task {t.id} failed" for t in items
    ]
    assert all("Rate exceeded" in m for m in said)
    assert all(t.status is TaskStatus.WAITING for t in items)  # a failed read is no verdict

    proxy.fault("DescribeExecution", "error", status=400, code="ExecutionDoesNotExist")
    await box.check_now()
    assert [(t.status, t.reason) for t in items] == [
        (
            TaskStatus.EXPIRED,
            "The endpoint no longer knows its run (restarted, or the state machine was deleted?).",
        )
    ] * 2


async def test_tasks_past_their_timeout_all_expire_in_one_check(
    checked: Any, proxy: FaultProxy
) -> None:
    box, items = await checked(2, TimeoutSeconds=2)
    last = max(t.received_at for t in items)
    await until(lambda: datetime.now(UTC) > last + timedelta(seconds=2), "TimeoutSeconds")
    proxy.throttle("DescribeExecution")  # the timeout alone decides, without reading runs
    await box.check_now()
    assert [(t.status, t.reason) for t in items] == [
        (TaskStatus.EXPIRED, "Its TimeoutSeconds (2 s) has passed.")
    ] * 2


async def test_an_adopted_callback_answered_elsewhere_is_settled_as_not_answered(
    inbox: TaskInbox, boto: tuple[Any, Any]
) -> None:
    """Where its token came from is told once that this app did not answer it (e.g. the
    approval message can go back to the queue), when someone else did."""
    sfn, sqs = boto
    machine, queue = approval_machine(sfn, sqs, FORMATTED, HeartbeatSeconds=60)
    [run] = [started(sfn, machine, 1)]
    inbox.follow_callbacks({machine})
    [item] = await callbacks_found(inbox, [run])
    tokens = await tokens_on(sqs, queue, 1)
    settled: list[object] = []

    async def settle(answered: bool) -> None:
        settled.append(answered)

    inbox.adopt_token(item.id, tokens["Ship order 1?"], settle)
    sfn.send_task_success(taskToken=tokens["Ship order 1?"], output="{}")
    inbox.hint_callbacks(run)
    await until(lambda: item.status is TaskStatus.EXPIRED, "the callback gone")
    await until(lambda: bool(settled), "the settle")
    assert settled == [False] and item.settle is None


async def test_a_check_leaves_a_task_being_sent_alone_and_goes_on(
    client: StepFunctionsClient, checked: Any, proxy: FaultProxy
) -> None:
    box, (sending, ended) = await checked(2, TimeoutSeconds=60)
    assert ended.execution_arn is not None
    await client.stop_execution(ended.execution_arn)
    await finished(client, ended.execution_arn)
    proxy.fault("SendTaskSuccess", "hang")
    answer = asyncio.create_task(box.answer(sending.id, "{}"))
    await until(lambda: proxy.held("SendTaskSuccess") == 1, "the answer on its way")
    await box.check_now()
    assert (sending.status, ended.status) == (TaskStatus.SENDING, TaskStatus.EXPIRED)
    proxy.clear()
    await answer


async def test_the_chat_keeps_the_latest_history_of_the_last_twenty_runs_placed(
    checked: Any,
) -> None:
    """Placing a task keeps its run's history for the chat (the new message shows at
    once); at most MAX_HISTORIES (20) runs, the least recently placed dropped first."""
    box, (item,) = await checked(1, TimeoutSeconds=60)
    assert item.execution_arn is not None and box.histories[item.execution_arn]
    runs = [f"{item.execution_arn}-{n}" for n in range(MAX_HISTORIES + 1)]
    for n, run in enumerate(runs):
        event = HistoryEvent(n + 1, n, "ActivityScheduled", datetime.now(UTC))
        box.place(item.id, Placement(run, n + 1, None, None, None, (event,)))
    box.place(item.id, Placement(runs[1], 9, None, None, None, ()))  # no history: kept
    assert list(box.histories) == runs[1:]
    assert [e.id for e in box.histories[runs[1]]] == [2]
    event = HistoryEvent(99, 98, "ActivityScheduled", datetime.now(UTC))
    box.place(item.id, Placement(runs[1], 99, None, None, None, (event,)))
    assert list(box.histories) == [*runs[2:], runs[1]]  # placed again: newest
    assert [e.id for e in box.histories[runs[1]]] == [99]


async def test_a_shutdown_failure_the_service_refused_names_the_error(
    checked: Any, proxy: FaultProxy
) -> None:
    box, (item,) = await checked(1, TimeoutSeconds=60)
    proxy.throttle("SendTaskFailure")
    summary = await box.shutdown(grace=5)
    assert item.last_error is not None and "Rate exceeded" in item.last_error
    assert summary.not_delivered == (f"{item.id}: {item.last_error}",)


async def test_two_tasks_of_one_run_with_the_same_input_are_placed_at_their_own_states(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """A Parallel state runs one activity in two branches with the same input: each task
    is tied to its own ActivityScheduled event (the second may not take the first's),
    so each has its own state's TimeoutSeconds."""
    act = (await client.create_activity(unique("act"))).arn
    role = await client.create_states_role(unique("role"))

    def branch(name: str, timeout: int) -> dict[str, Any]:
        task = {"Type": "Task", "Resource": act, "TimeoutSeconds": timeout, "End": True}
        return {"StartAt": name, "States": {name: task}}

    both = {"Type": "Parallel", "Branches": [branch("A", 60), branch("B", 120)], "End": True}
    definition = json.dumps({"StartAt": "Both", "States": {"Both": both}})
    sm = await client.create_state_machine(unique("sm"), definition, role.arn)
    inbox.work(act)
    run = await start(client, sm.arn, {"same": "input"})
    items = await claimed_task(inbox, act, 2)
    for item in items:
        await placed(item)
    assert {item.execution_arn for item in items} == {run}
    assert sorted(item.timeout_seconds or 0 for item in items) == [60, 120]


async def test_each_way_the_service_refuses_an_answer_is_said_in_words(
    checked: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """SendTaskSuccess refused as TaskTimedOut, as InvalidToken, and after an earlier
    attempt whose answer was cut off on its way back (it may have been delivered)."""
    box, (timed_out, unknown, uncertain) = await checked(3, TimeoutSeconds=60)
    proxy.fault("SendTaskSuccess", "error", status=400, code="TaskTimedOut", times=1)
    await box.answer(timed_out.id, "{}")
    proxy.fault("SendTaskSuccess", "error", status=400, code="InvalidToken", times=1)
    await box.answer(unknown.id, "{}")
    proxy.fault("SendTaskSuccess", "drop_mid", times=1)  # delivered, answer lost
    with caplog.at_level(logging.WARNING, logger="sfn_tui.core.inbox"):
        assert (await box.answer(uncertain.id, "{}")).status is TaskStatus.SEND_FAILED
    assert caplog.messages == [
        f"Task {uncertain.id}: the answer was not delivered: {uncertain.last_error}"
    ]
    assert uncertain.last_error and uncertain.send_uncertain
    assert (await box.retry(uncertain.id)).status is TaskStatus.EXPIRED
    assert [(t.status, t.reason) for t in (timed_out, unknown, uncertain)] == [
        (
            TaskStatus.EXPIRED,
            "This task already timed out or was answered, or its run ended; the answer was"
            " not delivered.",
        ),
        (
            TaskStatus.EXPIRED,
            "The service does not know this task (was the endpoint restarted?); the answer"
            " was not delivered.",
        ),
        (
            TaskStatus.EXPIRED,
            "The service says this task is closed. An earlier attempt failed in transit and"
            " may have been delivered; check the run to see which answer it received.",
        ),
    ]


async def test_an_answer_interrupted_on_its_way_may_have_been_delivered(
    checked: Any, proxy: FaultProxy
) -> None:
    """The send is cancelled mid-call (the app quitting, a second q): the task is left
    retryable and marked uncertain, since the request may have reached the service."""
    box, (item,) = await checked(1, TimeoutSeconds=60)
    assert item.heartbeat_seconds is None and item.heartbeat_error is None  # none asked
    proxy.fault("SendTaskSuccess", "hang")
    answer = asyncio.create_task(box.answer(item.id, "{}"))
    await until(lambda: proxy.held("SendTaskSuccess") == 1, "the answer on its way")
    answer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await answer
    assert item.status is TaskStatus.SEND_FAILED and item.send_uncertain is True
    assert item.last_error == "The send was interrupted; it may have been delivered."
    proxy.clear()


async def test_a_machine_followed_during_a_check_is_checked_when_it_ends(
    proxy: FaultProxy, through_proxy: StepFunctionsClient, boto: tuple[Any, Any]
) -> None:
    """A wake-up is never lost: a machine followed while the watcher's check is under way
    (the first machine's runs being listed) is looked at as soon as that check ends, not
    at the next tick (an hour here, 5 s in the app)."""
    sfn, sqs = boto
    first, _ = approval_machine(sfn, sqs, WITH_TOKEN)
    second, queue = approval_machine(sfn, sqs, FORMATTED)
    run = started(sfn, second, 7)
    await tokens_on(sqs, queue, 1)  # the run waits at its callback
    seen: dict[str, list[CallbackWait]] = {}
    watcher = CallbackWatcher(through_proxy, seen.__setitem__, tick=3600)
    proxy.fault("ListExecutions", "hang")
    try:
        watcher.follow({first})
        await until(lambda: proxy.held("ListExecutions") == 1, "the first check under way")
        watcher.follow({first, second})
        proxy.clear("ListExecutions")
        await until(lambda: bool(seen.get(run)), "the second machine's waiting run", timeout=20)
    finally:
        watcher.stop()
        proxy.clear()


async def test_a_task_not_yet_placed_does_not_stop_the_check_of_those_after_it(
    client: StepFunctionsClient, through_proxy: StepFunctionsClient, proxy: FaultProxy
) -> None:
    """The first task's run cannot be found (the locator cannot list machines); the
    second, placed through a hint, has ended elsewhere: one check still expires it."""
    act, sm = await machine(client, TimeoutSeconds=60)
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
    proxy.throttle("ListStateMachines")
    try:
        box.work(act)
        await start(client, sm, {"n": 0})
        [lost] = await claimed_task(box, act, 1)
        await until(lambda: lost.resolve_attempts >= 1, "a search for the first task's run")
        second_run = await start(client, sm, {"n": 1})
        box.hint_execution(second_run)
        [_, second] = await claimed_task(box, act, 2)
        assert await placed(second) == second_run and lost.execution_arn is None
        await client.stop_execution(second_run)
        await finished(client, second_run)
        await box.check_now()
        assert (second.status, second.reason) == (TaskStatus.EXPIRED, "The run was ABORTED.")
        assert lost.execution_arn is None and lost.is_open
    finally:
        proxy.clear()
        await box.shutdown(grace=0)


def searching(box: TaskInbox) -> bool:
    """A first search for a task's run (the inbox's `_resolve_soon`) is under way."""
    return any(getattr(t.get_coro(), "__name__", "") == "_resolve_soon" for t in box._background)


@pytest.mark.parametrize("search", ["fails", "finds nothing"])
async def test_a_run_that_cannot_be_found_is_searched_a_bounded_number_of_times(
    client: StepFunctionsClient,
    through_proxy: StepFunctionsClient,
    proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
    search: str,
) -> None:
    """Each search for a task's run scans every machine: after its first searches (one per
    RESOLVE_DELAYS) and the checks' up to max_resolve_attempts, it is not searched again,
    and each failed search is logged naming the task and the service's error. A search
    fails (the machines cannot be listed) or finds nothing (none can be described)."""
    act, sm = await machine(client, TimeoutSeconds=60)
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600, max_resolve_attempts=8)
    if search == "fails":
        proxy.throttle("ListStateMachines")
    else:
        proxy.fault("DescribeStateMachine", "error", status=400, code="StateMachineDoesNotExist")
    try:
        with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
            box.work(act)
            await start(client, sm, {"n": 0})
            [lost] = await claimed_task(box, act, 1)
            first = len(RESOLVE_DELAYS)
            # Counted when a search starts: wait for the last one to end, too.
            await until(
                lambda: lost.resolve_attempts == first and not searching(box),
                "the first searches",
                timeout=20,
            )
            for _ in range(box.max_resolve_attempts):
                await box.check_now()
            assert lost.resolve_attempts == box.max_resolve_attempts
            scans = proxy.count("ListStateMachines")
            await box.check_now()
            assert proxy.count("ListStateMachines") == scans
        assert f"Task {lost.id} received from {act}" in caplog.messages
        said = [m for m in caplog.messages if m.startswith("Finding the run")]
        assert len(said) == (box.max_resolve_attempts if search == "fails" else 0)
        assert all(
            m.startswith(f"Finding the run of task {lost.id} failed: ") and "Rate exceeded" in m
            for m in said
        )
        assert lost.execution_arn is None and lost.is_open
    finally:
        proxy.clear()
        await box.shutdown(grace=0)


async def test_shutdown_waits_for_answers_on_their_way_only(
    client: StepFunctionsClient, inbox: TaskInbox, caplog: pytest.LogCaptureFixture
) -> None:
    """With no answer on its way, the grace (an hour here) is not spent waiting for one:
    the claimed task is failed and the poll in flight is waited for, not abandoned. The
    log says what the shutdown did."""
    (item,), _ = await tasks_of(client, inbox, 1)
    with caplog.at_level(logging.INFO, logger="sfn_tui.core.inbox"):
        summary = await asyncio.wait_for(inbox.shutdown(grace=3600), timeout=30)
    assert (item.status, summary.failed, summary.abandoned_polls) == (TaskStatus.FAILED, 1, 0)
    assert f"Inbox shut down: failed 1 unanswered task(s) with {SHUTDOWN_ERROR}" in (
        caplog.messages
    )


async def test_an_answer_still_on_its_way_at_the_deadline_does_not_stop_the_shutdown(
    client: StepFunctionsClient, through_proxy: StepFunctionsClient, proxy: FaultProxy
) -> None:
    """The answer hangs past the grace: the other claimed task is still failed, and the
    shutdown says what it did."""
    box = TaskInbox(through_proxy, unique("rules"), liveness_interval=3600)
    (going, other), _ = await tasks_of(client, box, 2)
    proxy.fault("SendTaskSuccess", "hang")
    try:
        answer = asyncio.create_task(box.answer(going.id, "{}"))
        await until(lambda: proxy.held("SendTaskSuccess") == 1, "the answer on its way")
        summary = await box.shutdown(grace=1)
        assert isinstance(summary, ShutdownSummary) and summary.failed == 1
        assert (going.status, other.status) == (TaskStatus.SENDING, TaskStatus.FAILED)
    finally:
        proxy.clear()
    await asyncio.gather(answer, return_exceptions=True)


async def test_shutdown_gives_an_adopted_tokens_message_back_unanswered(
    inbox: TaskInbox, boto: tuple[Any, Any]
) -> None:
    """Where an unanswered callback's token was read (a queue message) is told at
    shutdown that this app did not answer it, so the message can go back."""
    sfn, sqs = boto
    machine, queue = approval_machine(sfn, sqs, FORMATTED)
    run = started(sfn, machine, 3)
    inbox.follow_callbacks({machine})
    (item,) = await callbacks_found(inbox, [run])
    token = (await tokens_on(sqs, queue, 1))["Ship order 3?"]
    settled: list[bool] = []

    async def settle(answered: bool) -> None:
        settled.append(answered)

    inbox.adopt_token(item.id, token, settle)
    await inbox.shutdown(grace=1)
    assert settled == [False]
    sfn.stop_execution(executionArn=run)
