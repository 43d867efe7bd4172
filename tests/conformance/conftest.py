"""Fixtures of the conformance suite: the embedded engine by default, or the endpoint
given with ``--endpoint URL`` (``--endpoint aws`` for AWS itself).

    pytest tests/conformance                                   # the embedded engine
    pytest tests/conformance --endpoint http://127.0.0.1:4566  # an emulator
    pytest tests/conformance --endpoint aws --region eu-west-1 \\
        --role-arn arn:aws:iam::123456789012:role/conformance   # an AWS account

Every case creates its own uniquely named resources and deletes them afterwards. Cases
that need a knob only the embedded engine has (a short GetActivityTask hold, a lower
limit) take the ``engine_only`` fixture and are skipped elsewhere, with the reason.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conformance.support import Conformance
from tests.helpers import CREDENTIALS

LOCAL_REGION = "ap-southeast-6"  # a region of their own on the shared embedded engine
LOCAL_ROLE = "arn:aws:iam::123456789012:role/sfn-tui-conformance"


def _remote(config: pytest.Config) -> str | None:
    value = config.getoption("--endpoint")
    return str(value) if value else None


def _loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session")
def conformance_endpoint(request: pytest.FixtureRequest) -> str | None:
    """The endpoint URL under test; None for AWS itself (``--endpoint aws``)."""
    remote = _remote(request.config)
    if remote is None:
        return str(request.getfixturevalue("engine"))
    return None if remote == "aws" else remote


@pytest.fixture(scope="session")
def conformance_clients(request: pytest.FixtureRequest, conformance_endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config

    local = _remote(request.config) is None
    region = (
        LOCAL_REGION
        if local
        else request.config.getoption("--region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )
    kw: dict[str, Any] = {"region_name": region}
    if conformance_endpoint is not None:
        kw["endpoint_url"] = conformance_endpoint
        if _loopback(conformance_endpoint):
            kw.update(CREDENTIALS)
    loopback = conformance_endpoint is not None and _loopback(conformance_endpoint)
    if local or (loopback and not request.config.getoption("--role-arn")):
        # an emulator on this machine: the default role, which Lambda checks exists
        _local_role(boto3.client("iam", **kw))
    # GetActivityTask holds for up to 60 s on AWS: the read timeout must be longer.
    # StartSyncExecution goes to the host "sync-" + endpoint host, which does not
    # resolve for an endpoint URL: only AWS itself keeps the prefix.
    config = Config(
        read_timeout=70,
        retries={"mode": "standard", "max_attempts": 3},
        inject_host_prefix=conformance_endpoint is None,
    )
    return (
        boto3.client("stepfunctions", config=config, **kw),
        boto3.client("sqs", **kw),
        boto3.client("lambda", **kw),
        boto3.client("sns", **kw),
        boto3.client("logs", **kw),
    )


def _local_role(iam: Any) -> None:
    """The engine's execution role, assumable by Step Functions and Lambda (moto checks
    that a Lambda function's role exists)."""
    from botocore.exceptions import ClientError

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["states.amazonaws.com", "lambda.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    try:
        iam.create_role(
            RoleName=LOCAL_ROLE.rsplit("/", 1)[1], AssumeRolePolicyDocument=json.dumps(trust)
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise


@pytest.fixture
def conf(request: pytest.FixtureRequest, conformance_clients: Any) -> Iterator[Conformance]:
    local = _remote(request.config) is None
    role = request.config.getoption("--role-arn") or LOCAL_ROLE
    sfn, sqs, lam, sns, logs = conformance_clients
    case = Conformance(
        sfn=sfn, sqs=sqs, lam=lam, sns=sns, role_arn=str(role), local=local, logs=logs
    )
    if not local:
        case.scale = 3.0
    yield case
    case.cleanup()


@pytest.fixture
def engine_only(conf: Conformance) -> None:
    """Skip the case on another endpoint: it needs a knob only the embedded engine has."""
    if not conf.local:
        pytest.skip("needs a knob of the embedded engine (run without --endpoint)")
