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
* GetExecutionHistory serializes each event once (``history_cache``);
* a definition's string literals are read as JSON strings (``string_literals``).

Every patch reaches into moto internals, so ``install()`` refuses any other moto.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sfn_tui.local import history_cache, string_literals

MOTO_VERSION = "5.2.5"

HOLD_SECONDS: float = 60.0
"""How long GetActivityTask holds the connection when no task is pending (AWS: 60 s)."""

_install_lock = threading.Lock()
_installed = False
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


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _queues(backend: Any) -> dict[str, _Queue]:
    """The backend's activity queues by ARN (also handed to executions as activity store)."""
    queues: dict[str, _Queue] | None = backend.__dict__.get("_sfn_tui_queues")
    if queues is None:
        queues = backend.__dict__.setdefault(
            "_sfn_tui_queues", {arn: _Queue() for arn in list(backend.activities)}
        )
    return queues


def get_activity_task(backend: Any, activity_arn: str, worker_name: str | None) -> dict[str, str]:
    """Claim the oldest open task of the activity, waiting up to HOLD_SECONDS for one."""
    backend.describe_activity(activity_arn)  # InvalidArn / ActivityDoesNotExist
    queue = _queues(backend).setdefault(activity_arn, _Queue())
    deadline = time.monotonic() + HOLD_SECONDS
    with queue.cond:
        while not (queue.deleted or _closing.is_set()):
            while queue.tasks:
                task = queue.tasks.popleft()
                if task.is_open():  # skip tasks of stopped / timed-out executions
                    task.endpoint.notify_activity_task_start(worker_name)
                    return {"taskToken": task.token, "input": task.input}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            queue.cond.wait(remaining)
    return {}


def _open_task(token: str) -> _Task | None:
    """The activity task of this token (None: not an activity token), if still open."""
    task = _tasks.get(token)
    if task is not None and not task.is_open():
        raise _error("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    return task


def _started_env(execution: Any, timeout: float = 2.0) -> Any:
    """The environment of a RUNNING execution once its program runs (None: not running).

    The worker thread builds the environment just after StartExecution returns; a stop
    before that would be lost (env.set_stop only acts on a running program), so wait a
    little. This is a short bounded wait for a rare race, not a poll loop.
    """
    deadline = time.monotonic() + timeout
    while execution.exec_status == "RUNNING":
        env = execution.exec_worker.env if execution.exec_worker is not None else None
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
    global _installed
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"sfn_tui.local.activities patches moto {MOTO_VERSION} internals, "
            f"but moto {moto.__version__} is installed; pin moto=={MOTO_VERSION}."
        )
    with _install_lock:
        _closing.clear()
        if not _installed:
            _patch()
            history_cache.install()
            string_literals.install()
            _installed = True


