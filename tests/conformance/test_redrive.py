"""RedriveExecution: what can be redriven, where it restarts, what it records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code

REDRIVE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html"
REDRIVE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html"
)
DESCRIBE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html"
)
REDRIVEN_EVENT_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/"
    "API_ExecutionRedrivenEventDetails.html"
)


def prepare_then_work(activity: str, **machine: Any) -> dict[str, Any]:
    return {
        **machine,
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Parameters": {"prepared.$": "$.n"}, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": activity, "End": True},
        },
    }


def test_redrive_a_failed_run_restarts_at_the_failed_state(conf: Conformance) -> None:
    # REDRIVE_DOC: a failed run continues from the unsuccessful step with the same input;
    # the successful steps are not rerun; same ARN. DESCRIBE_API: redriveCount,
    # redriveDate, redriveStatus. REDRIVEN_EVENT_API: ExecutionRedriven with redriveCount.
    activity = conf.activity()
    run = conf.start(conf.machine(prepare_then_work(activity)), {"n": 5})
    first = conf.claim(activity)
    conf.sfn.send_task_failure(taskToken=first["taskToken"], error="Worker.Down")
    failed = conf.finished(run)
    assert failed["status"] == "FAILED"
    assert failed["redriveCount"] == 0
    assert failed["redriveStatus"] == "REDRIVABLE"

    answer = conf.sfn.redrive_execution(executionArn=run)
    assert isinstance(answer["redriveDate"], datetime)
    redriven = conf.describe(run)
    assert redriven["status"] == "RUNNING"
    assert redriven["redriveCount"] == 1
    assert redriven["redriveDate"] == answer["redriveDate"]

    second = conf.claim(activity)
    assert json.loads(second["input"]) == json.loads(first["input"]) == {"prepared": 5}
    conf.sfn.send_task_success(taskToken=second["taskToken"], output='{"ok": 1}')
    done = conf.finished(run)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"ok": 1}
    assert "error" not in done
    events = conf.history(run)
    types = [e["type"] for e in events]
    assert types.count("PassStateEntered") == 1  # Prepare is not run again
    failed_at = types.index("ExecutionFailed")
    assert types[failed_at + 1] == "ExecutionRedriven"
    assert events[failed_at + 1]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert types.count("ActivityScheduled") == 2
    assert types[-1] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    listed = conf.sfn.list_executions(stateMachineArn=done["stateMachineArn"])["executions"]
    assert listed[0]["redriveCount"] == 1


def test_redrive_an_aborted_run(conf: Conformance) -> None:
    # REDRIVE_DOC: aborted runs can be redriven.
    activity = conf.activity()
    run = conf.start(conf.machine(prepare_then_work(activity)), {"n": 1})
    conf.wait_for_event(run, "ActivityScheduled")
    conf.sfn.stop_execution(executionArn=run)
    assert conf.finished(run)["status"] == "ABORTED"
    conf.sfn.redrive_execution(executionArn=run)
    conf.sfn.send_task_success(taskToken=conf.claim(activity)["taskToken"], output="{}")
    assert conf.finished(run)["status"] == "SUCCEEDED"


def test_redrive_a_timed_out_run_resets_the_timeout(conf: Conformance) -> None:
    # REDRIVE_DOC: timed out runs can be redriven; the state machine timeout starts again.
    activity = conf.activity()
    run = conf.start(conf.machine(prepare_then_work(activity, TimeoutSeconds=2)), {"n": 1})
    assert conf.finished(run)["status"] == "TIMED_OUT"
    conf.sfn.redrive_execution(executionArn=run)
    conf.sfn.send_task_success(taskToken=conf.claim(activity)["taskToken"], output="{}")
    assert conf.finished(run)["status"] == "SUCCEEDED"


def test_succeeded_run_is_not_redrivable(conf: Conformance) -> None:
    # REDRIVE_API: ExecutionNotRedrivable; DESCRIBE_API: redriveStatus NOT_REDRIVABLE with
    # the reason.
    run = conf.run({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    assert run.result["redriveStatus"] == "NOT_REDRIVABLE"
    assert "SUCCEEDED" in run.result["redriveStatusReason"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.redrive_execution(executionArn=run.arn)
    assert error_code(excinfo) == "ExecutionNotRedrivable"


def test_running_run_is_not_redrivable(conf: Conformance) -> None:
    # REDRIVE_API: ExecutionNotRedrivable while it runs.
    run = conf.start(
        conf.machine(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
        )
    )
    described = conf.describe(run)
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert "RUNNING" in described["redriveStatusReason"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.redrive_execution(executionArn=run)
    assert error_code(excinfo) == "ExecutionNotRedrivable"


def test_unknown_run_is_execution_does_not_exist(conf: Conformance) -> None:
    # REDRIVE_API: ExecutionDoesNotExist.
    machine = conf.machine({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    arn = machine.replace(":stateMachine:", ":execution:") + ":nobody"
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.redrive_execution(executionArn=arn)
    assert error_code(excinfo) == "ExecutionDoesNotExist"


def test_redrive_after_14_days_is_refused(conf: Conformance, engine_only: None) -> None:
    # REDRIVE_API: not redrivable once the 14-day redrivable period since the run ended
    # has passed. (The engine's clock for this run is moved back 15 days.)
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    run = conf.run({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}})
    region = conf.sfn.meta.region_name
    execution = stepfunctions_parser_backends["123456789012"][region].describe_execution(run.arn)
    execution.stop_date = datetime.now(UTC) - timedelta(days=15)
    described = conf.describe(run.arn)
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert "redrivable period exceeded" in described["redriveStatusReason"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.redrive_execution(executionArn=run.arn)
    assert error_code(excinfo) == "ExecutionNotRedrivable"
