"""The activity task inbox: long-polls the activities the operator works, keeps every
claimed task until it is answered or has expired, and sends the answers.

A token is delivered once and never again, so nothing here drops one: a poll in flight
is allowed to finish (its task is kept) unless the dashboard is shutting down, a send
that fails for a transient reason keeps the task for a one-call retry, and closing the
dashboard fails the claimed tasks (`Worker.Shutdown`) rather than leaving them to time
out. Task tokens are secrets: they are never logged or shown (`ActivityTask` hides them
from its repr).

No Textual here: the UI passes `on_change` and reads `tasks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

from sfn_tui.aws.errors import NotFound, SfnError, TaskGone
from sfn_tui.aws.models import (
    ActivityTask,
    ExecutionDetail,
    ExecutionPage,
    HistoryEvent,
    StateMachine,
    StateMachineDetail,
)
from sfn_tui.core.locate import ExecutionLocator

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
MAX_OUTPUT_BYTES = 256 * 1024
MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32_768
SHUTDOWN_ERROR = "Worker.Shutdown"
SHUTDOWN_CAUSE = "The operator closed the sfn-tui dashboard before answering this task."


class InboxClient(Protocol):
    async def get_activity_task(
        self, activity_arn: str, worker_name: str
    ) -> ActivityTask | None: ...
    async def send_task_success(self, token: str, output: str) -> None: ...
    async def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None: ...
    async def send_task_heartbeat(self, token: str) -> None: ...
    async def describe_execution(self, arn: str) -> ExecutionDetail: ...
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


def default_worker_name() -> str:
    """`sfn-tui@<host>:<pid>`, within GetActivityTask's 80-character limit."""
    pid = str(os.getpid())
    host = socket.gethostname()[: 80 - len("sfn-tui@:") - len(pid)]
    return f"sfn-tui@{host}:{pid}"


class TaskStatus(StrEnum):
    WAITING = "WAITING"  # claimed, waiting for the operator
    SENDING = "SENDING"  # an answer is on its way
    ANSWERED = "ANSWERED"  # SendTaskSuccess accepted
    FAILED = "FAILED"  # SendTaskFailure accepted (by the operator or at shutdown)
    SEND_FAILED = "SEND_FAILED"  # the send did not go through; kept, `retry` resends it
    EXPIRED = "EXPIRED"  # the task can no longer be answered; `reason` says why


OPEN_STATUSES = frozenset({TaskStatus.WAITING, TaskStatus.SENDING, TaskStatus.SEND_FAILED})


class InvalidReply(ValueError):
    """The reply was refused locally; nothing was sent."""


class NotAnswerable(ValueError):
    """The task is not waiting for an answer (answered, expired, or a send in flight)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the operator sent (or tried to): a success output or a failure."""

    kind: Literal["success", "failure"]
    output: str = ""
    error: str = ""
    cause: str = ""


@dataclass(frozen=True, slots=True)
class PollError:
    """Why polling an activity is failing, for the UI to show."""

    error: SfnError
    failures: int
    since: datetime
    retry_in: float


@dataclass(eq=False, slots=True)
class InboxTask:
    """A claimed task. Mutable: the inbox updates it and calls `on_change`."""

    id: str
    task: ActivityTask
    status: TaskStatus = TaskStatus.WAITING
    execution_arn: str | None = None
    heartbeat_seconds: int | None = None
    timeout_seconds: int | None = None
    last_reply: Reply | None = None
    last_error: str | None = None  # why the last send failed (SEND_FAILED)
    reason: str | None = None  # why it expired (EXPIRED)
    heartbeat_error: str | None = None  # the last heartbeat problem, if any
    resolve_attempts: int = 0
    _uncertain_send: bool = field(default=False, repr=False)

    @property
    def activity_arn(self) -> str:
        return self.task.activity_arn

    @property
    def input(self) -> str:
        return self.task.input

    @property
    def received_at(self) -> datetime:
        return self.task.received_at

    @property
    def is_open(self) -> bool:
        """Claimed and not yet answered or expired."""
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ShutdownSummary:
    failed: int  # claimed tasks failed with Worker.Shutdown
    arrived_during_grace: int  # of those, tasks that came in while shutting down
    not_delivered: tuple[str, ...]  # tasks whose Worker.Shutdown could not be sent (why)
    abandoned_polls: int  # long-polls still open at the end of the grace (cancelled)

    def describe(self) -> str:
        parts = [f"failed {self.failed} unanswered task(s) with {SHUTDOWN_ERROR}"]
        if self.not_delivered:
            parts.append(f"{len(self.not_delivered)} could not be failed and will time out")
        if self.abandoned_polls:
            parts.append(
                f"abandoned {self.abandoned_polls} open poll(s); a task handed to one of them"
                " is lost until its timeout"
            )
        return "; ".join(parts)