def _patch() -> None:
    # moto's internals, typed Any on purpose: everything below reaches into them.
    def mod(name: str) -> Any:
        return import_module(f"moto.{name}")

    asl = "stepfunctions.parser.asl"
    AWSError = mod("core.exceptions").AWSError
    ActionResult = mod("core.responses").ActionResult
    EmptyResult = mod("core.responses").EmptyResult
    api = mod("stepfunctions.parser.api")
    callback = mod(f"{asl}.eval.callback.callback")
    Environment = mod(f"{asl}.eval.environment").Environment
    ProgramStopped = mod(f"{asl}.eval.program_state").ProgramStopped
    FailureEventException = mod(
        f"{asl}.component.common.error_name.failure_event"
    ).FailureEventException
    StateTaskActivity = mod(
        f"{asl}.component.state.exec.state_task.state_task_activitiy"
    ).StateTaskActivity
    ParserExecution = mod("stepfunctions.parser.backend.execution").Execution
    parser_models = mod("stepfunctions.parser.models")
    ParserBackend = parser_models.StepFunctionsParserBackend

    # 1. parser/api.py exceptions set `code` but AWSError reads TYPE and requires a
    #    message: `raise InvalidToken()` was a TypeError (HTTP 500), and InvalidDefinition
    #    went out with an empty error code.
    def _exception_init(self: Any, message: str = "", *args: Any, **kwargs: Any) -> None:
        AWSError.__init__(self, message or str(type(self).TYPE), *args, **kwargs)

    service_errors: list[Any] = [
        cls
        for cls in vars(api).values()
        if isinstance(cls, type)
        and issubclass(cls, AWSError)
        and isinstance(cls.__dict__.get("code"), str)
    ]
    for cls in service_errors:
        cls.TYPE = cls.__dict__["code"]
        cls.__init__ = _exception_init

    # 2. Activity queues per backend, in sync with Create/DeleteActivity, handed to every
    #    execution instead of the empty store StepFunctionsParserBackend.start_execution gives.
    backend_cls = mod("stepfunctions.models").StepFunctionBackend
    orig_create, orig_delete = backend_cls.create_activity, backend_cls.delete_activity

    def create_activity(self: Any, *args: Any, **kwargs: Any) -> Any:
        activity = orig_create(self, *args, **kwargs)
        _queues(self).setdefault(activity.arn, _Queue())
        return activity

    def delete_activity(self: Any, activity_arn: str) -> None:
        orig_delete(self, activity_arn)
        queue = _queues(self).pop(activity_arn, None)
        if queue is not None:
            with queue.cond:
                queue.deleted = True
                queue.cond.notify_all()

    backend_cls.create_activity = create_activity
    backend_cls.delete_activity = delete_activity

    orig_execution_init = ParserExecution.__init__

    def execution_init(self: Any, *args: Any, **kwargs: Any) -> None:
        orig_execution_init(self, *args, **kwargs)
        backend = parser_models.stepfunctions_parser_backends[self.account_id][self.region_name]
        self._activity_store = _queues(backend)

    ParserExecution.__init__ = execution_init

    # 3. A scheduled task goes on its activity's queue (replaces CallbackPoolManager's method,
    #    which expects parser Activity objects) and is registered by token with its frame.
    def add_activity_task(
        self: Any, callback_id: str, activity_arn: str, activity_input: str
    ) -> Any:
        if callback_id in self._pool:
            raise ValueError("Duplicate callback token id value.")
        queue: _Queue | None = self._activity_store.get(activity_arn)
        if queue is None:
            raise api.ActivityDoesNotExist(f"Activity Does Not Exist: '{activity_arn}'")
        endpoint = callback.ActivityCallbackEndpoint(
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

    callback.CallbackPoolManager.add_activity_task = add_activity_task

    # StateTaskActivity._eval_execution runs in its own thread with the state's frame:
    # remember the frame so add_activity_task can tie the task to it.
    orig_eval_execution = StateTaskActivity._eval_execution

    def eval_execution(self: Any, env: Any) -> None:
        _local.frame = env
        try:
            orig_eval_execution(self, env)
        finally:
            _local.frame = None

    StateTaskActivity._eval_execution = eval_execution

    # 4. Timeout before any worker polls: ActivityTaskStartEndpoint.wait() returns
    #    self._outcome, never set unless claimed (AttributeError -> States.Runtime).
    callback.ActivityTaskStartEndpoint._outcome = None

    # 5. StopExecution: mark ABORTED at once (keeping error/cause), wake the threads that
    #    wait on callbacks, and keep the abort from turning into a failure on the way out.
    orig_stop = ParserExecution.stop

    def stop(
        self: Any, stop_date: Any, error: str | None, cause: str | None, wait: float = 2.0
    ) -> None:
        env = _started_env(self, wait)
        if env is None:
            return
        orig_stop(self, stop_date=stop_date, error=error, cause=cause)  # env.set_stop
        if not isinstance(env.program_state(), ProgramStopped):
            return  # it ended on its own just before
        self.exec_status = api.ExecutionStatus.ABORTED
        self.stop_date = stop_date
        self.error, self.cause = error or None, cause or None
        for endpoint in list(env.callback_pool_manager._pool.values()):
            if isinstance(endpoint, callback.ActivityCallbackEndpoint):
                endpoint.get_activity_task_start_endpoint()._next_activity_task_start_event.set()
            endpoint.interrupt_all()

    ParserExecution.stop = stop

    orig_set_error = Environment.set_error

    def set_error(self: Any, error: Any) -> None:
        if not isinstance(self._program_state, ProgramStopped):
            orig_set_error(self, error)

    Environment.set_error = set_error

    orig_from_error = StateTaskActivity._from_error

    def from_error(self: Any, env: Any, ex: Exception) -> Any:
        failure_event = orig_from_error(self, env, ex)
        if isinstance(env.program_state(), ProgramStopped):
            # Interrupted by StopExecution: leave the state without an ActivityTimedOut event.
            raise FailureEventException(failure_event=failure_event)
        return failure_event

    StateTaskActivity._from_error = from_error

    # 6. Answers to activity tasks; other tokens (waitForTaskToken) keep moto's handling.
    orig_success, orig_failure = ParserBackend.send_task_success, ParserBackend.send_task_failure
    orig_heartbeat = ParserBackend.send_task_heartbeat

    def send_task_success(self: Any, task_token: str, outcome: str) -> None:
        task = _open_task(task_token)
        if task is None:
            return orig_success(self, task_token, outcome)
        try:
            json.loads(outcome)
        except (TypeError, ValueError):
            raise _error("InvalidOutput", "Invalid Output: output is not valid JSON") from None
        task.endpoint.notify(
            callback.CallbackOutcomeSuccess(callback_id=task_token, output=outcome)
        )
        return None

    def send_task_failure(
        self: Any, task_token: str, error: str | None = None, cause: str | None = None
    ) -> Any:
        task = _open_task(task_token)
        if task is None:
            return orig_failure(self, task_token, error=error, cause=cause)
        task.endpoint.notify(
            callback.CallbackOutcomeFailure(callback_id=task_token, error=error, cause=cause)
        )
        return None

    def send_task_heartbeat(self: Any, task_token: str) -> Any:
        task = _open_task(task_token)
        if task is None:
            return orig_heartbeat(self, task_token)
        task.endpoint.notify_heartbeat()  # resets the HeartbeatSeconds timer if there is one
        return None

    ParserBackend.send_task_success = send_task_success
    ParserBackend.send_task_failure = send_task_failure
    ParserBackend.send_task_heartbeat = send_task_heartbeat

    # 7. HTTP: GetActivityTask (missing: HTTP 500), SendTaskFailure with cause, and
    #    StopExecution with error and cause (moto drops them).
    resp_cls = mod("stepfunctions.responses").StepFunctionResponse

    def get_activity_task_response(self: Any) -> Any:
        return ActionResult(
            get_activity_task(
                self.stepfunction_backend,
                self._get_param("activityArn"),
                self._get_param("workerName"),
            )
        )

    def send_task_failure_response(self: Any) -> Any:
        backend = self.stepfunction_backend
        token, error = self._get_param("taskToken"), self._get_param("error")
        if isinstance(backend, ParserBackend):
            backend.send_task_failure(token, error=error, cause=self._get_param("cause"))
        else:
            backend.send_task_failure(token, error=error)
        return EmptyResult()

    def stop_execution_response(self: Any) -> Any:
        backend = self.stepfunction_backend
        arn = self._get_param("executionArn")
        execution = backend.describe_execution(arn)  # InvalidArn / ExecutionDoesNotExist
        now = datetime.datetime.now(tz=datetime.UTC)
        if isinstance(execution, ParserExecution):
            execution.stop(
                stop_date=now, error=self._get_param("error"), cause=self._get_param("cause")
            )
        else:
            backend.stop_execution(arn)
        return ActionResult({"stopDate": execution.stop_date or now})

    resp_cls.get_activity_task = get_activity_task_response
    resp_cls.send_task_failure = send_task_failure_response
    resp_cls.stop_execution = stop_execution_response
