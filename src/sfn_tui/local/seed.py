"""Demo content for the embedded engine: the ChatSFN example plus two small machines.

``seed_demo()`` is idempotent: it finds or creates every resource, and starts each demo
execution only if no execution of that name exists yet. It does not wait for the
3-second Wait state: a WaitThenSucceed run may still be RUNNING when it returns.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sfn_tui.aws.client import STATES_TRUST_POLICY
from sfn_tui.core.chatsfn import ACTIVITY_NAME, ROLE_NAME, STATE_MACHINE_NAME, chat_definition

CHAT_MACHINE = STATE_MACHINE_NAME
WAIT_MACHINE = "WaitThenSucceed"
FAIL_MACHINE = "AlwaysFails"
WORKER_NAME = "sfn-tui-seed"

WAIT_THEN_SUCCEED: dict[str, Any] = {
    "Comment": "Prepares an order, waits 3 seconds, then succeeds.",
    "StartAt": "PrepareOrder",
    "States": {
        "PrepareOrder": {
            "Type": "Pass",
            "Result": {"order": "A-1001", "items": 3, "status": "packed"},
            "Next": "WaitForCourier",
        },
        "WaitForCourier": {"Type": "Wait", "Seconds": 3, "Next": "Delivered"},
        "Delivered": {"Type": "Succeed"},
    },
}

ALWAYS_FAILS: dict[str, Any] = {
    "Comment": "Tries to charge a card and always fails.",
    "StartAt": "ChargeCard",
    "States": {
        "ChargeCard": {
            "Type": "Pass",
            "Result": {"card": "**** 4242", "amount": "19.99 EUR"},
            "Next": "PaymentDeclined",
        },
        "PaymentDeclined": {
            "Type": "Fail",
            "Error": "Demo.PaymentDeclined",
            "Cause": "The demo payment processor declined the card ending in 4242.",
        },
    },
}

# (execution name, state machine, input); the ChatSFN run is driven to its end below.
DEMO_EXECUTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("demo-wait-1", WAIT_MACHINE, {"order": "A-1001"}),
    ("demo-wait-2", WAIT_MACHINE, {"order": "A-1002"}),
    ("demo-fail-1", FAIL_MACHINE, {"card": "4242"}),
    ("demo-fail-2", FAIL_MACHINE, {"card": "4242", "retry": True}),
    ("demo-chat-1", CHAT_MACHINE, {"name": "Demo"}),
)
CHAT_ANSWERS = ("song", "done")


@dataclass(frozen=True)
class DemoInfo:
    role_arn: str
    activity_arn: str
    chat_state_machine_arn: str
    wait_state_machine_arn: str
    fail_state_machine_arn: str
    execution_arns: dict[str, str] = field(default_factory=dict)  # by execution name
    seconds: float = 0.0  # how long seeding took


def seed_demo(endpoint_url: str, region: str = "us-east-1") -> DemoInfo:
    """Create (or find) the demo role, activity, machines and executions at the endpoint."""
    import boto3
    import botocore.session
    from botocore.config import Config

    started = time.monotonic()
    # Dummy credentials, and no AWS_PROFILE lookup: the user's AWS setup plays no part.
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=region,
        botocore_session=core,
    )
    # Read timeout above GetActivityTask's 60 s hold.
    config = Config(read_timeout=70, retries={"mode": "standard"})
    iam = session.client("iam", endpoint_url=endpoint_url, config=config)
    sfn = session.client("stepfunctions", endpoint_url=endpoint_url, config=config)

    role_arn = _find_or_create_role(iam)
    activity_arn = _find_or_create_activity(sfn)
    machines = {
        m["name"]: m["stateMachineArn"] for m in _pages(sfn, "list_state_machines", "stateMachines")
    }
    definitions = {
        CHAT_MACHINE: chat_definition(activity_arn),
        WAIT_MACHINE: json.dumps(WAIT_THEN_SUCCEED),
        FAIL_MACHINE: json.dumps(ALWAYS_FAILS),
    }
    for name, definition in definitions.items():
        if name not in machines:
            machines[name] = sfn.create_state_machine(
                name=name, definition=definition, roleArn=role_arn
            )["stateMachineArn"]

    execution_arns: dict[str, str] = {}
    for machine in definitions:
        for execution in _pages(
            sfn, "list_executions", "executions", stateMachineArn=machines[machine]
        ):
            execution_arns[execution["name"]] = execution["executionArn"]
    for name, machine, payload in DEMO_EXECUTIONS:
        if name in execution_arns:
            continue
        # Always name executions: moto gives unnamed ones the same ARN (":None").
        arn = sfn.start_execution(
            stateMachineArn=machines[machine], name=name, input=json.dumps(payload)
        )["executionArn"]
        execution_arns[name] = arn
        if machine == CHAT_MACHINE:
            _chat(sfn, activity_arn)

    return DemoInfo(
        role_arn=role_arn,
        activity_arn=activity_arn,
        chat_state_machine_arn=machines[CHAT_MACHINE],
        wait_state_machine_arn=machines[WAIT_MACHINE],
        fail_state_machine_arn=machines[FAIL_MACHINE],
        execution_arns=execution_arns,
        seconds=time.monotonic() - started,
    )


def _chat(sfn: Any, activity_arn: str) -> None:
    """Act as the ChatSFN worker: answer "song", then "done"."""
    for action in CHAT_ANSWERS:
        task = sfn.get_activity_task(activityArn=activity_arn, workerName=WORKER_NAME)
        token = task.get("taskToken")
        if not token:
            return  # nothing arrived within the hold time; leave the run waiting
        sfn.send_task_success(taskToken=token, output=json.dumps({"action": action}))


def _find_or_create_role(iam: Any) -> str:
    try:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        pass
    return str(
        iam.create_role(
            RoleName=ROLE_NAME,
            AssumeRolePolicyDocument=json.dumps(STATES_TRUST_POLICY),
            Description="Lets Step Functions run the sfn-tui demo state machines.",
        )["Role"]["Arn"]
    )


def _find_or_create_activity(sfn: Any) -> str:
    for activity in _pages(sfn, "list_activities", "activities"):
        if activity["name"] == ACTIVITY_NAME:
            return str(activity["activityArn"])
    return str(sfn.create_activity(name=ACTIVITY_NAME)["activityArn"])


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items
