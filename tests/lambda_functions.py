"""Helpers for tests that create Lambda functions and state machines on an endpoint."""

from __future__ import annotations

import io
import json
import textwrap
import uuid
import zipfile
from typing import Any

from tests.helpers import boto_client, wait_until

LAMBDA_ROLE = "sfn-tui-test-lambda-role"
STATES_ROLE = "sfn-tui-test-states-role"


def zip_of(source: str, filename: str = "index.py") -> bytes:
    """A deployment package holding one Python file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(filename, textwrap.dedent(source))
    return buffer.getvalue()


def role_arn(endpoint: str, name: str, service: str) -> str:
    """An IAM role that `service` may assume (created once per engine)."""
    iam = boto_client("iam", endpoint)
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
        return str(
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
                "Arn"
            ]
        )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_function(
    endpoint: str,
    source: str,
    *,
    runtime: str = "python3.11",
    handler: str = "index.handler",
    timeout: int = 30,
    memory: int = 128,
    environment: dict[str, str] | None = None,
    name: str | None = None,
) -> str:
    """Create a function from Python source (index.py); return its ARN."""
    client = boto_client("lambda", endpoint)
    spec: dict[str, Any] = {
        "FunctionName": name or unique("fn"),
        "Runtime": runtime,
        "Role": role_arn(endpoint, LAMBDA_ROLE, "lambda.amazonaws.com"),
        "Handler": handler,
        "Code": {"ZipFile": zip_of(source)},
        "Timeout": timeout,
        "MemorySize": memory,
    }
    if environment:
        spec["Environment"] = {"Variables": environment}
    return str(client.create_function(**spec)["FunctionArn"])


def create_machine(endpoint: str, definition: dict[str, Any]) -> str:
    sfn = boto_client("stepfunctions", endpoint)
    return str(
        sfn.create_state_machine(
            name=unique("machine"),
            definition=json.dumps(definition),
            roleArn=role_arn(endpoint, STATES_ROLE, "states.amazonaws.com"),
        )["stateMachineArn"]
    )


def run_to_end(
    endpoint: str, machine_arn: str, run_input: Any = None, timeout: float = 60.0
) -> dict[str, Any]:
    """Start a run and wait until it ends; DescribeExecution's answer."""
    sfn = boto_client("stepfunctions", endpoint)
    arn = sfn.start_execution(
        stateMachineArn=machine_arn, name=unique("run"), input=json.dumps(run_input or {})
    )["executionArn"]

    def ended() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        return None if described["status"] == "RUNNING" else described

    return wait_until(ended, timeout=timeout, message=f"run {arn} still RUNNING")


def history(endpoint: str, execution_arn: str) -> list[dict[str, Any]]:
    sfn = boto_client("stepfunctions", endpoint)
    return list(sfn.get_execution_history(executionArn=execution_arn)["events"])
