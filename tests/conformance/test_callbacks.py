"""`.waitForTaskToken` callbacks through SQS: success, failure, heartbeats, closed tokens."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code
from tests.helpers import wait_until

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


# Every integration that waits for a task token ----------------------------------------

SNS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html"
LAMBDA_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html"
SFN_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html"
HISTORY_API = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html"
FAILURE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html"
)

# A function that hands what it was given to the queue named in it (the token with it).
FORWARD_TO_QUEUE = """
import json, boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=event["queue"], MessageBody=json.dumps(event))
    return {"forwarded": True}
"""

HANDED_OVER = {"token.$": "$$.Task.Token", "order.$": "$.order"}


def forward_to_queue(conf: Conformance, queue: str) -> str:
    """A state machine that sends its input, as it is, to the queue."""
    return conf.machine(
        {
            "StartAt": "Forward",
            "States": {
                "Forward": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": queue, "MessageBody.$": "$"},
                    "End": True,
                }
            },
        }
    )


def waiting_task(conf: Conformance, integration: str) -> tuple[dict[str, Any], str, str]:
    """(Task state, where its token lands in the parameters, queue the token reaches)."""
    if integration == "sqs":
        queue = conf.queue()
        resource, parameters = "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": HANDED_OVER}
        field = "MessageBody"
    elif integration == "sns":
        topic, queue = conf.topic_to_queue()
        resource, parameters = "sns:publish", {"TopicArn": topic, "Message": HANDED_OVER}
        field = "Message"
    elif integration == "lambda":
        queue = conf.queue()
        function = conf.function(FORWARD_TO_QUEUE, Timeout=30)
        payload = {**HANDED_OVER, "queue": queue}
        resource, parameters = "lambda:invoke", {"FunctionName": function, "Payload": payload}
        field = "Payload"
    else:
        queue = conf.queue()
        child = forward_to_queue(conf, queue)
        resource, parameters = (
            "states:startExecution",
            {"StateMachineArn": child, "Input": HANDED_OVER},
        )
        field = "Input"
    task = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::{resource}.waitForTaskToken",
        "Parameters": parameters,
        "End": True,
    }
    return task, field, queue


def scheduled_parameters(conf: Conformance, run: str) -> dict[str, Any]:
    """The resolved parameters of the run's first TaskScheduled event."""

    def handed_over() -> list[dict[str, Any]] | None:
        events = conf.history(run)
        types = [e["type"] for e in events]
        return events if "TaskSubmitted" in types or "ExecutionFailed" in types else None

    events = wait_until(handed_over, 20 * conf.scale, f"no TaskSubmitted in {run}")
    assert "TaskSubmitted" in [e["type"] for e in events], conf.describe(run).get("cause")
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert details["resource"].endswith(".waitForTaskToken")
    parameters: dict[str, Any] = json.loads(details["parameters"])
    return parameters


@pytest.mark.parametrize("integration", ["sqs", "sns", "lambda", "states"])
def test_token_in_history_answers_every_integration(conf: Conformance, integration: str) -> None:
    # CALLBACK_DOC: a `.waitForTaskToken` Task hands $$.Task.Token to the service and
    # waits for SendTaskSuccess with it. SNS_DOC, LAMBDA_DOC, SFN_DOC: publish, invoke
    # and startExecution support the pattern. HISTORY_API: TaskScheduled carries the
    # resolved parameters, so the token is in the run's history where the definition put
    # it; that token, and the one the service received, answer the task.
    task, field, queue = waiting_task(conf, integration)
    run = conf.start(conf.machine({"StartAt": "Wait", "States": {"Wait": task}}), {"order": 7})
    token = scheduled_parameters(conf, run)[field]["token"]
    received = conf.receive_token(queue)
    assert (received["token"], received["order"]) == (token, 7)
    assert conf.describe(run)["status"] == "RUNNING"

    conf.sfn.send_task_success(taskToken=token, output='{"approved": 7}')

    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"approved": 7}
    assert conf.types(run)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


# Answers to a callback task that is no longer waiting ---------------------------------


def answer(conf: Conformance, operation: str, token: str) -> None:
    if operation == "success":
        conf.sfn.send_task_success(taskToken=token, output="{}")
    elif operation == "failure":
        conf.sfn.send_task_failure(taskToken=token, error="Late", cause="late")
    else:
        conf.sfn.send_task_heartbeat(taskToken=token)


def two_callbacks(conf: Conformance, queue: str, **first: Any) -> str:
    """Send (a callback, with `first`'s fields) then Hold (another callback): the run goes
    on waiting after the first task closed."""

    def send(**fields: Any) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
            **fields,
        }

    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Hold"}]
    return conf.machine(
        {
            "StartAt": "Send",
            "States": {"Send": send(Next="Hold", Catch=catch, **first), "Hold": send(End=True)},
        }
    )


