"""AWS quotas and name rules, and the errors that enforce them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code, error_message, unique

QUOTAS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
CREATE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"
)
START_API = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html"
SUCCESS_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html"
)
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
LIMIT = 262_144  # 256 KiB, in UTF-8 bytes


def padded(size: int) -> str:
    """A JSON object whose text is exactly `size` bytes."""
    text = json.dumps({"p": ""})
    return json.dumps({"p": "x" * (size - len(text))})


def test_definition_over_1_mb_is_refused(conf: Conformance) -> None:
    # CREATE_API: definition length constraint, 1,048,576 at most.
    big = {"Comment": "x" * 1_100_000, **PASS}
    with pytest.raises(ClientError) as excinfo:
        conf.machine(big)
    assert error_code(excinfo) == "ValidationException"
    assert "1048576" in error_message(excinfo)


def test_update_with_definition_over_1_mb_is_refused(conf: Conformance) -> None:
    # CREATE_API / UpdateStateMachine: the same constraint.
    machine = conf.machine(PASS)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.update_state_machine(
            stateMachineArn=machine, definition=json.dumps({"Comment": "x" * 1_100_000, **PASS})
        )
    assert error_code(excinfo) == "ValidationException"


def test_execution_input_at_the_limit_is_accepted(conf: Conformance) -> None:
    # QUOTAS_DOC: 262,144 bytes of input is within the quota.
    arn = conf.sfn.start_execution(stateMachineArn=conf.machine(PASS), input=padded(LIMIT))[
        "executionArn"
    ]
    conf.runs.append(arn)
    assert conf.finished(arn)["status"] == "SUCCEEDED"


def test_execution_input_over_the_limit_is_invalid_execution_input(conf: Conformance) -> None:
    # QUOTAS_DOC: input over 256 KiB (UTF-8 bytes: here 2-byte characters) is refused.
    machine = conf.machine(PASS)
    over = json.dumps({"p": "é" * (LIMIT // 2)}, ensure_ascii=False)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.start_execution(stateMachineArn=machine, name=unique("big"), input=over)
    assert error_code(excinfo) == "InvalidExecutionInput"


def test_task_output_over_the_limit_is_invalid_output(conf: Conformance) -> None:
    # SUCCESS_API: output length constraint 262,144; InvalidOutput. The task stays open.
    activity = conf.activity()
    task = {"Type": "Task", "Resource": activity, "End": True}
    run = conf.start(conf.machine({"StartAt": "W", "States": {"W": task}}))
    token = conf.claim(activity)["taskToken"]
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.send_task_success(taskToken=token, output=padded(LIMIT + 1))
    assert error_code(excinfo) == "InvalidOutput"
    conf.sfn.send_task_success(taskToken=token, output="{}")
    assert conf.finished(run)["status"] == "SUCCEEDED"


def test_state_output_over_the_limit_is_data_limit_exceeded(conf: Conformance) -> None:
    # ERRORS_DOC, States.DataLimitExceeded: a state's output larger than the quota (here
    # a task's result placed next to its input) fails the run.
    activity = conf.activity()
    task = {"Type": "Task", "Resource": activity, "ResultPath": "$.r", "End": True}
    run = conf.start(conf.machine({"StartAt": "W", "States": {"W": task}}), {"s": "x" * 150_000})
    token = conf.claim(activity)["taskToken"]
    conf.sfn.send_task_success(taskToken=token, output=json.dumps("y" * 150_000))
    result = conf.finished(run)
    assert (result["status"], result["error"]) == ("FAILED", "States.DataLimitExceeded")


@pytest.mark.parametrize("kind", ["machine", "activity", "execution"])
def test_name_over_80_characters_is_refused(conf: Conformance, kind: str) -> None:
    # QUOTAS_DOC: names are 1-80 characters (the API's length constraint).
    name = "n" * 81
    calls: dict[str, Any] = {
        "machine": lambda: conf.sfn.create_state_machine(
            name=name, definition=json.dumps(PASS), roleArn=conf.role_arn
        ),
        "activity": lambda: conf.sfn.create_activity(name=name),
        "execution": lambda: conf.sfn.start_execution(
            stateMachineArn=conf.machine(PASS), name=name
        ),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[kind]()
    assert error_code(excinfo) == "ValidationException"
    assert "less than or equal to 80" in error_message(excinfo)


@pytest.mark.parametrize("bad", ["has space", "a/b", "a{b", "q?", "tab\there", "del\x7f"])
@pytest.mark.parametrize("kind", ["machine", "activity", "execution"])
def test_name_with_a_forbidden_character_is_invalid_name(
    conf: Conformance, kind: str, bad: str
) -> None:
    # QUOTAS_DOC / START_API: no white space, brackets, wildcards, special or control
    # characters: InvalidName.
    calls: dict[str, Any] = {
        "machine": lambda: conf.sfn.create_state_machine(
            name=bad, definition=json.dumps(PASS), roleArn=conf.role_arn
        ),
        "activity": lambda: conf.sfn.create_activity(name=bad),
        "execution": lambda: conf.sfn.start_execution(stateMachineArn=conf.machine(PASS), name=bad),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[kind]()
    assert error_code(excinfo) == "InvalidName"


def test_state_name_over_80_characters_is_invalid_definition(conf: Conformance) -> None:
    # QUOTAS_DOC: state names are limited to 80 characters too (INVALID_STATE_NAME).
    long_name = "S" * 81
    definition = {"StartAt": long_name, "States": {long_name: {"Type": "Succeed"}}}
    with pytest.raises(ClientError) as excinfo:
        conf.machine(definition)
    assert error_code(excinfo) == "InvalidDefinition"
    assert "80" in error_message(excinfo)


def test_history_of_25000_events_fails_the_run(
    conf: Conformance, engine_only: None, monkeypatch: Any
) -> None:
    # QUOTAS_DOC: 25,000 events in one execution history; reaching it fails the run
    # (States.Runtime, "The execution reached the maximum number of history events").
    # The engine's limit is lowered to 40 here.
    from sfn_tui.local import history_quota

    monkeypatch.setattr(history_quota, "MAX_EVENTS", 40)
    loop = {
        "StartAt": "Spin",
        "States": {"Spin": {"Type": "Pass", "Next": "Spin"}},
    }
    run = conf.run(loop)
    assert run.status == "FAILED"
    assert run.error == "States.Runtime"
    assert "maximum number of history events (40)" in (run.cause or "")
    events = run.history()
    assert len(events) == 40
    assert events[-1]["type"] == "ExecutionFailed"
