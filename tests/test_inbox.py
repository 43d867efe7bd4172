"""The activity task inbox.

First part: unit tests of what a real endpoint cannot be made to do on demand (an
answer lost in transit, then refused on retry) and of pure pieces, with a small fake.
Second part: the inbox against the embedded engine (the `engine` fixture).
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.errors import EndpointUnreachable, SfnError, TaskGone
from sfn_tui.aws.models import (
    ActivityTask,
    Execution,
    ExecutionDetail,
    ExecutionPage,
    HistoryEvent,
    StateMachine,
    StateMachineDetail,
)
from sfn_tui.core.inbox import (
    MAX_OUTPUT_BYTES,
    SHUTDOWN_CAUSE,
    SHUTDOWN_ERROR,
    InboxTask,
    InvalidReply,
    NotAnswerable,
    TaskInbox,
    TaskStatus,
    default_worker_name,
)
from sfn_tui.core.locate import ExecutionLocator, open_activity_tasks
from sfn_tui.local import activities
from tests.helpers import REGION, async_wait_until, until

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:unit"
WORKER = "sfn-tui@test:1"


class FakeClient:
    """Hands out queued tasks; records sends; raises what a test scripts."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[ActivityTask] = asyncio.Queue()
        self.sent: list[tuple[str, str, tuple[str, ...]]] = []
        self.script: list[BaseException | None] = []
        self.poll_errors: list[SfnError] = []

    def hand_out(self, input: str = "{}") -> ActivityTask:
        task = ActivityTask(
            token=f"secret-{uuid.uuid4()}",
            input=input,
            activity_arn=ACTIVITY,
            received_at=datetime.now(UTC),
        )
        self.queue.put_nowait(task)
        return task

    async def get_activity_task(self, activity_arn: str, worker_name: str) -> ActivityTask | None:
        if self.poll_errors:
            raise self.poll_errors.pop(0)
        try:
            return await asyncio.wait_for(self.queue.get(), timeout=0.5)
        except TimeoutError:
            return None

    async def _sent(self, kind: str, token: str, *rest: str) -> None:
        self.sent.append((kind, token, rest))
        if self.script:
            error = self.script.pop(0)
            if error is not None:
                raise error

    async def send_task_success(self, token: str, output: str) -> None:
        await self._sent("success", token, output)

    async def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None:
        await self._sent("failure", token, error, cause)

    async def send_task_heartbeat(self, token: str) -> None:
        raise AssertionError("no heartbeats expected")

    async def list_state_machines(self) -> list[Any]:
        return []

    async def describe_execution(self, arn: str) -> Any:
        raise AssertionError("not placed, so never described")

    async def describe_state_machine(self, arn: str) -> Any:
        raise AssertionError

    async def list_executions(self, *a: Any, **kw: Any) -> Any:
        raise AssertionError

    async def get_execution_history(self, arn: str, max_events: int = 25_000) -> Any:
        raise AssertionError


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeClient, TaskInbox]]:
    client = FakeClient()
    inbox = TaskInbox(client, WORKER, liveness_interval=60)
    yield client, inbox
    if not inbox.closing:
        await inbox.shutdown(grace=1)


async def received(client: FakeClient, inbox: TaskInbox, input: str = "{}") -> str:
    inbox.work(ACTIVITY)
    client.hand_out(input)
    await until(lambda: len(inbox.tasks) == 1, "the task to arrive")
    return inbox.tasks[0].id


async def test_transient_failure_keeps_task_and_retry_sends_same_reply(fake: Any) -> None:
    client, inbox = fake
    task_id = await received(client, inbox)
    client.script = [EndpointUnreachable("SendTaskSuccess failed: cannot reach the endpoint")]

    item = await inbox.answer(task_id, '{"ok": 1}')

    assert item.status is TaskStatus.SEND_FAILED
    assert "cannot reach" in (item.last_error or "")
    assert inbox.claimed() == [item]
    item = await inbox.retry(task_id)
    assert item.status is TaskStatus.ANSWERED
    assert [(k, rest) for k, _, rest in client.sent] == [
        ("success", ('{"ok": 1}',)),
        ("success", ('{"ok": 1}',)),
    ]
    assert inbox.claimed() == []


