"""The embedded engine's activities (sfn_tui.local.activities), over HTTP.

Every test talks to the shared LocalEngine through boto3 or aiobotocore and uses its own
uniquely named activity and state machine.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from sfn_tui.aws.client import STATES_TRUST_POLICY
from sfn_tui.core.chatsfn import ACTIVITY_NAME, ROLE_NAME, chat_definition
from sfn_tui.local import activities, history_cache
from sfn_tui.local.seed import (
    CHAT_MACHINE,
    FAIL_MACHINE,
    JSONATA_MACHINE,
    WAIT_MACHINE,
    seed_demo,
)
from tests.helpers import CREDENTIALS, REGION, TEST_HOLD_SECONDS, async_wait_until, wait_until

ROLE_ARN = "arn:aws:iam::123456789012:role/sfn-tui-test"
ACTIONS = ["song", "poem", "story", "done"]
CLOSED_TOKEN_ERRORS = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


MakeMachine = Callable[..., tuple[str, str]]


@pytest.fixture
def make_machine(boto_sfn: Any) -> MakeMachine:
    """make_machine(**task_fields) -> (activity ARN, state machine ARN).

    Without task fields the machine is ChatSFN (the packaged definition); with them it is
    a single Task state on the activity carrying those fields (TimeoutSeconds...).
    """

    def make(**task_fields: Any) -> tuple[str, str]:
        activity_arn = boto_sfn.create_activity(name=unique("act"))["activityArn"]
        if task_fields:
            task = {"Type": "Task", "Resource": activity_arn, "End": True, **task_fields}
            definition = json.dumps({"StartAt": "Work", "States": {"Work": task}})
        else:
            definition = chat_definition(activity_arn)
        machine_arn = boto_sfn.create_state_machine(
            name=unique("sm"), definition=definition, roleArn=ROLE_ARN
        )["stateMachineArn"]
        return activity_arn, machine_arn

    return make


def start(sfn: Any, machine_arn: str, payload: dict[str, Any] | None = None) -> str:
    return str(
        sfn.start_execution(
            stateMachineArn=machine_arn, name=unique("run"), input=json.dumps(payload or {})
        )["executionArn"]
    )


def finished(sfn: Any, execution_arn: str, timeout: float = 5.0) -> dict[str, Any]:
    """DescribeExecution once the execution has left RUNNING."""

    def describe() -> dict[str, Any] | None:
        out: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        return out if out["status"] != "RUNNING" else None

    return wait_until(describe, timeout, f"{execution_arn} still RUNNING")


def event_types(sfn: Any, execution_arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    return [e["type"] for e in events]


def claim(sfn: Any, activity_arn: str, worker: str = "test-worker") -> dict[str, Any]:
    """GetActivityTask until a task arrives (one long-poll is normally enough)."""

    def poll() -> dict[str, Any] | None:
        task: dict[str, Any] = sfn.get_activity_task(activityArn=activity_arn, workerName=worker)
        return task if task.get("taskToken") else None

    return wait_until(poll, timeout=3 * TEST_HOLD_SECONDS, message="no activity task")


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(excinfo.value.response["Error"]["Code"])


@pytest.fixture(autouse=True)
def repatched(engine: str) -> None:
    """activities' patches undone and put in again before each test (reinstall()).

    Mutation testing forks each mutant's child from a process whose engine ran
    `_patch()` already: this is where a mutant of `_patch()`, `install()` or their
    journal takes effect, judged by the test that follows. Leaves the engine patched as
    it was (test_the_patches_can_be_undone_and_put_in_again) for every other module.
    """
    activities.reinstall()


def slots() -> dict[tuple[Any, str], Any]:
    """Every class attribute activities' patches set, and what it holds now."""
    return {(owner, name): owner.__dict__.get(name) for owner, name, *_ in activities._journal}


