"""The launch's early listing (aws/early_listing.py), against the real engine: what it
lists is what the service holds, the dashboard shows it, and when it fails (endpoint
down, access denied) the app says exactly what it said without it, once."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from sfn_tui.aws import early_listing
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.early_listing import EarlyListing, Listing, endpoint_for, plan
from sfn_tui.aws.models import Activity, Execution, StateMachine
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.pty_terminal import Terminal, app_environment, sfn_tui
from tests.test_faults_dashboard import FAST, record_notices

REGION = "ap-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


@pytest.fixture
def first_machine(sfn: Any) -> Iterator[tuple[str, str, list[str]]]:
    """A machine whose name sorts before any other test's (the one the dashboard
    selects first), with three finished runs; and another machine and an activity."""
    name = unique("0000-early")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)[
        "stateMachineArn"
    ]
    runs = [
        sfn.start_execution(stateMachineArn=arn, name=unique("early-run"))["executionArn"]
        for _ in range(3)
    ]
    other = sfn.create_state_machine(
        name=unique("early-other"), definition=json.dumps(PASS), roleArn=ROLE
    )["stateMachineArn"]
    activity = sfn.create_activity(name=unique("early-activity"))["activityArn"]
    yield arn, name, [run.rsplit(":", 1)[-1] for run in runs]
    sfn.delete_state_machine(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=other)
    sfn.delete_activity(activityArn=activity)


def session() -> Any:
    return botocore.session.Session()


def connection_to(endpoint: str, region: str = REGION) -> Connection:
    return Connection(region=region, endpoint_url=endpoint, dummy_credentials=True)


def start(endpoint: str, region: str = REGION) -> EarlyListing:
    chosen = plan(connection_to(endpoint, region), session(), None)
    assert chosen is not None
    return EarlyListing.for_plan(chosen)


def service_listing(sfn: Any) -> tuple[set[StateMachine], set[Activity]]:
    machines = {
        StateMachine.from_api(m)
        for page in sfn.get_paginator("list_state_machines").paginate()
        for m in page["stateMachines"]
    }
    activities = {
        Activity.from_api(a)
        for page in sfn.get_paginator("list_activities").paginate()
        for a in page["activities"]
    }
    return machines, activities


def test_the_early_listing_is_what_the_service_holds(
    engine: str, sfn: Any, first_machine: tuple[str, str, list[str]]
) -> None:
    arn, _, _ = first_machine
    listing = start(engine).result()
    assert listing is not None
    machines, activities = service_listing(sfn)
    assert set(listing.machines) == machines and len(listing.machines) == len(machines)
    assert set(listing.activities) == activities
    assert listing.executions is not None
    listed_arn, page = listing.executions
    assert listed_arn == arn
    runs = sfn.list_executions(stateMachineArn=arn, maxResults=100)["executions"]
    assert list(page.executions) == [Execution.from_api(e) for e in runs]
    assert len(page.executions) == 3 and page.next_token is None


def test_every_page_is_listed(engine: str, sfn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    made = [
        sfn.create_state_machine(
            name=unique("early-paged"), definition=json.dumps(PASS), roleArn=ROLE
        )["stateMachineArn"]
        for _ in range(3)
    ]
    try:
        monkeypatch.setattr(early_listing, "PAGE", 2)  # the child is forked: it sees this
        listing = start(engine).result()
        assert listing is not None
        machines, _ = service_listing(sfn)
        assert len(machines) >= 3
        assert set(listing.machines) == machines and len(listing.machines) == len(machines)
    finally:
        for arn in made:
            sfn.delete_state_machine(stateMachineArn=arn)


async def test_the_dashboard_shows_the_early_listing_then_polls_on(
    engine: str,
    sfn: Any,
    first_machine: tuple[str, str, list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    arn, name, runs = first_machine
    caplog.set_level(logging.INFO, logger="sfn_tui.aws.early_listing")
    app = SfnTuiApp(
        connection_to(engine), poll_interval=0.5, client_settings=FAST, early_listing=start(engine)
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_shown(pilot, name, *runs)
        assert any("Early listing:" in r.getMessage() for r in caplog.records)
        machines, activities = service_listing(sfn)
        dashboard = app.dashboard
        assert set(dashboard.machines.items.values()) == machines
        assert set(dashboard.activities.items.values()) == activities
        assert dashboard.watched is not None and dashboard.watched.arn == arn
        # The poller goes on from there: a run started now is shown.
        late = unique("early-late")
        sfn.start_execution(stateMachineArn=arn, name=late)
        await wait_shown(pilot, late)
        assert app.poll_failure is None


async def notices_when_failing(proxy: FaultProxy, early: bool) -> list[str]:
    """The notices an app shows until its second failed refresh, with or without the
    early listing (which fails the same way)."""
    app = SfnTuiApp(
        connection_to(proxy.url),
        poll_interval=0.5,
        client_settings=FAST,
        early_listing=start(proxy.url) if early else None,
    )
    notices = record_notices(app)  # from the start: an early notice would count too
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: app.poll_failure is not None and app.poll_failure.failures >= 2,
            what="two failed refreshes",
        )
        assert app.early_listing is None  # it was taken (and failed), not left waiting
        return notices


async def test_endpoint_down_says_the_same_once(engine: str) -> None:
    proxy = FaultProxy(engine)
    await proxy.start(refusing=True)
    try:
        without = await notices_when_failing(proxy, early=False)
        with_early = await notices_when_failing(proxy, early=True)
    finally:
        await proxy.stop()
    assert with_early == without
    assert sum(f"cannot reach the endpoint {proxy.url}" in n for n in with_early) == 1


async def test_access_denied_says_the_same_once(engine: str) -> None:
    proxy = FaultProxy(engine)
    await proxy.start()
    proxy.fault(
        "*",
        "error",
        status=400,
        code="AccessDeniedException",
        message="User is not authorized to perform: states:ListStateMachines",
    )
    try:
        without = await notices_when_failing(proxy, early=False)
        with_early = await notices_when_failing(proxy, early=True)
    finally:
        await proxy.stop()
    assert with_early == without
    assert sum("not authorized" in n for n in with_early) == 1, with_early


def test_the_command_lists_early_on_a_real_launch(
    engine: str, sfn: Any, first_machine: tuple[str, str, list[str]], tmp_path: Path
) -> None:
    _, name, runs = first_machine
    log = tmp_path / "sfn-tui.log"
    argv = sfn_tui("--endpoint-url", engine, "--region", REGION, "--log-file", str(log))
    terminal = Terminal(argv, app_environment())
    try:
        wait_until(lambda: all(r.encode() in terminal.output for r in runs) and log.exists(), 30)
        assert name.encode() in terminal.output
        assert "Early listing: " in log.read_text()
        assert b"Traceback" not in terminal.output
    finally:
        terminal.kill()


# Where it does not apply: the normal path, unchanged -----------------------------


class Static:
    """Credentials as botocore's chain returns them from the environment."""

    method = "env"

    def get_frozen_credentials(self) -> Any:
        from botocore.credentials import ReadOnlyCredentials

        return ReadOnlyCredentials("AKIDEXAMPLE", "secret", None)


