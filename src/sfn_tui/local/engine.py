"""The embedded Step Functions engine: moto's server, in this process, on loopback.

moto is imported in ``start()`` only: importing it costs about 2.5 s, and the UI must be
able to paint first (call ``start()`` from a worker thread).
"""

from __future__ import annotations

import os
import threading
from types import TracebackType
from typing import Any, Self

_running_lock = threading.Lock()
_running = 0  # LocalEngines started and not stopped; moto's state is per process
_ports: list[int] = []  # their ports, oldest first; MOTO_PORT names one of them


class LocalEngine:
    """A moto server with the Step Functions execution engine on and activities patched in.

    moto keeps its state per process, so several engines in one process (tests) share
    every state machine, activity and execution; they only differ by port.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._host = host
        self._port = port
        self._server: Any = None  # moto ThreadedMotoServer once started
        self._endpoint_url: str | None = None
        self._bound_port = 0  # the port actually bound, once started
        self._lock = threading.Lock()

    @property
    def endpoint_url(self) -> str:
        """The endpoint URL, e.g. ``http://127.0.0.1:54321``; only after ``start()``."""
        if self._endpoint_url is None:
            raise RuntimeError("LocalEngine is not started")
        return self._endpoint_url

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Start the server (idempotent) and return its endpoint URL."""
        with self._lock:
            if self._endpoint_url is not None:
                return self._endpoint_url
            from sfn_tui.local import patches, quiet
            from sfn_tui.local.moto_import import one_boto3_session

            quiet.silence()
            with one_boto3_session():
                from moto.core.config import default_user_config

                patches.install()
            # Executions only run with the engine on; state machines created before the
            # switch would vanish, so switch before serving anything.
            default_user_config["stepfunctions"] = {"execute_state_machine": True}
            server = _make_server(self._host, self._port)
            server.start()
            host, port = server.get_host_and_port()
            # Service integrations inside executions call http://localhost:$MOTO_PORT,
            # and Lambda functions get it as their endpoint.
            os.environ["MOTO_PORT"] = str(port)
            self._server = server
            self._endpoint_url = f"http://{host}:{port}"
            self._bound_port = port
            _count(+1, port)
            return self._endpoint_url

    def stop(self) -> None:
        """Abort running executions, shut the server down and free the port (idempotent)."""
        with self._lock:
            server, self._server, self._endpoint_url = self._server, None, None
            if server is None:
                return
            from sfn_tui.local import activities, lambda_invoke

            if _count(-1, self._bound_port) == 0:
                # The last engine of the process: end the executions' threads and
                # answer pending GetActivityTask long-polls.
                activities.shutdown()
                lambda_invoke.shutdown()  # kill the Lambda functions still running
            server.stop()
            server._server.server_close()  # ThreadedMotoServer.stop() leaves the socket open

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _count(delta: int, port: int) -> int:
    """Count an engine in or out; MOTO_PORT moves to another running engine when the
    one it names stops (all share moto's state, so any of them serves the calls)."""
    global _running
    with _running_lock:
        _running += delta
        if delta > 0:
            _ports.append(port)
        elif port in _ports:
            _ports.remove(port)
            if _ports and os.environ.get("MOTO_PORT") == str(port):
                os.environ["MOTO_PORT"] = str(_ports[-1])
        return _running


def _make_server(host: str, port: int) -> Any:
    """A ThreadedMotoServer that binds in the caller's thread.

    ThreadedMotoServer.start() binds inside its server thread, so a busy port leaves the
    caller waiting forever; binding here raises OSError at once instead.
    """
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class _Server(ThreadedMotoServer):
        def start(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},  # stop() waits up to one interval
                name="sfn-tui-moto-server",
                daemon=True,
            )
            self._thread.start()

    return _Server(ip_address=host, port=port, verbose=False)
