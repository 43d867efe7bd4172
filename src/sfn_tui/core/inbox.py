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
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from sfn_tui.aws.errors import NotFound, SfnError, TaskGone
from sfn_tui.aws.models import (
    ActivityTask,
    ExecutionDetail,
    HistoryEvent,
)
from sfn_tui.core.callback_watch import CallbackClient, CallbackWatcher
from sfn_tui.core.callbacks import CallbackWait
from sfn_tui.core.heartbeats import HeartbeatClient, HeartbeatKeeper, Outcome
from sfn_tui.core.locate import ExecutionLocator, LocatorClient, Placement
from sfn_tui.core.validation import InvalidJson, check_json

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
MAX_HISTORIES = 20  # runs whose latest history is kept for the chat pane
MAX_CLOSED = 100  # answered, failed and expired tasks kept on the list (open ones: all)
MAX_OUTPUT_BYTES = 256 * 1024
MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32_768
# Seconds between the first look-ups of a task's run. ActivityStarted may be written a
# moment after GetActivityTask answers (the engine's worker writes it), so the second
# look comes soon: with 0.25 s there, a task claimed at that moment showed 250 ms late.
RESOLVE_DELAYS = (0.0, 0.03, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
SHUTDOWN_ERROR = "Worker.Shutdown"
SHUTDOWN_CAUSE = "The operator closed the sfn-tui dashboard before answering this task."

Settle = Callable[[bool], Awaitable[None]]
"""What to do with where a callback's token was read from, once its task is settled:
called with True after an answer was delivered, False when it was given up."""


class InboxClient(LocatorClient, CallbackClient, Protocol):
    async def get_activity_task(
        self, activity_arn: str, worker_name: str
    ) -> ActivityTask | None: ...
    async def send_task_success(self, token: str, output: str) -> None: ...
    async def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None: ...
    async def send_task_heartbeat(self, token: str) -> None: ...
    async def describe_execution(self, arn: str) -> ExecutionDetail: ...


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
    heartbeats_sent: int = 0
    heartbeat_error: str | None = None  # the last heartbeat problem, if any
    resolve_attempts: int = 0
    send_uncertain: bool = False  # a failed send may have reached the service
    # The reply the operator is typing, kept with the task (not with a screen) until
    # it is sent or the task closes: leaving the chat pane must not lose it.
    draft: str | None = None
    # A run waiting at a .waitForTaskToken Task (found in its history, not claimed):
    # `task.token` is its token ("" when the history does not carry it).
    callback: CallbackWait | None = None
    # A token read from elsewhere (a queue message, see core/queue_tokens.py): settled
    # once the task is answered or given up.
    settle: Settle | None = None

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
        """Claimed (or found waiting) and not yet answered or expired."""
        return self.status in OPEN_STATUSES

    @property
    def source(self) -> str:
        """Where it comes from: the activity's name, or the callback's state and service."""
        if self.callback is not None:
            return f"{self.callback.state_name} ({self.callback.service})"
        return self.activity_arn.rsplit(":", 1)[-1]


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
    """The same local check as an execution's input: size, JSON, no NaN, any nesting."""
    try:
        check_json(output, "reply", MAX_OUTPUT_BYTES)
    except InvalidJson as exc:
        raise InvalidReply(f"{exc} Nothing was sent.") from None


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


def _now() -> datetime:
    return datetime.now(UTC)


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
        max_resolve_attempts: int = 12,
        heartbeat_client: Callable[[], AbstractAsyncContextManager[HeartbeatClient]] | None = None,
    ) -> None:
        """`heartbeat_client()` makes the client heartbeats are sent with, from a thread
        of their own (core/heartbeats.py); without it, tasks that need heartbeats say
        so (`heartbeat_error`)."""
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
        self._beating: set[str] = set()  # tasks the keeper sends heartbeats for
        self._keeper: HeartbeatKeeper | None = None
        if heartbeat_client is not None:
            self._keeper = HeartbeatKeeper(heartbeat_client, self._heartbeat_outcome)
        self._loop = asyncio.get_running_loop()
        self._background: set[asyncio.Task[Any]] = set()
        self._settling: set[asyncio.Task[None]] = set()  # see _start_settling
        self._maintenance: asyncio.Task[None] | None = None
        self._locator = ExecutionLocator(client, self.worker_name)
        self._placed: dict[str, tuple[str, int]] = {}
        self._ids = itertools.count(1)
        self._tokens: set[str] = set()
        self._closing = False
        self._late: list[InboxTask] = []  # tasks that arrived during shutdown
        self._late_sends: list[asyncio.Task[str]] = []
        self._wake = asyncio.Event()  # set by `reconnected`: polls backing off retry now
        self._watcher: CallbackWatcher | None = None
        self._callback_keys: set[tuple[str, int]] = set()  # callbacks ever listed
        self._attended: str | None = None  # the callback the operator is answering
        self._deadline = 0.0  # shutdown: when to stop waiting for polls in flight
        self._hurry = asyncio.Event()  # set by `hurry`: the deadline moved closer
        # The latest history seen per run (when a task was placed in it): the chat pane
        # draws the new message from it without fetching the history again.
        self.histories: dict[str, list[HistoryEvent]] = {}

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
        """Claimed activity tasks not yet answered or expired (ask before quitting:
        quitting fails them). Callbacks are not claimed: others may answer them."""
        return [t for t in self.tasks if t.is_open and t.callback is None]

    def waiting(self) -> list[InboxTask]:
        """Every task waiting for the operator: claimed ones and callbacks found."""
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
        """Long-poll this activity from now on (idempotent). Once shutdown has begun it
        does nothing: a catalog poll or a key handled during quit may still ask."""
        if self._closing:
            return
        self._worked.add(activity_arn)
        if self._keeper is not None:
            self._keeper.warm()
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
        if activity_arn not in self._polling:
            loop = self._loops.pop(activity_arn, None)
            if loop is not None:
                loop.cancel()  # backing off between polls: nothing in flight
        self._changed()

    def is_polling(self, activity_arn: str) -> bool:
        return activity_arn in self._polling

    @property
    def open_polls(self) -> int:
        """GetActivityTask calls in flight (a token they bring is kept; see `shutdown`)."""
        return len(self._polling)

    async def _poll_loop(self, activity_arn: str) -> None:
        failures = 0
        since: datetime | None = None
        while activity_arn in self._worked and not self._closing:
            backoff = 0.0
            task: ActivityTask | None = None
            self._polling.add(activity_arn)
            try:
                task = await self.client.get_activity_task(activity_arn, self.worker_name)
            except NotFound as error:
                self._worked.discard(activity_arn)
                self.poll_errors[activity_arn] = PollError(error, failures + 1, _now(), 0.0)
                self._changed()
                return
            except SfnError as error:
                failures += 1
                since = since or _now()
                backoff = min(MAX_BACKOFF, 2.0 ** (failures - 1))
                self.poll_errors[activity_arn] = PollError(error, failures, since, backoff)
                log.info("Polling %s failed (%s); retry in %.0f s", activity_arn, error, backoff)
                self._changed()
            finally:
                self._polling.discard(activity_arn)
            if task is not None:
                self._receive(task)
            if backoff and not self._closing:  # closing: end now, not after the backoff
                await self._pause(backoff)
            elif failures:
                log.info("Polling %s works again after %d failed poll(s)", activity_arn, failures)
                failures, since = 0, None
                self.poll_errors.pop(activity_arn, None)
                self._changed()

    async def _pause(self, seconds: float) -> None:
        """Back off for `seconds`, or until `reconnected` says the endpoint is back."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    def reconnected(self) -> None:
        """The endpoint answers again (the dashboard's poll recovered): polls backing off
        retry now, and claimed tasks are checked at once (after a restart of the endpoint
        their runs are gone: they are shown as expired, not left looking answerable)."""
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()
        if not self._closing and any(t.is_open for t in self.tasks):
            self._spawn(self.check_now())

    def _receive(self, task: ActivityTask) -> None:
        if task.token in self._tokens:
            return
        self._tokens.add(task.token)
        item = InboxTask(id=f"T{next(self._ids)}", task=task)
        self.tasks.append(item)
        log.info("Task %s received from %s", item.id, task.activity_arn)
        if self._closing:
            self._late.append(item)
            self._late_sends.append(asyncio.create_task(self._send_shutdown_failure(item)))
        else:
            self._spawn(self._resolve_soon(item))
        self._changed()

    # Callbacks ------------------------------------------------------------------------

    def follow_callbacks(self, machine_arns: set[str]) -> None:
        """List the runs of these machines that wait on a `.waitForTaskToken` callback
        (see core/callback_watch.py), from now on."""
        if self._closing:
            return
        if self._watcher is None:
            self._watcher = CallbackWatcher(self.client, self._callbacks_seen)
        self._watcher.follow(machine_arns)
        if machine_arns and self._keeper is not None:
            self._keeper.warm()

    def hint_callbacks(self, execution_arn: str) -> None:
        """A run that will wait on a callback soon (just started by this app)."""
        if self._watcher is not None:
            self._watcher.hint(execution_arn)

    @property
    def followed(self) -> set[str]:
        """The machines whose runs are followed for callbacks."""
        return self._watcher.machines if self._watcher is not None else set()

    def _callbacks_seen(self, execution_arn: str, waits: list[CallbackWait]) -> None:
        keys = {wait.key for wait in waits}
        changed = False
        for item in self.tasks:
            wait = item.callback
            if (
                wait is not None
                and wait.execution_arn == execution_arn
                and wait.key not in keys
                and item.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED)
            ):
                self._expire(
                    item,
                    "It is no longer waiting: answered from elsewhere, timed out, or its"
                    " run ended.",
                )
                changed = True
        for wait in waits:
            if wait.key in self._callback_keys:
                continue
            self._callback_keys.add(wait.key)
            task = ActivityTask(
                token=wait.token or "",
                input=wait.shown_payload(),
                activity_arn=wait.resource,
                received_at=wait.scheduled_at or _now(),
            )
            self.tasks.append(
                InboxTask(
                    id=f"T{next(self._ids)}",
                    task=task,
                    execution_arn=execution_arn,
                    heartbeat_seconds=wait.heartbeat_seconds,
                    timeout_seconds=wait.timeout_seconds,
                    callback=wait,
                )
            )
            log.info("Callback %s found in %s (%s)", self.tasks[-1].id, execution_arn, wait.service)
            changed = True
        if changed:
            self._changed()

    def attend(self, task_id: str | None) -> None:
        """The operator is answering this task now (None: none). A callback whose state
        has HeartbeatSeconds gets heartbeats while attended, and only then: the app is
        not its worker, the person answering is."""
        if task_id == self._attended:
            return
        previous, self._attended = self._attended, task_id
        if previous is not None:
            with contextlib.suppress(KeyError):
                item = self.get(previous)
                if item.callback is not None:
                    self._stop_heartbeat(item)
        if task_id is None:
            return
        try:
            item = self.get(task_id)
        except KeyError:
            return
        beat = item.heartbeat_seconds
        if item.callback is not None and item.task.token and beat and item.is_open:
            self._start_heartbeat(item, beat)

    # Finding the task's execution, heartbeats, liveness ----------------------------

    async def _resolve_soon(self, item: InboxTask) -> None:
        """Place a new task. History may lag the claim by a moment (ActivityStarted is
        written after GetActivityTask answers): try a few times, then leave it to the
        liveness checks."""
        for delay in RESOLVE_DELAYS:
            await asyncio.sleep(delay)
            if await self._resolve(item):
                return

    async def _resolve(self, item: InboxTask) -> bool:
        """Find the task's run; True once it is known (or the task is closed)."""
        if item.execution_arn is not None or not item.is_open:
            return True
        item.resolve_attempts += 1
        try:
            match = await self._locator.locate(item.task, exclude=set(self._placed.values()))
        except SfnError as error:
            log.info("Finding the run of task %s failed: %s", item.id, error)
            return False
        if match is None or item.execution_arn is not None:
            return item.execution_arn is not None
        self.place(item.id, match)
        return True

    def place(self, task_id: str, placement: Placement) -> None:
        """Record which run a task belongs to (found by the inbox, or known by the caller)."""
        item = self.get(task_id)
        item.execution_arn = placement.execution_arn
        item.heartbeat_seconds = placement.heartbeat_seconds
        item.timeout_seconds = placement.timeout_seconds
        self._placed[item.id] = placement.key
        # Its run's next task is looked for there first (no scan of every machine).
        self._locator.hint(placement.execution_arn)
        if placement.history:
            self.histories.pop(placement.execution_arn, None)
            self.histories[placement.execution_arn] = list(placement.history)
            while len(self.histories) > MAX_HISTORIES:
                self.histories.pop(next(iter(self.histories)))
        if placement.heartbeat_seconds and item.is_open:
            self._start_heartbeat(item, placement.heartbeat_seconds)
        self._changed()

    def _start_heartbeat(self, item: InboxTask, heartbeat_seconds: int) -> None:
        if item.id in self._beating or self._closing:
            return
        if self._keeper is None:
            item.heartbeat_error = "No heartbeat sender: the task may time out."
            return
        self._beating.add(item.id)
        self._keeper.keep(
            item.id,
            item.task.token,
            max(1.0, heartbeat_seconds / 3),
            paused=lambda: item.status is TaskStatus.SENDING,
        )

    def _heartbeat_outcome(self, outcome: Outcome) -> None:
        """From the keeper's thread: apply on this loop."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to show
            self._loop.call_soon_threadsafe(self._apply_heartbeat, outcome)

    def _apply_heartbeat(self, outcome: Outcome) -> None:
        try:
            item = self.get(outcome.task_id)
        except KeyError:
            return
        if outcome.gone:
            self._beating.discard(item.id)
            if item.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED):
                self._expire(item, "It timed out or its run ended (the heartbeat was refused).")
        elif outcome.error is not None:
            item.heartbeat_error = outcome.error
            self._changed()
        else:
            item.heartbeats_sent += 1
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
            if not item.is_open or item.callback is not None:
                continue  # callbacks: the watcher reads their runs
            if item.execution_arn is None:
                if item.resolve_attempts < self.max_resolve_attempts:
                    await self._resolve(item)
                continue
            if item.status is TaskStatus.SENDING:
                continue
            if item.timeout_seconds and _now() > item.received_at + timedelta(
                seconds=item.timeout_seconds
            ):
                # The run may go on (a Catch on States.Timeout): this task cannot.
                self._expire(item, f"Its TimeoutSeconds ({item.timeout_seconds} s) has passed.")
                continue
            try:
                detail = await self.client.describe_execution(item.execution_arn)
            except NotFound:
                self._expire(
                    item,
                    "The endpoint no longer knows its run (restarted, or the state machine"
                    " was deleted?).",
                )
                continue
            except SfnError as error:
                log.info("Checking the run of task %s failed: %s", item.id, error)
                continue
            status = detail.execution.status
            if status != "RUNNING" and item.status is not TaskStatus.SENDING and item.is_open:
                words = _status_words(status)
                self._expire(item, f"{words[0].upper()}{words[1:]}.")

    def _expire(self, item: InboxTask, reason: str) -> None:
        item.status = TaskStatus.EXPIRED
        item.reason = reason
        self._stop_heartbeat(item)
        if item.settle is not None and not self._closing:
            self._start_settling(item, answered=False)
        self._changed()

    def adopt_token(self, task_id: str, token: str, settle: Settle | None = None) -> InboxTask:
        """A waiting callback's token found elsewhere (its history did not carry it):
        the task becomes answerable. `settle` is called once it is answered or given up."""
        item = self.get(task_id)
        if item.callback is None or item.task.token or item.status is not TaskStatus.WAITING:
            raise NotAnswerable(f"Task {task_id} does not wait for a token.")
        if token in self._tokens:
            raise NotAnswerable("That token belongs to another task on the list.")
        wait = replace(item.callback, token=token, why_no_token="")
        item.callback = wait
        item.task = replace(item.task, token=token, input=wait.shown_payload())
        self._tokens.add(token)
        item.settle = settle
        log.info("Task %s: its token was read from where the run sent it", item.id)
        if self._attended == task_id and item.heartbeat_seconds:
            self._start_heartbeat(item, item.heartbeat_seconds)  # being answered now
        self._changed()
        return item

    def _start_settling(self, item: InboxTask, answered: bool) -> None:
        """Not one of the background tasks shutdown cancels: it waits for these."""
        task = asyncio.create_task(self._settle(item, answered))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    def tokens_of(self, execution_arn: str | None) -> list[str]:
        """The tokens of this run's callback tasks on the list (to hide them on screen
        where the history shows them inside other text)."""
        return [
            t.task.token
            for t in self.tasks
            if t.callback is not None and t.task.token and t.execution_arn == execution_arn
        ]

    async def _settle(self, item: InboxTask, answered: bool) -> None:
        settle, item.settle = item.settle, None
        if settle is None:
            return
        try:
            await settle(answered)
        except Exception:
            log.exception("Task %s: settling where its token came from failed", item.id)

    def _stop_heartbeat(self, item: InboxTask) -> None:
        if item.id in self._beating:
            self._beating.discard(item.id)
            if self._keeper is not None:
                self._keeper.drop(item.id)

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
        if not item.task.token:
            why = item.callback.why_no_token if item.callback is not None else ""
            raise NotAnswerable(f"Task {task_id} cannot be answered from here. {why}".strip())
        return item

    async def _send(self, item: InboxTask, reply: Reply) -> InboxTask:
        retrying_uncertain = item.send_uncertain
        item.status = TaskStatus.SENDING
        item.last_reply = reply
        self._changed()
        try:
            if reply.kind == "success":
                await self.client.send_task_success(item.task.token, reply.output)
            else:
                await self.client.send_task_failure(item.task.token, reply.error, reply.cause)
        except TaskGone as gone:
            # An earlier attempt (ours, or botocore's own retry within this call) may
            # have reached the service before the connection failed: then "closed" may
            # mean "closed by that answer".
            if retrying_uncertain or gone.retried:
                reason = (
                    "The service says this task is closed. An earlier attempt failed in"
                    " transit and may have been delivered; check the run to see which"
                    " answer it received."
                )
            elif gone.code == "InvalidToken":
                reason = (
                    "The service does not know this task (was the endpoint restarted?);"
                    " the answer was not delivered."
                )
            else:
                reason = (
                    "This task already timed out or was answered, or its run ended;"
                    " the answer was not delivered."
                )
            self._expire(item, reason)
            return item
        except SfnError as error:
            log.warning("Task %s: the answer was not delivered: %s", item.id, error)
            item.status = TaskStatus.SEND_FAILED
            item.last_error = str(error)
            item.send_uncertain = item.send_uncertain or error.maybe_delivered
            self._changed()
            return item
        except BaseException:
            item.status = TaskStatus.SEND_FAILED
            item.last_error = "The send was interrupted; it may have been delivered."
            item.send_uncertain = True
            self._changed()
            raise
        item.status = TaskStatus.ANSWERED if reply.kind == "success" else TaskStatus.FAILED
        item.last_error = None
        self._stop_heartbeat(item)
        if item.settle is not None:
            self._start_settling(item, answered=True)
        if item.callback is not None and item.execution_arn is not None:
            self.hint_callbacks(item.execution_arn)  # its next callback may follow at once
        if self.poll_errors and not self._closing:
            self.reconnected()  # the endpoint answers again: failing polls retry now
        self._changed()
        return item

    # Shutting down ----------------------------------------------------------------

    async def shutdown(self, grace: float = 5.0) -> ShutdownSummary:
        """Stop polling, fail every claimed unanswered task with Worker.Shutdown, wait up
        to `grace` seconds for polls in flight (a task one brings is failed the same
        way; `hurry` shortens the wait), then cancel what is left. Call it before
        closing the client."""
        self._closing = True
        self._worked.clear()
        for arn, loop in self._loops.items():
            if arn not in self._polling:
                loop.cancel()  # between polls: nothing in flight
        for task in [self._maintenance, *self._background]:
            if task is not None:
                task.cancel()
        if self._keeper is not None:
            # Heartbeats go on until the tasks are failed below: stop them after.
            keeper, self._keeper = self._keeper, None
        else:
            keeper = None
        self._deadline = time.monotonic() + grace
        # An answer already on its way may still succeed: let it finish first.
        while any(t.status is TaskStatus.SENDING for t in self.tasks):
            if time.monotonic() >= self._deadline:
                break
            await asyncio.sleep(0.05)
        if self._watcher is not None:
            self._watcher.stop()
        claimed = [
            t
            for t in self.tasks
            if t.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED) and t.callback is None
        ]
        problems = [
            p for p in await asyncio.gather(*map(self._send_shutdown_failure, claimed)) if p
        ]
        pending = await self._wait_for_polls()
        for loop in pending:
            loop.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        # Tasks that arrived while waiting are being failed: let those sends finish.
        late = await asyncio.gather(*self._late_sends, return_exceptions=True)
        problems += [str(p) for p in late if p]
        if keeper is not None:
            await asyncio.to_thread(keeper.close)
        # Messages held for an unanswered callback go back to their queue now.
        await asyncio.gather(
            *self._settling,
            *(self._settle(t, answered=False) for t in self.tasks if t.settle is not None),
            return_exceptions=True,
        )
        self._beating.clear()
        self._changed()
        failed = [t for t in [*claimed, *self._late] if t.status is TaskStatus.FAILED]
        summary = ShutdownSummary(
            failed=len(failed),
            arrived_during_grace=len(self._late),
            not_delivered=tuple(problems),
            abandoned_polls=len(pending),
        )
        log.info("Inbox shut down: %s", summary.describe())
        return summary

    def seconds_left(self) -> float:
        """While shutting down: how much longer it waits for polls in flight."""
        return max(0.0, self._deadline - time.monotonic())

    def hurry(self, seconds: float) -> None:
        """Wait at most `seconds` more for polls in flight (a second q, a signal)."""
        self._deadline = min(self._deadline or float("inf"), time.monotonic() + seconds)
        self._hurry.set()

    async def _wait_for_polls(self) -> set[asyncio.Task[None]]:
        """Wait for the polls in flight until the deadline; return those still open."""
        while True:
            pending = {loop for loop in self._loops.values() if not loop.done()}
            left = self._deadline - time.monotonic()
            if not pending or left <= 0:
                return pending
            self._hurry.clear()
            hurried = asyncio.ensure_future(self._hurry.wait())
            try:
                await asyncio.wait(
                    {*pending, hurried}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                hurried.cancel()

    async def _send_shutdown_failure(self, item: InboxTask) -> str:
        """Fail one task with Worker.Shutdown; '' on success, else why not."""
        await self._send(item, Reply("failure", error=SHUTDOWN_ERROR, cause=SHUTDOWN_CAUSE))
        if item.status is TaskStatus.FAILED:
            return ""
        return f"{item.id}: {item.reason or item.last_error or item.status.value}"

    # Plumbing ---------------------------------------------------------------------

    def _prune_closed(self) -> None:
        """Keep the newest MAX_CLOSED closed tasks: a dashboard left running for days
        would otherwise hold every task it ever answered. Open tasks are never dropped."""
        closed = [t for t in self.tasks if not t.is_open]
        oldest = closed[: max(0, len(closed) - MAX_CLOSED)]
        if not oldest:
            return
        for item in oldest:
            self._tokens.discard(item.task.token)
            self._placed.pop(item.id, None)
        dropped = {item.id for item in oldest}
        self.tasks = [t for t in self.tasks if t.id not in dropped]

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _changed(self) -> None:
        self._prune_closed()
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:
            log.exception("The inbox's on_change callback raised")
