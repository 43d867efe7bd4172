"""The JSONata version of the AWS ChatSFN machine (resources/
chat_sfn_state_machine_jsonata.json, with variables) runs the whole chat flow in the app
on the embedded engine: greeting, song, poem, story, done, answered in the chat pane;
then its execution detail shows the variables each state assigned and had in scope."""

from __future__ import annotations

import json
import uuid

from sfn_tui.aws.connection import Connection
from sfn_tui.core.chatsfn import chat_definition
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown

REGION = "mx-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-jsonata-chat"
REPLIES = {
    "song": "My song has no tune but you can still dance to it.",
    "poem": "This is my poem but it doesn't rhyme.",
    "story": "This story has neither beginning, middle, nor end.",
}


def open_task_with(app: SfnTuiApp, text: str) -> bool:
    screen = app.screen
    if not isinstance(screen, ChatScreen):
        return False
    task = screen.current_task
    return task is not None and task.status is TaskStatus.WAITING and text in task.input


async def test_the_jsonata_chatsfn_runs_the_whole_chat_flow_in_the_app(engine: str) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:8]
    activity = sfn.create_activity(name=f"chat-jsonata-{tag}")["activityArn"]
    machine = sfn.create_state_machine(
        name=f"ChatSFN-JSONata-{tag}",
        definition=chat_definition(activity, jsonata=True),
        roleArn=ROLE,
    )["stateMachineArn"]
    run = sfn.start_execution(
        stateMachineArn=machine, name=f"chat-ada-{tag}", input=json.dumps({"name": "Ada"})
    )["executionArn"]
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({activity.rsplit(":", 1)[1]}),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.inbox is not None and any("Hello, Ada!" in t.input for t in app.inbox.claimed())
            ),
            what="greeting task claimed",
        )
        await pilot.press("c")
        await wait_for(pilot, lambda: open_task_with(app, "Hello, Ada!"), what="greeting")
        for key, word in (("1", "song"), ("2", "poem"), ("3", "story")):
            await pilot.press(key)
            await wait_for(pilot, lambda w=word: open_task_with(app, REPLIES[w]), what=word)
        await pilot.press("4")
        await wait_shown(pilot, "Thanks for chatting.", "SUCCEEDED")
        described = sfn.describe_execution(executionArn=run)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"message": "Thanks for chatting."}
        # The run's detail: the variables GetInput assigned on its last turn.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="dashboard")
        screen = ExecutionDetailScreen(run)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished and screen.definition, what="loaded")
        await pilot.press("3")
        runs = screen.history.runs
        last_ask = max(i for i, r in enumerate(runs) if r.name == "GetInput")
        screen.runs_table.focus()
        screen.runs_table.cursor = last_ask
        await wait_shown(
            pilot,
            "GetInput  Task · JSONata",
            "variables assigned",
            '$action = "done"',
            "$turns = 4",
        )
        text = await wait_shown(pilot, "variables in scope when entered", '$name = "Ada"')
        assert "$turns = 3  from GetInput" in text  # the turn before, when it was entered
