"""Signals that end the app take the same road as `q`.

Closing the terminal (SIGHUP), `tmux kill-session`, a service manager (SIGTERM),
`kill -INT` or `kill -QUIT`: the app fails its claimed tasks with Worker.Shutdown,
closes its polls and restores the terminal, without asking, within a few seconds.
Python's defaults ended it on the spot: runs waited for a timeout that may never come.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT)
SIGNAL_GRACE = 3.0
"""Seconds a signalled quit waits for open long-polls (a task one brings is failed too);
`q` waits up to 65 s on a remote endpoint, but whoever sent a signal will not wait."""


def install(
    loop: asyncio.AbstractEventLoop, on_signal: Callable[[int], None]
) -> Callable[[], None]:
    """Route the exit signals to `on_signal(signum)` on the loop; return an undo."""
    installed: list[int] = []
    for signum in EXIT_SIGNALS:
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (RuntimeError, ValueError, NotImplementedError):
            continue  # not the main thread (an embedder, a test harness): leave it be
        installed.append(signum)

    def remove() -> None:
        for signum in installed:
            loop.remove_signal_handler(signum)

    return remove


def detach_terminal() -> None:
    """The terminal hung up: point stdin, stdout and stderr at /dev/null, so that what
    the app still writes on its way out (restoring a terminal that is gone) goes
    nowhere instead of failing or blocking, and reading ends at once."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    finally:
        os.close(null)


def describe(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
