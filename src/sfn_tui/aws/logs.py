"""CloudWatch Logs, where Express runs keep their history: the calls sfn-tui makes.

The aiobotocore client is opened by `StepFunctionsClient` with the same credentials,
region and endpoint as Step Functions (the embedded engine serves both), on first use: a
dashboard without Express machines never loads the service. Failures become `SfnError`s
like every other call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sfn_tui.aws.errors import translate

MAX_EVENTS_PER_PAGE = 10_000  # FilterLogEvents' largest limit


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One log event: its id, time (milliseconds since the epoch) and message."""

    event_id: str
    timestamp: int
    message: str


@dataclass(frozen=True, slots=True)
class LogPage:
    events: tuple[LogEvent, ...]
    next_token: str | None


class CloudWatchLogs:
    """The CloudWatch Logs calls of the app, on an open aiobotocore ``logs`` client."""

    def __init__(self, open_client: Callable[[], Awaitable[Any]], endpoint_url: str = "") -> None:
        self._open_client = open_client
        self._client: Any = None
        self._lock = asyncio.Lock()
        self.endpoint_url = endpoint_url

    async def _call(self, operation: str, **kw: Any) -> Any:
        try:
            async with self._lock:
                if self._client is None:
                    self._client = await self._open_client()
            return await getattr(self._client, _snake(operation))(**kw)
        except Exception as exc:
            raise translate(exc, operation, endpoint=self.endpoint_url) from exc

    async def filter_log_events(
        self,
        log_group: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        pattern: str = "",
        next_token: str | None = None,
        limit: int = MAX_EVENTS_PER_PAGE,
    ) -> LogPage:
        """One page of the group's events between the two times (both included) that
        match the filter pattern. Events come in time order within a page on AWS; other
        endpoints may not sort across streams, so callers sort what they need."""
        kw: dict[str, Any] = {"logGroupName": log_group, "limit": limit}
        if start_ms is not None:
            kw["startTime"] = start_ms
        if end_ms is not None:
            kw["endTime"] = end_ms
        if pattern:
            kw["filterPattern"] = pattern
        if next_token:
            kw["nextToken"] = next_token
        page = await self._call("FilterLogEvents", **kw)
        events = tuple(
            LogEvent(
                event_id=str(e.get("eventId", "")),
                timestamp=int(e.get("timestamp", 0)),
                message=str(e.get("message", "")),
            )
            for e in page.get("events", [])
        )
        return LogPage(events, page.get("nextToken") or None)

    async def log_group_names(self, prefix: str = "") -> list[tuple[str, str]]:
        """(name, ARN ending in ``:*``) of the account's log groups, first 1,000."""
        found: list[tuple[str, str]] = []
        kw: dict[str, Any] = {"limit": 50}
        if prefix:
            kw["logGroupNamePrefix"] = prefix
        while len(found) < 1000:
            page = await self._call("DescribeLogGroups", **kw)
            for group in page.get("logGroups", []):
                arn = str(group.get("arn", ""))
                found.append(
                    (str(group["logGroupName"]), arn if arn.endswith(":*") else arn + ":*")
                )
            if not page.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]
        return found


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
