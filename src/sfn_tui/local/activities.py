"""Activities for moto 5.2.5's Step Functions engine, patched in by ``install()``.

moto's execution engine (``moto/stepfunctions/parser``, taken from LocalStack) has the
pieces for activities (``ActivityCallbackEndpoint``, ``ActivityTaskStartEndpoint``) but
moto never wires them to its backend or its HTTP API. ``install()`` does:

* each backend (account + region) keeps one task queue per activity, kept in sync with
  CreateActivity/DeleteActivity, and every execution gets those queues as its
  activity store (moto passes ``activity_store={}``);
* ``GetActivityTask`` long-polls a queue for up to ``HOLD_SECONDS``, claims the task
  (so the execution logs ActivityStarted with the worker name) or answers ``{}``;
* SendTaskSuccess/Failure/Heartbeat on activity tasks: ``cause`` is kept, a heartbeat
  is accepted without HeartbeatSeconds, a closed task gives ``TaskTimedOut``;
* timeouts come out as ``States.Timeout``; StopExecution aborts an execution that
  waits on an activity (and keeps ``error``/``cause``);
* the engine's own exceptions (``InvalidToken()``...) carry their error code instead of
  failing with HTTP 500;

Every patch reaches into moto internals, so ``install()`` refuses any other moto
(``patches.check_moto``); ``patches.install()`` installs this module with the others.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

HOLD_SECONDS: float = 60.0
"""How long GetActivityTask holds the connection when no task is pending (AWS: 60 s)."""

_install_lock = threading.Lock()
_closing = threading.Event()  # set by shutdown(): pending long-polls answer at once
_local = threading.local()  # .frame: the Task state's frame, for add_activity_task
_tasks: weakref.WeakValueDictionary[str, _Task] = weakref.WeakValueDictionary()


@dataclass(eq=False)
class _Task:
    token: str
    input: str
    endpoint: Any  # parser ActivityCallbackEndpoint; it holds this object (see below)
    frame: Any  # parser Environment frame of the Task state; None if unknown

    def is_open(self) -> bool:
        """Not answered yet, and the state still waits (no timeout, stop or end)."""
        if self.endpoint.get_outcome() is not None:
            return False
        return self.frame is None or bool(self.frame.is_running())


class _Queue:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.tasks: deque[_Task] = deque()
        self.deleted = False
        self.pollers = 0  # GetActivityTask polls held now


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _queues(backend: Any) -> dict[str, _Queue]:
    """The backend's activity queues by ARN (also handed to executions as activity store)."""
    queues: dict[str, _Queue] = backend.__dict__.setdefault(
        "_sfn_tui_queues", {arn: _Queue() for arn in list(backend.activities)}
    )
    return queues


MAX_POLLERS = 1000
"""Concurrent GetActivityTask polls an activity allows (AWS quota: 1,000 per ARN)."""

POLL_SLICE_SECONDS = 0.2
"""How often a held poll asks `gone()` whether its client is still there."""


def get_activity_task(
    backend: Any,
    activity_arn: str,
    worker_name: str | None,
    gone: Callable[[], bool] | None = None,
) -> dict[str, str]:
    """Claim the oldest open task of the activity, waiting up to HOLD_SECONDS for one.

    `gone()` says whether the client has gone away (see `client_gone`): such
    a poll claims nothing and ends, so a task goes to a poller that is still there.
    More than MAX_POLLERS polls at once: ActivityWorkerLimitExceeded, as on AWS.
    """
    backend.describe_activity(activity_arn)  # InvalidArn / ActivityDoesNotExist
    queue = _queues(backend).setdefault(activity_arn, _Queue())
    deadline = time.monotonic() + HOLD_SECONDS
    with queue.cond:
        if queue.pollers >= MAX_POLLERS:
            raise _error(
                "ActivityWorkerLimitExceeded",
                "The maximum number of workers concurrently polling for activity tasks has"
                " been reached.",
            )
        queue.pollers += 1
        try:
            while not (queue.deleted or _closing.is_set()):
                if gone is not None and gone():
                    queue.cond.notify()  # a task that came meanwhile: someone else's
                    break
                while queue.tasks:
                    task = queue.tasks.popleft()
                    if task.is_open():  # skip tasks of stopped / timed-out executions
                        task.endpoint.notify_activity_task_start(worker_name)
                        return {"taskToken": task.token, "input": task.input}
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                queue.cond.wait(remaining if gone is None else min(remaining, POLL_SLICE_SECONDS))
        finally:
            queue.pollers -= 1
    return {}


