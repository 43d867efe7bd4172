"""An answer to a callback task that has already closed is TaskTimedOut, not InvalidToken.

AWS (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat API reference): TaskTimedOut,
"The task token has either expired or the task associated with the token has already
been closed"; InvalidToken only for a token that is not one. moto looked for the token
among running executions only, so a `.waitForTaskToken` task that had timed out (or
whose run had ended) answered InvalidToken. The engine remembers the tokens it handed
out (the newest ``KEPT``) to tell the two apart. Activity tokens are answered by
``activities`` already.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

KEPT = 100_000

_installed = False
_tokens: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()


def remember(token: str) -> None:
    with _lock:
        _tokens[token] = None
        while len(_tokens) > KEPT:
            _tokens.popitem(last=False)


def known(token: str) -> bool:
    with _lock:
        return token in _tokens


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    api: Any = import_module("moto.stepfunctions.parser.api")
    callback: Any = import_module("moto.stepfunctions.parser.asl.eval.callback.callback")
    backend: Any = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend
    original_add = callback.CallbackPoolManager.add

    def add(self: Any, callback_id: str) -> Any:
        endpoint = original_add(self, callback_id)
        remember(callback_id)
        return endpoint

    callback.CallbackPoolManager.add = add

    def closed_is_timed_out(name: str) -> None:
        original = getattr(backend, name)

        def send(self: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, task_token, *args, **kwargs)
            except api.InvalidToken:
                if known(task_token):
                    raise api.TaskTimedOut(
                        "Task Timed Out: 'Provided task does not exist anymore'"
                    ) from None
                raise

        setattr(backend, name, send)

    for name in ("send_task_success", "send_task_failure", "send_task_heartbeat"):
        closed_is_timed_out(name)
