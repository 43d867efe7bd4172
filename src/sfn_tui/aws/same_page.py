"""A listing answered with the same bytes as last time is not parsed again.

The poller lists the watched machine's newest runs every 2 s; on a quiet machine the
answer is the same page each time, and parsing it (botocore's JSON and shape walk, then
one model per run) was most of the app's idle CPU. The response parser here keeps, per
listing operation, the last body and what it parsed to; a byte-identical body returns
that parse again (its top level copied: botocore adds response metadata to it). The
client then sees the very same list object and returns the page it made from it
(`client.py` `_execution_page`), so the screen's comparison finds every run unchanged
by identity. Any difference in the bytes (a new run, a status, a token) parses afresh.
"""

from __future__ import annotations

import threading
from typing import Any

CACHED_OUTPUTS = frozenset(
    {"ListExecutionsOutput", "ListStateMachinesOutput", "ListActivitiesOutput"}
)


class SameBodyCache:
    """The last body and parse of each cached output shape (shared by one session's
    clients; calls may come from two event loops, hence the lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, tuple[bytes, dict[str, Any]]] = {}

    def get(self, shape: str, body: bytes) -> dict[str, Any] | None:
        with self._lock:
            last = self._last.get(shape)
        if last is None or last[0] != body:
            return None
        return dict(last[1])

    def put(self, shape: str, body: bytes, parsed: dict[str, Any]) -> None:
        with self._lock:
            self._last[shape] = (body, dict(parsed))


class SameBodyParser:
    """Wraps one botocore response parser (one is made per response)."""

    def __init__(self, parser: Any, cache: SameBodyCache) -> None:
        self._parser = parser
        self._cache = cache

    async def parse(self, response: dict[str, Any], shape: Any) -> Any:
        name = getattr(shape, "name", None)
        body = response.get("body")
        if (
            name not in CACHED_OUTPUTS
            or response.get("status_code") != 200
            or not isinstance(body, bytes)
        ):
            return await self._parser.parse(response, shape)
        cached = self._cache.get(name, body)
        if cached is not None:
            return cached
        parsed = await self._parser.parse(response, shape)
        self._cache.put(name, body, parsed)
        return parsed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


def use_same_body_cache(session: Any) -> None:
    """Make the listings of this session's clients skip the parse of a repeated body."""
    factory = session.get_component("response_parser_factory")
    create = factory.create_parser
    cache = SameBodyCache()

    def create_parser(protocol_name: str) -> Any:
        return SameBodyParser(create(protocol_name), cache)

    factory.create_parser = create_parser
