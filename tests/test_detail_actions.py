"""Actions where the run is: the execution detail's keys against the real engine. What
the footer offers for a RUNNING, a SUCCEEDED and a FAILED run; stop from the detail;
redrive, and redrive refused with the service's reason; start again with the same
input; number keys for the tabs; export to a JSON file; mark and compare."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import Input, TabbedContent, Tabs

from sfn_tui.aws.connection import Connection
from sfn_tui.tui import run_mark
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.compare import CompareScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.export import ExportScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.helpers import wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown

# No other test uses this region (the engine accepts it; ARNs read arn:aws-us-gov:…).
REGION = "us-gov-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws-us-gov:iam::{ACCOUNT}:role/sfn-tui-test"
WIDE = (200, 40)  # every footer key shows

SUCCEEDS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Result": {"order": "B-7"},
            "ResultPath": "$.r",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
FAILS = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Pass", "Next": "Declined"},
        "Declined": {"Type": "Fail", "Error": "Card.Declined", "Cause": "no funds"},
    },
}
WAITS = {
    "StartAt": "Hold",
    "States": {"Hold": {"Type": "Wait", "Seconds": 120, "End": True}},
}
ROUTES = {  # a different path for big orders
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Review"}],
            "Default": "AutoApprove",
        },
        "Review": {"Type": "Pass", "Result": "reviewed", "Next": "Done"},
        "AutoApprove": {"Type": "Pass", "Result": "approved", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def machine(sfn: Any, definition: dict[str, Any]) -> str:
    return str(
        sfn.create_state_machine(name=unique("m"), definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def run(sfn: Any, machine_arn: str, payload: Any = None, *, wait: bool = True) -> str:
    arn = str(
        sfn.start_execution(
            stateMachineArn=machine_arn, name=unique("run"), input=json.dumps(payload or {})
        )["executionArn"]
    )
    if wait:
        wait_until(
            lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=30
        )
    return arn


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, **kwargs)


async def open_detail(pilot: Any, arn: str) -> ExecutionDetailScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    screen = ExecutionDetailScreen(arn)
    await app.push_screen(screen)
    await wait_for(pilot, lambda: screen.detail is not None, what="described")
    return screen


def footer(app: Any) -> str:
    return screen_text(app).rstrip().splitlines()[-1]


async def footer_shows(pilot: Any, *keys: str, absent: tuple[str, ...] = ()) -> str:
    found = ""

    def shown() -> bool:
        nonlocal found
        found = footer(pilot.app)
        return all(k in found for k in keys) and not any(a in found for a in absent)

    await wait_for(pilot, shown, what=f"footer with {keys}, without {absent}")
    return found


# What the footer offers --------------------------------------------------------------


async def test_footer_of_a_running_run(engine: str, sfn: Any) -> None:
    arn = run(sfn, machine(sfn, WAITS), wait=False)
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await open_detail(pilot, arn)
        await footer_shows(
            pilot,
            "x Stop",
            "s Start again",
            "y Copy ARN",
            "E Export",
            "m Mark",
            absent=("R Redrive", "First failure", "= Compare"),
        )
    sfn.stop_execution(executionArn=arn)


async def test_footer_of_a_succeeded_run_and_number_keys(engine: str, sfn: Any) -> None:
    arn = run(sfn, machine(sfn, SUCCEEDS))
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await footer_shows(
            pilot,
            "s Start again",
            "E Export",
            absent=("x Stop", "R Redrive", "First failure"),
        )
        tabs = screen.query_one(TabbedContent)
        # From wherever the focus is, 1-4 switch tabs (and focus the tab's content).
        for key, tab in (("2", "history"), ("3", "states"), ("4", "graph"), ("1", "summary")):
            await pilot.press(key)
            await wait_for(pilot, lambda tab=tab: tabs.active == tab, what=f"{tab} tab")
        # Tab reaches the tab bar; → then moves to the next tab.
        for _ in range(10):
            if isinstance(screen.focused, Tabs):
                break
            await pilot.press("tab")
        assert isinstance(screen.focused, Tabs)
        await pilot.press("right")
        await wait_for(pilot, lambda: tabs.active == "history", what="history tab by Tab, →")
        await pilot.press("R")  # not offered: says why
        await wait_for(
            pilot,
            lambda: any("It is SUCCEEDED" in str(n.message) for n in app._notifications),
            what="why no redrive",
        )


async def test_footer_of_a_failed_run_and_redrive(engine: str, sfn: Any) -> None:
    """A FAILED run: First failure and Redrive offered (the engine has RedriveExecution,
    found out once); R asks, and the run is redriven on the service."""
    arn = run(sfn, machine(sfn, FAILS))
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await footer_shows(pilot, "f First failure", "R Redrive", absent=("x Stop",))
        assert app.client is not None and app.client.__dict__["_supports"] == {
            "RedriveExecution": True
        }
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RedriveExecutionScreen), what="ask")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, what="redriven")
        events = sfn.get_execution_history(executionArn=arn)["events"]
        assert any(e["type"] == "ExecutionRedriven" for e in events)
        assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1
        # The detail follows the run again: the redrive and what came after it arrive.
        await pilot.press("2")
        await wait_shown(pilot, "ExecutionRedriven")
        await wait_for(pilot, lambda: screen.finished, what="the redriven run read to its end")


async def test_redrive_refused_with_the_reason(engine: str, sfn: Any) -> None:
    """A FAILED run that ended more than 14 days ago: DescribeExecution says
    NOT_REDRIVABLE; the footer offers no Redrive and R says the service's reason."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    arn = run(sfn, machine(sfn, FAILS))
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    execution: Any = backend.describe_execution(execution_arn=arn)
    execution.stop_date = datetime.now(UTC) - timedelta(days=15)
    answer = sfn.describe_execution(executionArn=arn)
    assert answer["redriveStatus"] == "NOT_REDRIVABLE"
    reason = answer["redriveStatusReason"]
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await footer_shows(pilot, "f First failure", absent=("R Redrive",))
        await pilot.press("R")
        await wait_shown(pilot, "No redrive", "Step Functions says it cannot")
        assert any(reason in str(n.message) for n in app._notifications)
        assert not isinstance(app.screen, RedriveExecutionScreen)


