"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the engine.

Tests point the app at `proxy.url` and, per operation ("ListExecutions", ...) or for
every operation ("*"), tell it on command to:

- `throttle`: HTTP 400 `{"__type":"ThrottlingException","message":"Rate exceeded"}`
- `status`: an HTTP error status (500, 503, ...) with an AWS-shaped JSON body
- `error`: any AWS error code and status (`ExpiredTokenException`, ...); a query-protocol
  request (IAM) gets it as XML, as such services answer
- `delay`: forward the request after `seconds`
- `hang`: hold the request until the fault is cleared (or the client gives up)
- `rewrite`: forward, and hand the engine's JSON answer to `transform` first (an
  endpoint that is not AWS: words where AWS sends one of a fixed set)
- `late`: forward the request at once, hold the engine's answer until the fault is
  cleared (an answer that was true when it was given arrives after later changes)
- `drop`: close the connection without answering
- `drop_mid`: send the headers and half the engine's body, then close the connection
- `malformed`: HTTP 200 with a body that is not JSON
- `missing`: HTTP 501 with an HTML page, as an endpoint that lacks the operation answers

and to refuse every connection (`refuse()`: the port stops listening and open
connections are cut, as when a server stops) until `allow()`. `operations` records every
operation that reached it, `faults_served` counts the faults it injected, `held` the
requests a hang holds right now, and `answers` what the engine answered (status, error).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape

import aiohttp
import pytest
from aiohttp import web

from tests.recording_proxy import HOP_BY_HOP, RecordingProxy

FaultKind = Literal[
    "throttle",
    "status",
    "error",
    "delay",
    "hang",
    "late",
    "rewrite",
    "drop",
    "drop_mid",
    "malformed",
    "missing",
]
AMZ_JSON = "application/x-amz-json-1.0"


def query_error(payload: dict[str, str]) -> bytes:
    """An error as a query-protocol service (IAM) answers it: XML. XML 1.0 has no way
    to carry control characters (not even as &#27;), so such a message cannot come
    this way from AWS either."""
    code = escape(payload.get("__type", "InternalFailure"))
    message = escape(payload.get("message", ""))
    return (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>4f7e-fault-proxy</RequestId></ErrorResponse>"
    ).encode()


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    status: int = 500
    code: str = ""
    message: str = ""
    seconds: float = 0.0
    times: int | None = None  # None: until cleared
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # `rewrite`
    released: asyncio.Event = field(default_factory=asyncio.Event)  # set when cleared


class FaultProxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.operations: list[str] = []
        self.faults: dict[str, Fault] = {}
        self.faults_served: dict[str, int] = {}
        self.url = ""
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._session: aiohttp.ClientSession | None = None
        self.holding: dict[str, int] = {}  # requests held right now by `hang`, per operation
        self.answers: list[tuple[str, int, str]] = []  # engine's (operation, status, error)
        self.upstream: dict[str, int] = {}  # requests the engine is working on, per operation

    # Lifecycle --------------------------------------------------------------------

    async def start(self, *, refusing: bool = False) -> str:
        """Listen on a free port (or only reserve it, when `refusing`); return the URL."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        self._session = aiohttp.ClientSession()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        if not refusing:
            await self.allow()
        return self.url

    async def stop(self) -> None:
        self.clear()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def refuse(self) -> None:
        """Stop listening and cut every open connection (kept-alive ones included): from
        now on every connection is refused, as if the server had gone down."""
        if self._site is not None:
            site, self._site = self._site, None
            await site.stop()
        assert self._runner is not None
        server = self._runner.server
        for connection in list(server.connections if server is not None else []):
            transport = connection.transport
            if transport is not None:
                transport.abort()

    async def allow(self) -> None:
        """Listen again on the same port (pass-through, apart from set faults)."""
        if self._site is None:
            assert self._runner is not None
            self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
            await self._site.start()

    # Faults -----------------------------------------------------------------------

    def fault(self, operation: str, kind: FaultKind, **options: object) -> None:
        """From now on answer `operation` ("*" for all) with this fault."""
        old = self.faults.get(operation)
        if old is not None:
            old.released.set()
        self.faults[operation] = Fault(kind, **options)  # type: ignore[arg-type]

    def throttle(self, operation: str = "*", times: int | None = None) -> None:
        self.fault(
            operation,
            "error",
            status=400,
            code="ThrottlingException",
            message="Rate exceeded",
            times=times,
        )

    def clear(self, operation: str | None = None) -> None:
        """Stop injecting faults (for one operation, or all); release hung requests."""
        cleared = list(self.faults) if operation is None else [operation]
        for key in cleared:
            fault = self.faults.pop(key, None)
            if fault is not None:
                fault.released.set()

    def served(self, operation: str) -> int:
        return self.faults_served.get(operation, 0)

    def count(self, operation: str) -> int:
        return self.operations.count(operation)

    def held(self, operation: str) -> int:
        """Requests for `operation` (or their answers) held by `hang` or `late` now."""
        return self.holding.get(operation, 0)

    def _take(self, operation: str) -> Fault | None:
        for key in (operation, "*"):
            fault = self.faults.get(key)
            if fault is None:
                continue
            if fault.times is not None:
                if fault.times <= 0:
                    continue
                fault.times -= 1
            self.faults_served[operation] = self.faults_served.get(operation, 0) + 1
            return fault
        return None

    # Serving ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        operation = RecordingProxy.operation(dict(request.headers), body)
        self.operations.append(operation)
        fault = self._take(operation)
        if fault is None:
            return await self._forward(request, body)
        kind = fault.kind
        if kind in ("throttle", "error", "status"):
            code = fault.code or ("ThrottlingException" if kind == "throttle" else "")
            status = 400 if kind == "throttle" else fault.status
            payload: dict[str, str] = {"message": fault.message or "Rate exceeded"}
            if code:
                payload["__type"] = code
            elif kind == "status":
                code = "ServiceUnavailable" if status == 503 else "InternalFailure"
                payload = {"__type": code, "message": "Injected failure"}
            if "X-Amz-Target" not in request.headers:  # the query protocol (IAM): XML
                return web.Response(
                    status=status, body=query_error(payload), content_type="text/xml"
                )
            return web.Response(
                status=status, body=json.dumps(payload).encode(), content_type=AMZ_JSON
            )
        if kind == "delay":
            await asyncio.sleep(fault.seconds)
            return await self._forward(request, body)
        if kind == "hang":
            await self._hold(operation, fault)
            return await self._forward(request, body)
        if kind == "rewrite":
            status, data, headers = await asyncio.shield(self._fetch(request, body))
            if status == 200 and fault.transform is not None:
                with contextlib.suppress(ValueError):  # JSON only (IAM answers XML)
                    data = json.dumps(fault.transform(json.loads(data)), default=str).encode()
            return web.Response(status=status, body=data, headers=headers)
        if kind == "late":
            status, data, headers = await asyncio.shield(self._fetch(request, body))
            await self._hold(operation, fault)
            return web.Response(status=status, body=data, headers=headers)
        if kind == "missing":
            page = b"<!doctype html><title>501 Not Implemented</title>"
            return web.Response(status=501, body=page, content_type="text/html")
        if kind == "malformed":
            return web.Response(
                status=200, body=b'{"stateMachines": [ <html>', content_type=AMZ_JSON
            )
        if kind == "drop":
            self._close(request)
            return web.Response(status=500)  # never reaches the client
        # drop_mid: a real answer cut off halfway.
        status, data, _ = await self._fetch(request, body)
        response = web.StreamResponse(status=status, headers={"Content-Type": AMZ_JSON})
        response.content_length = len(data) + 64
        await response.prepare(request)
        await response.write(data[: max(1, len(data) // 2)])
        self._close(request)
        return response

    async def _hold(self, operation: str, fault: Fault) -> None:
        """Until the fault is cleared (or cancelled: the client gave up), counted in
        `holding`."""
        self.holding[operation] = self.holding.get(operation, 0) + 1
        try:
            await fault.released.wait()
        finally:
            self.holding[operation] -= 1

    @staticmethod
    def _close(request: web.Request) -> None:
        transport = request.transport
        if transport is not None:
            transport.abort()

    async def _fetch(self, request: web.Request, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        assert self._session is not None
        operation = RecordingProxy.operation(dict(request.headers), body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        self.upstream[operation] = self.upstream.get(operation, 0) + 1
        try:
            async with self._session.request(
                request.method, self.target + request.path_qs, headers=headers, data=body
            ) as answer:
                data = await answer.read()
                out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                return answer.status, data, out
        finally:
            self.upstream[operation] -= 1

    async def _forward(self, request: web.Request, body: bytes) -> web.Response:
        # Shielded: when the client's connection is cut, the engine still finishes the
        # request (a long poll it holds can still hand out a task, as a server would).
        status, data, headers = await asyncio.shield(self._fetch(request, body))
        code = ""
        if status >= 400:
            with contextlib.suppress(ValueError, AttributeError):
                code = str(json.loads(data).get("__type", "")).rsplit("#", 1)[-1]
        self.answers.append((RecordingProxy.operation(dict(request.headers), body), status, code))
        return web.Response(status=status, body=data, headers=headers)


def fault_proxy_fixture() -> Callable[..., Any]:
    """A `proxy` fixture: a FaultProxy in front of the engine, stopped after the test. A
    module that injects faults assigns it (`proxy = fault_proxy_fixture()`), which
    overrides conftest's recording `proxy` there."""

    @pytest.fixture
    async def proxy(engine: str) -> AsyncIterator[FaultProxy]:
        faulty = FaultProxy(engine)
        await faulty.start()
        yield faulty
        await faulty.stop()

    return proxy