def _no_gone_check(response: Any) -> Callable[[], bool] | None:
    return None


client_gone: Callable[[Any], Callable[[], bool] | None] = _no_gone_check
"""The `gone()` of a GetActivityTask response's connection, or None (cannot tell).
local/poller_withdrawal.py's install() sets it; the GetActivityTask here asks it."""


def pollers(activity_arn: str) -> int:
    """How many GetActivityTask polls of this activity are held right now."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return sum(
        _queues(backend)[activity_arn].pollers
        for account in list(stepfunctions_parser_backends.values())
        for backend in account.values()
        if activity_arn in _queues(backend)
    )


def _open_task(token: str) -> _Task | None:
    """The activity task of this token (None: not an activity token), if still open."""
    task = _tasks.get(token)
    if task is not None and not task.is_open():
        raise _error("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    return task


def _started_env(execution: Any, timeout: float) -> Any:
    """The environment of a RUNNING execution once its program runs (None: not running).

    The worker thread builds the environment just after StartExecution returns; a stop
    before that would be lost (env.set_stop only acts on a running program), so wait a
    little. This is a short bounded wait for a rare race, not a poll loop.
    """
    deadline = time.monotonic() + timeout
    while execution.exec_status == "RUNNING":  # moto's start() made its worker first
        env = execution.exec_worker.env
        if env is not None and env._program_state is not None:
            return env
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)
    return None


SHUTDOWN_WAIT_SECONDS: float = 2.0
"""How long ``shutdown()`` waits, in all, for executions whose program has not started."""


def shutdown() -> None:
    """Answer pending long-polls and abort every running execution (ending its threads).

    Bounded: executions whose worker thread has not built its program yet (thousands may
    be queued on a loaded machine) share one ``SHUTDOWN_WAIT_SECONDS`` wait, not 2 s each;
    those still not started are left to end with the process (their threads are daemons).
    """
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    _closing.set()
    backends = [
        b for account in list(stepfunctions_parser_backends.values()) for b in account.values()
    ]
    for backend in backends:  # long-polls first: each answers at once
        for queue in list(_queues(backend).values()):
            with queue.cond:
                queue.cond.notify_all()
    now = datetime.datetime.now(tz=datetime.UTC)
    deadline = time.monotonic() + SHUTDOWN_WAIT_SECONDS
    for backend in backends:
        for execution in backend._get_executions(ExecutionStatus.RUNNING):
            wait = max(0.0, deadline - time.monotonic())
            execution.stop(stop_date=now, error=None, cause=None, wait=wait)


def install() -> None:
    """Patch moto (idempotent). Raises RuntimeError on any moto version but 5.2.5."""
    patches.check_moto()
    with _install_lock:
        _closing.clear()
        if not _journal:
            _patch()


def uninstall() -> None:
    """Undo ``install()``: each slot ``_patch()`` set gets back what it held before.

    For tests: mutation testing runs ``_patch()`` once per process and judges its lines
    only if a test puts the patches in again (``reinstall()``) in the forked child. A slot
    that a later patch module has wrapped since keeps that wrapper (it calls this module's
    function); what lies beneath it is kept for the next ``install()``.
    """
    with _install_lock:
        while _journal:
            owner, name, before, under, ours = _journal.pop()
            if owner.__dict__.get(name, _ABSENT) is not ours:  # wrapped by a later patch
                _wrapped[(owner, name)] = (before, under, ours)
            elif before is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, before)


def reinstall() -> None:
    """``uninstall()`` then ``install()``: the patches put in again by ``_patch()``."""
    uninstall()
    install()


_ABSENT: Any = object()  # a slot the class did not define itself (it inherited it)
# Every slot _patch() set: (class, attribute, its own value before or _ABSENT, what the
# attribute read before (inherited too), the value set), in the order set.
_journal: list[tuple[Any, str, Any, Any, Any]] = []
# Slots uninstall() left to a later patch's wrapper: (before, read before, ours).
_wrapped: dict[tuple[Any, str], tuple[Any, Any, Any]] = {}


def _put(owner: Any, name: str, value: Any) -> Any:
    """Set ``owner.<name>`` to value, in the journal; return what it read before (moto's).

    A slot uninstall() left wrapped by a later patch stays as it is: that wrapper calls
    this module's function already. Any other value there could never take effect.
    """
    kept = _wrapped.pop((owner, name), None)
    if kept is not None:
        before, under, ours = kept
        if value is not ours:
            _wrapped[(owner, name)] = kept
            raise RuntimeError(f"{owner.__name__}.{name} is wrapped by a later patch")
        _journal.append((owner, name, before, under, ours))
        return under
    under = getattr(owner, name, _ABSENT)
    _journal.append((owner, name, owner.__dict__.get(name, _ABSENT), under, value))
    setattr(owner, name, value)
    return under


class _Moto:
    """moto's modules and classes the patches below use, resolved by ``_patch()``.

    Typed Any on purpose: everything here is moto's internals. The patches are
    module-level functions (not closures of ``_patch()``) so that each is looked up and
    called through this module at call time.
    """

    AWSError: Any
    ActionResult: Any
    EmptyResult: Any
    api: Any  # moto.stepfunctions.parser.api
    callback: Any  # moto.stepfunctions.parser.asl.eval.callback.callback
    ProgramStopped: Any
    FailureEventException: Any
    ParserExecution: Any
    parser_models: Any  # moto.stepfunctions.parser.models
    ParserBackend: Any


class _Originals:
    """moto's methods as they were before ``_patch()`` replaced them."""

    create_activity: Any
    delete_activity: Any
    execution_init: Any
    eval_execution: Any
    stop: Any
    set_error: Any
    from_error: Any
    send_task_success: Any
    send_task_failure: Any
    send_task_heartbeat: Any


_moto = _Moto()
_originals = _Originals()


# 1. parser/api.py exceptions set `code` but AWSError reads TYPE and requires a
#    message: `raise InvalidToken()` was a TypeError (HTTP 500), and InvalidDefinition
#    went out with an empty error code.
def _exception_init(self: Any, message: str = "", *args: Any, **kwargs: Any) -> None:
    _moto.AWSError.__init__(self, message or str(type(self).TYPE), *args, **kwargs)


# 2. Activity queues per backend, in sync with Create/DeleteActivity, handed to every
#    execution instead of the empty store StepFunctionsParserBackend.start_execution gives.
def _create_activity(self: Any, *args: Any, **kwargs: Any) -> Any:
    activity = _originals.create_activity(self, *args, **kwargs)
    _queues(self).setdefault(activity.arn, _Queue())
    return activity


def _delete_activity(self: Any, activity_arn: str) -> None:
    _originals.delete_activity(self, activity_arn)
    queue = _queues(self).pop(activity_arn, None)
    if queue is not None:
        with queue.cond:
            queue.deleted = True
            queue.cond.notify_all()


def _execution_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _originals.execution_init(self, *args, **kwargs)
    backends = _moto.parser_models.stepfunctions_parser_backends
    self._activity_store = _queues(backends[self.account_id][self.region_name])


# 3. A scheduled task goes on its activity's queue (replaces CallbackPoolManager's method,
#    which expects parser Activity objects) and is registered by token with its frame.
def _add_activity_task(self: Any, callback_id: str, activity_arn: str, activity_input: str) -> Any:
    if callback_id in self._pool:
        raise ValueError("Duplicate callback token id value.")
    queue: _Queue | None = self._activity_store.get(activity_arn)
    if queue is None:
        raise _moto.api.ActivityDoesNotExist(f"Activity Does Not Exist: '{activity_arn}'")
    endpoint = _moto.callback.ActivityCallbackEndpoint(
        callback_id=callback_id, activity_input=activity_input
    )
    self._pool[callback_id] = endpoint
    task = _Task(callback_id, activity_input, endpoint, getattr(_local, "frame", None))
    endpoint._sfn_tui_task = task  # the execution's callback pool keeps the task alive
    _tasks[callback_id] = task
    with queue.cond:
        queue.tasks.append(task)
        queue.cond.notify()
    return endpoint


# StateTaskActivity._eval_execution runs in its own thread with the state's frame:
# remember the frame so _add_activity_task can tie the task to it.
def _eval_execution(self: Any, env: Any) -> None:
    _local.frame = env
    try:
        _originals.eval_execution(self, env)
    finally:
        _local.frame = None


# 5. StopExecution: mark ABORTED at once (keeping error/cause), wake the threads that
#    wait on callbacks, and keep the abort from turning into a failure on the way out.
def _stop(
    self: Any, stop_date: Any, error: str | None, cause: str | None, wait: float = 2.0
) -> None:
    env = _started_env(self, wait)
    if env is None:
        return
    _originals.stop(self, stop_date=stop_date, error=error, cause=cause)  # env.set_stop
    if not isinstance(env.program_state(), _moto.ProgramStopped):
        return  # it ended on its own just before
    self.exec_status = _moto.api.ExecutionStatus.ABORTED
    self.stop_date = stop_date
    self.error, self.cause = error or None, cause or None
    for endpoint in list(env.callback_pool_manager._pool.values()):
        if isinstance(endpoint, _moto.callback.ActivityCallbackEndpoint):
            endpoint.get_activity_task_start_endpoint()._next_activity_task_start_event.set()
        endpoint.interrupt_all()


def _set_error(self: Any, error: Any) -> None:
    if not isinstance(self._program_state, _moto.ProgramStopped):
        _originals.set_error(self, error)


def _from_error(self: Any, env: Any, ex: Exception) -> Any:
    failure_event = _originals.from_error(self, env, ex)
    if isinstance(env.program_state(), _moto.ProgramStopped):
        # Interrupted by StopExecution: leave the state without an ActivityTimedOut event.
        raise _moto.FailureEventException(failure_event=failure_event)
    return failure_event


# 6. Answers to activity tasks; other tokens (waitForTaskToken) keep moto's handling.
def _send_task_success(self: Any, task_token: str, outcome: str) -> None:
    task = _open_task(task_token)
    if task is None:
        return _originals.send_task_success(self, task_token, outcome)
    try:
        json.loads(outcome)
    except (TypeError, ValueError):
        raise _error("InvalidOutput", "Invalid Output: output is not valid JSON") from None
    task.endpoint.notify(
        _moto.callback.CallbackOutcomeSuccess(callback_id=task_token, output=outcome)
    )
    return None


def _send_task_failure(
    self: Any, task_token: str, error: str | None = None, cause: str | None = None
) -> Any:
    task = _open_task(task_token)
    if task is None:
        return _originals.send_task_failure(self, task_token, error=error, cause=cause)
    task.endpoint.notify(
        _moto.callback.CallbackOutcomeFailure(callback_id=task_token, error=error, cause=cause)
    )
    return None


def _send_task_heartbeat(self: Any, task_token: str) -> Any:
    task = _open_task(task_token)
    if task is None:
        return _originals.send_task_heartbeat(self, task_token)
    task.endpoint.notify_heartbeat()  # resets the HeartbeatSeconds timer if there is one
    return None


# 7. HTTP: GetActivityTask (missing: HTTP 500), SendTaskFailure with cause, and
#    StopExecution with error and cause (moto drops them).
def _get_activity_task_response(self: Any) -> Any:
    return _moto.ActionResult(
        get_activity_task(
            self.stepfunction_backend,
            self._get_param("activityArn"),
            self._get_param("workerName"),
            gone=client_gone(self),
        )
    )


# The engine always runs moto's execution engine (LocalEngine turns on
# execute_state_machine before serving), so the backend is a StepFunctionsParserBackend
# and every execution is its Execution (both take error and cause).
def _send_task_failure_response(self: Any) -> Any:
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return _moto.EmptyResult()


def _stop_execution_response(self: Any) -> Any:
    arn = self._get_param("executionArn")
    execution = self.stepfunction_backend.describe_execution(arn)  # InvalidArn / ...DoesNotExist
    now = datetime.datetime.now(tz=datetime.UTC)
    execution.stop(stop_date=now, error=self._get_param("error"), cause=self._get_param("cause"))
    return _moto.ActionResult({"stopDate": execution.stop_date or now})


def _patch() -> None:
    """Resolve moto's modules, keep the methods replaced, and put the patches above in.

    Every slot goes through ``_put`` (journaled, so ``uninstall()`` can undo it). Runs
    once per process in the app (``install()``); tests run it again (``reinstall()``).
    """

    def mod(name: str) -> Any:
        return import_module(f"moto.{name}")

    asl = "stepfunctions.parser.asl"
    m, o = _moto, _originals
    m.AWSError = mod("core.exceptions").AWSError
    m.ActionResult = mod("core.responses").ActionResult
    m.EmptyResult = mod("core.responses").EmptyResult
    m.api = mod("stepfunctions.parser.api")
    m.callback = mod(f"{asl}.eval.callback.callback")
    m.ProgramStopped = mod(f"{asl}.eval.program_state").ProgramStopped
    m.FailureEventException = mod(
        f"{asl}.component.common.error_name.failure_event"
    ).FailureEventException
    m.ParserExecution = mod("stepfunctions.parser.backend.execution").Execution
    m.parser_models = mod("stepfunctions.parser.models")
    m.ParserBackend = m.parser_models.StepFunctionsParserBackend
    Environment = mod(f"{asl}.eval.environment").Environment
    StateTaskActivity = mod(
        f"{asl}.component.state.exec.state_task.state_task_activitiy"
    ).StateTaskActivity
    backend_cls = mod("stepfunctions.models").StepFunctionBackend
    resp_cls = mod("stepfunctions.responses").StepFunctionResponse

    # 1. Error codes of the engine's own exceptions (_exception_init).
    service_errors: list[Any] = [
        cls
        for cls in vars(m.api).values()
        if isinstance(cls, type)
        and issubclass(cls, m.AWSError)
        and isinstance(cls.__dict__.get("code"), str)
    ]
    for cls in service_errors:
        _put(cls, "TYPE", cls.__dict__["code"])
        _put(cls, "__init__", _exception_init)

    # 2. Activity queues (_create_activity, _delete_activity, _execution_init).
    o.create_activity = _put(backend_cls, "create_activity", _create_activity)
    o.delete_activity = _put(backend_cls, "delete_activity", _delete_activity)
    o.execution_init = _put(m.ParserExecution, "__init__", _execution_init)

    # 3. Scheduled tasks on their queues (_add_activity_task, _eval_execution).
    _put(m.callback.CallbackPoolManager, "add_activity_task", _add_activity_task)
    o.eval_execution = _put(StateTaskActivity, "_eval_execution", _eval_execution)

    # 4. Timeout before any worker polls: ActivityTaskStartEndpoint.wait() returns
    #    self._outcome, never set unless claimed (AttributeError -> States.Runtime).
    _put(m.callback.ActivityTaskStartEndpoint, "_outcome", None)

    # 5. StopExecution (_stop, _set_error, _from_error).
    o.stop = _put(m.ParserExecution, "stop", _stop)
    o.set_error = _put(Environment, "set_error", _set_error)
    o.from_error = _put(StateTaskActivity, "_from_error", _from_error)

    # 6. Answers to activity tasks (_send_task_success, _send_task_failure, _heartbeat).
    o.send_task_success = _put(m.ParserBackend, "send_task_success", _send_task_success)
    o.send_task_failure = _put(m.ParserBackend, "send_task_failure", _send_task_failure)
    o.send_task_heartbeat = _put(m.ParserBackend, "send_task_heartbeat", _send_task_heartbeat)

    # 7. HTTP (the *_response functions).
    _put(resp_cls, "get_activity_task", _get_activity_task_response)
    _put(resp_cls, "send_task_failure", _send_task_failure_response)
    _put(resp_cls, "stop_execution", _stop_execution_response)