async def test_only_the_newest_closed_tasks_are_kept(
    fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard left running keeps the newest answered tasks, not every one ever
    answered; a task still open is never dropped, however old."""
    monkeypatch.setattr("sfn_tui.core.inbox.MAX_CLOSED", 3)
    client, inbox = fake
    oldest_open = await received(client, inbox)
    for n in range(2, 8):
        client.hand_out()
        await until(lambda n=n: len(inbox.claimed()) == 2, f"task {n} to arrive")
        newest = inbox.claimed()[-1]
        await inbox.answer(newest.id, '{"ok": 1}')
    kept = [t.id for t in inbox.tasks]
    assert kept == [oldest_open, "T5", "T6", "T7"]
    assert [t.id for t in inbox.claimed()] == [oldest_open]


async def test_retry_refused_after_transient_failure_is_called_ambiguous(fake: Any) -> None:
    client, inbox = fake
    task_id = await received(client, inbox)
    client.script = [EndpointUnreachable("timed out"), TaskGone("gone", code="TaskTimedOut")]

    await inbox.answer(task_id, '{"a": 1}')
    item = await inbox.retry(task_id)

    assert item.status is TaskStatus.EXPIRED
    assert "may have been delivered" in (item.reason or "")


async def test_task_gone_on_first_send_is_not_ambiguous(fake: Any) -> None:
    client, inbox = fake
    task_id = await received(client, inbox)
    client.script = [TaskGone("gone", code="TaskTimedOut")]

    item = await inbox.answer(task_id, "{}")

    assert item.status is TaskStatus.EXPIRED
    assert "already timed out or was answered" in (item.reason or "")
    assert "may have been" not in (item.reason or "")
    with pytest.raises(NotAnswerable):
        await inbox.answer(task_id, "{}")


async def test_invalid_replies_are_refused_before_sending(fake: Any) -> None:
    client, inbox = fake
    task_id = await received(client, inbox)

    with pytest.raises(InvalidReply, match="not valid JSON"):
        await inbox.answer(task_id, "{nope")
    too_big = json.dumps("x" * (MAX_OUTPUT_BYTES - 1))  # quotes make it 1 byte over
    assert len(too_big.encode()) == MAX_OUTPUT_BYTES + 1
    with pytest.raises(InvalidReply, match="262,144"):
        await inbox.answer(task_id, too_big)
    # Multi-byte characters count as bytes, not characters.
    with pytest.raises(InvalidReply):
        await inbox.answer(task_id, json.dumps("é" * (MAX_OUTPUT_BYTES // 2)))
    with pytest.raises(InvalidReply, match="error name"):
        await inbox.fail(task_id, "E" * 257, "")
    assert client.sent == []
    assert inbox.get(task_id).status is TaskStatus.WAITING

    exactly = json.dumps("x" * (MAX_OUTPUT_BYTES - 2))
    assert len(exactly.encode()) == MAX_OUTPUT_BYTES
    assert (await inbox.answer(task_id, exactly)).status is TaskStatus.ANSWERED


async def test_poll_errors_back_off_are_recorded_and_clear(fake: Any) -> None:
    client, inbox = fake
    client.poll_errors = [EndpointUnreachable("down"), EndpointUnreachable("down")]
    changes: list[int] = []
    inbox.on_change = lambda: changes.append(1)
    inbox.work(ACTIVITY)

    await until(lambda: ACTIVITY in inbox.poll_errors, "the poll error")
    first = inbox.poll_errors[ACTIVITY]
    assert first.retry_in == 1.0
    await until(lambda: inbox.poll_errors.get(ACTIVITY, first).failures == 2, "a second failure")
    assert inbox.poll_errors[ACTIVITY].retry_in == 2.0
    await until(lambda: ACTIVITY not in inbox.poll_errors, "recovery", timeout=6)
    client.hand_out()
    await until(lambda: len(inbox.tasks) == 1, "a task after recovery")
    assert changes


async def test_unwork_keeps_a_task_from_the_poll_in_flight(fake: Any) -> None:
    client, inbox = fake
    inbox.work(ACTIVITY)
    await until(lambda: inbox.is_polling(ACTIVITY), "a poll in flight")
    inbox.unwork(ACTIVITY)
    client.hand_out()  # delivered to the poll already open
    await until(lambda: len(inbox.tasks) == 1, "the task from the open poll")
    await until(lambda: not inbox.is_polling(ACTIVITY), "polling to stop")
    assert inbox.worked == set()
    assert inbox.waiting_count(ACTIVITY) == 1


async def test_shutdown_fails_claimed_tasks(fake: Any) -> None:
    client, inbox = fake
    task_id = await received(client, inbox)

    summary = await inbox.shutdown(grace=2)

    assert summary.failed == 1
    assert summary.abandoned_polls == 0
    assert client.sent[-1][0] == "failure"
    assert client.sent[-1][2] == (SHUTDOWN_ERROR, SHUTDOWN_CAUSE)
    assert inbox.get(task_id).status is TaskStatus.FAILED
    assert inbox.claimed() == []
    inbox.work(ACTIVITY)  # after shutdown: nothing (a late catalog poll may still ask)
    assert inbox.worked == set()


def test_worker_name_fits_the_api_limit() -> None:
    name = default_worker_name()
    assert name.startswith("sfn-tui@") and len(name) <= 80


def test_token_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    task = ActivityTask("tok-SECRET", "{}", ACTIVITY, datetime.now(UTC))

    async def go() -> str:
        client = FakeClient()
        inbox = TaskInbox(client, WORKER)
        inbox.work(ACTIVITY)
        client.queue.put_nowait(task)
        await until(lambda: len(inbox.tasks) == 1, "the task")
        client.script = [EndpointUnreachable("down")]
        await inbox.answer(inbox.tasks[0].id, "{}")
        await inbox.shutdown(grace=1)
        return repr(inbox.tasks) + repr(inbox.get("T1"))

    with caplog.at_level(logging.DEBUG, logger="sfn_tui"):
        text = asyncio.run(go())
    assert "tok-SECRET" not in text
    assert "tok-SECRET" not in caplog.text
    assert "T1" in caplog.text  # the logging did happen


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys, sfn_tui.core.inbox, sfn_tui.core.chat, sfn_tui.core.chatsfn;"
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# History reading (pure) ---------------------------------------------------------------

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def ev(n: int, type: str, prev: int | None = None, **details: Any) -> HistoryEvent:
    return HistoryEvent(
        n, n - 1 if prev is None else prev, type, T0 + timedelta(seconds=n), details
    )


def test_open_tasks_in_a_loop_only_the_last_is_open() -> None:
    events = [
        ev(1, "ExecutionStarted"),
        ev(2, "ActivityScheduled", resource=ACTIVITY, input='{"n":1}', heartbeatInSeconds=9),
        ev(3, "ActivityStarted", workerName=WORKER),
        ev(4, "ActivitySucceeded", output="{}"),
        ev(5, "ActivityScheduled", resource=ACTIVITY, input='{"n":2}', timeoutInSeconds=300),
        ev(6, "ActivityStarted", workerName=WORKER),
    ]
    found = open_activity_tasks("arn:exec", events, ACTIVITY)
    assert [(p.scheduled_event_id, raw, w) for p, raw, w in found] == [(5, '{"n":2}', WORKER)]
    placement = found[0][0]
    assert placement.timeout_seconds == 300 and placement.heartbeat_seconds is None
    assert placement.started_at == T0 + timedelta(seconds=6)


def test_open_tasks_parallel_branches_link_by_previous_id() -> None:
    events = [
        ev(1, "ExecutionStarted"),
        ev(2, "ActivityScheduled", resource=ACTIVITY, input='{"b":1}'),
        ev(3, "ActivityScheduled", 1, resource=ACTIVITY, input='{"b":2}'),
        ev(4, "ActivityStarted", 2, workerName="other"),
        ev(5, "ActivityStarted", 3, workerName=WORKER),
        ev(6, "ActivitySucceeded", 4, output="{}"),
        ev(7, "ActivityScheduled", resource="arn:other-activity", input='{"b":2}'),
    ]
    found = open_activity_tasks("arn:exec", events, ACTIVITY)
    assert [(p.scheduled_event_id, w) for p, _, w in found] == [(3, WORKER)]


def test_unstarted_task_has_no_worker() -> None:
    events = [ev(1, "ActivityScheduled", resource=ACTIVITY, input="{}")]
    [(placement, raw, worker)] = open_activity_tasks("arn:exec", events, ACTIVITY)
    assert worker is None and placement.started_at is None and raw == "{}"


# Against the embedded engine ----------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def client(engine: str) -> AsyncIterator[StepFunctionsClient]:
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    ) as sfn:
        yield sfn


@pytest.fixture
async def inbox(client: StepFunctionsClient) -> AsyncIterator[TaskInbox]:
    box = TaskInbox(
        client,
        worker_name=unique("test-worker"),
        liveness_interval=0.3,
        heartbeat_client=client.heartbeat_sender,
    )
    yield box
    if not box.closing:
        await box.shutdown(grace=0)


async def machine(client: StepFunctionsClient, **task_fields: Any) -> tuple[str, str]:
    """(activity ARN, state machine ARN): one Task state on a new activity."""
    activity = await client.create_activity(unique("act"))
    role = await client.create_states_role(unique("role"))
    task = {"Type": "Task", "Resource": activity.arn, "End": True, **task_fields}
    definition = json.dumps({"StartAt": "Work", "States": {"Work": task}})
    sm = await client.create_state_machine(unique("sm"), definition, role.arn)
    return activity.arn, sm.arn


async def start(client: StepFunctionsClient, sm_arn: str, payload: Any) -> str:
    return (await client.start_execution(sm_arn, unique("run"), json.dumps(payload))).arn


async def claimed_task(inbox: TaskInbox, activity_arn: str, count: int = 1) -> list[InboxTask]:
    await until(lambda: inbox.waiting_count(activity_arn) >= count, "a task to arrive")
    return [t for t in inbox.tasks if t.activity_arn == activity_arn]


async def placed(item: InboxTask) -> str:
    await until(lambda: item.execution_arn is not None, f"task {item.id} to find its run")
    assert item.execution_arn is not None
    return item.execution_arn


async def finished(client: StepFunctionsClient, arn: str, timeout: float = 10) -> ExecutionDetail:
    async def done() -> ExecutionDetail | None:
        detail = await client.describe_execution(arn)
        return None if detail.execution.status == "RUNNING" else detail

    return await async_wait_until(done, timeout=timeout, message=f"{arn} to end")


async def test_generic_activity_answered_with_typed_json(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client, TimeoutSeconds=60)
    inbox.work(act)
    run = await start(client, sm, {"order": 7, "items": ["a", "b"]})

    [item] = await claimed_task(inbox, act)
    assert json.loads(item.input) == {"order": 7, "items": ["a", "b"]}
    assert await placed(item) == run  # found by scanning running executions (no hint)
    assert item.timeout_seconds == 60 and item.heartbeat_seconds is None
    reply = {"approved": True, "amount": 12.5, "tags": ["x"], "note": None, "n": 3}
    item = await inbox.answer(item.id, json.dumps(reply))

    assert item.status is TaskStatus.ANSWERED
    detail = await finished(client, run)
    assert detail.execution.status == "SUCCEEDED"
    assert json.loads(detail.output or "") == reply
    assert inbox.claimed() == [] and inbox.waiting_count(act) == 0


async def test_generic_activity_failed_with_error_and_cause(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client)
    inbox.work(act)
    run = await start(client, sm, {"order": 8})
    [item] = await claimed_task(inbox, act)

    item = await inbox.fail(item.id, "Order.Rejected", "The amount is over the limit.")

    assert item.status is TaskStatus.FAILED
    detail = await finished(client, run)
    assert detail.execution.status == "FAILED"
    assert detail.error == "Order.Rejected"
    assert detail.cause == "The amount is over the limit."


async def test_invalid_replies_are_refused_and_nothing_is_sent(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client)
    inbox.work(act)
    run = await start(client, sm, {})
    [item] = await claimed_task(inbox, act)
    await placed(item)

    with pytest.raises(InvalidReply, match="not valid JSON"):
        await inbox.answer(item.id, '{"action": "song"')
    with pytest.raises(InvalidReply, match="256 KiB"):
        await inbox.answer(item.id, json.dumps({"blob": "x" * MAX_OUTPUT_BYTES}))

    assert item.status is TaskStatus.WAITING and item.last_reply is None
    history = await client.get_execution_history(run)
    assert not [e for e in history if e.type in ("ActivitySucceeded", "ActivityFailed")]
    assert (await client.describe_execution(run)).execution.status == "RUNNING"
    # The token was not used up: a good answer still goes through.
    assert (await inbox.answer(item.id, "{}")).status is TaskStatus.ANSWERED
    assert (await finished(client, run)).execution.status == "SUCCEEDED"


async def test_task_of_a_run_stopped_elsewhere_expires(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client)
    inbox.work(act)
    run = await start(client, sm, {})
    [item] = await claimed_task(inbox, act)
    await placed(item)

    await client.stop_execution(run, error="Ops.Stop", cause="stopped by a test")

    await until(lambda: item.status is TaskStatus.EXPIRED, "the task to expire")
    assert item.reason == "The run was ABORTED."
    assert inbox.claimed() == []
    with pytest.raises(NotAnswerable):
        await inbox.answer(item.id, "{}")


async def test_answer_after_the_run_ended_expires_with_explanation(
    client: StepFunctionsClient,
) -> None:
    act, sm = await machine(client)
    box = TaskInbox(client, unique("w"), liveness_interval=3600)  # no liveness check
    box.work(act)
    try:
        run = await start(client, sm, {})
        [item] = await claimed_task(box, act)
        await client.stop_execution(run)
        item = await box.answer(item.id, "{}")
        assert item.status is TaskStatus.EXPIRED
        assert "already timed out or was answered" in (item.reason or "")
    finally:
        await box.shutdown(grace=0)


class Proxy:
    """A TCP relay to the engine that can be taken down and brought back on its port,
    so the client sees a real connection failure."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.host, self.target_port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.port = 0
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}


