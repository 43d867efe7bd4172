"""JSONata, variables and TestState in the app, on the real engine: the editor's JSONata
template and validation, the graph's query languages, the States tab's variables, an
evaluation failure's history row, and Test state round trips."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Select

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_modals import open_modal, type_into

REGION = "mx-central-1"  # no other test uses it
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-jsonata"
SIZE = (150, 44)

VARIABLES = {
    "StartAt": "Count",
    "States": {
        "Count": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Assign": {"total": "{% $count($states.input.items) %}", "label": "order"},
            "Output": "{% $states.input %}",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "QueryLanguage": "JSONata",
            "Items": "{% $states.input.items %}",
            "ItemProcessor": {
                "StartAt": "Price",
                "States": {
                    "Price": {
                        "Type": "Pass",
                        "Assign": {"price": "{% $states.input * 2 %}"},
                        "Next": "Seen",
                    },
                    "Seen": {"Type": "Pass", "Output": "{% $price %}", "End": True},
                },
            },
            "Assign": {"prices": "{% $states.result %}"},
            "Next": "Done",
        },
        "Done": {
            "Type": "Pass",
            "Parameters": {"total.$": "$total"},
            "End": True,
        },
    },
}
FAILS_TO_EVALUATE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Pass",
            "Output": {"n": "{% $states.input.word + 1 %}"},
            "End": True,
        }
    },
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


def create(sfn: Any, definition: dict[str, Any], prefix: str) -> str:
    return str(
        sfn.create_state_machine(
            name=unique(prefix), definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
    )


def run(sfn: Any, machine: str, payload: Any) -> str:
    arn = sfn.start_execution(
        stateMachineArn=machine, name=unique("run"), input=json.dumps(payload)
    )["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=30)
    return str(arn)


# The definition editor ------------------------------------------------------------------


async def test_the_editor_offers_a_jsonata_template_and_finds_jsonata_errors(
    engine: str, sfn: Any
) -> None:
    name = unique("jsonata-form")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        form = StateMachineFormScreen()
        await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        assert '"QueryLanguage"' not in editor.text  # JSONPath first, as before
        form.query_one("#sm-template", Select).value = "JSONata"
        await wait_shown(pilot, '"QueryLanguage": "JSONata",', "The JSONata template.")
        await type_into(pilot, form, "#sm-name", name)
        form.query_one("#sm-role").display = False  # a pasted role ARN
        form.query_one("#sm-role-arn").display = True
        await type_into(pilot, form, "#sm-role-arn", ROLE)
        # An expression with a missing ")" two lines into a state: refused before any
        # call, the error names the line and column, and the cursor goes there.
        broken = editor.text.replace("$greeting & ', '", "$greeting & (', '")
        line = next(i for i, t in enumerate(broken.splitlines()) if "$greeting &" in t)
        editor.replace_text(broken)
        await pilot.press("ctrl+s")
        text = await wait_shown(
            pilot, "The JSONata expression in Output of state 'Greet' is invalid", flat=True
        )
        assert f"line {line + 1}" in text and "Fix the definition first" in text
        row, column = editor.text_area.cursor_location
        assert row == line
        assert (
            broken.splitlines()[line].index("{%") < column <= broken.splitlines()[line].index("%}")
        )
        # A JSONPath field in a JSONata state is refused the same way.
        editor.replace_text(
            editor.text.replace('"Assign": {', '"ResultPath": "$.x",\n      "Assign": {')
        )
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "the JSONPath field ResultPath is not allowed there", flat=True)
        assert isinstance(app.screen, StateMachineFormScreen)
    assert name not in [m["name"] for m in sfn.list_state_machines()["stateMachines"]]


# The graph -------------------------------------------------------------------------------


async def test_the_graph_shows_each_states_query_language(engine: str, sfn: Any) -> None:
    machine = create(sfn, VARIABLES, "jsonata-graph")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        await app.push_screen(StateMachineGraphScreen(machine))
        text = await wait_shown(pilot, "States marked · JSONata use JSONata", "Done")
        assert "Pass · JSONata" in text and "Map · JSONata" in text
        assert "┌─ Pass ─" in text  # Done: JSONPath, unmarked


# TestState --------------------------------------------------------------------------------


async def test_test_state_refusals_are_said_and_what_was_typed_stays(engine: str) -> None:
    """Local checks first (bad variables, a Task without a role), in words; the modal
    keeps the input and the variables typed."""
    task_machine = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"},
                "QueryLanguage": "JSONata",
                "End": True,
            }
        },
    }
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        modal = TestStateScreen("draft", json.dumps(task_machine), None)
        await open_modal(pilot, modal)
        await wait_shown(pilot, "Test state", "Call", "none: a Task state cannot be tested")
        modal.input_editor.replace_text('{"order": 7}')
        modal.variables_editor.replace_text("[1, 2]")
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "The variables must be a JSON object", flat=True)
        modal.variables_editor.replace_text('{"limit": 3}')
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "is a Task: AWS tests it only with a role", flat=True)
        assert modal.input_editor.text == '{"order": 7}'
        assert modal.variables_editor.text == '{"limit": 3}'
        assert app.screen is modal


async def test_test_state_round_trip_from_the_graph(engine: str, sfn: Any) -> None:
    """From the machine's graph: Ctrl+T, pick a JSONata state, give an input and a
    variable, DEBUG: status, output, next state and each step are shown."""
    machine = create(sfn, VARIABLES, "jsonata-test")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        graph = StateMachineGraphScreen(machine)
        await app.push_screen(graph)
        # the footer draws "Test state" dimmed before the machine is loaded: wait for the
        # machine (the key is enabled then), not for the words
        await wait_for(pilot, lambda: graph.machine is not None, what="machine loaded")
        await wait_shown(pilot, "Test state")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        modal = app.screen
        assert isinstance(modal, TestStateScreen)
        await wait_shown(pilot, ROLE, "Count")
        modal.input_editor.replace_text('{"items": [1, 2, 3]}')
        modal.variables_editor.replace_text('{"seen": true}')
        await pilot.press("ctrl+s")
        text = await wait_shown(pilot, "SUCCEEDED", "Next state Each", "Variables", flat=True)
        assert '"total": 3' in text and '"label": "order"' in text and '"seen": true' in text
        assert modal.result is not None and modal.result.next_state == "Each"
        assert modal.input_editor.text == '{"items": [1, 2, 3]}'  # still there to try again
        # A JSONPath state reading a variable: each step of its data flow.
        modal.query_one("#ts-state", Select).value = "Done"
        modal.variables_editor.replace_text('{"total": 9}')
        await pilot.press("ctrl+s")
        text = await wait_shown(pilot, "After Parameters", "Next state — (none)", flat=True)
        assert modal.result is not None and json.loads(modal.result.output or "") == {"total": 9}
        assert modal.result.inspection["afterParameters"].replace(" ", "") == '{"total":9}'


# The execution detail ----------------------------------------------------------------------


async def test_the_states_tab_shows_variables_assigned_and_in_scope(engine: str, sfn: Any) -> None:
    machine = create(sfn, VARIABLES, "jsonata-vars")
    arn = run(sfn, machine, {"items": [5, 7]})
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished and screen.definition, what="loaded")
        await pilot.press("3")
        table = screen.runs_table
        names = [r.name for r in screen.history.runs]
        # Count: what it assigned.
        table.focus()
        table.cursor = names.index("Count")
        await wait_shown(pilot, "Count  Pass · JSONata", "$total = 2", '$label = "order"')
        # Seen, in the second iteration: outer variables and its own iteration's price.
        seen = [i for i, r in enumerate(screen.history.runs) if r.name == "Seen"]
        second = next(i for i in seen if screen.history.runs[i].iteration == 1)
        table.cursor = second
        text = await wait_shown(pilot, "variables in scope when entered", "$price = 14")
        assert "$price = 10" not in text and "$total = 2" in text and "from Price" in text
        # Done: JSONPath; it sees the outer variables and the Map's own Assign, no price.
        table.cursor = names.index("Done")
        text = await wait_shown(pilot, "Done  Pass · JSONPath", "$prices = [10, 14]")
        assert "$price =" not in text


async def test_an_evaluation_failure_row_says_which_expression_failed(
    engine: str, sfn: Any
) -> None:
    machine = create(sfn, FAILS_TO_EVALUATE, "jsonata-fails")
    arn = run(sfn, machine, {"word": "seven"})
    assert sfn.describe_execution(executionArn=arn)["status"] == "FAILED"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press("2", "f")
        await wait_shown(
            pilot,
            "EvaluationFailed",
            "The JSONata expression $states.input.word + 1 in Output/n of state Ask failed:",
            "T2001: The left side of the + operator must evaluate to a number",
            flat=True,
        )


async def test_read_only_runs_no_test_state(engine: str, sfn: Any) -> None:
    """--read-only: the graph shows the machine, but offers no Test state and Ctrl+T
    opens nothing (a state tested with a real role may call its resource)."""
    machine = create(sfn, VARIABLES, "jsonata-ro")
    app = make_app(engine, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = StateMachineGraphScreen(machine)
        await app.push_screen(screen)
        await wait_shown(pilot, "Pass · JSONata", "Refresh", absent=("Test state",))
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen is screen
        modal = TestStateScreen("m", json.dumps(VARIABLES), ROLE)
        await app.push_screen(modal)  # however it is reached, it runs nothing
        await wait_shown(pilot, "Run test")
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "Read-only mode: TestState is not run", flat=True)


async def test_test_state_from_the_execution_detail_is_prefilled_from_the_run(
    engine: str, sfn: Any
) -> None:
    """Ctrl+T on the States tab: the highlighted state is picked and its input in the
    open run filled in; picking another state fills in that one's, until the user types
    an input of their own."""
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"order": "B-7"}, "Next": "Ship"},
            "Ship": {"Type": "Pass", "End": True},
        },
    }
    machine = create(sfn, definition, "jsonata-prefill")
    arn = run(sfn, machine, {"customer": "Ada"})
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished and screen.definition, what="loaded")
        await pilot.press("3")
        screen.runs_table.cursor = [r.name for r in screen.history.runs].index("Ship")
        await wait_shown(pilot, "Ship  Pass · JSONPath", "Test state")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        modal = app.screen
        assert isinstance(modal, TestStateScreen)
        await wait_shown(pilot, "this state's input in the open run", ROLE)
        assert modal.query_one("#ts-state", Select).value == "Ship"
        assert json.loads(modal.input_editor.text) == {"order": "B-7"}
        modal.query_one("#ts-state", Select).value = "Prepare"
        await wait_for(
            pilot,
            lambda: json.loads(modal.input_editor.text) == {"customer": "Ada"},
            what="Prepare's input",
        )
        modal.input_editor.replace_text('{"mine": 1}')
        modal.query_one("#ts-state", Select).value = "Ship"
        await pilot.pause()
        assert modal.input_editor.text == '{"mine": 1}'  # typed: kept


async def test_test_state_from_the_editor_tests_the_text_being_edited(
    engine: str, sfn: Any
) -> None:
    """Ctrl+T in the definition editor: the states of the text as edited (not as
    saved), with the machine's role; a broken definition is refused first."""
    machine = create(sfn, VARIABLES, "jsonata-edit")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        detail = await app.client.describe_state_machine(machine)  # type: ignore[union-attr]
        form = StateMachineFormScreen(detail)
        await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        editor.replace_text(editor.text.replace('"Count"', '"Tally"'))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        modal = app.screen
        assert isinstance(modal, TestStateScreen)
        await wait_shown(pilot, "Tally (Pass, JSONata)", ROLE)
        assert "Count" not in modal.places
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form, what="back in the editor")
        editor.replace_text(editor.text.replace('"StartAt": "Tally"', '"StartAt": "Nope"'))
        await pilot.press("ctrl+t")
        await wait_shown(pilot, "names the state 'Nope', which is not in", flat=True)
        assert app.screen is form


