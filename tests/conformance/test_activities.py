"""Activity tasks: success, failure, timeouts, heartbeats, stop; GetActivityTask limits."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code

ACTIVITIES_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html"
TASK_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html"
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
GET_TASK_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html"
)
HEARTBEAT_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html"
)
SUCCESS_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html"
)
STOP_API = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html"
QUOTAS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
CLOSED = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


def task_machine(conf: Conformance, activity: str, **fields: Any) -> str:
    task = {"Type": "Task", "Resource": activity, "End": True, **fields}
    return conf.machine({"StartAt": "Work", "States": {"Work": task}})


def test_activity_success(conf: Conformance) -> None:
    # ACTIVITIES_DOC: a worker polls GetActivityTask, gets the input and a token, and
    # SendTaskSuccess's output becomes the state's result.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity), {"q": 1})
    task = conf.claim(activity, worker="w-1")
    assert json.loads(task["input"]) == {"q": 1}
    conf.sfn.send_task_success(taskToken=task["taskToken"], output='{"a": 2}')
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"a": 2}
    events = conf.history(run)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    started = next(e for e in events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == "w-1"


def test_activity_failure(conf: Conformance) -> None:
    # ACTIVITIES_DOC: SendTaskFailure's error and cause fail the state.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity))
    token = conf.claim(activity)["taskToken"]
    conf.sfn.send_task_failure(taskToken=token, error="Worker.Error", cause="bad input")
    result = conf.finished(run)
    assert (result["status"], result["error"], result["cause"]) == (
        "FAILED",
        "Worker.Error",
        "bad input",
    )
    assert conf.types(run)[-2:] == ["ActivityFailed", "ExecutionFailed"]


def test_activity_timeout_before_any_worker(conf: Conformance) -> None:
    # TASK_DOC: TimeoutSeconds counts from scheduling; unclaimed, the task times out with
    # States.Timeout (ActivityTimedOut), and is never handed out afterwards.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=1))
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert conf.types(run) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityTimedOut",
        "ExecutionFailed",
    ]


def test_activity_timeout_after_claim(conf: Conformance) -> None:
    # TASK_DOC: a claimed task not answered within TimeoutSeconds times out; a late answer
    # is refused with TaskTimedOut (SUCCESS_API).
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=2))
    token = conf.claim(activity)["taskToken"]
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert conf.types(run)[-3:] == ["ActivityStarted", "ActivityTimedOut", "ExecutionFailed"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) == "TaskTimedOut"


def test_activity_heartbeat_timeout(conf: Conformance) -> None:
    # HEARTBEAT_API: with no heartbeat for HeartbeatSeconds the task times out and the
    # history has ActivityTimedOut; ERRORS_DOC: the error is States.Timeout ("failed to
    # send a heartbeat for a period longer than the HeartbeatSeconds value").
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=60, HeartbeatSeconds=1))
    conf.claim(activity)
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert conf.types(run)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]


def heartbeat_catcher(
    activity: str, timeout: int = 60, heartbeat: int | None = 1
) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": activity,
        "TimeoutSeconds": timeout,
        "Catch": [
            {"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "NoHeartbeat"},
            {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"},
        ],
        "End": True,
    }
    if heartbeat is not None:
        task["HeartbeatSeconds"] = heartbeat
    return {
        "StartAt": "Work",
        "States": {
            "Work": task,
            "NoHeartbeat": {"Type": "Pass", "Result": "no-heartbeat", "End": True},
            "TimedOut": {"Type": "Pass", "Result": "timed-out", "End": True},
        },
    }


def test_catch_heartbeat_timeout_fires_on_a_missed_heartbeat(conf: Conformance) -> None:
    # ERRORS_DOC, States.HeartbeatTimeout: a Task failed to send a heartbeat for longer
    # than HeartbeatSeconds; available in Catch and Retry.
    activity = conf.activity()
    run = conf.start(conf.machine(heartbeat_catcher(activity)))
    conf.claim(activity)
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == "no-heartbeat"


def test_catch_heartbeat_timeout_does_not_fire_on_timeout_seconds(conf: Conformance) -> None:
    # ERRORS_DOC: TimeoutSeconds running out is States.Timeout, not a heartbeat timeout.
    activity = conf.activity()
    run = conf.start(conf.machine(heartbeat_catcher(activity, timeout=1, heartbeat=None)))
    result = conf.finished(run)
    assert json.loads(result["output"]) == "timed-out"


def test_heartbeats_keep_a_task_alive(conf: Conformance) -> None:
    # HEARTBEAT_API: each SendTaskHeartbeat resets the heartbeat clock.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=60, HeartbeatSeconds=2))
    token = conf.claim(activity)["taskToken"]
    # Heartbeat back to back for 1.5 x HeartbeatSeconds: each one resets the clock.
    until = time.monotonic() + 3
    while time.monotonic() < until:
        conf.sfn.send_task_heartbeat(taskToken=token)
    assert conf.describe(run)["status"] == "RUNNING"
    conf.sfn.send_task_success(taskToken=token, output="{}")
    assert conf.finished(run)["status"] == "SUCCEEDED"


def test_stop_while_the_task_waits(conf: Conformance) -> None:
    # STOP_API: StopExecution aborts the run with its error and cause; the task's token
    # is closed afterwards.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=60))
    token = conf.claim(activity)["taskToken"]
    conf.sfn.stop_execution(executionArn=run, error="Ops.Stop", cause="by test")
    result = conf.finished(run)
    assert (result["status"], result.get("error"), result.get("cause")) == (
        "ABORTED",
        "Ops.Stop",
        "by test",
    )
    conf.wait_for_event(run, "ExecutionAborted")
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) in CLOSED


def test_stop_before_the_task_is_claimed(conf: Conformance) -> None:
    # STOP_API: a stopped run's unclaimed task is never handed to a worker.
    activity = conf.activity()
    run = conf.start(task_machine(conf, activity, TimeoutSeconds=60))
    conf.wait_for_event(run, "ActivityScheduled")
    conf.sfn.stop_execution(executionArn=run)
    assert conf.finished(run)["status"] == "ABORTED"
    assert "taskToken" not in conf.sfn.get_activity_task(activityArn=activity)


def test_get_activity_task_of_unknown_activity(conf: Conformance) -> None:
    # GET_TASK_API: ActivityDoesNotExist.
    activity = conf.activity()
    conf.sfn.delete_activity(activityArn=activity)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.get_activity_task(activityArn=activity)
    assert error_code(excinfo) == "ActivityDoesNotExist"


def test_too_many_pollers(conf: Conformance, engine_only: None, monkeypatch: Any) -> None:
    # QUOTAS_DOC: 1,000 pollers per activity ARN; beyond that GetActivityTask answers
    # ActivityWorkerLimitExceeded ("The maximum number of workers concurrently polling
    # for activity tasks has been reached."). The engine's limit is lowered to 1 here.
    import threading

    from sfn_tui.local import activities

    monkeypatch.setattr(activities, "MAX_POLLERS", 1)
    activity = conf.activity()
    first = threading.Thread(target=lambda: conf.sfn.get_activity_task(activityArn=activity))
    first.start()
    try:
        from tests.helpers import wait_until

        wait_until(lambda: activities.pollers(activity) == 1, message="first poll held")
        with pytest.raises(ClientError) as excinfo:
            conf.sfn.get_activity_task(activityArn=activity)
        assert error_code(excinfo) == "ActivityWorkerLimitExceeded"
    finally:
        first.join()