def _check_json(output: str) -> None:
    import json

    try:
        json.loads(output)
    except ValueError as exc:
        raise InvalidReply(f"The reply is not valid JSON: {exc}. Nothing was sent.") from None
    size = len(output.encode("utf-8"))
    if size > MAX_OUTPUT_BYTES:
        raise InvalidReply(
            f"The reply is {size:,} bytes; Step Functions accepts at most"
            f" {MAX_OUTPUT_BYTES:,} (256 KiB). Nothing was sent."
        )


def _check_failure(error: str, cause: str) -> None:
    if len(error) > MAX_ERROR_CHARS:
        raise InvalidReply(
            f"The error name is {len(error)} characters; at most {MAX_ERROR_CHARS} are allowed."
            " Nothing was sent."
        )
    if len(cause) > MAX_CAUSE_CHARS:
        raise InvalidReply(
            f"The cause is {len(cause):,} characters; at most {MAX_CAUSE_CHARS:,} are allowed."
            " Nothing was sent."
        )


def _status_words(status: str) -> str:
    return {
        "SUCCEEDED": "the run already SUCCEEDED",
        "FAILED": "the run FAILED",
        "TIMED_OUT": "the run TIMED_OUT",
        "ABORTED": "the run was ABORTED",
        "PENDING_REDRIVE": "the run FAILED and is pending redrive",
    }.get(status, f"the run is {status}")