async def test_send_that_fails_is_kept_and_retried(
    engine: str, client: StepFunctionsClient
) -> None:
    act, sm = await machine(client)
    proxy = Proxy(engine)
    await proxy.start()
    conn = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    async with StepFunctionsClient(conn) as via_proxy:
        box = TaskInbox(via_proxy, unique("w"), liveness_interval=0.3)
        try:
            box.work(act)
            run = await start(client, sm, {"step": 1})
            [item] = await claimed_task(box, act)
            await placed(item)

            await proxy.stop()  # the network goes away
            item = await box.answer(item.id, '{"ok": true}')

            assert item.status is TaskStatus.SEND_FAILED
            assert "reach the endpoint" in (item.last_error or "")
            assert box.claimed() == [item]
            await until(lambda: act in box.poll_errors, "the poll failure to show")
            assert (await client.describe_execution(run)).execution.status == "RUNNING"

            await proxy.start()  # it comes back on the same port
            item = await box.retry(item.id)

            assert item.status is TaskStatus.ANSWERED, item.last_error
            detail = await finished(client, run)
            assert detail.execution.status == "SUCCEEDED"
            assert json.loads(detail.output or "") == {"ok": True}
            await until(lambda: act not in box.poll_errors, "polling to recover", timeout=10)
        finally:
            await box.shutdown(grace=0)
            await proxy.stop()