async def test_read_only_offers_reads_only(engine: str, sfn: Any) -> None:
    arn = run(sfn, machine(sfn, FAILS))
    app = make_app(engine, read_only=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await footer_shows(
            pilot, "E Export", "y Copy ARN", absent=("R Redrive", "s Start again", "x Stop")
        )
        await pilot.press("R")
        await wait_for(
            pilot,
            lambda: any("Read-only" in str(n.message) for n in app._notifications),
            what="why no redrive",
        )
        # Not even the RedriveExecution probe reached the service.
        assert app.client is not None and "_supports" not in app.client.__dict__


# Stop, start again -------------------------------------------------------------------


async def test_stop_from_the_detail(engine: str, sfn: Any) -> None:
    arn = run(sfn, machine(sfn, WAITS), wait=False)
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        await footer_shows(pilot, "x Stop")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, StopExecutionScreen), what="ask")
        await pilot.press(*"Ops.Stop", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="stopped")
        answer = sfn.describe_execution(executionArn=arn)
        assert answer["status"] == "ABORTED" and answer["error"] == "Ops.Stop"
        await wait_shown(pilot, "ABORTED")
        await footer_shows(pilot, "R Redrive", absent=("x Stop",))


async def test_start_again_with_the_same_input(engine: str, sfn: Any) -> None:
    machine_arn = machine(sfn, SUCCEEDS)
    payload = {"customer": "Ada", "items": [1, 2]}
    arn = run(sfn, machine_arn, payload)
    first = sfn.describe_execution(executionArn=arn)
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await open_detail(pilot, arn)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        dialog = app.screen
        name = dialog.query_one("#start-name", Input).value
        assert name.startswith("run-") and name != first["name"]
        assert json.loads(dialog.query_one(JsonEditor).text) == payload
        await wait_shown(pilot, "the run's input")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ExecutionDetailScreen) and app.screen.execution_arn != arn
            ),
            what="the new run's detail",
        )
        new_arn = app.screen.execution_arn
        answer = sfn.describe_execution(executionArn=new_arn)
        assert answer["name"] == name
        assert json.loads(answer["input"]) == payload
        assert answer["stateMachineArn"] == machine_arn


# Export ------------------------------------------------------------------------------


def api_export(sfn: Any, arn: str) -> dict[str, Any]:
    """What the API answers, as the export writes it (dates in ISO 8601)."""

    def plain(item: dict[str, Any]) -> Any:
        item = {k: v for k, v in item.items() if k != "ResponseMetadata"}
        return json.loads(json.dumps(item, default=lambda d: d.isoformat()))

    events: list[Any] = []
    kw: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    pages = 0
    while True:
        page = sfn.get_execution_history(**kw)
        pages += 1
        events.extend(page["events"])
        if not page.get("nextToken"):
            break
        kw["nextToken"] = page["nextToken"]
    assert pages >= 2  # a long history: more than one page
    return {
        "exportedBy": "sfn-tui",
        "execution": plain(sfn.describe_execution(executionArn=arn)),
        "history": plain({"events": events})["events"],
        "stateMachine": plain(sfn.describe_state_machine_for_execution(executionArn=arn)),
    }


def counts_to(n: int) -> dict[str, Any]:
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {"i": 0, "n": n}, "Next": "Inc"},
            "Inc": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Inc"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


