"""Small helpers for tests: wait on a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
TEST_HOLD_SECONDS = 1.0  # GetActivityTask hold in tests (AWS: 60 s)

POLL_INTERVAL = 0.05


def wait_until(predicate: Callable[[], T], timeout: float = 5.0, message: str = "") -> T:
    """Call ``predicate`` until it returns something truthy; return that value.

    Raises AssertionError (with the last value seen) when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"condition not met within {timeout} s{': ' + message if message else ''}"
                f" (last value: {value!r})"
            )
        time.sleep(POLL_INTERVAL)


async def async_wait_until(
    predicate: Callable[[], Awaitable[T]], timeout: float = 5.0, message: str = ""
) -> T:
    """``wait_until`` for an async predicate."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"condition not met within {timeout} s{': ' + message if message else ''}"
                f" (last value: {value!r})"
            )
        await asyncio.sleep(POLL_INTERVAL)


async def until(predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Let the event loop run until ``predicate()`` holds; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def boto_client(service: str, endpoint: str, region: str = REGION) -> Any:
    """A plain boto3 client for the engine, as any other tool would make one."""
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name=region, **CREDENTIALS)


@contextmanager
def names_unchecked() -> Iterator[None]:
    """Let the embedded engine accept any execution name for a moment, as an endpoint
    that does not check names would (the engine refuses them as AWS does)."""
    from sfn_tui.local import execution_names

    checked = execution_names.name_problem
    execution_names.name_problem = lambda name: None
    try:
        yield
    finally:
        execution_names.name_problem = checked
