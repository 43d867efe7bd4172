"""A GetActivityTask whose client has gone is withdrawn: the task goes to the next poller.

A long poll holds its connection for up to 60 s. When the worker process dies or closes
the connection meanwhile, the engine would still hand it the next task, and that answer
would be written to nobody: the task then waits for its TimeoutSeconds (forever when the
state has none), since a task is delivered once. AWS cannot tell either (its documented
behaviour is the same loss); the engine can, because the poll's socket is in this process:
while holding, the poll watches its socket for the end of the stream (a readable socket
with nothing to read) and, once it is there, claims nothing and ends.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable
from typing import Any

from sfn_tui.local import activities, patches

_installed = False


def closed_by_peer(sock: socket.socket) -> bool:
    """True once the other end has closed (or reset) the connection."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # reset, or already closed here
        return True


def gone_check(environ: dict[str, Any]) -> Callable[[], bool] | None:
    """A `gone()` for the request's connection (None when the server does not expose it)."""
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return None
    return lambda: closed_by_peer(sock)


def connection_gone(response: Any) -> Callable[[], bool] | None:
    """The `gone()` of a GetActivityTask response's connection (activities asks it)."""
    environ = getattr(getattr(response, "normalized_request", None), "environ", None) or {}
    return gone_check(environ)


def install() -> None:
    """Have activities' GetActivityTask watch its connection (`activities.client_gone`)."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    activities.client_gone = connection_gone