def test_the_patches_can_be_undone_and_put_in_again(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    patched = slots()
    assert patched[(StepFunctionResponse, "get_activity_task")] is (
        activities._get_activity_task_response
    )
    activities.uninstall()
    try:
        assert activities._journal == []
        # moto's own again: its StepFunctionResponse has no GetActivityTask of its own.
        assert "get_activity_task" not in StepFunctionResponse.__dict__
        unwrapped = [slot for slot in patched if slot not in activities._wrapped]
        assert all(
            owner.__dict__.get(name) is not patched[(owner, name)]
            for owner, name in unwrapped
            if patched[(owner, name)] is not None
        )
    finally:
        activities.install()
    again = slots()
    assert list(again) == list(patched)
    assert all(again[slot] is patched[slot] for slot in patched)
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    run = start(boto_sfn, machine_arn, {"n": 2})
    task = claim(boto_sfn, activity_arn)
    boto_sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
    assert json.loads(finished(boto_sfn, run)["output"]) == {"done": True}


def test_each_slot_is_patched_with_its_function() -> None:
    """What `_patch()` puts where, checked slot by slot (behaviour cannot tell every slot
    apart here: a slot a later patch wraps keeps calling activities' function whatever
    reinstall() does, but in a fresh process a wrong name there would leave moto's own)."""
    from moto.stepfunctions.parser import api

    patched = {(owner.__name__, name): ours for owner, name, _, _, ours in activities._journal}
    errors = {
        cls.__name__
        for cls in vars(api).values()
        if isinstance(cls, type) and isinstance(cls.__dict__.get("code"), str)
    }
    assert {"InvalidToken", "ActivityDoesNotExist", "TaskTimedOut"} <= errors
    for name in errors:
        assert patched.pop((name, "__init__")) is activities._exception_init
        assert patched.pop((name, "TYPE")) == getattr(api, name).__dict__["code"]
    a = activities
    assert patched == {
        ("StepFunctionBackend", "create_activity"): a._create_activity,
        ("StepFunctionBackend", "delete_activity"): a._delete_activity,
        ("Execution", "__init__"): a._execution_init,
        ("CallbackPoolManager", "add_activity_task"): a._add_activity_task,
        ("StateTaskActivity", "_eval_execution"): a._eval_execution,
        ("ActivityTaskStartEndpoint", "_outcome"): None,
        ("Execution", "stop"): a._stop,
        ("Environment", "set_error"): a._set_error,
        ("StateTaskActivity", "_from_error"): a._from_error,
        ("StepFunctionsParserBackend", "send_task_success"): a._send_task_success,
        ("StepFunctionsParserBackend", "send_task_failure"): a._send_task_failure,
        ("StepFunctionsParserBackend", "send_task_heartbeat"): a._send_task_heartbeat,
        ("StepFunctionResponse", "get_activity_task"): a._get_activity_task_response,
        ("StepFunctionResponse", "send_task_failure"): a._send_task_failure_response,
        ("StepFunctionResponse", "stop_execution"): a._stop_execution_response,
    }
    assert activities._wrapped == {}  # every wrapped slot was taken back into the journal


def test_a_patch_wrapped_by_a_later_one_cannot_be_replaced() -> None:
    """history_quota wraps activities' Environment.set_error: uninstall() leaves that
    wrapper (it calls activities' function), so install() cannot put anything else
    beneath it; asked to, it refuses in words, and the next install() still works."""
    from moto.stepfunctions.parser.asl.eval.environment import Environment

    patched = slots()
    activities.uninstall()
    try:
        with pytest.raises(RuntimeError) as refused:
            activities._put(Environment, "set_error", lambda self, error: None)
        assert str(refused.value) == "Environment.set_error is wrapped by a later patch"
    finally:
        activities.install()
    again = slots()
    assert list(again) == list(patched)
    assert all(again[slot] is patched[slot] for slot in patched)


# --- the ChatSFN loop -----------------------------------------------------------------


def test_chat_run_with_boto3_worker(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine()
    execution_arn = start(boto_sfn, machine_arn, {"name": "Ada"})

    messages = []
    for action in ACTIONS:
        task = claim(boto_sfn, activity_arn, worker="boto3-worker")
        task_input = json.loads(task["input"])
        assert task_input["actions"] == ACTIONS
        messages.append(task_input["message"])
        boto_sfn.send_task_success(
            taskToken=task["taskToken"], output=json.dumps({"action": action})
        )

    result = finished(boto_sfn, execution_arn)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"message": "Thanks for chatting."}
    assert messages == [
        "Hello, Ada!",
        "My song has no tune but you can still dance to it.",
        "This is my poem but it doesn't rhyme.",
        "This story has neither beginning, middle, nor end.",
    ]
    events = boto_sfn.get_execution_history(executionArn=execution_arn)["events"]
    started = [e for e in events if e["type"] == "ActivityStarted"]
    assert [e["activityStartedEventDetails"]["workerName"] for e in started] == ["boto3-worker"] * 4


async def test_chat_run_with_aiobotocore_worker(engine: str, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine()
    async with get_session().create_client(
        "stepfunctions", region_name=REGION, endpoint_url=engine, **CREDENTIALS
    ) as sfn:
        execution_arn = (
            await sfn.start_execution(
                stateMachineArn=machine_arn, name=unique("run"), input=json.dumps({"name": "Bo"})
            )
        )["executionArn"]
        first = True
        for action in ("story", "done"):

            async def poll() -> dict[str, Any] | None:
                task: dict[str, Any] = await sfn.get_activity_task(
                    activityArn=activity_arn, workerName="aio-worker"
                )
                return task if task.get("taskToken") else None

            task = await async_wait_until(poll, timeout=3 * TEST_HOLD_SECONDS)
            if first:
                assert json.loads(task["input"])["message"] == "Hello, Bo!"
                first = False
            await sfn.send_task_success(
                taskToken=task["taskToken"], output=json.dumps({"action": action})
            )

        async def done() -> dict[str, Any] | None:
            out: dict[str, Any] = await sfn.describe_execution(executionArn=execution_arn)
            return out if out["status"] != "RUNNING" else None

        result = await async_wait_until(done)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"message": "Thanks for chatting."}


def test_history_read_as_it_grows_equals_the_whole_history_read_once(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    # GetExecutionHistory serializes each event once and keeps it (local/history_cache.py):
    # read after every turn, the history must equal one serialized from scratch.
    activity_arn, machine_arn = make_machine()
    execution_arn = start(boto_sfn, machine_arn, {"name": "Cy"})
    grown = []
    for action in ("poem", "song", "done"):
        task = claim(boto_sfn, activity_arn)
        grown.append(boto_sfn.get_execution_history(executionArn=execution_arn)["events"])
        boto_sfn.send_task_success(
            taskToken=task["taskToken"], output=json.dumps({"action": action})
        )
    finished(boto_sfn, execution_arn)
    last = boto_sfn.get_execution_history(executionArn=execution_arn)["events"]
    assert boto_sfn.get_execution_history(executionArn=execution_arn)["events"] == last
    history_cache.clear()  # the next read serializes every event anew
    assert boto_sfn.get_execution_history(executionArn=execution_arn)["events"] == last
    assert len(history_cache._caches) >= 1  # that read went through the cache
    assert [e["id"] for e in last] == list(range(1, len(last) + 1))
    for earlier in grown:
        assert last[: len(earlier)] == earlier
    assert last[-1]["type"] == "ExecutionSucceeded"


def test_history_cache_keeps_the_most_recently_read_runs_only(
    boto_sfn: Any, make_machine: MakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_cache, "MAX_CACHED", 2)
    _, machine_arn = make_machine()
    runs = [start(boto_sfn, machine_arn, {"name": f"r{i}"}) for i in range(3)]
    first = [boto_sfn.get_execution_history(executionArn=arn)["events"] for arn in runs]
    assert len(history_cache._caches) == 2
    again = [boto_sfn.get_execution_history(executionArn=arn)["events"] for arn in runs]
    assert all(h and h[0]["id"] == 1 for h in again)
    for before, after in zip(first, again, strict=True):
        assert after[: len(before)] == before  # the same events, whether cached or not


def test_history_of_an_unknown_execution_is_an_error(boto_sfn: Any) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:nope:nope"
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.get_execution_history(executionArn=arn)
    assert error_code(excinfo) == "ExecutionDoesNotExist"


# --- GetActivityTask ------------------------------------------------------------------


def test_get_activity_task_without_pending_task_returns_no_token(boto_sfn: Any) -> None:
    activity_arn = boto_sfn.create_activity(name=unique("idle"))["activityArn"]
    began = time.monotonic()
    task = boto_sfn.get_activity_task(activityArn=activity_arn, workerName="w")
    held = time.monotonic() - began
    assert "taskToken" not in task
    assert TEST_HOLD_SECONDS * 0.9 <= held < TEST_HOLD_SECONDS + 2


POLLER = textwrap.dedent(
    """
    import sys, boto3
    from botocore.config import Config
    sfn = boto3.client(
        "stepfunctions", endpoint_url=sys.argv[1], region_name=sys.argv[2],
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(read_timeout=120, retries={"max_attempts": 1}),
    )
    print("polling", flush=True)
    print(sfn.get_activity_task(activityArn=sys.argv[3], workerName="doomed"), flush=True)
    """
)


def test_task_skips_a_poller_whose_process_was_killed(
    engine: str, boto_sfn: Any, make_machine: MakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # local/poller_withdrawal.py: a held GetActivityTask whose client is gone claims
    # nothing, so the next task reaches a live poller (AWS would hand it to the dead one).
    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    doomed = subprocess.Popen(
        [sys.executable, "-c", POLLER, engine, REGION, activity_arn],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: activities.pollers(activity_arn) == 1, timeout=15, message="held")
    finally:
        doomed.kill()
        doomed.wait(timeout=10)
    live: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: live.update(
            boto_sfn.get_activity_task(activityArn=activity_arn, workerName="alive")
        )
    )
    worker.start()
    wait_until(lambda: activities.pollers(activity_arn) >= 1, message="live poll held")
    execution_arn = start(boto_sfn, machine_arn, {"n": 1})
    worker.join(timeout=35)
    assert "taskToken" in live, "the task went to the killed poller"
    assert json.loads(live["input"]) == {"n": 1}
    events = boto_sfn.get_execution_history(executionArn=execution_arn)["events"]
    started = [e for e in events if e["type"] == "ActivityStarted"]
    assert [e["activityStartedEventDetails"]["workerName"] for e in started] == ["alive"]
    boto_sfn.send_task_success(taskToken=live["taskToken"], output="{}")
    assert finished(boto_sfn, execution_arn)["status"] == "SUCCEEDED"


def test_get_activity_task_unknown_activity(boto_sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:activity:" + unique("missing")
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.get_activity_task(activityArn=missing)
    assert error_code(excinfo) == "ActivityDoesNotExist"


def test_deleted_activity_fails_new_runs(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    boto_sfn.delete_activity(activityArn=activity_arn)
    result = finished(boto_sfn, start(boto_sfn, machine_arn))
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"


def test_deleting_an_activity_ends_its_held_polls_and_can_be_done_twice(
    boto_sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll held on an activity that is deleted answers at once with no task (the
    engine's rule: nothing can arrive for it any more), and DeleteActivity of an
    activity already deleted succeeds again: its only documented error is InvalidArn
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteActivity.html)."""
    monkeypatch.setattr(activities, "HOLD_SECONDS", 20.0)
    activity_arn = boto_sfn.create_activity(name=unique("gone"))["activityArn"]
    answers: list[dict[str, Any]] = []
    poll = threading.Thread(
        target=lambda: answers.append(
            boto_sfn.get_activity_task(activityArn=activity_arn, workerName="w")
        )
    )
    poll.start()
    try:
        wait_until(lambda: activities.pollers(activity_arn) == 1, message="the poll held")
        boto_sfn.delete_activity(activityArn=activity_arn)
        wait_until(lambda: not poll.is_alive(), timeout=10, message="the held poll goes on")
        assert answers and "taskToken" not in answers[0]
    finally:
        poll.join(timeout=30)
    boto_sfn.delete_activity(activityArn=activity_arn)
    assert activity_arn not in [a["activityArn"] for a in boto_sfn.list_activities()["activities"]]


def test_an_activity_works_in_an_account_new_to_the_engine(engine: str) -> None:
    """Activities belong to an account and a Region
    (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html): in
    an account the engine has not served before (reached through STS AssumeRole), an
    activity gets its own task queue on first use, and a run's task reaches a worker
    and is answered there."""
    account = "".join(random.choice("0123456789") for _ in range(12))
    sts = boto3.client("sts", endpoint_url=engine, region_name=REGION, **CREDENTIALS)
    role = f"arn:aws:iam::{account}:role/sfn-tui-test"
    keys = sts.assume_role(RoleArn=role, RoleSessionName="sfn-tui-test")["Credentials"]
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    activity_arn = sfn.create_activity(name=unique("fresh"))["activityArn"]
    assert f":{account}:" in activity_arn
    task = {"Type": "Task", "Resource": activity_arn, "TimeoutSeconds": 60, "End": True}
    machine_arn = sfn.create_state_machine(
        name=unique("fresh"),
        definition=json.dumps({"StartAt": "Work", "States": {"Work": task}}),
        roleArn=f"arn:aws:iam::{account}:role/sfn-tui-test",
    )["stateMachineArn"]
    execution_arn = start(sfn, machine_arn, {"n": 1})
    claimed = claim(sfn, activity_arn)
    assert json.loads(claimed["input"]) == {"n": 1}
    sfn.send_task_success(taskToken=claimed["taskToken"], output='{"done": true}')
    assert finished(sfn, execution_arn)["status"] == "SUCCEEDED"


# --- timeouts and heartbeats ----------------------------------------------------------


def test_heartbeat_timeout_fails_with_states_timeout(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30, HeartbeatSeconds=1)
    execution_arn = start(boto_sfn, machine_arn)
    claim(boto_sfn, activity_arn)  # and never heartbeat
    result = finished(boto_sfn, execution_arn, timeout=5)
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Timeout"
    assert "ActivityTimedOut" in event_types(boto_sfn, execution_arn)


def test_heartbeats_keep_a_task_alive(boto_sfn: Any, make_machine: MakeMachine) -> None:
    # HeartbeatSeconds 3, not 1: on a loaded 2-core CI machine one round trip to the
    # in-process engine took over a second, and the task timed out between two beats.
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30, HeartbeatSeconds=3)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    # Heartbeat back to back for 2.5 x HeartbeatSeconds; each one resets the timer.
    until = time.monotonic() + 7.5
    while time.monotonic() < until:
        boto_sfn.send_task_heartbeat(taskToken=token)
    assert boto_sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    boto_sfn.send_task_success(taskToken=token, output='{"ok": true}')
    result = finished(boto_sfn, execution_arn)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"ok": True}


def test_heartbeat_without_heartbeat_seconds_is_accepted(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    boto_sfn.send_task_heartbeat(taskToken=token)  # moto alone answers InvalidToken
    boto_sfn.send_task_success(taskToken=token, output="{}")
    assert finished(boto_sfn, execution_arn)["status"] == "SUCCEEDED"


def test_timeout_before_any_worker_polls(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=1)
    execution_arn = start(boto_sfn, machine_arn)
    result = finished(boto_sfn, execution_arn, timeout=5)
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Timeout"  # moto alone: States.Runtime
    types = event_types(boto_sfn, execution_arn)
    assert "ActivityTimedOut" in types and "ActivityStarted" not in types
    # The expired task is never handed to a worker.
    assert "taskToken" not in boto_sfn.get_activity_task(activityArn=activity_arn)


def test_timeout_after_claim(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=2)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    result = finished(boto_sfn, execution_arn, timeout=6)
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Timeout"
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) == "TaskTimedOut"


# --- answers --------------------------------------------------------------------------


def test_send_task_failure_keeps_error_and_cause(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    boto_sfn.send_task_failure(
        taskToken=token, error="Chat.UserLeft", cause="The user closed the chat window."
    )
    result = finished(boto_sfn, execution_arn)
    assert result["status"] == "FAILED"
    assert result["error"] == "Chat.UserLeft"
    assert result["cause"] == "The user closed the chat window."
    # A second answer to the closed task is refused like AWS does, not with a 500.
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) == "TaskTimedOut"


def test_send_task_success_rejects_invalid_json(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=30)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.send_task_success(taskToken=token, output="{not json")
    assert error_code(excinfo) == "InvalidOutput"
    # SendTaskSuccess's InvalidOutput, "The provided JSON output data is not valid."
    # (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html);
    # the message is the engine's, the same for callback tasks (callback_tasks.py).
    assert excinfo.value.response["Error"]["Message"] == (
        "Invalid Output: output is not valid JSON"
    )
    boto_sfn.send_task_success(taskToken=token, output='"fine"')
    assert finished(boto_sfn, execution_arn)["status"] == "SUCCEEDED"


@pytest.mark.parametrize("operation", ["success", "failure", "heartbeat"])
def test_unknown_token_is_a_client_error(boto_sfn: Any, operation: str) -> None:
    token = "not-a-token-" + uuid.uuid4().hex
    calls = {
        "success": lambda: boto_sfn.send_task_success(taskToken=token, output="{}"),
        "failure": lambda: boto_sfn.send_task_failure(taskToken=token, error="E"),
        "heartbeat": lambda: boto_sfn.send_task_heartbeat(taskToken=token),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[operation]()
    assert error_code(excinfo) in {"InvalidToken", "TaskDoesNotExist"}


@pytest.mark.parametrize("operation", ["success", "failure", "heartbeat"])
def test_an_unknown_token_is_refused_with_a_message_that_names_it(
    boto_sfn: Any, operation: str
) -> None:
    """SendTaskSuccess/Failure/Heartbeat's InvalidToken, "The provided token is not
    valid." (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html):
    moto raises it without a message, and the engine gives it one (not an empty message,
    nor "None")."""
    token = "not-a-token-" + uuid.uuid4().hex
    calls = {
        "success": lambda: boto_sfn.send_task_success(taskToken=token, output="{}"),
        "failure": lambda: boto_sfn.send_task_failure(taskToken=token, error="E", cause="C"),
        "heartbeat": lambda: boto_sfn.send_task_heartbeat(taskToken=token),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[operation]()
    assert error_code(excinfo) == "InvalidToken"
    assert "token" in excinfo.value.response["Error"]["Message"].lower()


# --- StopExecution --------------------------------------------------------------------


def test_stop_while_task_is_unclaimed(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=60)
    execution_arn = start(boto_sfn, machine_arn)
    wait_until(lambda: "ActivityScheduled" in event_types(boto_sfn, execution_arn))

    boto_sfn.stop_execution(
        executionArn=execution_arn, error="Ops.Cancel", cause="Stopped by test."
    )
    result = finished(boto_sfn, execution_arn, timeout=2)
    assert result["status"] == "ABORTED"
    assert (result.get("error"), result.get("cause")) == ("Ops.Cancel", "Stopped by test.")
    wait_until(lambda: "ExecutionAborted" in event_types(boto_sfn, execution_arn))
    assert "ActivityTimedOut" not in event_types(boto_sfn, execution_arn)
    # The aborted execution's task is never handed to a worker.
    assert "taskToken" not in boto_sfn.get_activity_task(activityArn=activity_arn)


def test_stop_while_task_is_claimed(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=60, HeartbeatSeconds=30)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]

    boto_sfn.stop_execution(executionArn=execution_arn)
    assert finished(boto_sfn, execution_arn, timeout=2)["status"] == "ABORTED"
    wait_until(lambda: "ExecutionAborted" in event_types(boto_sfn, execution_arn))
    for send in (
        lambda: boto_sfn.send_task_success(taskToken=token, output="{}"),
        lambda: boto_sfn.send_task_failure(taskToken=token, error="Late"),
        lambda: boto_sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(ClientError) as excinfo:
            send()
        assert error_code(excinfo) in CLOSED_TOKEN_ERRORS


def test_stop_claimed_task_without_heartbeat(boto_sfn: Any, make_machine: MakeMachine) -> None:
    activity_arn, machine_arn = make_machine(TimeoutSeconds=60)
    execution_arn = start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    boto_sfn.stop_execution(executionArn=execution_arn)
    assert finished(boto_sfn, execution_arn, timeout=2)["status"] == "ABORTED"
    with pytest.raises(ClientError) as excinfo:
        boto_sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) in CLOSED_TOKEN_ERRORS


def test_stop_right_after_start_is_not_lost(boto_sfn: Any, make_machine: MakeMachine) -> None:
    # In process, to hit the window before the worker thread has built the program's
    # environment (over HTTP the round trip usually hides it).
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    _, machine_arn = make_machine()  # ChatSFN: parsing it takes the worker thread a while
    backend = stepfunctions_parser_backends["123456789012"][REGION]
    arns = []
    for _ in range(5):
        arns.append(
            backend.start_execution(machine_arn, unique("run"), '{"name": "Al"}').execution_arn
        )
        backend.stop_execution(arns[-1])
    for arn in arns:
        assert finished(boto_sfn, arn, timeout=3)["status"] == "ABORTED"


def test_stop_answers_its_date_and_the_history_keeps_error_and_cause(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    """StopExecution answers stopDate, the date the execution is stopped, and its error
    and cause are the ExecutionAborted event's executionAbortedEventDetails
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html,
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionAbortedEventDetails.html).
    The engine runs in a time zone east of UTC here: a date taken in local time and sent
    as UTC would be 5 h 30 min off."""
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "IST-5:30"
    time.tzset()
    try:
        activity_arn, machine_arn = make_machine(TimeoutSeconds=60)
        execution_arn = start(boto_sfn, machine_arn)
        claim(boto_sfn, activity_arn)
        before = datetime.datetime.now(tz=datetime.UTC)
        answer = boto_sfn.stop_execution(
            executionArn=execution_arn, error="Ops.Cancel", cause="Stopped by test."
        )
        after = datetime.datetime.now(tz=datetime.UTC)
    finally:
        if zone is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = zone
        time.tzset()
    second = datetime.timedelta(seconds=1)
    assert before - second <= answer["stopDate"] <= after + second
    assert finished(boto_sfn, execution_arn)["status"] == "ABORTED"

    def aborted() -> dict[str, Any] | None:
        events = boto_sfn.get_execution_history(executionArn=execution_arn)["events"]
        return next((e for e in events if e["type"] == "ExecutionAborted"), None)

    event = wait_until(aborted, message="no ExecutionAborted event")
    assert event["executionAbortedEventDetails"] == {
        "error": "Ops.Cancel",
        "cause": "Stopped by test.",
    }


# --- the demo seed --------------------------------------------------------------------


def test_seed_demo_is_idempotent(engine: str, boto_sfn: Any) -> None:
    first = seed_demo(engine)
    second = seed_demo(engine)
    assert second.role_arn == first.role_arn
    assert second.activity_arn == first.activity_arn
    assert second.chat_state_machine_arn == first.chat_state_machine_arn
    assert second.execution_arns == first.execution_arns

    def names(operation: str, key: str, arn_key: str) -> dict[str, str]:
        pages = boto_sfn.get_paginator(operation).paginate()
        return {item["name"]: item[arn_key] for page in pages for item in page[key]}

    machines = names("list_state_machines", "stateMachines", "stateMachineArn")
    assert machines[CHAT_MACHINE] == first.chat_state_machine_arn
    assert machines[WAIT_MACHINE] == first.wait_state_machine_arn
    assert machines[FAIL_MACHINE] == first.fail_state_machine_arn
    activity_arns = names("list_activities", "activities", "activityArn")
    assert activity_arns[ACTIVITY_NAME] == first.activity_arn
    definition = boto_sfn.describe_state_machine(stateMachineArn=first.chat_state_machine_arn)[
        "definition"
    ]
    assert first.activity_arn in definition and "{{" not in definition

    iam = boto3.client("iam", endpoint_url=engine, region_name=REGION, **CREDENTIALS)
    role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    assert role["Arn"] == first.role_arn
    policy = role["AssumeRolePolicyDocument"]
    assert (json.loads(policy) if isinstance(policy, str) else policy) == STATES_TRUST_POLICY

    runs = first.execution_arns
    assert len(runs) == 8
    chat = finished(boto_sfn, runs["demo-chat-1"])
    assert chat["status"] == "SUCCEEDED"
    assert json.loads(chat["output"]) == {"message": "Thanks for chatting."}
    failed = finished(boto_sfn, runs["demo-fail-1"])
    assert (failed["status"], failed["error"]) == ("FAILED", "Demo.PaymentDeclined")
    assert finished(boto_sfn, runs["demo-wait-1"], timeout=6)["status"] == "SUCCEEDED"
    # The Distributed Map: 300 orders, 12 invalid, within its 10% tolerated failure.
    batch = finished(boto_sfn, runs["demo-batch-1"], timeout=30)
    assert (batch["status"], json.loads(batch["output"])) == ("SUCCEEDED", {"checked": 300})
    (map_run,) = boto_sfn.list_map_runs(executionArn=runs["demo-batch-1"])["mapRuns"]
    counts = boto_sfn.describe_map_run(mapRunArn=map_run["mapRunArn"])["itemCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"]) == (300, 288, 12)
    # the JSONata machine with variables: one receipt, one refusal worded from variables
    assert machines[JSONATA_MACHINE] == first.jsonata_state_machine_arn
    totals = finished(boto_sfn, runs["demo-totals-1"])
    assert json.loads(totals["output"]) == {"customer": "Ada", "total": 7.5, "currency": "EUR"}
    refused = finished(boto_sfn, runs["demo-totals-2"])
    assert (refused["status"], refused["error"]) == ("FAILED", "Demo.NeedsApproval")
    assert refused["cause"] == "Orders over 100 EUR need approval: Grace ordered 240 EUR."


# --- nothing on the terminal ----------------------------------------------------------

QUIET_SCRIPT = textwrap.dedent(
    """
    import contextlib, io, json
    import boto3
    from botocore.exceptions import ClientError

    # Control: this definition makes ANTLR print to stderr when nothing silences it.
    BAD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True,
           "Parameters": {"x.$": "States.Format('x', #a)"}}}}
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        AmazonStateLanguageParser.parse(json.dumps(BAD))
    assert "token recognition error" in captured.getvalue(), captured.getvalue()

    from sfn_tui.local import activities
    from sfn_tui.local.engine import LocalEngine
    from sfn_tui.local.seed import seed_demo

    with LocalEngine() as engine:
        activities.HOLD_SECONDS = 0.2
        info = seed_demo(engine.endpoint_url)
        sfn = boto3.client("stepfunctions", endpoint_url=engine.endpoint_url,
                           region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        errors = []
        for definition in (json.dumps(BAD), "{not json", json.dumps({"StartAt": "X"})):
            try:
                arn = sfn.create_state_machine(name="Bad%d" % len(errors),
                    definition=definition, roleArn=info.role_arn)["stateMachineArn"]
                sfn.start_execution(stateMachineArn=arn, name="bad-run", input="{}")
                errors.append(None)
            except ClientError as error:
                errors.append(error.response["Error"]["Code"])
        assert errors[1:] == ["InvalidDefinition", "InvalidDefinition"], errors
        for call in (
            lambda: sfn.send_task_success(taskToken="nope", output="{}"),
            lambda: sfn.get_activity_task(activityArn=info.activity_arn + "-missing"),
            lambda: sfn.describe_execution(executionArn=info.chat_state_machine_arn + "x"),
        ):
            try:
                call()
            except ClientError:
                pass
        assert "taskToken" not in sfn.get_activity_task(activityArn=info.activity_arn)
    """
)


def test_engine_prints_nothing() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", QUIET_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == ""
    assert proc.stderr == ""


def test_an_answered_task_answered_again_is_timed_out_in_awss_words(
    boto_sfn: Any, make_machine: MakeMachine
) -> None:
    """A token already answered is no longer valid: SendTaskSuccess's TaskTimedOut,
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html"""
    activity_arn, machine_arn = make_machine(TimeoutSeconds=60)
    start(boto_sfn, machine_arn)
    token = claim(boto_sfn, activity_arn)["taskToken"]
    boto_sfn.send_task_success(taskToken=token, output="{}")
    with pytest.raises(ClientError) as again:
        boto_sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(again) == "TaskTimedOut"
    assert again.value.response["Error"]["Message"] == (
        "Task Timed Out: 'Provided task does not exist anymore'"
    )


def test_shutdown_answers_held_polls_and_aborts_running_runs(
    boto_sfn: Any, make_machine: MakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What stopping the last engine of a process does (engine.stop calls it): a poll
    held for 30 s answers at once with no task, and a run waiting on an activity ends
    ABORTED. The engine serves on afterwards (install() clears the closing flag)."""
    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)
    _, machine_arn = make_machine(TimeoutSeconds=60)
    run = start(boto_sfn, machine_arn)
    wait_until(lambda: "ActivityScheduled" in event_types(boto_sfn, run), message="scheduled")
    idle = boto_sfn.create_activity(name=unique("idle"))["activityArn"]
    answers: list[dict[str, Any]] = []
    poll = threading.Thread(
        target=lambda: answers.append(boto_sfn.get_activity_task(activityArn=idle, workerName="w"))
    )
    poll.start()
    try:
        wait_until(lambda: activities.pollers(idle) == 1, message="the poll held")
        activities.shutdown()
        poll.join(timeout=10)
        assert not poll.is_alive(), "the held poll was not answered"
        assert "taskToken" not in answers[0]
        assert finished(boto_sfn, run)["status"] == "ABORTED"
    finally:
        activities.install()
    assert activities.pollers(idle) == 0
    assert boto_sfn.list_activities()["activities"]  # serving still


def test_shutdown_waits_for_runs_not_started_within_one_shared_bound(
    boto_sfn: Any, make_machine: MakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs whose worker thread has not built its program yet (thousands may be queued
    on a loaded machine) share one SHUTDOWN_WAIT_SECONDS wait at shutdown: the first is
    waited for, and once that time is spent the others are not waited for at all (not
    2 s each, nor 1 s each). Their programs are held back here until shutdown ends."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    gate = threading.Event()
    build = ExecutionWorker._get_evaluation_environment

    def held(self: Any) -> Any:
        gate.wait(timeout=30)
        return build(self)

    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_environment", held)
    waits: dict[str, list[float]] = {}
    started_env = activities._started_env

    def recorded(execution: Any, timeout: float) -> Any:
        waits.setdefault(execution.name, []).append(timeout)
        return started_env(execution, timeout)

    monkeypatch.setattr(activities, "_started_env", recorded)
    _, machine_arn = make_machine(TimeoutSeconds=60)
    runs = [start(boto_sfn, machine_arn) for _ in range(3)]
    try:
        activities.shutdown()
    finally:
        gate.set()
        activities.install()
    first, *others = [waits[run.rsplit(":", 1)[1]] for run in runs]
    assert len(first) == 1 and 0 < first[0] <= activities.SHUTDOWN_WAIT_SECONDS
    assert others == [[0.0], [0.0]]
    for run in runs:  # left running by shutdown (to end with the process); stop them now
        wait_until(lambda run=run: "ActivityScheduled" in event_types(boto_sfn, run))
        boto_sfn.stop_execution(executionArn=run)
        assert finished(boto_sfn, run)["status"] == "ABORTED"


def test_each_held_poll_counts_toward_the_worker_limit(
    boto_sfn: Any, make_machine: MakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two polls held at once are two of the activity's concurrent pollers (AWS's quota:
    1,000 per activity ARN, refused past it with GetActivityTask's
    ActivityWorkerLimitExceeded,
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html),
    and none once each has had its task."""
    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)
    activity_arn, machine_arn = make_machine(TimeoutSeconds=60)
    answers: list[dict[str, Any]] = []
    polls = [
        threading.Thread(
            target=lambda w=worker: answers.append(
                boto_sfn.get_activity_task(activityArn=activity_arn, workerName=w)
            )
        )
        for worker in ("a", "b")
    ]
    for poll in polls:
        poll.start()
    runs: list[str] = []
    try:
        wait_until(lambda: activities.pollers(activity_arn) == 2, message="two polls held")
    finally:  # a task for each held poll ends it
        runs = [start(boto_sfn, machine_arn) for _ in polls]
        for poll in polls:
            poll.join(timeout=20)
        for run in runs:
            boto_sfn.stop_execution(executionArn=run)
    assert len([a for a in answers if a.get("taskToken")]) == 2
    assert activities.pollers(activity_arn) == 0


def test_a_poll_over_the_worker_limit_is_refused_in_awss_words(
    boto_sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS allows 1,000 concurrent GetActivityTask polls per activity (MAX_POLLERS);
    the error is GetActivityTask's ActivityWorkerLimitExceeded,
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html;
    here 1, with the one poll held: the next is refused, and once it ends, one is
    accepted again."""
    monkeypatch.setattr(activities, "MAX_POLLERS", 1)
    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)
    idle = boto_sfn.create_activity(name=unique("busy"))["activityArn"]
    answers: list[dict[str, Any]] = []
    held = threading.Thread(
        target=lambda: answers.append(boto_sfn.get_activity_task(activityArn=idle, workerName="a"))
    )
    held.start()
    try:
        wait_until(lambda: activities.pollers(idle) == 1, message="the poll held")
        with pytest.raises(ClientError) as refused:
            boto_sfn.get_activity_task(activityArn=idle, workerName="b")
        assert error_code(refused) == "ActivityWorkerLimitExceeded"
        assert refused.value.response["Error"]["Message"] == (
            "The maximum number of workers concurrently polling for activity tasks has been"
            " reached."
        )
    finally:  # a task for the held poll ends it
        task = {"Type": "Task", "Resource": idle, "TimeoutSeconds": 60, "End": True}
        machine = boto_sfn.create_state_machine(
            name=unique("busy"),
            definition=json.dumps({"StartAt": "Work", "States": {"Work": task}}),
            roleArn=ROLE_ARN,
        )["stateMachineArn"]
        run = start(boto_sfn, machine)
        held.join(timeout=20)
        boto_sfn.stop_execution(executionArn=run)
    assert answers and answers[0].get("taskToken")
    assert activities.pollers(idle) == 0