async def test_two_runs_with_the_same_input_are_told_apart(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client)
    inbox.work(act)
    runs = {await start(client, sm, {"same": True}), await start(client, sm, {"same": True})}

    items = await claimed_task(inbox, act, count=2)

    assert {await placed(items[0]), await placed(items[1])} == runs
    for item in items:
        await inbox.answer(item.id, json.dumps({"run": item.execution_arn}))
    for run in runs:
        detail = await finished(client, run)
        assert json.loads(detail.output or "") == {"run": run}  # each answer reached its run


async def test_heartbeats_keep_a_task_alive(client: StepFunctionsClient, inbox: TaskInbox) -> None:
    act, sm = await machine(client, HeartbeatSeconds=2, TimeoutSeconds=60)
    inbox.work(act)
    run = await start(client, sm, {})
    [item] = await claimed_task(inbox, act)
    await placed(item)
    assert item.heartbeat_seconds == 2

    # Well past HeartbeatSeconds: without heartbeats the run would have timed out.
    await until(lambda: item.heartbeats_sent >= 4, "four heartbeats", timeout=15)

    assert (await client.describe_execution(run)).execution.status == "RUNNING"
    assert item.status is TaskStatus.WAITING and item.heartbeat_error is None
    await inbox.answer(item.id, '{"late": "but alive"}')
    assert (await finished(client, run)).execution.status == "SUCCEEDED"