class TaskInbox:
    def __init__(
        self,
        client: InboxClient,
        worker_name: str | None = None,
        on_change: Callable[[], None] | None = None,
        *,
        liveness_interval: float = 5.0,
        max_resolve_attempts: int = 6,
    ) -> None:
        self.client = client
        self.worker_name = worker_name or default_worker_name()
        self.on_change = on_change
        self.liveness_interval = liveness_interval
        self.max_resolve_attempts = max_resolve_attempts
        self.tasks: list[InboxTask] = []
        self.poll_errors: dict[str, PollError] = {}
        self._worked: set[str] = set()
        self._loops: dict[str, asyncio.Task[None]] = {}
        self._polling: set[str] = set()  # activities with a GetActivityTask in flight
        self._heartbeats: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._maintenance: asyncio.Task[None] | None = None
        self._locator = ExecutionLocator(client, self.worker_name)
        self._ids = itertools.count(1)
        self._tokens: set[str] = set()
        self._closing = False
        self._late: list[InboxTask] = []

    # Reading ----------------------------------------------------------------------

    @property
    def worked(self) -> set[str]:
        return set(self._worked)

    @property
    def closing(self) -> bool:
        return self._closing

    def get(self, task_id: str) -> InboxTask:
        for item in self.tasks:
            if item.id == task_id:
                return item
        raise KeyError(task_id)

    def waiting_count(self, activity_arn: str) -> int:
        """Tasks of this activity still needing the operator (waiting, sending, or kept
        after a failed send)."""
        return sum(1 for t in self.tasks if t.activity_arn == activity_arn and t.is_open)

    def claimed(self) -> list[InboxTask]:
        """Claimed tasks not yet answered or expired (ask before quitting)."""
        return [t for t in self.tasks if t.is_open]

    def for_execution(self, execution_arn: str) -> list[InboxTask]:
        return [t for t in self.tasks if t.execution_arn == execution_arn]

    def hint_execution(self, execution_arn: str) -> None:
        """An execution whose tasks may come to this inbox (e.g. a run just started):
        checked first when finding which run a task belongs to."""
        self._locator.hint(execution_arn)

    def forget(self, task_id: str) -> None:
        """Drop a task that is no longer open from the list."""
        item = self.get(task_id)
        if item.is_open:
            raise NotAnswerable(f"Task {task_id} is still open; answer or fail it first.")
        self.tasks.remove(item)
        self._changed()

    # Working activities -----------------------------------------------------------

    def work(self, activity_arn: str) -> None:
        """Long-poll this activity from now on (idempotent)."""
        if self._closing:
            raise RuntimeError("The inbox is shutting down.")
        self._worked.add(activity_arn)
        loop = self._loops.get(activity_arn)
        if loop is None or loop.done():
            self._loops[activity_arn] = asyncio.create_task(
                self._poll_loop(activity_arn), name=f"inbox-poll {activity_arn}"
            )
        self._ensure_maintenance()
        self._changed()

    def unwork(self, activity_arn: str) -> None:
        """Stop polling this activity. A poll in flight is left to finish, so a task
        handed to it is not lost; it is kept like any other."""
        self._worked.discard(activity_arn)
        self.poll_errors.pop(activity_arn, None)
        loop = self._loops.get(activity_arn)
        if loop is not None and activity_arn not in self._polling:
            loop.cancel()  # backing off between polls: nothing in flight
        self._changed()

    def is_polling(self, activity_arn: str) -> bool:
        return activity_arn in self._polling

    async def _poll_loop(self, activity_arn: str) -> None:
        failures = 0
        since: datetime | None = None
        while activity_arn in self._worked and not self._closing:
            self._polling.add(activity_arn)
            try:
                task = await self.client.get_activity_task(activity_arn, self.worker_name)
            except NotFound as error:
                self._worked.discard(activity_arn)
                self.poll_errors[activity_arn] = PollError(
                    error, failures + 1, since or datetime.now(UTC), 0.0
                )
                self._changed()
                return
            except SfnError as error:
                failures += 1
                since = since or datetime.now(UTC)
                delay = min(MAX_BACKOFF, 2.0 ** (failures - 1))
                self.poll_errors[activity_arn] = PollError(error, failures, since, delay)
                self._changed()
                self._polling.discard(activity_arn)
                await asyncio.sleep(delay)
                continue
            finally:
                self._polling.discard(activity_arn)
            if failures:
                failures, since = 0, None
                self.poll_errors.pop(activity_arn, None)
                self._changed()
            if task is not None:
                self._receive(task)

    def _receive(self, task: ActivityTask) -> None:
        if task.token in self._tokens:
            return
        self._tokens.add(task.token)
        item = InboxTask(id=f"T{next(self._ids)}", task=task)
        self.tasks.append(item)
        log.info("Task %s received from %s", item.id, task.activity_arn)
        if self._closing:
            self._late.append(item)
            self._spawn(self._send_shutdown_failure(item))
        else:
            self._spawn(self._resolve(item))
        self._changed()

    # Finding the task's execution, heartbeats, liveness ----------------------------

    async def _resolve(self, item: InboxTask) -> None:
        if item.execution_arn is not None or not item.is_open:
            return
        item.resolve_attempts += 1
        try:
            match = await self._locator.locate(item.task, exclude=self._claimed_scheduled())
        except SfnError as error:
            log.info("Finding the run of task %s failed: %s", item.id, error)
            return
        if match is None:
            return
        item.execution_arn = match.execution_arn
        item.heartbeat_seconds = match.heartbeat_seconds
        item.timeout_seconds = match.timeout_seconds
        self._locator.claim(item.id, match)
        if match.heartbeat_seconds and item.id not in self._heartbeats:
            self._heartbeats[item.id] = asyncio.create_task(
                self._heartbeat_loop(item, match.heartbeat_seconds)
            )
        self._changed()

    def _claimed_scheduled(self) -> set[tuple[str, int]]:
        return self._locator.claimed_keys()

    async def _heartbeat_loop(self, item: InboxTask, heartbeat_seconds: int) -> None:
        every = max(1.0, heartbeat_seconds / 3)
        while True:
            await asyncio.sleep(every)
            if item.status in (TaskStatus.SENDING,):
                continue
            if item.status not in (TaskStatus.WAITING, TaskStatus.SEND_FAILED):
                return
            try:
                await self.client.send_task_heartbeat(item.task.token)
            except TaskGone:
                if item.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED):
                    self._expire(item, "It timed out or its run ended (the heartbeat was refused).")
                return
            except SfnError as error:
                item.heartbeat_error = str(error)
                self._changed()
                continue
            if item.heartbeat_error:
                item.heartbeat_error = None
                self._changed()

    def _ensure_maintenance(self) -> None:
        if self._maintenance is None or self._maintenance.done():
            self._maintenance = asyncio.create_task(self._maintenance_loop(), name="inbox-liveness")

    async def _maintenance_loop(self) -> None:
        while not self._closing:
            await asyncio.sleep(self.liveness_interval)
            await self.check_now()

    async def check_now(self) -> None:
        """Find runs of tasks not yet placed, and expire tasks whose run has ended."""
        for item in list(self.tasks):
            if not item.is_open:
                continue
            if item.execution_arn is None:
                if item.resolve_attempts < self.max_resolve_attempts:
                    await self._resolve(item)
                continue
            if item.status is TaskStatus.SENDING:
                continue
            try:
                detail = await self.client.describe_execution(item.execution_arn)
            except NotFound:
                self._expire(item, "Its run no longer exists (its state machine was deleted?).")
                continue
            except SfnError as error:
                log.info("Checking the run of task %s failed: %s", item.id, error)
                continue
            status = detail.execution.status
            if status != "RUNNING" and item.status is not TaskStatus.SENDING and item.is_open:
                self._expire(item, f"It can no longer be answered: {_status_words(status)}.")

    def _expire(self, item: InboxTask, reason: str) -> None:
        item.status = TaskStatus.EXPIRED
        item.reason = reason
        self._stop_heartbeat(item)
        self._changed()

    def _stop_heartbeat(self, item: InboxTask) -> None:
        beat = self._heartbeats.pop(item.id, None)
        if beat is not None and beat is not asyncio.current_task():
            beat.cancel()

    # Answering --------------------------------------------------------------------

    async def answer(self, task_id: str, output_json: str) -> InboxTask:
        """Send SendTaskSuccess. InvalidReply (nothing sent) if the output is not JSON or
        is over 256 KiB. The returned task's status says how it went."""
        item = self._answerable(task_id)
        _check_json(output_json)
        return await self._send(item, Reply("success", output=output_json))

    async def fail(self, task_id: str, error: str, cause: str = "") -> InboxTask:
        """Send SendTaskFailure with this error name and cause."""
        item = self._answerable(task_id)
        _check_failure(error, cause)
        return await self._send(item, Reply("failure", error=error, cause=cause))

    async def retry(self, task_id: str) -> InboxTask:
        """Resend the last reply of a task whose send failed."""
        item = self.get(task_id)
        if item.status is not TaskStatus.SEND_FAILED or item.last_reply is None:
            raise NotAnswerable(f"Task {task_id} has no failed send to retry.")
        return await self._send(item, item.last_reply)

    def _answerable(self, task_id: str) -> InboxTask:
        item = self.get(task_id)
        if item.status not in (TaskStatus.WAITING, TaskStatus.SEND_FAILED):
            raise NotAnswerable(
                f"Task {task_id} cannot be answered: it is {item.status.value.lower()}."
            )
        return item

    async def _send(self, item: InboxTask, reply: Reply) -> InboxTask:
        retrying_uncertain = item._uncertain_send
        item.status = TaskStatus.SENDING
        item.last_reply = reply
        self._changed()
        try:
            if reply.kind == "success":
                await self.client.send_task_success(item.task.token, reply.output)
            else:
                await self.client.send_task_failure(item.task.token, reply.error, reply.cause)
        except TaskGone:
            if retrying_uncertain:
                reason = (
                    "The service says this task is closed. An earlier attempt failed in"
                    " transit and may have been delivered; check the run to see which"
                    " answer it received."
                )
            else:
                reason = (
                    "This task already timed out or was answered, or its run ended;"
                    " the answer was not delivered."
                )
            self._expire(item, reason)
            return item
        except SfnError as error:
            item.status = TaskStatus.SEND_FAILED
            item.last_error = str(error)
            item._uncertain_send = item._uncertain_send or error.retryable
            self._changed()
            return item
        except BaseException:
            item.status = TaskStatus.SEND_FAILED
            item.last_error = "The send was interrupted; it may have been delivered."
            item._uncertain_send = True
            self._changed()
            raise
        item.status = TaskStatus.ANSWERED if reply.kind == "success" else TaskStatus.FAILED
        item.last_error = None
        self._stop_heartbeat(item)
        self._changed()
        return item

    # Shutting down ----------------------------------------------------------------

    async def shutdown(self, grace: float = 5.0) -> ShutdownSummary:
        """Stop polling, fail every claimed unanswered task with Worker.Shutdown, wait up
        to `grace` seconds for polls in flight (a task they bring is failed the same
        way), then cancel what is left. Call it before closing the client."""
        self._closing = True
        self._worked.clear()
        for arn, loop in self._loops.items():
            if arn not in self._polling:
                loop.cancel()
        for task in [self._maintenance, *self._heartbeats.values()]:
            if task is not None:
                task.cancel()
        self._heartbeats.clear()
        deadline = time.monotonic() + grace
        # Sends in flight finish first (they may succeed); then fail what is open.
        sending = [t for t in self.tasks if t.status is TaskStatus.SENDING]
        while sending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            sending = [t for t in self.tasks if t.status is TaskStatus.SENDING]
        claimed = [
            t for t in self.tasks if t.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED)
        ]
        results = await asyncio.gather(*(self._send_shutdown_failure(t) for t in claimed))
        not_delivered = [r for r in results if r]
        loops = [loop for loop in self._loops.values() if not loop.done()]
        if loops:
            _, pending = await asyncio.wait(loops, timeout=max(0.0, deadline - time.monotonic()))
        else:
            pending = set()
        for loop in pending:
            loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
        late_results = await asyncio.gather(
            *[t for t in self._background if not t.done()], return_exceptions=True
        )
        del late_results
        late_failed = [t for t in self._late if t.status is TaskStatus.FAILED]
        not_delivered += [
            f"{t.id}: {t.last_error}" for t in self._late if t.status is not TaskStatus.FAILED
        ]
        self._changed()
        return ShutdownSummary(
            failed=sum(1 for t in claimed if t.status is TaskStatus.FAILED) + len(late_failed),
            arrived_during_grace=len(self._late),
            not_delivered=tuple(not_delivered),
            abandoned_polls=len(pending),
        )

    async def _send_shutdown_failure(self, item: InboxTask) -> str:
        """Fail one task with Worker.Shutdown; '' on success, else why not."""
        await self._send(item, Reply("failure", error=SHUTDOWN_ERROR, cause=SHUTDOWN_CAUSE))
        if item.status is TaskStatus.FAILED:
            return ""
        return f"{item.id}: {item.reason or item.last_error or item.status.value}"

    # Plumbing ---------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:
            log.exception("The inbox's on_change callback raised")
