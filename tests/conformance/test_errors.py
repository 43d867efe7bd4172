"""Retry and Catch, and the States.* errors the service raises."""

from __future__ import annotations

from typing import Any

from tests.conformance.support import Conformance

ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
QUOTAS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"


def guarded(inner: dict[str, Any], error_equals: list[str], **catch: Any) -> dict[str, Any]:
    """`inner` (a branch) inside a Parallel state whose Catch names `error_equals`."""
    return {
        "StartAt": "Guard",
        "States": {
            "Guard": {
                "Type": "Parallel",
                "Branches": [inner],
                "Catch": [{"ErrorEquals": error_equals, "Next": "Caught", **catch}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }


def failing(error: str = "Custom.Error", cause: str = "it broke") -> dict[str, Any]:
    return {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": error, "Cause": cause}}}


def test_retry_then_catch_with_result_path(conf: Conformance) -> None:
    # ERRORS_DOC: a Retrier retries MaxAttempts times; then the Catcher's Next runs with the
    # error output ({"Error", "Cause"}) placed by its ResultPath.
    definition = guarded(failing(), ["Custom.Error"], ResultPath="$.problem")
    definition["States"]["Guard"]["Retry"] = [
        {"ErrorEquals": ["Custom.Error"], "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 1}
    ]
    run = conf.run(definition, {"keep": 1})
    assert run.status == "SUCCEEDED"
    assert run.output == {"keep": 1, "problem": {"Error": "Custom.Error", "Cause": "it broke"}}
    types = run.types()
    assert types.count("ParallelStateStarted") == 2  # the first attempt and one retry
    assert types.count("FailStateEntered") == 2


def test_states_all_catches_a_custom_error(conf: Conformance) -> None:
    # ERRORS_DOC, States.ALL: a wildcard that matches any known error name.
    run = conf.run(guarded(failing(), ["States.ALL"]))
    assert run.status == "SUCCEEDED"
    assert run.output == {"Error": "Custom.Error", "Cause": "it broke"}


def test_unmatched_error_fails_the_execution(conf: Conformance) -> None:
    # ERRORS_DOC: when no Catcher matches, the execution fails with the error.
    run = conf.run(guarded(failing(), ["Other.Error"]))
    assert run.status == "FAILED"
    assert (run.error, run.cause) == ("Custom.Error", "it broke")


def test_states_all_does_not_catch_states_runtime(conf: Conformance) -> None:
    # ERRORS_DOC, States.Runtime: not retriable; a retry or catch on States.ALL does not
    # catch it.
    inner = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$.missing"}, "End": True}},
    }
    run = conf.run(guarded(inner, ["States.ALL"]))
    assert run.status == "FAILED"
    assert run.error == "States.Runtime"


def test_data_limit_exceeded_is_not_caught_by_states_all(conf: Conformance) -> None:
    # ERRORS_DOC, States.DataLimitExceeded: the output of a state larger than the payload
    # quota (QUOTAS_DOC: 256 KiB); a terminal error States.ALL does not catch.
    inner = {
        "StartAt": "Grow",
        "States": {
            "Grow": {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": True}
        },
    }
    run = conf.run(guarded(inner, ["States.ALL"]), {"s": "x" * 200_000})
    assert run.status == "FAILED"
    assert run.error == "States.DataLimitExceeded"


def test_intrinsic_failure_can_be_caught(conf: Conformance) -> None:
    # ERRORS_DOC, States.IntrinsicFailure: an intrinsic function invocation that fails.
    inner = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"v.$": "States.ArrayGetItem($.a, 5)"},
                "End": True,
            }
        },
    }
    run = conf.run(guarded(inner, ["States.IntrinsicFailure"]), {"a": [1]})
    assert run.status == "SUCCEEDED"
    assert run.output["Error"] == "States.IntrinsicFailure"


def test_result_path_match_failure(conf: Conformance) -> None:
    # ERRORS_DOC, States.ResultPathMatchFailure: the ResultPath cannot be applied to the
    # state's input (here it goes through a string).
    inner = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": True}},
    }
    run = conf.run(guarded(inner, ["States.ResultPathMatchFailure"]), {"a": "text"})
    assert run.status == "SUCCEEDED"
    assert run.output["Error"] == "States.ResultPathMatchFailure"


def test_task_failed_does_not_match_states_timeout(conf: Conformance) -> None:
    # ERRORS_DOC, States.TaskFailed: matches any known error name except States.Timeout.
    activity = conf.activity()
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": 1,
                "Catch": [
                    {"ErrorEquals": ["States.TaskFailed"], "Next": "TaskFailed"},
                    {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"},
                ],
                "End": True,
            },
            "TaskFailed": {"Type": "Pass", "Result": "task-failed", "End": True},
            "TimedOut": {"Type": "Pass", "Result": "timed-out", "End": True},
        },
    }
    run = conf.run(definition)
    assert run.status == "SUCCEEDED"
    assert run.output == "timed-out"


def test_task_failed_matches_a_worker_error(conf: Conformance) -> None:
    # ERRORS_DOC, States.TaskFailed: matches an error the activity worker reported.
    activity = conf.activity()
    machine = conf.machine(
        {
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    "Resource": activity,
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        }
    )
    run = conf.start(machine)
    token = conf.claim(activity)["taskToken"]
    conf.sfn.send_task_failure(taskToken=token, error="Worker.Broke", cause="disk full")
    result = conf.finished(run)
    assert result["status"] == "SUCCEEDED"
    assert result["output"] == '{"Error":"Worker.Broke","Cause":"disk full"}'