@pytest.mark.parametrize("operation", ["success", "failure", "heartbeat"])
def test_answered_task_refuses_another_answer(conf: Conformance, operation: str) -> None:
    # SUCCESS_API, FAILURE_API, HEARTBEAT_API: TaskTimedOut, "the task associated with the
    # token has already been closed", while the run goes on to its next task.
    queue = conf.queue()
    run = conf.start(two_callbacks(conf, queue))
    first = conf.receive_token(queue)["token"]
    conf.sfn.send_task_success(taskToken=first, output='{"step": 1}')
    second = conf.receive_token(queue)["token"]
    with pytest.raises(ClientError) as excinfo:
        answer(conf, operation, first)
    assert error_code(excinfo) == "TaskTimedOut"
    conf.sfn.send_task_success(taskToken=second, output='{"step": 2}')
    result = conf.finished(run)
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"step": 2})


@pytest.mark.parametrize("operation", ["success", "failure", "heartbeat"])
def test_timed_out_task_refuses_answers(conf: Conformance, operation: str) -> None:
    # CALLBACK_DOC, SUCCESS_API: after TimeoutSeconds the task is closed (TaskTimedOut
    # event, States.Timeout, caught here); its token answers TaskTimedOut.
    queue = conf.queue()
    run = conf.start(two_callbacks(conf, queue, TimeoutSeconds=1))
    first = conf.receive_token(queue)["token"]
    conf.receive_token(queue)  # Hold's message: the first task has timed out
    assert "TaskTimedOut" in conf.types(run)
    with pytest.raises(ClientError) as excinfo:
        answer(conf, operation, first)
    assert error_code(excinfo) == "TaskTimedOut"
    assert conf.describe(run)["status"] == "RUNNING"


def test_task_timeout_fails_the_run(conf: Conformance) -> None:
    # CALLBACK_DOC ("Configure a timeout"): without an answer within TimeoutSeconds the
    # task fails with States.Timeout; a late SendTaskFailure answers TaskTimedOut.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue, TimeoutSeconds=1))
    token = conf.receive_token(queue)["token"]
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert conf.types(run)[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_failure(taskToken=token, error="Late")
    assert error_code(excinfo) == "TaskTimedOut"


@pytest.mark.parametrize("ending", ["succeeded", "stopped"])
def test_failure_for_an_ended_run_is_task_timed_out(conf: Conformance, ending: str) -> None:
    # FAILURE_API: TaskTimedOut once the task is closed, here because its run ended.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue))
    token = conf.receive_token(queue)["token"]
    if ending == "succeeded":
        conf.sfn.send_task_success(taskToken=token, output="{}")
    else:
        conf.sfn.stop_execution(executionArn=run)
    conf.finished(run)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_failure(taskToken=token, error="Late", cause="after the end")
    assert error_code(excinfo) == "TaskTimedOut"
    assert conf.types(run)[-1] in ("ExecutionSucceeded", "ExecutionAborted")


def test_heartbeat_without_heartbeat_seconds_is_accepted(conf: Conformance) -> None:
    # HEARTBEAT_API: SendTaskHeartbeat is for Task states using the callback pattern; a
    # task that is still waiting accepts it (there is no clock to reset without
    # HeartbeatSeconds, and nothing is written to the history).
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue))
    token = conf.receive_token(queue)["token"]
    conf.sfn.send_task_heartbeat(taskToken=token)
    conf.sfn.send_task_success(taskToken=token, output='{"ok": 1}')
    assert conf.finished(run)["status"] == "SUCCEEDED"
    assert "TaskSucceeded" in conf.types(run)


def test_output_that_is_not_json_is_invalid_output(conf: Conformance) -> None:
    # SUCCESS_API: InvalidOutput, "The provided JSON output data is not valid"; the task
    # is still waiting and a valid answer ends it.
    queue = conf.queue()
    run = conf.start(callback_machine(conf, queue))
    token = conf.receive_token(queue)["token"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=token, output="approved, not JSON")
    assert error_code(excinfo) == "InvalidOutput"
    assert conf.describe(run)["status"] == "RUNNING"
    conf.sfn.send_task_success(taskToken=token, output='"approved"')
    result = conf.finished(run)
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", "approved")


def test_retry_hands_out_a_new_token(conf: Conformance) -> None:
    # ERRORS_DOC (Retry): a retried Task runs again: the message is sent again with a
    # new task (a new TaskScheduled, a new $$.Task.Token) and the run waits for it; the
    # first attempt's token is closed (SUCCESS_API: TaskTimedOut).
    queue = conf.queue()
    retry = [{"ErrorEquals": ["Callback.Rejected"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    run = conf.start(callback_machine(conf, queue, Retry=retry))
    first = conf.receive_token(queue)["token"]
    conf.sfn.send_task_failure(taskToken=first, error="Callback.Rejected", cause="once")
    second = conf.receive_token(queue)["token"]
    assert second != first
    assert conf.describe(run)["status"] == "RUNNING"
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=first, output="{}")
    assert error_code(excinfo) == "TaskTimedOut"
    conf.sfn.send_task_success(taskToken=second, output='"second"')
    result = conf.finished(run)
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", "second")
    scheduled = [e for e in conf.history(run) if e["type"] == "TaskScheduled"]
    tokens = [
        json.loads(e["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
        for e in scheduled
    ]
    assert tokens == [first, second]
