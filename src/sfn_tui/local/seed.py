"""Demo content for the embedded engine: the ChatSFN example, two small machines, a
JSONata machine that keeps data in workflow variables, and an Express machine that logs
its runs to CloudWatch Logs.

``seed_demo()`` is idempotent: it finds or creates every resource, and starts each demo
execution only if no execution of that name exists yet (the Express runs: only when it
creates their machine, since Express runs are not listed). It does not wait for the
3-second Wait state: a WaitThenSucceed run may still be RUNNING when it returns. The
Express runs are synchronous (StartSyncExecution): they have ended when it returns.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sfn_tui.aws.client import STATES_TRUST_POLICY
from sfn_tui.core.chatsfn import ACTIVITY_NAME, ROLE_NAME, STATE_MACHINE_NAME, chat_definition

CHAT_MACHINE = STATE_MACHINE_NAME
WAIT_MACHINE = "WaitThenSucceed"
FAIL_MACHINE = "AlwaysFails"
JSONATA_MACHINE = "OrderTotals"
EXPRESS_MACHINE = "ExpressOrders"
EXPRESS_LOG_GROUP = f"/aws/vendedlogs/states/{EXPRESS_MACHINE}-Logs"
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

ORDER_TOTALS: dict[str, Any] = {
    "Comment": "Totals an order in JSONata, keeping the customer and the total in variables;"
    " orders over 100 EUR need approval.",
    "QueryLanguage": "JSONata",
    "StartAt": "Remember",
    "States": {
        "Remember": {
            "Type": "Pass",
            "Assign": {"customer": "{% $states.input.customer %}", "currency": "EUR"},
            "Output": "{% $states.input.lines %}",
            "Next": "PriceLines",
        },
        "PriceLines": {
            "Type": "Map",
            "Items": "{% $states.input %}",
            "ItemProcessor": {
                "StartAt": "Price",
                "States": {
                    "Price": {
                        "Type": "Pass",
                        "Output": {
                            "sku": "{% $states.input.sku %}",
                            "amount": "{% $states.input.qty * $states.input.price %}",
                        },
                        "End": True,
                    }
                },
            },
            "Assign": {"total": "{% $sum($states.result.amount) %}"},
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $total > 100 %}", "Next": "NeedsApproval"}],
            "Default": "Receipt",
        },
        "Receipt": {
            "Type": "Pass",
            "Output": {
                "customer": "{% $customer %}",
                "total": "{% $total %}",
                "currency": "{% $currency %}",
            },
            "End": True,
        },
        "NeedsApproval": {
            "Type": "Fail",
            "Error": "Demo.NeedsApproval",
            "Cause": "{% 'Orders over 100 ' & $currency & ' need approval: ' & $customer"
            " & ' ordered ' & $string($total) & ' ' & $currency & '.' %}",
        },
    },
}

EXPRESS_ORDERS: dict[str, Any] = {
    "Comment": "Reserves stock for an order at once (an Express workflow, logged to CloudWatch"
    " Logs).",
    "StartAt": "CheckStock",
    "States": {
        "CheckStock": {
            "Type": "Pass",
            "Result": {"inStock": 5},
            "ResultPath": "$.stock",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.quantity", "IsPresent": True},
                        {"Variable": "$.quantity", "NumericGreaterThan": 5},
                    ],
                    "Next": "OutOfStock",
                }
            ],
            "Default": "Reserve",
        },
        "Reserve": {
            "Type": "Pass",
            "Result": {"reserved": True},
            "ResultPath": "$.reservation",
            "End": True,
        },
        "OutOfStock": {
            "Type": "Fail",
            "Error": "Demo.OutOfStock",
            "Cause": "Only 5 of each item are in stock.",
        },
    },
}
# Synchronous runs of ExpressOrders: (name, input).
EXPRESS_RUNS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("reserve-1", {"order": "B-2001", "quantity": 2}),
    ("reserve-2", {"order": "B-2002", "quantity": 9}),
    ("reserve-3", {"order": "B-2003", "quantity": 1}),
)

# (execution name, state machine, input); the ChatSFN run is driven to its end below.
DEMO_EXECUTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("demo-wait-1", WAIT_MACHINE, {"order": "A-1001"}),
    ("demo-wait-2", WAIT_MACHINE, {"order": "A-1002"}),
    ("demo-fail-1", FAIL_MACHINE, {"card": "4242"}),
    ("demo-fail-2", FAIL_MACHINE, {"card": "4242", "retry": True}),
    ("demo-chat-1", CHAT_MACHINE, {"name": "Demo"}),
    (
        "demo-totals-1",
        JSONATA_MACHINE,
        {"customer": "Ada", "lines": [{"sku": "pen", "qty": 3, "price": 2.5}]},
    ),
    (
        "demo-totals-2",
        JSONATA_MACHINE,
        {"customer": "Grace", "lines": [{"sku": "desk", "qty": 1, "price": 240}]},
    ),
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
    express_state_machine_arn: str = ""
    express_run_arns: dict[str, str] = field(default_factory=dict)  # by name; not listable
    jsonata_state_machine_arn: str = ""
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
    # Read timeout above GetActivityTask's 60 s hold. StartSyncExecution goes to the host
    # "sync-" + the endpoint's host unless the prefix is left out.
    config = Config(read_timeout=70, retries={"mode": "standard"}, inject_host_prefix=False)
    iam = session.client("iam", endpoint_url=endpoint_url, config=config)
    sfn = session.client("stepfunctions", endpoint_url=endpoint_url, config=config)
    logs = session.client("logs", endpoint_url=endpoint_url, config=config)

    role_arn = _find_or_create_role(iam)
    # The Express machine and its runs meanwhile (they need only the role).
    express = _Background(lambda: _express_demo(sfn, logs, role_arn))
    activity_arn = _find_or_create_activity(sfn)
    machines = {
        m["name"]: m["stateMachineArn"] for m in _pages(sfn, "list_state_machines", "stateMachines")
    }
    definitions = {
        CHAT_MACHINE: chat_definition(activity_arn),
        WAIT_MACHINE: json.dumps(WAIT_THEN_SUCCEED),
        FAIL_MACHINE: json.dumps(ALWAYS_FAILS),
        JSONATA_MACHINE: json.dumps(ORDER_TOTALS),
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

    express_arn, express_runs = express.result()

    return DemoInfo(
        role_arn=role_arn,
        activity_arn=activity_arn,
        chat_state_machine_arn=machines[CHAT_MACHINE],
        wait_state_machine_arn=machines[WAIT_MACHINE],
        fail_state_machine_arn=machines[FAIL_MACHINE],
        execution_arns=execution_arns,
        express_state_machine_arn=express_arn,
        express_run_arns=express_runs,
        jsonata_state_machine_arn=machines[JSONATA_MACHINE],
        seconds=time.monotonic() - started,
    )


class _Background:
    """A call run in a thread of its own; `result()` waits for it and raises what it
    raised (nothing is printed from the thread: the terminal may be the app's)."""

    def __init__(self, call: Callable[[], tuple[str, dict[str, str]]]) -> None:
        self._call = call
        self._value: tuple[str, dict[str, str]] = ("", {})
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sfn-tui-seed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as error:  # handed to result(), raised there
            self._error = error

    def result(self) -> tuple[str, dict[str, str]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _express_demo(sfn: Any, logs: Any, role_arn: str) -> tuple[str, dict[str, str]]:
    """ExpressOrders with logging (level ALL, with input and output) and its runs."""
    for machine in _pages(sfn, "list_state_machines", "stateMachines"):
        if machine["name"] == EXPRESS_MACHINE:
            return str(machine["stateMachineArn"]), {}
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=EXPRESS_LOG_GROUP)
    group = logs.describe_log_groups(logGroupNamePrefix=EXPRESS_LOG_GROUP)["logGroups"][0]
    group_arn = group["arn"] if group["arn"].endswith(":*") else f"{group['arn']}:*"
    arn = sfn.create_state_machine(
        name=EXPRESS_MACHINE,
        definition=json.dumps(EXPRESS_ORDERS),
        roleArn=role_arn,
        type="EXPRESS",
        loggingConfiguration={
            "level": "ALL",
            "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
        },
    )["stateMachineArn"]
    runs = {
        name: sfn.start_sync_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))[
            "executionArn"
        ]
        for name, payload in EXPRESS_RUNS
    }
    return str(arn), runs


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