async def test_the_palette_offers_test_state_for_the_selected_machine(
    engine: str, sfn: Any
) -> None:
    """Ctrl+P, "Test state": the selected machine's definition and role are loaded."""
    machine = create(sfn, VARIABLES, "jsonata-palette")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        dashboard.machines.select_key(machine)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"Test state")
        await wait_shown(pilot, "Run one state of the selected machine with TestState")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        await wait_shown(pilot, "Count (Pass, JSONata)", ROLE)


async def test_test_state_from_the_run_fills_in_the_variables_in_scope(
    engine: str, sfn: Any
) -> None:
    """Ctrl+T on a state that reads variables: the variables in scope when the run
    entered it are filled in beside its input, so the test evaluates as the run did
    (without them `$total > 1` returns nothing and the state fails)."""
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Count",
        "States": {
            "Count": {
                "Type": "Pass",
                "Assign": {"total": "{% $count($states.input.items) %}"},
                "Next": "Big",
            },
            "Big": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $total > 1 %}", "Next": "Many"}],
                "Default": "Few",
            },
            "Many": {"Type": "Succeed"},
            "Few": {"Type": "Succeed"},
        },
    }
    machine = create(sfn, definition, "jsonata-scope")
    arn = run(sfn, machine, {"items": [1, 2, 3]})
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished and screen.definition, what="loaded")
        await pilot.press("3")
        screen.runs_table.cursor = [r.name for r in screen.history.runs].index("Big")
        await wait_shown(pilot, "Big  Choice · JSONata")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        modal = app.screen
        assert isinstance(modal, TestStateScreen)
        await wait_shown(pilot, "those in scope at this state in the open run")
        assert json.loads(modal.variables_editor.text) == {"total": 3}
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "Many", "SUCCEEDED")
        # the first state had nothing in scope: nothing is filled in for it
        modal.query_one("#ts-state", Select).value = "Count"
        await wait_for(pilot, lambda: modal.variables_editor.text == "", what="emptied")
