"""Answers to `.waitForTaskToken` tasks as AWS gives them, and a new token per attempt.

AWS (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat API reference; "Wait for a
Callback with Task Token"): a callback task's token is answered while the task waits;
once the task has closed (answered, timed out, its run ended or stopped) every answer is
``TaskTimedOut`` ("the task associated with the token has already been closed"); an
output that is not JSON is ``InvalidOutput`` and leaves the task waiting. moto 5.2.5
looked the token up in every callback pool it still held, so:

* a second answer to an answered task, an answer to a task that timed out while its run
  went on, and any SendTaskFailure for a run that had ended were accepted in silence;
* SendTaskHeartbeat on a task without HeartbeatSeconds was refused (there was no
  heartbeat clock to reset), though the task was waiting;
* SendTaskSuccess with an output that is not JSON was accepted and failed the run with
  ``States.Runtime``;
* a retried callback Task re-sent its message with the *same* token, whose first answer
  (or timeout) was still recorded: the retry ended at once with the first attempt's
  outcome. Each attempt is a new task (a new TaskScheduled) and gets a new
  ``$$.Task.Token`` here.

Every attempt of a callback Task registers its token with the attempt's frame; the
register holds it as long as the execution keeps its callback pool. Tokens it does not
know (activity tasks, unknown tokens) go on to the handlers installed before it
(``activities``, ``closed_tokens``).
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False
_callbacks: weakref.WeakValueDictionary[str, _Callback] = weakref.WeakValueDictionary()
_register_lock = threading.Lock()


@dataclass(eq=False)
class _Callback:
    endpoint: Any  # parser CallbackEndpoint; it holds this object (see register)
    frame: Any  # parser Environment of this attempt of the Task state
    finished: bool = False  # the attempt has ended (answered, failed, timed out)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_open(self) -> bool:
        """Still waiting: not answered, and the attempt neither ended nor was stopped."""
        return (
            not self.finished
            and self.endpoint.get_outcome() is None
            and bool(self.frame.is_running())
        )


def register(token: str, endpoint: Any, frame: Any) -> _Callback:
    callback = _Callback(endpoint, frame)
    endpoint._sfn_tui_callback = callback  # the execution's callback pool keeps it alive
    with _register_lock:
        _callbacks[token] = callback
    return callback


def known(token: str) -> _Callback | None:
    with _register_lock:
        return _callbacks.get(token)


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _closed() -> Exception:
    return _error("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True

    def mod(name: str) -> Any:
        return import_module(f"moto.stepfunctions.parser.{name}")

    callback_mod = mod("asl.eval.callback.callback")
    Callback = mod(
        "asl.component.state.exec.state_task.service.state_task_service_callback"
    ).StateTaskServiceCallback
    backend = mod("models").StepFunctionsParserBackend
    original_eval_execution = Callback._eval_execution

    def eval_execution(self: Any, env: Any) -> None:
        """One attempt of the Task, in its own frame: a fresh token unless it is the
        first attempt, registered until the attempt ends."""
        task = env.states.context_object.context_object_data.get("Task") or {}
        token = task.get("Token")
        if token is None:  # not a callback-capable pattern (request/response)
            original_eval_execution(self, env)
            return
        if known(token) is not None:  # a retry: the first attempt used this one
            token = env.states.context_object.update_task_token()
            env.callback_pool_manager.add(token)
        callback = register(token, env.callback_pool_manager.get(token), env)
        try:
            original_eval_execution(self, env)
        finally:
            with callback.lock:
                callback.finished = True

    Callback._eval_execution = eval_execution

    def answer(name: str, handle: Any) -> None:
        previous = getattr(backend, name)

        def send(self: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
            callback = known(task_token)
            if callback is None:
                return previous(self, task_token, *args, **kwargs)
            with callback.lock:
                if not callback.is_open():
                    raise _closed()
                handle(callback, task_token, *args, **kwargs)
            return None

        setattr(backend, name, send)

    def success(callback: _Callback, token: str, outcome: str) -> None:
        try:
            json.loads(outcome)
        except (TypeError, ValueError):
            raise _error("InvalidOutput", "Invalid Output: output is not valid JSON") from None
        callback.endpoint.notify(callback_mod.CallbackOutcomeSuccess(token, outcome))

    def failure(
        callback: _Callback, token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        callback.endpoint.notify(callback_mod.CallbackOutcomeFailure(token, error, cause))

    def heartbeat(callback: _Callback, token: str) -> None:
        callback.endpoint.notify_heartbeat()  # resets the HeartbeatSeconds clock, if any

    answer("send_task_success", success)
    answer("send_task_failure", failure)
    answer("send_task_heartbeat", heartbeat)
