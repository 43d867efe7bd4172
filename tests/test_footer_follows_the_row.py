"""The footer shows the keys that work on the row under the cursor, whatever the keys
and sizes that brought it there (issue 17: the footer now rewrites its keys in place
when only which keys they are changes, instead of re-mounting them all).

The rule, over a random walk of keys and sizes on runs of every status: once the app
is idle, the footer's keys are exactly what a fresh footer would show (Stop on a running
run only, Redrive on a failed, timed-out or aborted one only, the keys fitted to the
width), the screen's last line draws them, and a key clicked is the key shown."""

from __future__ import annotations

import json
import random
import uuid
from itertools import pairwise
from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.widgets.footer import SteadyFooter, signature
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for

REGION = "eu-north-1"  # shared with test_findable (unique names here)
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
DEFINITION = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.end", "StringEquals": "fail", "Next": "Fail"},
                {"Variable": "$.end", "StringEquals": "wait", "Next": "Wait"},
            ],
            "Default": "Done",
        },
        "Fail": {"Type": "Fail", "Error": "Boom", "Cause": "asked to"},
        "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
REDRIVABLE = {"FAILED", "TIMED_OUT", "ABORTED"}


@pytest.fixture(scope="module")
def runs(engine: str) -> dict[str, str]:
    """A machine whose runs alternate: succeeded, failed, running, aborted."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    machine = str(
        sfn.create_state_machine(
            name=f"footer-row-{tag}", definition=json.dumps(DEFINITION), roleArn=ROLE
        )["stateMachineArn"]
    )
    plan = ["done", "fail", "wait", "abort"] * 6
    made = []
    for index, end in enumerate(plan):
        arn = sfn.start_execution(
            stateMachineArn=machine,
            name=f"r{index:02d}-{end}",
            input=json.dumps({"end": "wait" if end == "abort" else end}),
        )["executionArn"]
        made.append((arn, end))
    for arn, end in made:
        if end == "abort":
            sfn.stop_execution(executionArn=arn)
    want = {"done": "SUCCEEDED", "fail": "FAILED", "wait": "RUNNING", "abort": "ABORTED"}
    for arn, end in made:
        wait_until(lambda a=arn, e=end: sfn.describe_execution(executionArn=a)["status"] == want[e])
    return {"machine": machine}


def shown_keys(footer: SteadyFooter) -> list[tuple[str, str, bool]]:
    """The keys the footer holds, in order: (action, description, disabled)."""
    return [
        (key.action, key.description, key.has_class("-disabled"))
        for key in footer.query_children(FooterKey)
        if not key.has_class("-command-palette")
    ]


def planned_keys(footer: SteadyFooter) -> list[tuple[str, str, bool]]:
    """What a footer composed now would hold (the same fit, from the bindings now)."""
    keys, _, _ = footer._plan(footer.screen)
    return [(binding.action, binding.description, not enabled) for binding, enabled, _ in keys]


def last_line(app: SfnTuiApp) -> str:
    return screen_text(app).splitlines()[-1]


async def on_the_runs(pilot: Any, machine: str) -> SteadyFooter:
    """The machine's 24 runs in the runs pane, focused; the dashboard's footer."""
    dashboard = pilot.app.dashboard
    machines, executions = dashboard.machines, dashboard.executions
    await wait_for(pilot, lambda: machine in machines.items, what="machine")
    machines.focus()
    machines.select_key(machine)
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(executions.items) == 24, what="the 24 runs")
    return dashboard.query_one(SteadyFooter)


def settled(footer: SteadyFooter) -> bool:
    return (
        shown_keys(footer) == planned_keys(footer)
        and bool(footer.query_children("#footer-more")) == (footer._plan(footer.screen)[1])
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_footer_always_shows_the_keys_of_the_row_under_the_cursor(
    engine: str, runs: dict[str, str], seed: int
) -> None:
    rng = random.Random(seed)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        machines, executions = dashboard.machines, dashboard.executions
        footer = await on_the_runs(pilot, runs["machine"])
        statuses_seen: set[str] = set()

        async def check(step: str) -> None:
            await wait_for(pilot, lambda: settled(footer), what=f"footer settled at {step}")
            actions = {action for action, _, _ in shown_keys(footer)}
            run = executions.selected if executions.has_focus else None
            if run is not None:
                statuses_seen.add(run.status)
                everything_fits = not footer.some_hidden
                stop = "stop_execution" in actions
                redrive = "redrive_execution" in actions
                assert stop == (run.status == "RUNNING") or (not everything_fits and not stop)
                assert redrive == (run.status in REDRIVABLE) or (
                    not everything_fits and not redrive
                )
            # The last line draws the keys held, each description on screen (a key
            # whose width changed is laid out again in the next frame).
            await wait_for(
                pilot,
                lambda: all(
                    description in last_line(app) for _, description, _ in shown_keys(footer)
                ),
                what=f"the footer drawn at {step}",
            )

        keys = ["down", "up", "pagedown", "pageup", "end", "home", "tab", "shift+tab"]
        for step in range(40):
            if step % 10 == 9:
                await pilot.resize_terminal(rng.choice([80, 120, 200]), 36)
            else:
                await pilot.press(rng.choice(keys) if step % 3 else "down")
            if not (executions.has_focus or machines.has_focus):
                executions.focus()
            await check(f"step {step}")
        # Then a run of each status, whatever the walk met (on this machine again: the
        # walk may have moved to another machine of the region).
        await pilot.resize_terminal(200, 36)
        await on_the_runs(pilot, runs["machine"])
        executions.focus()
        for status in ("SUCCEEDED", "FAILED", "RUNNING", "ABORTED"):
            arn = next(a for a, run in executions.items.items() if run.status == status)
            executions.select_key(arn)
            await wait_for(pilot, lambda: executions.has_focus, what="the runs pane focused")
            await check(status)
        assert statuses_seen >= {"SUCCEEDED", "FAILED", "RUNNING", "ABORTED"}, statuses_seen


async def test_a_row_that_swaps_one_key_for_another_keeps_the_footer_widgets(
    engine: str, runs: dict[str, str]
) -> None:
    """At 120 columns Redrive (a failed run) and Copy ARN (a succeeded one, in the room
    Redrive leaves) take turns: the footer rewrites the keys it has (no recompose:
    the same widgets)."""
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        executions = app.dashboard.executions
        footer = await on_the_runs(pilot, runs["machine"])
        by_status: dict[str, str] = {}
        for arn, run in executions.items.items():
            by_status.setdefault(run.status, arn)
        executions.select_key(by_status["SUCCEEDED"])
        await wait_for(pilot, lambda: settled(footer), what="footer on a succeeded run")
        before = list(footer.query_children(FooterKey))
        shown_before = signature(footer._plan(footer.screen))
        executions.select_key(by_status["FAILED"])
        await wait_for(pilot, lambda: settled(footer), what="footer on a failed run")
        assert signature(footer._plan(footer.screen)) != shown_before
        assert list(footer.query_children(FooterKey)) == before
        redrive = next(key for key in before if key.action == "redrive_execution")
        assert redrive.description == "Redrive" and not redrive.has_class("-disabled")


async def test_a_row_with_more_or_fewer_keys_keeps_the_footer_widgets_it_has(
    engine: str, runs: dict[str, str]
) -> None:
    """Between runs whose rows have a different number of keys (at 200 columns all fit),
    the footer mounts the keys it lacks or removes those it has too many of, keeping
    the others (a recompose re-mounted every key: the chat pane lost and regained
    Fail task at each answer)."""
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(200, 36)) as pilot:
        executions = app.dashboard.executions
        footer = await on_the_runs(pilot, runs["machine"])
        by_status: dict[str, str] = {}
        for arn, run in executions.items.items():
            by_status.setdefault(run.status, arn)
        seen: list[list[FooterKey]] = []
        for status in ("SUCCEEDED", "RUNNING", "FAILED", "SUCCEEDED", "RUNNING"):
            executions.select_key(by_status[status])
            await wait_for(pilot, lambda: settled(footer), what=f"footer on a {status} run")
            await wait_for(
                pilot,
                lambda: all(d in last_line(app) for _, d, _ in shown_keys(footer)),
                what=f"the footer drawn on a {status} run",
            )
            seen.append(list(footer.query_children(FooterKey)))
        assert len({len(keys) for keys in seen}) > 1, "the rows have different numbers of keys"
        rows = [[k for k in keys if not k.has_class("-command-palette")] for keys in seen]
        for before, after in pairwise(rows):
            kept = min(len(before), len(after))
            assert after[:kept] == before[:kept]
