"""Shared fixtures: one embedded engine for the whole session, and clients for it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from sfn_tui.local import activities
from sfn_tui.local.engine import LocalEngine
from sfn_tui.tui.app import SfnTuiApp
from tests.helpers import CREDENTIALS, REGION, TEST_HOLD_SECONDS
from tests.pilot_helpers import wait_for
from tests.recording_proxy import RecordingProxy


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "tests/conformance against another endpoint")
    group.addoption(
        "--endpoint",
        default=None,
        help="run tests/conformance against this Step Functions endpoint URL (or 'aws' for"
        " AWS itself, credentials from the standard chain) instead of the embedded engine",
    )
    group.addoption(
        "--region", default=None, help="region for --endpoint (default: AWS_REGION or us-east-1)"
    )
    group.addoption(
        "--role-arn",
        default=None,
        help="execution role for the conformance state machines on --endpoint (AWS needs a"
        " real role that Step Functions can assume, allowed to send to SQS)",
    )


@pytest.fixture(scope="session")
def engine() -> Iterator[str]:
    """Start one LocalEngine (127.0.0.1, free port) for the session; yield its endpoint URL."""
    local = LocalEngine(port=0)
    url = local.start()
    yield url
    local.stop()


@pytest.fixture
async def proxy(engine: str) -> AsyncIterator[RecordingProxy]:
    """A recording proxy in front of the engine (modules that inject faults or page
    differently define their own `proxy`, which overrides this one)."""
    recorder = RecordingProxy(engine)
    await recorder.start()
    yield recorder
    await recorder.stop()


@pytest.fixture(autouse=True)
def pilot_starts_on_the_dashboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's Pilot (and a snapshot's scene) starts once the dashboard has replaced the
    launch frame, as a user reads the screen (tests/test_launch_frame.py tests the
    launch frame itself and keys typed while it shows). A test app may opt out:
    `pilot_waits_for_dashboard = False`."""
    original = SfnTuiApp.run_test

    async def dashboard_up(pilot: Any) -> None:
        await wait_for(pilot, lambda: pilot.app.dashboard_mounted, what="the dashboard")

    @contextlib.asynccontextmanager
    async def run_test(self: SfnTuiApp, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with original(self, *args, **kwargs) as pilot:
            if getattr(self, "pilot_waits_for_dashboard", True):
                await dashboard_up(pilot)
            yield pilot

    monkeypatch.setattr(SfnTuiApp, "run_test", run_test)

    # Snapshots (pytest-textual-snapshot) run the app with an auto pilot instead.
    original_run_async = SfnTuiApp.run_async

    async def run_async(self: SfnTuiApp, *args: Any, **kwargs: Any) -> Any:
        scene = kwargs.get("auto_pilot")
        if scene is not None and getattr(self, "pilot_waits_for_dashboard", True):

            async def after_the_dashboard(pilot: Any) -> None:
                await dashboard_up(pilot)
                await scene(pilot)

            kwargs["auto_pilot"] = after_the_dashboard
        return await original_run_async(self, *args, **kwargs)

    monkeypatch.setattr(SfnTuiApp, "run_async", run_async)


@pytest.fixture(autouse=True)
def short_activity_hold(monkeypatch: pytest.MonkeyPatch) -> float:
    """GetActivityTask holds for TEST_HOLD_SECONDS instead of AWS's 60 s."""
    monkeypatch.setattr(activities, "HOLD_SECONDS", TEST_HOLD_SECONDS)
    return TEST_HOLD_SECONDS


@pytest.fixture
def boto_sfn(engine: str) -> Any:
    """A boto3 Step Functions client for the engine (region us-east-1, dummy credentials)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
        **CREDENTIALS,
    )