async def test_without_heartbeats_the_same_task_times_out(client: StepFunctionsClient) -> None:
    """The control for the test above: the engine does enforce HeartbeatSeconds."""
    act, sm = await machine(client, HeartbeatSeconds=2, TimeoutSeconds=60)
    run = await start(client, sm, {})
    assert await client.get_activity_task(act, "silent-worker") is not None

    detail = await finished(client, run, timeout=15)

    assert detail.execution.status == "FAILED"
    assert detail.error == "States.Timeout"


async def test_refused_heartbeat_expires_the_task(client: StepFunctionsClient) -> None:
    act, sm = await machine(client, HeartbeatSeconds=3, TimeoutSeconds=60)
    # Only heartbeats notice.
    box = TaskInbox(
        client, unique("w"), liveness_interval=3600, heartbeat_client=client.heartbeat_sender
    )
    box.work(act)
    try:
        run = await start(client, sm, {})
        [item] = await claimed_task(box, act)
        await placed(item)
        await client.stop_execution(run)

        await until(lambda: item.status is TaskStatus.EXPIRED, "the heartbeat to be refused")
        assert "heartbeat was refused" in (item.reason or "")
    finally:
        await box.shutdown(grace=0)


async def test_shutdown_fails_the_claimed_task_and_its_run(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, sm = await machine(client)
    inbox.work(act)
    run = await start(client, sm, {})
    [item] = await claimed_task(inbox, act)

    summary = await inbox.shutdown(grace=5)

    assert summary.failed == 1 and summary.not_delivered == ()
    assert summary.abandoned_polls == 0  # the 1 s poll in flight ended within the grace
    assert item.status is TaskStatus.FAILED
    detail = await finished(client, run)
    assert detail.execution.status == "FAILED"
    assert (detail.error, detail.cause) == (SHUTDOWN_ERROR, SHUTDOWN_CAUSE)


async def test_task_arriving_during_shutdown_is_failed_too(
    client: StepFunctionsClient, inbox: TaskInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activities, "HOLD_SECONDS", 20.0)
    act, sm = await machine(client)
    inbox.work(act)
    await until(lambda: inbox.is_polling(act), "a poll in flight")
    closing = asyncio.create_task(inbox.shutdown(grace=15))
    await until(lambda: inbox.closing, "shutdown to begin")

    run = await start(client, sm, {"late": True})  # handed to the poll still open
    summary = await closing

    assert summary.arrived_during_grace == 1 and summary.failed == 1
    assert summary.abandoned_polls == 0
    detail = await finished(client, run)
    assert (detail.execution.status, detail.error) == ("FAILED", SHUTDOWN_ERROR)


async def test_working_an_activity_once_shutdown_has_begun_does_nothing(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    """A catalog poll handled while the app quits asks to work the default activity
    again: no new long poll, no error (it used to raise and crash the quitting app)."""
    act, other = await machine(client), await machine(client)
    inbox.work(act[0])
    closing = asyncio.create_task(inbox.shutdown(grace=1))
    await until(lambda: inbox.closing, "shutdown to begin")
    inbox.work(other[0])
    await closing
    assert other[0] not in inbox.worked
    assert not inbox.is_polling(other[0])


async def test_shutdown_abandons_polls_still_open_after_the_grace(
    client: StepFunctionsClient, inbox: TaskInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activities, "HOLD_SECONDS", 20.0)
    act, _ = await machine(client)
    inbox.work(act)
    await until(lambda: inbox.is_polling(act), "a poll in flight")
    assert inbox.open_polls == 1

    began = time.monotonic()
    summary = await inbox.shutdown(grace=0.5)

    assert time.monotonic() - began < 3
    assert summary.abandoned_polls == 1 and summary.failed == 0
    assert inbox.open_polls == 0
    assert "abandoned 1 open poll" in summary.describe()


# The locator alone, over hand-built histories -----------------------------------------


class HistoryClient:
    """Two running executions of one machine that names ACTIVITY."""

    def __init__(self, histories: dict[str, list[HistoryEvent]]) -> None:
        self.histories = histories
        self.described: list[str] = []

    async def list_state_machines(self) -> list[StateMachine]:
        return [
            StateMachine("arn:sm:a", "a", "STANDARD", T0),
            StateMachine("arn:sm:other", "other", "STANDARD", T0),
        ]

    async def describe_state_machine(self, arn: str) -> StateMachineDetail:
        self.described.append(arn)
        definition = ACTIVITY if arn == "arn:sm:a" else "arn:another-activity"
        return StateMachineDetail(arn, arn, "STANDARD", "ACTIVE", "", definition, T0)

    async def list_executions(self, sm: str, **kw: Any) -> ExecutionPage:
        assert sm == "arn:sm:a" and kw["status"] == "RUNNING"
        return ExecutionPage(
            tuple(Execution(a, a, sm, "RUNNING", T0) for a in self.histories), None
        )

    async def get_execution_history(self, arn: str, max_events: int = 25_000) -> Any:
        return self.histories[arn]


def waiting_history(input: str, worker: str = WORKER) -> list[HistoryEvent]:
    return [
        ev(1, "ExecutionStarted"),
        ev(2, "ActivityScheduled", resource=ACTIVITY, input=input, heartbeatInSeconds=30),
        ev(3, "ActivityStarted", workerName=worker),
    ]


def task_with(input: str) -> ActivityTask:
    return ActivityTask("tok", input, ACTIVITY, T0 + timedelta(seconds=3))


async def test_locator_matches_input_worker_and_skips_claimed_runs() -> None:
    client = HistoryClient(
        {
            "arn:ex:1": waiting_history('{"n": 1}'),
            "arn:ex:2": waiting_history('{"n":2}'),
            "arn:ex:3": waiting_history('{"n": 2}'),
            "arn:ex:other-worker": waiting_history('{"n": 2}', worker="someone-else"),
        }
    )
    locator = ExecutionLocator(client, WORKER)

    first = await locator.locate(task_with('{"n": 2}'))
    assert first is not None and first.execution_arn == "arn:ex:2"  # same JSON, other spacing
    assert first.heartbeat_seconds == 30
    second = await locator.locate(task_with('{"n": 2}'), exclude={first.key})
    assert second is not None and second.execution_arn == "arn:ex:3"
    assert await locator.locate(task_with('{"n": 2}'), exclude={first.key, second.key}) is None
    assert await locator.locate(task_with('{"n": 3}')) is None
    # Definitions are cached: each machine described once over four look-ups.
    assert sorted(client.described) == ["arn:sm:a", "arn:sm:other"]


async def test_locator_checks_hinted_executions_first() -> None:
    client = HistoryClient({"arn:ex:1": waiting_history("{}")})
    client.histories["arn:ex:hinted"] = waiting_history("{}")
    locator = ExecutionLocator(client, WORKER)
    locator.hint("arn:ex:hinted")

    found = await locator.locate(task_with("{}"))

    assert found is not None and found.execution_arn == "arn:ex:hinted"
    assert client.described == []  # no scan was needed


async def test_task_past_its_timeout_expires_even_if_the_run_goes_on(
    client: StepFunctionsClient, inbox: TaskInbox
) -> None:
    act, _ = await machine(client)
    role = await client.create_states_role(unique("role"))
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": act,
                # Room to place the task first (it cannot be placed once timed out):
                # 1 s failed a clean mutmut run on a loaded machine.
                "TimeoutSeconds": 4,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Linger"}],
                "End": True,
            },
            "Linger": {"Type": "Wait", "Seconds": 60, "End": True},
        },
    }
    sm = await client.create_state_machine(unique("sm"), json.dumps(definition), role.arn)
    inbox.work(act)
    run = await start(client, sm.arn, {})
    inbox.hint_execution(run)  # looked for first, as the app does for runs it starts
    [item] = await claimed_task(inbox, act)
    await placed(item)
    assert item.timeout_seconds == 4

    await until(lambda: item.status is TaskStatus.EXPIRED, "the task to time out")

    assert item.reason == "Its TimeoutSeconds (4 s) has passed."
    assert (await client.describe_execution(run)).execution.status == "RUNNING"
    await client.stop_execution(run)
