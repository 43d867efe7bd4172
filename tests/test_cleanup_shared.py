"""The ChatSFN clean-up never deletes an IAM role or an activity another state machine
still uses: the confirmation names the machines, the clean-up keeps them and says so,
checked on the engine (what it still holds)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
from textual.widgets import Static

from sfn_tui.aws.client import STATES_TRUST_POLICY, StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Role
from sfn_tui.core.chatsfn import ROLE_NAME as CHAT_ROLE_NAME
from sfn_tui.core.chatsfn import (
    cleanup,
    ensure_activity,
    ensure_role,
    ensure_state_machine,
    plan_cleanup,
    uses_activity,
)
from sfn_tui.core.usage import references
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen, GuidedRun
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_modals import open_modal, type_into

REGION = "us-west-1"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def task_on(activity_arn: str) -> str:
    return json.dumps(
        {
            "StartAt": "Outer",
            "States": {
                "Outer": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "Ask",
                            "States": {
                                "Ask": {"Type": "Task", "Resource": activity_arn, "End": True}
                            },
                        }
                    ],
                }
            },
        }
    )


@pytest.fixture
async def client(engine: str) -> AsyncIterator[StepFunctionsClient]:
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    ) as sfn:
        yield sfn


def test_an_activity_is_referenced_by_its_whole_arn() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:Chat"
    longer = task_on(arn + "SFN")
    assert not references(longer, arn)
    assert references(task_on(arn), arn)
    assert not references(json.dumps({"Comment": f"not {arn} really"}), arn)


async def test_cleanup_keeps_what_another_machine_uses(
    engine: str, client: StepFunctionsClient
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    role = (await ensure_role(client, unique("role"))).value
    activity = (await ensure_activity(client, unique("act"))).value
    chat = (await ensure_state_machine(client, activity.arn, role.arn, unique("ChatSFN"))).value
    assert uses_activity(chat, activity.arn)
    on_role = sfn.create_state_machine(
        name=unique("same-role"), definition=json.dumps(PASS), roleArn=role.arn
    )
    on_activity = sfn.create_state_machine(
        name=unique("same-activity"),
        definition=task_on(activity.arn),
        roleArn="arn:aws:iam::123456789012:role/someone-else",
    )
    role_user = on_role["stateMachineArn"].rsplit(":", 1)[1]
    activity_user = on_activity["stateMachineArn"].rsplit(":", 1)[1]

    plan = await plan_cleanup(client, chat.arn, activity.arn, role.name)
    question = plan.confirmation()
    assert f"the state machine {role_user} still uses it" in question
    assert f"the state machine {activity_user} still uses it" in question
    assert question.startswith(f"Delete the state machine {chat.name}?")

    steps = await cleanup(client, chat.arn, activity.arn, role.name)
    assert [(s.what, s.ok, s.kept) for s in steps] == [
        ("state machine", True, False),
        ("activity", True, True),
        ("role", True, True),
    ]
    assert role_user in steps[2].message and activity_user in steps[1].message
    # What the service holds: the machine is gone, the shared role and activity are not.
    assert await client.find_state_machine(chat.name) is None
    assert await client.get_role(role.name) is not None
    assert await client.find_activity(activity.name) is not None

    # Once nothing uses them, they go.
    sfn.delete_state_machine(stateMachineArn=on_role["stateMachineArn"])
    sfn.delete_state_machine(stateMachineArn=on_activity["stateMachineArn"])
    steps = await cleanup(client, None, activity.arn, role.name)
    assert [(s.what, s.ok, s.kept) for s in steps] == [
        ("activity", True, False),
        ("role", True, False),
    ]
    assert await client.get_role(role.name) is None
    assert await client.find_activity(activity.name) is None


async def test_the_chat_pane_names_the_machines_and_keeps_the_role(engine: str) -> None:
    """Ctrl+D after a guided run whose role another machine uses: the question says
    so, y deletes the machine and the activity only, and the result says why."""
    sfn = boto_client("stepfunctions", engine, REGION)
    iam = boto_client("iam", engine, REGION)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        client = app.client
        assert client is not None
        role = (await ensure_role(client, unique("chat-role"))).value
        activity = (await ensure_activity(client, unique("chat-act"))).value
        machine = sfn.create_state_machine(
            name=unique("ChatSFN"), definition=json.dumps(PASS), roleArn=role.arn
        )["stateMachineArn"]
        run = sfn.start_execution(stateMachineArn=machine, name="ended")["executionArn"]
        wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] == "SUCCEEDED")
        other = unique("uses-the-role")
        sfn.create_state_machine(name=other, definition=json.dumps(PASS), roleArn=role.arn)
        detail = await client.describe_state_machine(machine)
        guided = GuidedRun(detail, activity, role, role_owned=True, execution_arn=run)
        app.push_screen(ChatScreen(run, guided=guided))
        await wait_shown(pilot, "Ctrl+D cleans up")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        await wait_shown(pilot, "Delete both (y)", "is kept: the state machine")
        body = str(app.screen.query_one("#confirm-body", Static).content)
        assert body.startswith(
            f"Delete the state machine {detail.name} and the activity {activity.name}?"
        )
        assert f"The IAM role {role.name} is kept: the state machine {other} still uses it." in body
        await pilot.press("y")
        await wait_shown(pilot, f"Kept the role {role.name}: the state machine", flat=True)
        names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
        assert detail.name not in names and other in names
        assert activity.name not in {a["name"] for a in sfn.list_activities()["activities"]}
        assert iam.get_role(RoleName=role.name)["Role"]["Arn"] == role.arn


async def test_the_create_form_picks_no_role_for_the_user(engine: str) -> None:
    """The create form never preselects a role, not even when the only role that
    trusts Step Functions is the ChatSFN demo's (the --local case): Create then asks
    for one, and nothing is created."""
    iam = boto_client("iam", engine, REGION)
    sfn = boto_client("stepfunctions", engine, REGION)
    try:
        demo = iam.get_role(RoleName=CHAT_ROLE_NAME)["Role"]
    except iam.exceptions.NoSuchEntityException:
        demo = iam.create_role(
            RoleName=CHAT_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(STATES_TRUST_POLICY)
        )["Role"]
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    name = unique("no-role-picked")
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        await open_modal(pilot, form)
        await wait_for(pilot, lambda: bool(form.roles), what="roles listed")
        assert form.role_arn() == ""
        form.show_roles([Role(name=CHAT_ROLE_NAME, arn=demo["Arn"])])  # the only one
        await wait_shown(pilot, "Pick one of 1 role Step Functions may assume")
        assert form.role_arn() == ""
        await type_into(pilot, form, "#sm-name", name)
        await pilot.press("ctrl+s")
        await wait_shown(pilot, "Pick a role that Step Functions may assume (or press New role)")
    assert name not in {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
