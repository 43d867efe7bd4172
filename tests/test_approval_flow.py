"""The human-approval workflow (core/approval.py) on the real engine: set up (role
with its policy, queue, machine), a run, one "another round", then a pick; the
output is the pitch chosen; clean-up leaves nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.core import approval
from tests.helpers import async_wait_until

REGION = "eu-west-3"


def kw(engine: str) -> dict[str, Any]:
    return {
        "endpoint_url": engine,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def test_the_definition_is_valid_with_and_without_a_model() -> None:
    for model in (None, "anthropic.claude-3-haiku-20240307-v1:0"):
        definition = json.loads(approval.approval_definition("https://q", model))
        assert definition["StartAt"] == "Write pitches"
        ask = definition["States"]["Ask the producer"]
        assert ask["Resource"].endswith(".waitForTaskToken")
        assert ask["Parameters"]["MessageBody"]["taskToken.$"] == "$$.Task.Token"
        kinds = {
            b["States"]["Write"]["Type"] for b in definition["States"]["Write pitches"]["Branches"]
        }
        assert kinds == ({"Task"} if model else {"Pass"})


async def test_set_up_run_another_round_pick_and_clean_up(engine: str) -> None:
    sqs = boto3.client("sqs", **kw(engine))
    sfn = boto3.client("stepfunctions", **kw(engine))
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        setup = await approval.set_up(client)
        assert setup.machine.created and setup.queue_created
        again = await approval.set_up(client)
        assert not again.machine.created and again.queue_url == setup.queue_url
        run = await approval.start_approval(client, setup.machine.value.arn, "a lighthouse")

        async def next_message() -> dict[str, Any]:
            async def received() -> Any:
                got = sqs.receive_message(QueueUrl=setup.queue_url, WaitTimeSeconds=1)
                return got.get("Messages")

            [message] = await async_wait_until(received, timeout=20)
            sqs.delete_message(QueueUrl=setup.queue_url, ReceiptHandle=message["ReceiptHandle"])
            return json.loads(message["Body"])

        first = await next_message()
        assert "Round 1" in first["message"] and "a lighthouse" in first["message"]
        assert first["actions"] == [*approval.ACCEPT, approval.ANOTHER_ROUND]
        await client.send_task_success(first["taskToken"], json.dumps({"action": "another round"}))
        second = await next_message()
        assert "Round 2" in second["message"]
        await client.send_task_success(second["taskToken"], json.dumps({"action": "accept 2"}))

        async def ended() -> Any:
            described = sfn.describe_execution(executionArn=run.arn)
            return described if described["status"] != "RUNNING" else None

        described = await async_wait_until(ended, timeout=20)
        assert described["status"] == "SUCCEEDED"
        output = json.loads(described["output"])
        assert (
            output["rounds"] == 2 and "quiet drama about a lighthouse (round 2)" in output["chosen"]
        )
