"""State names match literally between a definition and a run's history: a state whose
name holds an escape character, entered by a real run on the engine, is drawn as
reached. Control characters are made visible only when drawn, never before matching."""

from __future__ import annotations

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.graph import parse_definition, render_graph
from sfn_tui.core.history import ExecutionHistory, StateStatus
from sfn_tui.tui.app import SfnTuiApp
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.test_execution_detail import finished, open_detail, start

REGION = "eu-central-2"
ANSI = "\x1b[31mAnsiState"
DEFINITION = {
    "StartAt": ANSI,
    "States": {ANSI: {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}},
}


async def test_a_state_named_with_an_escape_is_drawn_as_reached(engine: str) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    arn = start(sfn, DEFINITION, prefix="ansi")
    assert finished(sfn, arn) == "SUCCEEDED"

    # The model: history names and definition names are the same strings.
    events = [
        HistoryEvent.from_api(e) for e in sfn.get_execution_history(executionArn=arn)["events"]
    ]
    statuses = ExecutionHistory(events).statuses()
    definition = sfn.describe_state_machine_for_execution(executionArn=arn)["definition"]
    assert statuses == {ANSI: StateStatus.SUCCEEDED, "Done": StateStatus.SUCCEEDED}
    assert set(parse_definition(definition).all_names()) == set(statuses)
    drawn = "\n".join(line.plain for line in render_graph(definition, statuses))
    assert "✔ ?[31mAnsiState" in drawn and "\x1b" not in drawn

    # What the user sees: the graph tab marks it reached; no ESC reaches the screen.
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press("4")
        shown = await wait_shown(pilot, "✔ Done", "✔ ?[31mAnsiState", absent=("· ?[31m",))
        assert "\x1b" not in shown
        await pilot.press("3")  # the states tab names it too, made visible
        await wait_for(pilot, lambda: "\\x1b[31mAnsiState" in screen_text(app), what="states tab")
