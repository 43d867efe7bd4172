"""Rule: a listing sent before a change this app made never undoes it on screen.

The poller lists the catalog and the watched machine's runs on its own ticks; a user's
create, delete or start lands in between. A listing the service answered before the
change, and which arrives after it (the fault proxy's `late` fault holds an answer the
engine already gave), must neither take a just-made row off the screen (with the cursor
on it) nor bring a just-deleted one back. Once the listings catch up, the panes show
what the service holds.

Checked at every sync of a pane (a recorder around `KeyedTable.sync`), not at sampled
moments: the stale answer is followed within a tick by a fresh one that would hide it.
Found by `test_operate.py` failing once in a clean-clone CI run ("created machine
selected" timed out).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Activity, Execution, StateMachine
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from sfn_tui.tui.widgets.keyed_table import KeyedTable
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for
from tests.test_modals import new_role_picked, type_into

REGION = "ca-west-1"  # shared with test_operate: only rows named with this test's tag count
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}
CATALOG = ("ListStateMachines", "ListActivities")
LISTINGS = (*CATALOG, "ListExecutions")

proxy = fault_proxy_fixture()


class PaneLog:
    """The rows of a pane after each sync, with when (monotonic), and the changes this
    test made with when: `breaches` names each sync that showed a change undone."""

    def __init__(self, table: KeyedTable[Any], tag: str) -> None:
        self.tag = tag
        self.table = table
        self.synced: list[tuple[float, frozenset[str]]] = []
        # arn: (when, present); None: changing (the user's key pressed, the call out)
        self.changes: dict[str, list[tuple[float, bool | None]]] = {}
        original = table.sync

        def sync(items: Any, *, complete: bool = True) -> bool:
            changed = original(items, complete=complete)
            self.synced.append((time.monotonic(), frozenset(table.source)))
            return changed

        table.sync = sync  # type: ignore[method-assign]

    def changed(self, arn: str, present: bool | None) -> None:
        self.changes.setdefault(arn, []).append((time.monotonic(), present))

    def breaches(self) -> list[str]:
        found = []
        for at, rows in self.synced:
            for arn, history in self.changes.items():
                known = [present for when, present in history if when < at]
                if known and known[-1] is not None and (arn in rows) != known[-1]:
                    state = "made" if known[-1] else "deleted"
                    found.append(f"{arn.rsplit(':', 1)[-1]} {state}, then shown otherwise")
        return found


def make_app(endpoint: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    # A long catalog interval: catalogs are listed when a change asks for one.
    return SfnTuiApp(
        connection, poll_interval=0.3, catalog_interval=3600, worked_activities=frozenset()
    )


async def hold_answers(
    pilot: Any, app: SfnTuiApp, proxy: FaultProxy, operations: tuple[str, ...] = LISTINGS
) -> None:
    """Ask for listings and hold the service's answers to these operations (whichever
    the poller's tick is at: the catalog, or the watched machine's runs)."""
    for operation in operations:
        proxy.fault(operation, "late", times=1)  # the next answer only
    app.action_refresh()
    # The catalog's two calls go out together: both held (else a call of the user's
    # own could take the fault); the runs are listed after them, in the same tick.
    held = all if operations == CATALOG else any
    await wait_for(
        pilot, lambda: held(proxy.held(op) for op in operations), what="listings' answers held"
    )


def selected_arn(table: KeyedTable[Any]) -> str | None:
    return table.selected.arn if table.selected is not None else None


async def catalogs_applied(pilot: Any, log: PaneLog, count: int) -> None:
    """Wait until the machines pane was synced `count` more times (listings applied)."""
    goal = len(log.synced) + count
    await wait_for(pilot, lambda: len(log.synced) >= goal, what=f"{count} listings applied")


async def release_answers(pilot: Any, app: SfnTuiApp, proxy: FaultProxy) -> None:
    """Let the held answers through, and wait until the dashboard applied one."""
    before = app.refreshed_at
    for operation in LISTINGS:
        proxy.clear(operation)
    await wait_for(
        pilot,
        lambda: app.refreshed_at != before and not any(proxy.held(op) for op in LISTINGS),
        what="held answers applied",
    )


@pytest.fixture
def sfn(engine: str) -> Iterator[Any]:
    yield boto_client("stepfunctions", engine, REGION)


async def test_a_machine_created_by_keys_stays_selected_over_a_late_listing(
    engine: str, proxy: FaultProxy, sfn: Any, tmp_path: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"late-{tag}"
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(HOLD))
    app = make_app(proxy.url)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="first listing")
        machines = PaneLog(dashboard.machines, tag)
        dashboard.machines.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, StateMachineFormScreen), what="form")
        form = app.screen
        assert isinstance(form, StateMachineFormScreen)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        await type_into(pilot, form, "#sm-file", str(path))
        await pilot.press("enter")
        await wait_for(pilot, lambda: '"Hold"' in form.query_one(JsonEditor).text, what="loaded")
        # A catalog listing answered by the service before the create, still on its way.
        await hold_answers(pilot, app, proxy, CATALOG)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                dashboard.machines.selected is not None and dashboard.machines.selected.name == name
            ),
            what="created machine selected",
        )
        arn = selected_arn(dashboard.machines)
        assert arn is not None
        machines.changed(arn, True)
        synced = len(machines.synced)
        for operation in LISTINGS:
            proxy.clear(operation)
        # The late answer, then the listing the create asked for.
        await catalogs_applied(pilot, machines, 2)
        assert len(machines.synced) > synced
        assert machines.breaches() == []
        assert selected_arn(dashboard.machines) == arn

        # Deleted by keys while a listing that still holds it is on its way.
        dashboard.machines.focus()
        await hold_answers(pilot, app, proxy, CATALOG)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteResourceScreen), what="asked")
        machines.changed(arn, None)
        await pilot.press("y")
        await wait_for(pilot, lambda: arn not in dashboard.machines.items, what="gone at once")
        machines.changed(arn, False)
        for operation in LISTINGS:
            proxy.clear(operation)
        await catalogs_applied(pilot, machines, 2)
        assert machines.breaches() == []
        assert arn not in dashboard.machines.items
    assert all(m["name"] != name for m in sfn.list_state_machines()["stateMachines"])


async def test_a_run_started_by_keys_stays_selected_over_a_late_listing(
    engine: str, proxy: FaultProxy, sfn: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    machine = sfn.create_state_machine(
        name=f"late-runs-{tag}", definition=json.dumps(HOLD), roleArn=ROLE
    )["stateMachineArn"]
    app = make_app(proxy.url)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="listed")
        dashboard.machines.select_key(machine)
        dashboard.machines.focus()
        await wait_for(
            pilot,
            lambda: dashboard.watched is not None and dashboard.watched.arn == machine,
            what="watched",
        )
        runs = PaneLog(dashboard.executions, tag)
        # The machine's runs listed (none yet), the answer still on its way.
        await hold_answers(pilot, app, proxy, ("ListExecutions",))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        await type_into(pilot, app.screen, "#start-name", f"late-run-{tag}")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                dashboard.executions.selected is not None
                and dashboard.executions.selected.name == f"late-run-{tag}"
            ),
            what="new run shown and selected",
        )
        run = selected_arn(dashboard.executions)
        assert run is not None
        runs.changed(run, True)
        synced = len(runs.synced)
        proxy.clear("ListExecutions")
        await wait_for(pilot, lambda: len(runs.synced) >= synced + 2, what="listed twice")
        assert runs.breaches() == []
        assert selected_arn(dashboard.executions) == run
    sfn.stop_execution(executionArn=run)
    sfn.delete_state_machine(stateMachineArn=machine)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_no_late_listing_undoes_a_change_in_a_random_burst(
    engine: str, proxy: FaultProxy, sfn: Any, seed: int
) -> None:
    """Creates, deletes and starts, each made in the service and told to the dashboard
    as its screens do on success, with listings' answers held and let through at random
    moments in between; then, listings caught up, the panes show what the service holds."""
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:6]
    watched = sfn.create_state_machine(
        name=f"burst-{tag}-watched", definition=json.dumps(HOLD), roleArn=ROLE
    )["stateMachineArn"]
    app = make_app(proxy.url)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: watched in dashboard.machines.items, what="listed")
        dashboard.machines.select_key(watched)
        await wait_for(
            pilot,
            lambda: dashboard.watched is not None and dashboard.watched.arn == watched,
            what="watched",
        )
        logs = {
            "machines": PaneLog(dashboard.machines, tag),
            "activities": PaneLog(dashboard.activities, tag),
            "runs": PaneLog(dashboard.executions, tag),
        }
        machines: list[str] = []
        activities: list[str] = []
        held = False
        for step in range(14):
            move = rng.choice(["machine", "activity", "run", "delete", "hold", "release"])
            if move == "hold" and not held:
                await hold_answers(pilot, app, proxy)
                held = True
            elif move == "release" and held:
                await release_answers(pilot, app, proxy)
                held = False
            elif move == "machine":
                made = sfn.create_state_machine(
                    name=f"burst-{tag}-{step}", definition=json.dumps(HOLD), roleArn=ROLE
                )
                machine = StateMachine(
                    made["stateMachineArn"], f"burst-{tag}-{step}", "STANDARD", made["creationDate"]
                )
                logs["machines"].changed(machine.arn, True)
                dashboard.resources_changed(machines=(machine,))
                machines.append(machine.arn)
            elif move == "activity":
                made = sfn.create_activity(name=f"burst-{tag}-{step}")
                activity = Activity(
                    made["activityArn"], f"burst-{tag}-{step}", made["creationDate"]
                )
                logs["activities"].changed(activity.arn, True)
                dashboard.resources_changed(activities=(activity,))
                activities.append(activity.arn)
            elif move == "run":
                started = sfn.start_execution(stateMachineArn=watched, name=f"run-{tag}-{step}")
                run = Execution(
                    started["executionArn"],
                    f"run-{tag}-{step}",
                    watched,
                    "RUNNING",
                    started["startDate"],
                )
                logs["runs"].changed(run.arn, True)
                dashboard.run_started(run)
            elif move == "delete" and (machines or activities):
                pool = (
                    machines if machines and (not activities or rng.random() < 0.5) else activities
                )
                arn = pool.pop(rng.randrange(len(pool)))
                if pool is machines:
                    sfn.delete_state_machine(stateMachineArn=arn)
                    logs["machines"].changed(arn, False)
                else:
                    sfn.delete_activity(activityArn=arn)
                    logs["activities"].changed(arn, False)
                dashboard.resources_changed(gone=(arn,))
            await pilot.pause()
            for pane, log in logs.items():
                assert log.breaches() == [], f"{pane} after step {step} ({move})"
        if held:
            await release_answers(pilot, app, proxy)
        # Caught up: the panes show what the service holds (this test's rows).
        listed = {m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
        ours = {arn for arn in listed if f"burst-{tag}" in arn}
        activity_arns = {a["activityArn"] for a in sfn.list_activities()["activities"]}
        ours_activities = {arn for arn in activity_arns if f"burst-{tag}" in arn}
        runs = {
            e["executionArn"] for e in sfn.list_executions(stateMachineArn=watched)["executions"]
        }
        app.action_refresh()
        await wait_for(
            pilot,
            lambda: (
                {a for a in dashboard.machines.items if f"burst-{tag}" in a} == ours
                and {a for a in dashboard.activities.items if f"burst-{tag}" in a}
                == ours_activities
                and set(dashboard.executions.items) == runs
            ),
            what="panes as the service holds them",
        )
        for pane, log in logs.items():
            assert log.breaches() == [], pane
    for arn in runs:
        sfn.stop_execution(executionArn=arn)
    for arn in ours:
        sfn.delete_state_machine(stateMachineArn=arn)
    for arn in ours_activities:
        sfn.delete_activity(activityArn=arn)
