"""What a listing leaves for the cyclic GC to walk: the longest stalls while polling
were full collections, and their length grows with the objects alive (bench/stalls.py).
These check the mechanisms, never a timing."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import UTC
from typing import Any

import pytest

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from tests.helpers import boto_client

REGION = "ap-southeast-6"  # no other test uses it


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def machine(sfn: Any, name: str) -> str:
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    role = "arn:aws:iam::123456789012:role/gc-footprint"
    return str(
        sfn.create_state_machine(name=name, definition=definition, roleArn=role)["stateMachineArn"]
    )


async def test_listed_dates_are_utc_and_share_one_tzinfo(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "gc-dates")
    started = sfn.start_execution(stateMachineArn=arn, name="dated")
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        page = await client.list_executions(arn)
        machines = await client.list_state_machines()
    [run] = page.executions
    assert run.start_date == started["startDate"]  # the same instant as boto3 reads
    assert run.start_date.tzinfo is UTC  # not a dateutil tzlocal() per timestamp
    assert all(m.creation_date.tzinfo is UTC for m in machines)


async def test_a_client_opened_later_reuses_the_loaded_service_models(engine: str) -> None:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        gc.collect()
        before = Counter(type(o).__name__ for o in gc.get_objects())
        async with client.heartbeat_sender():  # a new session, as the heartbeat thread's
            gc.collect()
            after = Counter(type(o).__name__ for o in gc.get_objects())
    # A second copy of the Step Functions model is about 30,000 OrderedDicts.
    assert after["OrderedDict"] - before["OrderedDict"] < 1000