class Refreshing(Static):
    method = "assume-role"


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS configuration but what a test writes to this config file."""
    for key in list(os.environ):
        if key.startswith("AWS_") or key.lower().endswith("_proxy"):
            monkeypatch.delenv(key)
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config


def aws(region: str = "eu-west-1") -> Connection:
    return Connection(region=region)


def test_the_region_gives_the_endpoint_botocore_would_use(aws_config: Path) -> None:
    assert endpoint_for("eu-west-1") == "https://states.eu-west-1.amazonaws.com"
    assert endpoint_for("cn-north-1") == "https://states.cn-north-1.amazonaws.com.cn"
    assert endpoint_for("us-gov-west-1") == "https://states.us-gov-west-1.amazonaws.com"
    chosen = plan(aws(), session(), Static())
    assert chosen is not None and chosen.url == "https://states.eu-west-1.amazonaws.com"
    assert chosen.region == "eu-west-1" and chosen.access_key


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ("HTTPS_PROXY", "http://proxy.example:3128"),
        ("SFN_TUI_EARLY_LISTING", "off"),
    ],
)
def test_no_early_listing_where_it_could_differ(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch, setting: str, value: str
) -> None:
    assert plan(aws(), session(), Static()) is not None
    monkeypatch.setenv(setting, value)
    assert plan(aws(), session(), Static()) is None


def test_no_early_listing_without_final_credentials_or_with_a_configured_endpoint(
    aws_config: Path,
) -> None:
    assert plan(aws(), session(), None) is None  # the normal path says what is missing
    assert plan(aws(), session(), Refreshing()) is None  # a call or a prompt to resolve
    aws_config.write_text("[default]\nregion = eu-west-1\nendpoint_url = http://x.example\n")
    assert plan(aws(), session(), Static()) is None
    assert plan(Connection(region="eu-west-1", local_engine=True), session(), Static()) is None


def test_a_listing_is_parsed_as_botocore_parses_it() -> None:
    listing: Listing = early_listing.parse(
        {
            "machines": [
                {
                    "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:m",
                    "name": "m",
                    "type": "EXPRESS",
                    "creationDate": 1700000000.123,
                }
            ],
            "activities": [],
            "executions": None,
        }
    )
    from botocore.utils import parse_timestamp

    (machine,) = listing.machines
    assert machine.type == "EXPRESS"
    assert machine.creation_date == parse_timestamp(1700000000.123)
