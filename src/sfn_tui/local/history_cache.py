"""GetExecutionHistory for moto 5.2.5's engine, each event serialized once.

moto answers GetExecutionHistory by deep-copying the execution's whole event list and
running its generic response serializer over every event: about 0.4 ms an event, so a
100-event chat run cost 45 ms of the engine's one interpreter per call, and every turn
of the chat reads it several times (the inbox places the next task with it, the chat
pane redraws the conversation from it). Events are appended and never changed once
published (moto's EventManager), so each is serialized once, by moto's own serializer,
and kept; a call serializes only the events added since the last one. Bodies are
byte-identical to moto's.

This answers the whole history, oldest first; ``history_paging`` cuts it into the
pages GetExecutionHistory's maxResults, nextToken and reverseOrder ask for. Installed by
``patches.install()``.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import import_module
from typing import Any

from sfn_tui.local import patches


class _HistoryCache:
    """An execution's history as GetExecutionHistory answers it, event by event."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[Any] = []  # serialized (JSON-ready) events, oldest first

    def answer(self, manager: Any, serialize: Any) -> list[Any]:
        """Every event, serialized; `serialize(events)` is moto's serializer for a list.

        The events are shared with the cache: callers must not change them."""
        with self.lock:
            with manager._mutex:  # held by moto while it appends an event
                published = manager._history_event_list
                done = len(self.events)
                if done > len(published) or (
                    done and published[done - 1].get("id") != self.events[-1].get("id")
                ):
                    done = 0  # not the history cached (never seen): serialize it all again
                    self.events.clear()
                new = copy.deepcopy(published[done:])
            if new:
                self.events.extend(serialize(new))
            return list(self.events)


MAX_CACHED = 200  # executions whose serialized history is kept, most recently read
_caches: OrderedDict[Any, _HistoryCache] = OrderedDict()  # by event manager, oldest first
_caches_lock = threading.Lock()


def _cache(manager: Any) -> _HistoryCache:
    """The cache of this execution's history; the least recently read one goes when more
    than MAX_CACHED are kept (an engine left running for days reads many runs)."""
    with _caches_lock:
        cache = _caches.get(manager)
        if cache is None:
            cache = _caches[manager] = _HistoryCache()
            while len(_caches) > MAX_CACHED:
                _caches.popitem(last=False)
        else:
            _caches.move_to_end(manager)
        return cache


def clear() -> None:
    """Forget every cached history (the next read serializes every event anew)."""
    with _caches_lock:
        _caches.clear()


_installed = False


def whole_history(events: list[Any]) -> dict[str, Any]:
    return {"events": events}


def install() -> None:
    """Patch moto's GetExecutionHistory answer (once; only on the pinned moto)."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    ActionResult = import_module("moto.core.responses").ActionResult
    ParserBackend = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend
    resp_cls = import_module("moto.stepfunctions.responses").StepFunctionResponse
    original = resp_cls.get_execution_history

    class HistoryResult(ActionResult):  # type: ignore[misc, valid-type]
        def __init__(self, manager: Any) -> None:
            super().__init__(None)
            self.manager = manager
            # The body from the serialized events, oldest first (history_paging pages it).
            self.shape: Callable[[list[Any]], dict[str, Any]] = whole_history

        def execute_result(self, context: Any) -> Any:
            def serialize(events: list[Any]) -> list[Any]:
                body = ActionResult({"events": events}).execute_result(context)[2]
                return list(json.loads(body).get("events", []))

            # The status and headers of a normal answer (cheap: no events).
            status, headers, _ = ActionResult({"events": []}).execute_result(context)
            events = _cache(self.manager).answer(self.manager, serialize)
            return status, headers, json.dumps(self.shape(events))

    def get_execution_history_response(self: Any) -> Any:
        backend = self.stepfunction_backend
        if not isinstance(backend, ParserBackend):
            return original(self)
        execution = backend.describe_execution(self._get_param("executionArn"))
        worker = getattr(execution, "exec_worker", None)
        env = getattr(worker, "env", None)
        manager = getattr(env, "event_manager", None)
        if manager is None or not hasattr(manager, "_history_event_list"):
            return original(self)  # not started yet, or written straight into the backend
        return HistoryResult(manager)

    resp_cls.get_execution_history = get_execution_history_response
