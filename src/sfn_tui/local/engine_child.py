"""The embedded engine in a child process, forked at launch.

`sfn-tui --local` used to start the engine in the app's own process after the first
frame: moto's import, the server and the seed (about 2.5 s of CPU) then ran on the
app's core, under the GIL the UI draws with, after Textual's import, one after the
other. Forked before Textual is imported, the child does that work on the second core
while the app starts. It says twice how far it is: "listening" (the app opens its
clients meanwhile) and "seeded" (the app's first listing then finds the demo).

The child lives as long as the app: it stops its engine (failing the executions' open
work as `LocalEngine.stop` does) when the app closes the control pipe, which also
happens when the app dies of any cause, SIGKILL included (the pipe's last writer is
gone). It never touches the terminal: its standard streams are /dev/null.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from sfn_tui.core import launch_gc

STOP_SECONDS = 10.0
"""How long the child waits for its engine to stop before it exits anyway."""


class EngineChildFailed(RuntimeError):
    """The child could not start or seed its engine (its message says why)."""


class EngineChild:
    """A forked engine: `endpoint()` waits until it listens, `seeded()` until its demo is
    in; `stop()` ends it."""

    def __init__(self, pid: int, ready_fd: int, control_fd: int) -> None:
        self.pid = pid
        self._ready = os.fdopen(ready_fd, "r", encoding="utf-8")
        self._control_fd: int | None = control_fd
        self._endpoint: str | None = None
        self._seeded = False
        self._lock = threading.Lock()

    @classmethod
    def fork(cls, region: str, seed: bool = True) -> EngineChild:
        """Fork the child now (call it before importing Textual or starting threads)."""
        ready_r, ready_w = os.pipe()
        control_r, control_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(ready_r)
                os.close(control_w)
                code = _serve(ready_w, control_r, region, seed)
            finally:
                os._exit(code)
        os.close(ready_w)
        os.close(control_r)
        return cls(pid, ready_r, control_w)

    def endpoint(self) -> str:
        """The engine's endpoint, once it listens (blocks until then). Raises
        EngineChildFailed if the child could not start it."""
        with self._lock:
            if self._endpoint is None:
                self._endpoint = self._next("listening")
            return self._endpoint

    def seeded(self) -> None:
        """Returns once the demo is in (blocks until then). Raises EngineChildFailed if
        the child could not seed it."""
        self.endpoint()
        with self._lock:
            if not self._seeded:
                self._next("seeded")
                self._seeded = True

    def _next(self, expected: str) -> str:
        """The next line's argument, if it is `expected`."""
        word, _, rest = self._ready.readline().strip().partition(" ")
        if word != expected:
            raise EngineChildFailed(
                rest if word == "error" and rest else "the local engine's process ended"
            )
        return rest

    def stop(self) -> None:
        """Ask the child to stop its engine, and wait for it (idempotent)."""
        control, self._control_fd = self._control_fd, None
        if control is None:
            return
        os.close(control)  # the child reads end-of-file: it stops its engine
        deadline = time.monotonic() + STOP_SECONDS + 2
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.02)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self._ready.close()


def _serve(ready_fd: int, control_fd: int, region: str, seed: bool) -> int:
    """The child: start and seed the engine, say where it listens, serve until the
    control pipe closes, stop. Its exit code."""
    launch_gc.resume()  # forked while the app's launch pauses it
    # The app owns the terminal and its signals: Ctrl-C there is a key, and a hangup or
    # a kill reaches the app, whose exit closes the control pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    ready = os.fdopen(ready_fd, "w", encoding="utf-8")

    def say(line: str) -> None:
        with contextlib.suppress(OSError):
            ready.write(line + "\n")
            ready.flush()

    try:
        from sfn_tui.local.engine import LocalEngine

        engine = LocalEngine()
        endpoint = engine.start()
        say(f"listening {endpoint}")
        if seed:
            from sfn_tui.local.seed import seed_demo

            seed_demo(endpoint, region)
        say("seeded")
    except BaseException as exc:  # said to the app, which shows it
        say("error " + " ".join(f"{type(exc).__name__}: {exc}".split()))
        return 1
    while os.read(control_fd, 64):  # until end-of-file: the app closed it, or died
        pass
    stopper = threading.Thread(target=engine.stop, name="sfn-tui-engine-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_SECONDS)
    return 0
