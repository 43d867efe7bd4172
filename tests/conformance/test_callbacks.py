"""`.waitForTaskToken` callbacks through SQS: success, failure, heartbeats, closed tokens."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code

CALLBACK_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html"
    "#connect-wait-token"
)
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
HEARTBEAT_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html"
)
SUCCESS_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html"
)


def callback_machine(conf: Conformance, queue: str, **fields: Any) -> str:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": queue,
            "MessageBody": {"token.$": "$$.Task.Token", "input.$": "$"},
        },
        "End": True,
        **fields,
    }
    states: dict[str, Any] = {"Send": task}
    if "Catch" in fields:
        states["NoHeartbeat"] = {"Type": "Pass", "Result": "no-heartbeat", "End": True}
    return conf.machine({"StartAt": "Send", "States": states})


def test_callback_success(conf: Conformance) -> None:
    # CALLBACK_DOC: the task token goes out in the message; SendTaskSuccess with it ends
    # the wait, its output is the state's result.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue), {"order": 7})
    body = conf.receive_token(queue)
    assert body["input"] == {"order": 7}
    conf.sfn.send_task_success(taskToken=body["token"], output='{"done": true}')
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"done": True}
    assert conf.types(run) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_callback_failure(conf: Conformance) -> None:
    # CALLBACK_DOC: SendTaskFailure fails the state with its error and cause.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue))
    token = conf.receive_token(queue)["token"]
    conf.sfn.send_task_failure(taskToken=token, error="Callback.Rejected", cause="no stock")
    result = conf.finished(run)
    assert (result["status"], result["error"], result["cause"]) == (
        "FAILED",
        "Callback.Rejected",
        "no stock",
    )
    assert conf.types(run)[-2:] == ["TaskFailed", "ExecutionFailed"]


def test_callback_heartbeat_timeout(conf: Conformance) -> None:
    # HEARTBEAT_API: without a heartbeat in HeartbeatSeconds the task times out
    # (TaskTimedOut, States.Timeout); a late SendTaskSuccess is refused with TaskTimedOut.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue, TimeoutSeconds=60, HeartbeatSeconds=1))
    token = conf.receive_token(queue)["token"]
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert conf.types(run)[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) == "TaskTimedOut"


def test_callback_heartbeat_timeout_is_caught_as_heartbeat_timeout(conf: Conformance) -> None:
    # ERRORS_DOC, States.HeartbeatTimeout: available in Catch for a missed heartbeat.
    queue = conf.queue()
    catch = [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "NoHeartbeat"}]
    run = conf.start(
        callback_machine(conf, queue, TimeoutSeconds=60, HeartbeatSeconds=1, Catch=catch)
    )
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == "no-heartbeat"


def test_callback_heartbeats_keep_it_alive(conf: Conformance) -> None:
    # HEARTBEAT_API: SendTaskHeartbeat resets the clock; success still ends the wait.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue, TimeoutSeconds=60, HeartbeatSeconds=2))
    token = conf.receive_token(queue)["token"]
    # Heartbeat back to back for 1.5 x HeartbeatSeconds: each one resets the clock.
    until = time.monotonic() + 3
    while time.monotonic() < until:
        conf.sfn.send_task_heartbeat(taskToken=token)
    assert conf.describe(run)["status"] == "RUNNING"
    conf.sfn.send_task_success(taskToken=token, output="{}")
    assert conf.finished(run)["status"] == "SUCCEEDED"


@pytest.mark.parametrize("operation", ["success", "failure", "heartbeat"])
def test_unknown_token_is_invalid_token(conf: Conformance, operation: str) -> None:
    # SUCCESS_API: InvalidToken for a token that is not one.
    token = "not-a-task-token"
    calls = {
        "success": lambda: conf.sfn.send_task_success(taskToken=token, output="{}"),
        "failure": lambda: conf.sfn.send_task_failure(taskToken=token, error="E"),
        "heartbeat": lambda: conf.sfn.send_task_heartbeat(taskToken=token),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[operation]()
    assert error_code(excinfo) == "InvalidToken"
