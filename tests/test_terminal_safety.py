"""Text from the service is shown as text: names, outputs, error causes and task inputs
holding Rich/Textual markup or terminal escape sequences appear literally (escape
characters made visible), on the dashboard, the execution detail, the chat pane and in
notifications. Executions are made on the real engine, as any other client would."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual.widgets._toast import Toast

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.helpers import boto_client, names_unchecked
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-north-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
# Markup that would style, close or link; an SGR colour; an OSC 52 clipboard write.
HOSTILE = "[bold]B[/] [/] [link=https://evil.example]L[/link] \x1b[31mR \x1b]52;c;aGk=\x07E"
# What the user must see for it: the markup literally, escape characters as \x1b, \x07.
SHOWN = (
    "[bold]B[/]",
    "[/]",
    "[link=https://evil.example]L[/link]",
    "\\x1b[31mR",
    "\\x1b]52;c;aGk=",
)
# The same inside JSON (an output drawn as pretty JSON): escapes stay JSON escapes.
SHOWN_IN_JSON = (*SHOWN[:3], "\\u001b[31mR", "\\u001b]52;c;aGk=\\u0007E")
# AWS refuses such a name (InvalidName); endpoints that do not check names pass it on.
HOSTILE_NAME = "[bold]n[/]\x1b[7m"
NAME_SHOWN = "[bold]n[/]\\x1b[7m"


def pass_machine(result: Any) -> str:
    return json.dumps(
        {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "Result": result, "End": True}}}
    )


def fail_machine() -> str:
    return json.dumps(
        {
            "StartAt": "Boom",
            "States": {"Boom": {"Type": "Fail", "Error": "[bold]Err[/]", "Cause": HOSTILE}},
        }
    )


async def shown_literally(pilot: Any, *expected: str) -> None:
    """Wait for every piece on screen, then check no raw escape character reached it."""
    text = await wait_shown(pilot, *expected)
    assert "\x1b" not in text and "\x07" not in text, "a raw escape character reached the screen"


def make_app(engine: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


@pytest.fixture(scope="module")
def hostile(engine: str) -> dict[str, str]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    echo = sfn.create_state_machine(
        name=f"echo-{tag}", definition=pass_machine({"msg": HOSTILE}), roleArn=ROLE
    )["stateMachineArn"]
    boom = sfn.create_state_machine(name=f"boom-{tag}", definition=fail_machine(), roleArn=ROLE)[
        "stateMachineArn"
    ]
    activity = sfn.create_activity(name=f"hostile-{tag}")["activityArn"]
    ask = sfn.create_state_machine(
        name=f"ask-{tag}",
        definition=json.dumps(
            {
                "StartAt": "Ask",
                "States": {
                    "Ask": {
                        "Type": "Task",
                        "Resource": activity,
                        "TimeoutSeconds": 120,
                        "End": True,
                    }
                },
            }
        ),
        roleArn=ROLE,
    )["stateMachineArn"]
    # The engine checks names as AWS does: let this one start as on an endpoint that does not.
    with names_unchecked():
        run = sfn.start_execution(stateMachineArn=echo, name=HOSTILE_NAME, input=json.dumps({}))
    failed = sfn.start_execution(stateMachineArn=boom, name=f"boom-{tag}")
    asked = sfn.start_execution(
        stateMachineArn=ask,
        name=f"ask-{tag}",
        input=json.dumps({"message": HOSTILE, "actions": ["[bold]yes[/]", "no\x1b[2J"]}),
    )
    return {
        "echo": echo,
        "run": run["executionArn"],
        "failed": failed["executionArn"],
        "activity": activity,
        "asked": asked["executionArn"],
    }


async def test_dashboard_and_copy_notification_show_a_hostile_name_literally(
    engine: str, hostile: dict[str, str]
) -> None:
    app = make_app(engine)
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(
            pilot, lambda: hostile["echo"] in dashboard.machines.items, what="machine listed"
        )
        dashboard.machines.focus()
        while (
            dashboard.machines.selected is None
            or dashboard.machines.selected.arn != hostile["echo"]
        ):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: hostile["run"] in dashboard.executions.items, what="run listed"
        )
        await shown_literally(pilot, NAME_SHOWN)
        dashboard.executions.focus()
        await wait_for(
            pilot,
            lambda: getattr(dashboard.executions.selected, "arn", "") == hostile["run"],
            what="run selected",
        )
        await pilot.press("y")  # copy the ARN: the notification names it
        await shown_literally(pilot, "ARN copied", "Copied", NAME_SHOWN)  # a notification

        def toasts() -> str:  # the notification's own text (the pane shows the name too)
            return "\n".join(str(toast.render()) for toast in app.screen.query(Toast))

        await wait_for(
            pilot,
            lambda: "Copied" in toasts() and NAME_SHOWN in toasts(),
            what="the notification naming the run literally",
        )


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("run", (*SHOWN_IN_JSON, NAME_SHOWN)),  # output and name
        ("failed", ("[bold]Err[/]", *SHOWN)),  # error and cause
    ],
)
async def test_execution_detail_shows_output_name_error_and_cause_literally(
    engine: str, hostile: dict[str, str], which: str, expected: tuple[str, ...]
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    arn = hostile[which]
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(150, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
            what="run ended",
        )
        app.push_screen(ExecutionDetailScreen(arn))
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ExecutionDetailScreen)
                and app.screen.detail is not None
                and "Output" in screen_text(app)
            ),
            what="summary shown",
        )
        await shown_literally(pilot, *expected)


async def test_chat_pane_shows_a_hostile_task_input_and_actions_literally(
    engine: str, hostile: dict[str, str]
) -> None:
    name = hostile["activity"].rsplit(":", 1)[1]
    app = make_app(engine, worked_activities=frozenset({name}))
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.inbox is not None
                and any("evil.example" in t.input for t in app.inbox.claimed())
            ),
            what="task claimed",
        )
        await pilot.press("c")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ChatScreen) and "evil.example" in screen_text(app),
            what="task shown in the chat pane",
        )
        # The answers offered in the conversation and as the numbered choices.
        await shown_literally(pilot, *SHOWN, "1  [bold]yes[/]", "2  no\\x1b[2J")
        await pilot.press("2")  # answer "no\x1b[2J": sent as it is, shown literally
        await wait_for(
            pilot,
            lambda: (
                boto_client("stepfunctions", engine, REGION).describe_execution(
                    executionArn=hostile["asked"]
                )["status"]
                == "SUCCEEDED"
            ),
            what="answered",
        )
        await shown_literally(pilot, "you: no", "no\\x1b[2J")  # the reply
