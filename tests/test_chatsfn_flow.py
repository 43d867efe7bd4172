"""The AWS ChatSFN example's flow (sfn_tui.core.chatsfn) end to end on the embedded
engine, answered through the inbox; plus the pure naming rules."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.core.chat import chat_prompt, chat_reply, conversation_from_history
from sfn_tui.core.chatsfn import (
    ChatSfnProblem,
    InvalidUserName,
    chat_definition,
    check_user_name,
    cleanup,
    ensure_activity,
    ensure_role,
    ensure_state_machine,
    execution_name,
    start_chat,
    uses_activity,
)
from sfn_tui.core.inbox import TaskInbox, TaskStatus
from tests.helpers import CREDENTIALS, REGION, async_wait_until, until

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
REPLIES = {
    "song": "My song has no tune but you can still dance to it.",
    "poem": "This is my poem but it doesn't rhyme.",
    "story": "This story has neither beginning, middle, nor end.",
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def client(engine: str) -> AsyncIterator[StepFunctionsClient]:
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    ) as sfn:
        yield sfn


# Names (pure) -------------------------------------------------------------------------


def test_execution_name_shape() -> None:
    now = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert execution_name("Ada Lovelace", now, "beef") == "chat-ada-lovelace-20250304050607-beef"
    assert execution_name("José Ñúñez", now, "0a0a") == "chat-jose-nunez-20250304050607-0a0a"
    assert execution_name("李小龙", now, "0000") == "chat-user-20250304050607-0000"
    assert execution_name("--x--", now, "1234") == "chat-x-20250304050607-1234"


@pytest.mark.parametrize(
    "name", ["a", "x" * 1000, "!!!", "a b/c:d*e?f", "É" * 300, "tab\tnew\nline", "a-" * 200]
)
def test_execution_names_are_always_valid(name: str) -> None:
    generated = execution_name(name)
    assert NAME_RE.match(generated), generated
    assert generated.startswith("chat-") and not generated.startswith("chat--")
    assert re.search(r"-\d{14}-[0-9a-f]{4}$", generated)


def test_two_names_in_the_same_second_differ() -> None:
    assert len({execution_name("Ada") for _ in range(50)}) > 40


def test_user_name_rules() -> None:
    assert check_user_name("  Ada  ") == "Ada"
    assert check_user_name("x" * 1000) == "x" * 1000
    for bad in ("", "   ", "\n\t"):
        with pytest.raises(InvalidUserName, match="empty"):
            check_user_name(bad)
    with pytest.raises(InvalidUserName, match="1001 characters"):
        check_user_name("x" * 1001)


def test_chat_definition_injects_the_activity() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:A"
    definition = json.loads(chat_definition(arn))
    assert definition["States"]["GetInput"]["Resource"] == arn
    assert "{{" not in chat_definition(arn)


async def test_invalid_user_name_starts_nothing(client: StepFunctionsClient) -> None:
    with pytest.raises(InvalidUserName):
        await start_chat(client, "arn:aws:states:us-east-1:123456789012:stateMachine:none", " ")


# The flow on the engine ----------------------------------------------------------------


async def test_ensure_steps_are_idempotent_and_cleanup_removes_all_three(
    client: StepFunctionsClient,
) -> None:
    role_name, act_name, sm_name = unique("role"), unique("act"), unique("ChatSFN")

    role = await ensure_role(client, role_name)
    activity = await ensure_activity(client, act_name)
    sm = await ensure_state_machine(client, activity.value.arn, role.value.arn, sm_name)

    assert (role.created, activity.created, sm.created) == (True, True, True)
    assert role.verb == "Created"
    assert sm.value.name == sm_name and sm.value.status == "ACTIVE"
    assert sm.value.role_arn == role.value.arn
    assert uses_activity(sm.value, activity.value.arn)

    again = (
        await ensure_role(client, role_name),
        await ensure_activity(client, act_name),
        await ensure_state_machine(client, activity.value.arn, role.value.arn, sm_name),
    )
    assert [e.created for e in again] == [False, False, False]
    assert again[0].verb == "Found"
    assert again[0].value == role.value
    assert again[1].value.arn == activity.value.arn
    assert again[2].value.arn == sm.value.arn

    steps = await cleanup(client, sm.value.arn, activity.value.arn, role_name)

    assert [(s.what, s.ok) for s in steps] == [
        ("state machine", True),
        ("activity", True),
        ("role", True),
    ]
    assert await client.find_state_machine(sm_name) is None
    assert await client.find_activity(act_name) is None
    assert await client.get_role(role_name) is None


async def test_cleanup_goes_on_after_a_failing_step(client: StepFunctionsClient) -> None:
    activity = await client.create_activity(unique("act"))
    role = await client.create_states_role(unique("role"))

    steps = await cleanup(client, "not-an-arn", activity.arn, role.name)

    assert [(s.what, s.ok) for s in steps] == [
        ("state machine", False),
        ("activity", True),
        ("role", True),
    ]
    assert "Could not delete the state machine" in steps[0].message
    assert await client.find_activity(activity.name) is None
    assert await client.get_role(role.name) is None
    # Deleting what is already gone is reported as done, not as an error.
    again = await cleanup(client, None, None, role.name)
    assert [(s.what, s.ok) for s in again] == [("role", True)]
    assert "already gone" in again[0].message


async def test_role_that_does_not_trust_step_functions_is_refused(
    engine: str, client: StepFunctionsClient
) -> None:
    name = unique("lambda-role")
    iam = boto3.client("iam", endpoint_url=engine, region_name=REGION, **CREDENTIALS)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))

    with pytest.raises(ChatSfnProblem, match=re.escape("does not let states.amazonaws.com")):
        await ensure_role(client, name)
    iam.delete_role(RoleName=name)


@pytest.mark.parametrize("jsonata", [False, True], ids=["jsonpath", "jsonata"])
async def test_full_chat_run_through_the_inbox(client: StepFunctionsClient, jsonata: bool) -> None:
    # jsonata: the same chat in JSONata with workflow variables (Transforming data with
    # JSONata, https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
    # holds the same conversation.
    role = await ensure_role(client, unique("role"))
    activity = await ensure_activity(client, unique("act"))
    sm = await ensure_state_machine(
        client, activity.value.arn, role.value.arn, unique("ChatSFN"), jsonata=jsonata
    )
    inbox = TaskInbox(client, unique("chat-worker"), liveness_interval=0.5)
    inbox.work(activity.value.arn)
    try:
        user = "Ada Lovelace"
        run = await start_chat(client, sm.value.arn, f"  {user} ")
        inbox.hint_execution(run.arn)
        assert NAME_RE.match(run.name) and run.name.startswith("chat-ada-lovelace-")

        expected = f"Hello, {user}!"
        for action in ("song", "poem", "story", "done"):
            await until(lambda: inbox.claimed(), f"the task before {action!r}")
            [item] = inbox.claimed()
            prompt = chat_prompt(item.input)
            assert prompt is not None
            assert prompt.message == expected
            assert prompt.actions == ("song", "poem", "story", "done")
            await until(lambda: item.execution_arn, "the task to find its run")  # noqa: B023
            assert item.execution_arn == run.arn
            answered = await inbox.answer(item.id, chat_reply(action))
            assert answered.status is TaskStatus.ANSWERED
            expected = REPLIES.get(action, "")

        async def done() -> Any:
            detail = await client.describe_execution(run.arn)
            return detail if detail.execution.status != "RUNNING" else None

        detail = await async_wait_until(done, timeout=10, message="the chat to end")
        assert detail.execution.status == "SUCCEEDED"
        assert json.loads(detail.output or "") == {"message": "Thanks for chatting."}
        assert json.loads(detail.input or "") == {"name": user}

        turns = conversation_from_history(
            await client.get_execution_history(run.arn), detail.output
        )
        said = [(t.speaker, t.text) for t in turns]
        assert said == [
            ("workflow", f"Hello, {user}!"),
            ("user", "song"),
            ("workflow", REPLIES["song"]),
            ("user", "poem"),
            ("workflow", REPLIES["poem"]),
            ("user", "story"),
            ("workflow", REPLIES["story"]),
            ("user", "done"),
            ("workflow", "Thanks for chatting."),
        ]
        assert len(inbox.tasks) == 4
        assert inbox.claimed() == []
        if jsonata:  # the variables each answer assigned, as the history tells them
            history = await client.get_execution_history(run.arn)
            assigned = [
                e.details.get("assignedVariables") for e in history if e.type == "TaskStateExited"
            ]
            assert [a["action"] for a in assigned] == ['"song"', '"poem"', '"story"', '"done"']
            assert [a["turns"] for a in assigned] == ["1", "2", "3", "4"]
    finally:
        await inbox.shutdown(grace=0)
        steps = await cleanup(client, sm.value.arn, activity.value.arn, role.value.name)
        assert all(s.ok for s in steps), steps
