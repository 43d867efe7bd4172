"""Versions and aliases in the app, against the real engine: the lists and the alias
routing, publishing, refusals (the service's and the app's own), starting on an alias,
what a run shows of the version and alias it used, and the graph of a run drawn from
the definition it used."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual.widgets import Input

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.version_forms import AliasFormScreen, PublishVersionScreen
from sfn_tui.tui.screens.versions import VersionsScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_read_only import READS

REGION = "mx-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-versions"
SIZE = (130, 36)


def quote(*states: str) -> dict[str, Any]:
    """Pass states in a row, named as given."""
    chain: dict[str, Any] = {}
    for i, name in enumerate(states):
        chain[name] = {"Type": "Pass", "Result": {"at": name}}
        if i + 1 < len(states):
            chain[name]["Next"] = states[i + 1]
        else:
            chain[name]["End"] = True
    return {"StartAt": states[0], "States": chain}


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


@pytest.fixture
def machine(sfn: Any) -> dict[str, str]:
    """A machine with version 1 ("list price"), version 2 ("discount") and alias live
    routing 80/20."""
    name = f"quote-{uuid.uuid4().hex[:8]}"
    created = sfn.create_state_machine(
        name=name,
        definition=json.dumps(quote("ListPrice")),
        roleArn=ROLE,
        publish=True,
        versionDescription="list price",
    )
    arn = created["stateMachineArn"]
    v2 = sfn.update_state_machine(
        stateMachineArn=arn,
        definition=json.dumps(quote("ListPrice", "Discount")),
        publish=True,
        versionDescription="discount",
    )["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 80},
            {"stateMachineVersionArn": v2, "weight": 20},
        ],
    )["stateMachineAliasArn"]
    return {
        "name": name,
        "arn": arn,
        "v1": created["stateMachineVersionArn"],
        "v2": v2,
        "alias": alias,
    }


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


async def open_versions(pilot: Any, machine_arn: str) -> VersionsScreen:
    """Select the machine on the dashboard and press v."""
    app = pilot.app
    machines = app.dashboard.machines
    await wait_for(pilot, lambda: machine_arn in machines.items, what="machine listed")
    machines.focus()
    machines.select_key(machine_arn)
    await wait_for(pilot, lambda: getattr(machines.selected, "arn", "") == machine_arn)
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions open")
    screen = app.screen
    await wait_for(pilot, lambda: screen.loaded, what="versions loaded")
    return screen


async def test_versions_and_alias_routing_are_listed(engine: str, machine: dict[str, str]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await open_versions(pilot, machine["arn"])
        await wait_shown(
            pilot,
            "Versions (2)",
            "list price",
            "discount",
            "Aliases (1)",
            "live",
            "v1 80% · v2 20%",
        )


async def test_start_on_an_alias_shows_the_alias_on_the_run(
    engine: str, sfn: Any, machine: dict[str, str]
) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        screen.aliases.focus()
        await wait_for(pilot, lambda: screen.aliases.selected is not None, what="alias selected")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        await wait_shown(pilot, "Alias live: v1 80% · v2 20%")
        await pilot.press(*"via-alias", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="started")
        runs = sfn.list_executions(stateMachineArn=machine["alias"])["executions"]
        assert [r["name"] for r in runs] == ["via-alias"]
        ran = runs[0]["stateMachineVersionArn"]
        assert ran in (machine["v1"], machine["v2"])
        await pilot.press("escape")
        dashboard = app.dashboard
        await wait_for(pilot, lambda: app.screen is dashboard, what="back on the dashboard")
        await pilot.press("enter")  # watch the machine: its runs are listed
        label = "v1" if ran == machine["v1"] else "v2"
        await wait_shown(pilot, f"via-alias  {label} via live")
        run = runs[0]["executionArn"]
        dashboard.executions.focus()
        await wait_for(pilot, lambda: run in dashboard.executions.items, what="run listed")
        dashboard.executions.select_key(run)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen))
        await wait_shown(
            pilot, f"Version       {label}  {ran}", f"Alias         live  {machine['alias']}"
        )


async def test_the_graph_of_a_run_is_the_definition_it_used(
    engine: str, sfn: Any, machine: dict[str, str]
) -> None:
    run = sfn.start_execution(stateMachineArn=machine["v1"], name="on-v1")["executionArn"]
    wait_until(
        lambda: sfn.describe_execution(executionArn=run)["status"] == "SUCCEEDED", 10, "run ended"
    )
    sfn.update_state_machine(
        stateMachineArn=machine["arn"], definition=json.dumps(quote("Reprice", "Ship"))
    )
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        await app.push_screen(ExecutionDetailScreen(run))
        await pilot.press("4")
        await wait_shown(pilot, "ListPrice", absent=("Reprice", "Discount"))


async def test_deleting_a_version_an_alias_uses_shows_the_refusal(
    engine: str, sfn: Any, machine: dict[str, str]
) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        screen.versions.focus()
        screen.versions.select_key(machine["v1"])
        await pilot.press("d")
        await wait_shown(pilot, "Delete version 1 of")
        await pilot.press("y")
        await wait_shown(
            pilot,
            "Could not delete version 1",
            "must not be referenced by an alias",
            flat=True,
        )
    listed = sfn.list_state_machine_versions(stateMachineArn=machine["arn"])
    assert {v["stateMachineVersionArn"] for v in listed["stateMachineVersions"]} == {
        machine["v1"],
        machine["v2"],
    }


async def test_publish_a_version_from_the_list(
    engine: str, sfn: Any, machine: dict[str, str]
) -> None:
    sfn.update_state_machine(
        stateMachineArn=machine["arn"], definition=json.dumps(quote("ListPrice", "Tax"))
    )
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PublishVersionScreen))
        await pilot.press(*"with tax", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="published")
        await wait_shown(pilot, "Versions (3)", "with tax")
    described = sfn.describe_state_machine(stateMachineArn=f"{machine['arn']}:3")
    assert described["description"] == "with tax"
    assert json.loads(described["definition"]) == quote("ListPrice", "Tax")


async def test_alias_weights_are_checked_before_any_call(
    engine: str, proxy: RecordingProxy, sfn: Any, machine: dict[str, str]
) -> None:
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AliasFormScreen), what="form")
        form = app.screen
        await pilot.press(*"canary")
        form.query_one("#vf-second").value = machine["v1"]  # v2 (newest) at 70, v1 at 20
        form.query_one("#vf-first-weight", Input).value = "70"
        form.query_one("#vf-second-weight", Input).value = "20"
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "The weights must add up to 100 (70 + 20 = 90).")
        assert "CreateStateMachineAlias" not in proxy.operations
        form.query_one("#vf-second-weight", Input).value = "30"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="created")
        await wait_shown(pilot, "canary", "v2 70% · v1 30%")
    routing = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine['arn']}:canary")[
        "routingConfiguration"
    ]
    assert sorted((r["stateMachineVersionArn"], r["weight"]) for r in routing) == sorted(
        [(machine["v2"], 70), (machine["v1"], 30)]
    )


async def test_update_alias_routing(engine: str, sfn: Any, machine: dict[str, str]) -> None:
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        screen.aliases.focus()
        await wait_for(pilot, lambda: screen.aliases.selected is not None, what="alias selected")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, AliasFormScreen), what="form")
        form = app.screen
        form.query_one("#vf-first-weight", Input).value = "50"
        form.query_one("#vf-second-weight", Input).value = "50"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="updated")
        await wait_shown(pilot, "v1 50% · v2 50%")
    routing = sfn.describe_state_machine_alias(stateMachineAliasArn=machine["alias"])[
        "routingConfiguration"
    ]
    assert sorted(r["weight"] for r in routing) == [50, 50]


async def test_the_edit_form_publishes_a_version(
    engine: str, sfn: Any, machine: dict[str, str]
) -> None:
    sfn.update_state_machine(
        stateMachineArn=machine["arn"], definition=json.dumps(quote("ListPrice", "Round"))
    )
    app = make_app(engine)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        machines = app.dashboard.machines
        await wait_for(pilot, lambda: machine["arn"] in machines.items, what="machine listed")
        machines.focus()
        machines.select_key(machine["arn"])
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, StateMachineFormScreen))
        form = app.screen
        await wait_for(pilot, lambda: form.detail is not None, what="definition loaded")
        form.query_one("#pub-on").value = True
        form.query_one("#pub-description", Input).value = "rounded"
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "Published version 3 of")
    described = sfn.describe_state_machine(stateMachineArn=f"{machine['arn']}:3")
    assert described["description"] == "rounded"
    assert json.loads(described["definition"]) == quote("ListPrice", "Round")


async def test_read_only_refuses_every_version_change(
    engine: str, proxy: RecordingProxy, machine: dict[str, str]
) -> None:
    app = make_app(proxy.url, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_versions(pilot, machine["arn"])
        await wait_shown(pilot, "live")
        for table in (screen.versions, screen.aliases):
            table.focus()
            for key in ("p", "a", "e", "d", "s", "y", "ctrl+s", "enter"):
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, f"{key} opened {app.screen!r}"
    changing = sorted(set(proxy.operations) - READS)
    assert changing == [], f"read-only mode called {changing}"
