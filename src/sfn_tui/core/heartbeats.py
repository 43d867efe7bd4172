"""Heartbeats for claimed tasks, sent from a thread of their own.

A task whose state has HeartbeatSeconds fails (States.Timeout, or HeartbeatTimeout on
AWS) when no SendTaskHeartbeat arrives in time. Sent from the UI's event loop, they
waited behind whatever the UI was doing: a 1 MB paste typed key by key blocked the
loop for minutes and two runs failed. Here they go out from a thread with its own
event loop and its own client, whatever the UI does; only their outcomes are handed
back (`on_outcome`, called in that thread: marshal it to your own loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from sfn_tui.aws.errors import SfnError, TaskGone

log = logging.getLogger(__name__)


class HeartbeatClient(Protocol):
    async def send_task_heartbeat(self, token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one heartbeat went: sent, refused because the task is gone, or failed."""

    task_id: str
    sent: bool
    gone: bool = False
    error: str | None = None


class HeartbeatKeeper:
    """`keep(task_id, token, every, paused)` until `drop(task_id)`; `close()` at the end.

    `open_client()` makes the client the thread uses (an async context manager, opened
    in the thread's loop on the first `keep`). `paused()` is asked before each beat (an
    answer on its way: no heartbeat then)."""

    def __init__(
        self,
        open_client: Callable[[], AbstractAsyncContextManager[HeartbeatClient]],
        on_outcome: Callable[[Outcome], None],
    ) -> None:
        self._open_client = open_client
        self._on_outcome = on_outcome
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._beats: dict[str, asyncio.Task[None]] = {}  # touched in the thread only
        self._client: HeartbeatClient | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._stop = asyncio.Event()  # set (in the thread's loop) by close()

    def keep(self, task_id: str, token: str, every: float, paused: Callable[[], bool]) -> None:
        loop = self._start()
        if loop is not None:
            loop.call_soon_threadsafe(self._begin, task_id, token, every, paused)

    def warm(self) -> None:
        """Start the thread and open its client now (heartbeats may soon be needed: an
        activity is worked), so that the first one does not wait for the set-up."""
        self._start()

    def drop(self, task_id: str) -> None:
        loop = self._loop
        if loop is not None and not self._closed:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._end, task_id)

    def close(self, timeout: float = 5.0) -> None:
        """Stop every heartbeat and the thread (blocks up to `timeout`: call it off
        the UI loop)."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stop.set)
        if thread is not None:
            thread.join(timeout)

    # The thread -----------------------------------------------------------------------

    def _start(self) -> asyncio.AbstractEventLoop | None:
        with self._lock:
            if self._closed:
                return None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sfn-tui-heartbeats", daemon=True
                )
                self._thread.start()
        self._ready.wait(5.0)
        return self._loop

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        try:
            async with self._open_client() as client:
                self._client = client
                await self._stop.wait()
        except Exception:
            log.exception("The heartbeat client failed")
        finally:
            for beat in self._beats.values():
                beat.cancel()
            await asyncio.gather(*self._beats.values(), return_exceptions=True)

    def _begin(self, task_id: str, token: str, every: float, paused: Callable[[], bool]) -> None:
        if task_id not in self._beats:
            self._beats[task_id] = asyncio.create_task(
                self._beat(task_id, token, every, paused), name=f"heartbeat {task_id}"
            )

    def _end(self, task_id: str) -> None:
        beat = self._beats.pop(task_id, None)
        if beat is not None:
            beat.cancel()

    async def _beat(
        self, task_id: str, token: str, every: float, paused: Callable[[], bool]
    ) -> None:
        first = True
        while True:
            # The first one at once: a callback may be found late in its heartbeat window.
            await asyncio.sleep(0.0 if first else every)
            client = self._client
            if client is None or paused():
                await asyncio.sleep(0.2 if client is None else 0.0)
                continue
            first = False
            try:
                await client.send_task_heartbeat(token)
            except TaskGone:
                self._beats.pop(task_id, None)
                self._on_outcome(Outcome(task_id, sent=False, gone=True))
                return
            except SfnError as error:
                log.info("Heartbeat for task %s failed: %s", task_id, error)
                self._on_outcome(Outcome(task_id, sent=False, error=str(error)))
                continue
            self._on_outcome(Outcome(task_id, sent=True))
