"""A human-approval workflow, after the AWS "serverless prompt chaining" example's
movie-pitch step: several pitches are written, a person picks one or asks for another
round, and the run ends with the chosen pitch.

    Write pitches (Parallel, three settings) -> Ask the producer (SQS
    .waitForTaskToken: the person's choice) -> Decide (Choice): accept -> Chosen;
    another round -> Next round -> Write pitches again.

The pitches come from a deterministic step inside the workflow (so it runs with no
account, on the local engine), or from Amazon Bedrock (`bedrock:invokeModel`) with the
model id the user gives, on AWS. Plain async steps on the client, no UI: find or create
the role (allowed to send to the queue, and to invoke the model when one is used), the
queue and the machine; start a run; clean up.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sfn_tui.aws.models import Execution, Role, StateMachine, StateMachineDetail
from sfn_tui.core.chatsfn import ChatSfnClient, Ensured, ensure_role

ROLE_NAME = "sfn-tui-approval-role"
QUEUE_NAME = "sfn-tui-approvals"
STATE_MACHINE_NAME = "sfn-tui-Approval"
POLICY_NAME = "sfn-tui-approval"
SETTINGS = (
    ("a heist comedy", "Friends plan the perfect job"),
    ("a quiet drama", "A family keeps a secret"),
    ("a space opera", "A crew crosses the galaxy"),
)
ACCEPT = tuple(f"accept {n}" for n in range(1, len(SETTINGS) + 1))
ANOTHER_ROUND = "another round"
MAX_TOPIC = 200


class ApprovalClient(ChatSfnClient, Protocol):
    async def find_queue(self, name: str) -> str | None: ...
    async def create_queue(self, name: str) -> str: ...
    async def queue_arn(self, url: str) -> str: ...
    async def delete_queue(self, url: str) -> None: ...
    async def put_role_policy(
        self, role: str, policy_name: str, document: dict[str, Any]
    ) -> None: ...
    async def delete_role_policies(self, role: str) -> None: ...


class InvalidTopic(ValueError):
    """The topic given for the pitches is empty or too long."""


@dataclass(frozen=True, slots=True)
class ApprovalSetup:
    role: Ensured[Role]
    queue_url: str
    queue_created: bool
    machine: Ensured[StateMachineDetail]


def _pitch_step(index: int, model_id: str | None) -> dict[str, Any]:
    """One branch of "Write pitches": a deterministic pitch, or one from Bedrock."""
    genre, logline = SETTINGS[index]
    if not model_id:
        return {
            "StartAt": "Write",
            "States": {
                "Write": {
                    "Type": "Pass",
                    "Parameters": {
                        "setting": genre,
                        "pitch.$": (
                            f"States.Format('{logline}: {genre} about {{}} (round {{}}).',"
                            " $.topic, $.round)"
                        ),
                    },
                    "End": True,
                }
            },
        }
    return {
        "StartAt": "Write",
        "States": {
            "Write": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {
                    "ModelId": model_id,
                    "Body": {
                        "anthropic_version": "bedrock-2023-05-31",
                        "max_tokens": 300,
                        "messages": [
                            {
                                "role": "user",
                                "content.$": (
                                    f"States.Format('Write a two-sentence movie pitch: {genre}"
                                    " about {}. Round {}.', $.topic, $.round)"
                                ),
                            }
                        ],
                    },
                },
                "ResultSelector": {"setting": genre, "pitch.$": "$.Body.content[0].text"},
                "End": True,
            }
        },
    }


def approval_definition(queue_url: str, model_id: str | None = None) -> str:
    """The workflow's definition (ASL, JSONPath), sending to `queue_url`."""
    choices: list[dict[str, Any]] = [
        {"Variable": "$.decision.action", "StringEquals": action, "Next": f"Chosen {n}"}
        for n, action in enumerate(ACCEPT, start=1)
    ]
    choices.append(
        {"Variable": "$.decision.action", "StringEquals": ANOTHER_ROUND, "Next": "Next round"}
    )
    numbered = " ".join(f"{n}) {{}}" for n in range(1, len(SETTINGS) + 1))
    pitches = ", ".join(f"$.pitches[{i}].pitch" for i in range(len(SETTINGS)))
    states: dict[str, Any] = {
        "Write pitches": {
            "Type": "Parallel",
            "Branches": [_pitch_step(i, model_id) for i in range(len(SETTINGS))],
            "ResultPath": "$.pitches",
            "Next": "Ask the producer",
        },
        "Ask the producer": {
            "Type": "Task",
            "Comment": 'Waits for the person\'s choice: SendTaskSuccess with {"action": ...}',
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": queue_url,
                "MessageBody": {
                    "message.$": (
                        f"States.Format('Round {{}}: pitches for {{}}. {numbered}', $.round,"
                        f" $.topic, {pitches})"
                    ),
                    "actions": [*ACCEPT, ANOTHER_ROUND],
                    "taskToken.$": "$$.Task.Token",
                },
            },
            "ResultPath": "$.decision",
            "Next": "Decide",
        },
        "Decide": {"Type": "Choice", "Choices": choices, "Default": "Ask the producer"},
        "Next round": {
            "Type": "Pass",
            "Parameters": {"topic.$": "$.topic", "round.$": "States.MathAdd($.round, 1)"},
            "Next": "Write pitches",
        },
    }
    for n in range(1, len(SETTINGS) + 1):
        states[f"Chosen {n}"] = {
            "Type": "Pass",
            "Parameters": {
                "topic.$": "$.topic",
                "rounds.$": "$.round",
                "chosen.$": f"$.pitches[{n - 1}].pitch",
            },
            "End": True,
        }
    return json.dumps(
        {
            "Comment": "sfn-tui human approval: pitches are written, a person picks one.",
            "StartAt": "Write pitches",
            "States": states,
        },
        indent=2,
    )


def role_policy(queue_arn: str, model_id: str | None) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}
    ]
    if model_id:
        statements.append({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


async def set_up(client: ApprovalClient, model_id: str | None = None) -> ApprovalSetup:
    """Find or create the role (with what it may do), the queue and the machine."""
    role = await ensure_role(client, ROLE_NAME)
    queue_url = await client.find_queue(QUEUE_NAME)
    queue_created = queue_url is None
    if queue_url is None:
        queue_url = await client.create_queue(QUEUE_NAME)
    policy = role_policy(await client.queue_arn(queue_url), model_id)
    await client.put_role_policy(role.value.name, POLICY_NAME, policy)
    found = await client.find_state_machine(STATE_MACHINE_NAME)
    if found is not None:
        machine = Ensured(await client.describe_state_machine(found.arn), created=False)
    else:
        made: StateMachine = await client.create_state_machine(
            STATE_MACHINE_NAME, approval_definition(queue_url, model_id), role.value.arn
        )
        machine = Ensured(await client.describe_state_machine(made.arn), created=True)
    return ApprovalSetup(role, queue_url, queue_created, machine)


def check_topic(topic: str) -> str:
    text = " ".join(topic.split())
    if not text:
        raise InvalidTopic("Say what the pitches are about: it cannot be empty.")
    if len(text) > MAX_TOPIC:
        raise InvalidTopic(f"The topic is {len(text)} characters; at most {MAX_TOPIC}.")
    return text


def execution_name(topic: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:40].strip("-") or "pitch"
    return f"approval-{slug}-{stamp}-{secrets.token_hex(2)}"


async def start_approval(client: ApprovalClient, machine_arn: str, topic: str) -> Execution:
    text = check_topic(topic)
    return await client.start_execution(
        machine_arn, execution_name(text), json.dumps({"topic": text, "round": 1})
    )