async def test_export_file_matches_the_api(
    engine: str, sfn: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E, the default path in the current directory, Enter: the file holds what
    DescribeExecution, every GetExecutionHistory page and
    DescribeStateMachineForExecution answer. Again: it asks before replacing the file.
    A directory that does not exist is said in words. Allowed in read-only mode."""
    monkeypatch.chdir(tmp_path)
    arn = run(sfn, machine(sfn, counts_to(260)))  # 1,000+ events: two pages
    app = make_app(engine, read_only=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)
        name = screen.detail.execution.name if screen.detail else ""
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export")
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value == str(tmp_path / f"{name}.json")
        await pilot.press("enter")
        target = tmp_path / f"{name}.json"
        await wait_for(pilot, lambda: app.screen is screen, what="exported")
        assert json.loads(target.read_text()) == api_export(sfn, arn)
        await wait_shown(pilot, "Exported")

        # Again: the file exists, so Enter asks first; the second Enter replaces it.
        target.write_text("old")
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export")
        await pilot.press("enter")
        await wait_shown(pilot, "already exists: Enter again replaces it")
        assert target.read_text() == "old"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="replaced")
        assert json.loads(target.read_text())["execution"]["executionArn"] == arn

        # A directory that does not exist.
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export")
        path_input = app.screen.query_one("#export-path", Input)
        path_input.value = str(tmp_path / "nowhere" / "run.json")
        await pilot.press("enter")
        await wait_shown(pilot, "does not exist")
        assert isinstance(app.screen, ExportScreen)
        assert not (tmp_path / "nowhere").exists()


# Compare -----------------------------------------------------------------------------


async def test_mark_and_compare(engine: str, sfn: Any) -> None:
    """Mark a small order's run (m, in the detail), open a big order's run, =: the two
    side by side, the inputs, outputs and the path's middle state marked as different."""
    machine_arn = machine(sfn, ROUTES)
    small = run(sfn, machine_arn, {"amount": 50})
    big = run(sfn, machine_arn, {"amount": 500})
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, small)
        await footer_shows(pilot, "m Mark", absent=("= Compare",))
        await pilot.press("m")
        await wait_shown(pilot, "◆ marked")
        await pilot.press("escape")
        other = await open_detail(pilot, big)
        assert other is not screen
        await footer_shows(pilot, "= Compare")
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
        text = await wait_shown(pilot, "AutoApprove", "Review", "differences")
        lines = text.splitlines()

        def line_with(word: str) -> str:
            return next(line for line in lines if word in line)

        assert "≠" in line_with("Input")  # {"amount": 50} and {"amount": 500}
        assert '"amount": 50 ' in text and '"amount": 500' in text
        assert "≠" in line_with("AutoApprove")
        assert "≠" not in line_with("✔ Check")  # same state, same outcome
        assert "SUCCEEDED" in line_with("Status") and "≠" not in line_with("Status")
        result = app.screen.result
        assert result is not None and result.left_name.startswith("run-")
        assert [r.left.name if r.left else None for r in result.path] == [
            "Check",
            "AutoApprove",
            None,
            "Done",
        ]
    assert run_mark.marked(app) is not None


async def test_mark_in_the_executions_pane(engine: str, sfn: Any) -> None:
    """m on a run in the executions pane marks it (◆ before its name); the detail of
    another run then offers = Compare."""
    machine_arn = machine(sfn, ROUTES)
    first = run(sfn, machine_arn, {"amount": 1})
    second = run(sfn, machine_arn, {"amount": 2})
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine_arn in dashboard.machines.items, what="machine")
        dashboard.machines.focus()
        while dashboard.machines.selected is None or dashboard.machines.selected.arn != machine_arn:
            await pilot.press("down")
        await wait_for(
            pilot, lambda: {first, second} <= set(dashboard.executions.items), what="runs"
        )
        dashboard.executions.focus()
        while dashboard.executions.selected is None or dashboard.executions.selected.arn != first:
            await pilot.press("down")
        first_name = dashboard.executions.selected.name
        await pilot.press("m")
        await wait_shown(pilot, f"◆ {first_name}")
        assert run_mark.is_marked(app, first)
        while dashboard.executions.selected is None or dashboard.executions.selected.arn != second:
            await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="open")
        await footer_shows(pilot, "= Compare")


async def test_palette_entries_of_the_detail(engine: str, sfn: Any) -> None:
    """Ctrl+P in a run's detail offers its actions that apply ("Export execution";
    "Compare with marked run" only once another run is marked) and runs them."""
    from textual.command import CommandList, CommandPalette

    arn = run(sfn, machine(sfn, SUCCEEDS))
    app = make_app(engine)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_detail(pilot, arn)

        async def entries(query: str) -> list[str]:
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            await pilot.press(*query)
            commands = app.screen.query_one(CommandList)

            def gathered() -> bool:
                gathering = CommandPalette._GATHER_COMMANDS_GROUP
                return commands.option_count > 0 and not any(
                    w.group == gathering and not w.is_finished for w in app.workers
                )

            await wait_for(pilot, gathered, what="matches")
            return [
                str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
            ]

        found = await entries("Compare with marked")
        assert not any("Compare with marked run" in e for e in found)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="closed")
        found = await entries("Export execution")
        assert any("Export execution" in e for e in found)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export dialog")
