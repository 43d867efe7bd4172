"""An HTTP proxy on 127.0.0.1 in front of the engine that records each AWS operation
it forwards, so a test can prove what the app did (and did not) ask of the service."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


class RecordingProxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.operations: list[str] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []  # JSON bodies, in order
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    def operation(headers: dict[str, str], body: bytes) -> str:
        target = headers.get("X-Amz-Target", "")
        if target:
            return target.rsplit(".", 1)[-1]  # JSON protocol (Step Functions)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])
        return action[0]  # query protocol (IAM)

    @staticmethod
    def parameters(body: bytes) -> dict[str, Any]:
        """A JSON request's parameters ({} for the query protocol or no body)."""
        try:
            found = json.loads(body) if body else {}
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every `operation` call so far, in order."""
        return [params for name, params in self.requests if name == operation]

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        operation = self.operation(dict(request.headers), body)
        self.operations.append(operation)
        self.requests.append((operation, self.parameters(body)))
        async with self._session.request(
            request.method, self.target + request.path_qs, headers=headers, data=body
        ) as answer:
            data = await answer.read()
            out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(status=answer.status, body=data, headers=out)
