"""EXPRESS state machines: what the execution operations answer, StartSyncExecution, and
the CloudWatch Logs records Express runs leave behind (their only history)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_tui.local import express
from tests.conformance.support import Conformance, error_code, unique
from tests.helpers import wait_until

API = "https://docs.aws.amazon.com/step-functions/latest/apireference/"
START_API = API + "API_StartExecution.html"
SYNC_API = API + "API_StartSyncExecution.html"
BILLING_API = API + "API_BillingDetails.html"
LIST_API = API + "API_ListExecutions.html"
DESCRIBE_API = API + "API_DescribeExecution.html"
HISTORY_API = API + "API_GetExecutionHistory.html"
STOP_API = API + "API_StopExecution.html"
CREATE_API = API + "API_CreateStateMachine.html"
LOGGING_API = API + "API_LoggingConfiguration.html"
ARN_DOC = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html"
)
AT_LEAST_ONCE_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html"
)
TYPES_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html"
LOGS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html"
LEVELS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html"

HELLO = {
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "$.who"}, "End": True},
    },
}
DECLINED = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Pass", "Next": "Declined"},
        "Declined": {"Type": "Fail", "Error": "Card.Declined", "Cause": "insufficient funds"},
    },
}
# arn:<partition>:states:<region>:<account>:express:<machine>:<execution>:<id>
EXPRESS_ARN = re.compile(r"^arn:aws[\w-]*:states:[\w-]+:\d{12}:express:([^:]+):([^:]+):([^:]+)$")
RECORD_KEYS = {"id", "type", "details", "previous_event_id", "event_timestamp", "execution_arn"}


def express_machine(conf: Conformance, definition: dict[str, Any], **kw: Any) -> str:
    return conf.machine(definition, type="EXPRESS", **kw)


def logging_to(arn: str, level: str = "ALL", data: bool = True) -> dict[str, Any]:
    return {
        "level": level,
        "includeExecutionData": data,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": arn}}],
    }


def records(conf: Conformance, group: str, execution_arn: str) -> list[dict[str, Any]]:
    """Every record of this run in the log group (each log event is one JSON record)."""
    found: list[dict[str, Any]] = []
    kw: dict[str, Any] = {"logGroupName": group}
    while True:
        page = conf.logs.filter_log_events(**kw)
        for event in page.get("events", []):
            record = json.loads(event["message"])
            if isinstance(record, dict) and record.get("execution_arn") == execution_arn:
                found.append(record)
        if not page.get("nextToken"):
            return sorted(found, key=lambda r: int(r["id"]))
        kw["nextToken"] = page["nextToken"]


def logged(
    conf: Conformance, group: str, execution_arn: str, last_type: str
) -> list[dict[str, Any]]:
    """The run's records once the one of `last_type` has arrived (AWS delivers late)."""

    def arrived() -> list[dict[str, Any]] | None:
        got = records(conf, group, execution_arn)
        return got if any(r["type"] == last_type for r in got) else None

    return wait_until(arrived, 10 if conf.local else 300, f"no {last_type} logged")


def refused(call: Any, **kw: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kw)
    return error_code(excinfo), str(excinfo.value.response["Error"].get("Message", ""))


# Execution operations ---------------------------------------------------------------


def test_start_execution_on_express_answers_an_express_arn(conf: Conformance) -> None:
    # ARN_DOC: the resource type "express" is
    # arn:${Partition}:states:${Region}:${Account}:express:${StateMachineName}:${ExecutionId}:${ExpressId}.
    # START_API: StartExecution answers executionArn and startDate.
    machine = express_machine(conf, HELLO)
    name = unique("run")
    answer = conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"who": "A"}')
    match = EXPRESS_ARN.match(answer["executionArn"])
    assert match, answer["executionArn"]
    assert match.group(1) == machine.rsplit(":", 1)[1]
    assert match.group(2) == name
    assert isinstance(answer["startDate"], datetime)


def test_express_names_can_be_reused_at_once(conf: Conformance) -> None:
    # AT_LEAST_ONCE_DOC (Asynchronous Express): "Idempotency is not automatically managed.
    # Starting multiple workflows with the same name results in concurrent executions."
    machine = express_machine(conf, HELLO)
    name = unique("run")
    first = conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"who": "A"}')
    second = conf.sfn.start_execution(stateMachineArn=machine, name=name, input='{"who": "B"}')
    assert first["executionArn"] != second["executionArn"]


def test_list_executions_on_express_is_not_supported(conf: Conformance) -> None:
    # LIST_API: "This API action is not supported by EXPRESS state machines." Error
    # StateMachineTypeNotSupported, HTTP 400.
    machine = express_machine(conf, HELLO)
    conf.sfn.start_execution(stateMachineArn=machine, name=unique("run"), input='{"who": "A"}')
    code, message = refused(conf.sfn.list_executions, stateMachineArn=machine)
    assert code == "StateMachineTypeNotSupported"
    assert message == "This operation is not supported by this type of state machine"


@pytest.mark.parametrize(
    "operation",
    ["describe_execution", "get_execution_history", "stop_execution"],
)
def test_express_runs_are_not_described_listed_or_stopped(
    conf: Conformance, operation: str
) -> None:
    # DESCRIBE_API, HISTORY_API, STOP_API: "This API action is not supported by EXPRESS
    # state machines." An express ARN is refused as InvalidArn (HTTP 400): its resource
    # type (ARN_DOC) is not valid for these operations.
    machine = express_machine(
        conf, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}
    )
    arn = conf.sfn.start_execution(stateMachineArn=machine, name=unique("run"))["executionArn"]
    code, message = refused(getattr(conf.sfn, operation), executionArn=arn)
    assert code == "InvalidArn"
    assert message == "Invalid Arn: 'Resource type not valid in this context: express'"


# StartSyncExecution -----------------------------------------------------------------


def test_start_sync_execution_answers_the_result_and_billing(conf: Conformance) -> None:
    # SYNC_API: the answer has executionArn, stateMachineArn, name, startDate, stopDate,
    # status SUCCEEDED, input, output (JSON text), billingDetails. BILLING_API:
    # billedDurationInMilliseconds and billedMemoryUsedInMB. Express duration is billed
    # rounded up to the next 100 ms, memory in 64-MB chunks (AWS Step Functions pricing).
    machine = express_machine(conf, HELLO)
    name = unique("sync")
    answer = conf.sfn.start_sync_execution(
        stateMachineArn=machine, name=name, input='{"who": "Ada"}'
    )
    assert answer["status"] == "SUCCEEDED"
    assert EXPRESS_ARN.match(answer["executionArn"])
    assert answer["stateMachineArn"] == machine
    assert answer["name"] == name
    assert json.loads(answer["output"]) == {"greeting": "Ada"}
    assert json.loads(answer["input"]) == {"who": "Ada"}
    assert answer["stopDate"] >= answer["startDate"]
    assert "error" not in answer and "cause" not in answer
    billing = answer["billingDetails"]
    assert billing["billedDurationInMilliseconds"] >= 100
    assert billing["billedDurationInMilliseconds"] % 100 == 0
    assert billing["billedMemoryUsedInMB"] >= 64
    assert billing["billedMemoryUsedInMB"] % 64 == 0


def test_start_sync_execution_of_a_failing_run(conf: Conformance) -> None:
    # SYNC_API: "StartSyncExecution will return a 200 OK response, even if your execution
    # fails"; status FAILED with error and cause; output "is set only if the execution
    # succeeds".
    machine = express_machine(conf, DECLINED)
    answer = conf.sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["status"] == "FAILED"
    assert answer["error"] == "Card.Declined"
    assert answer["cause"] == "insufficient funds"
    assert "output" not in answer
    assert answer["billingDetails"]["billedDurationInMilliseconds"] >= 100


def test_start_sync_execution_on_standard_is_not_supported(conf: Conformance) -> None:
    # SYNC_API: "StartSyncExecution is not available for STANDARD workflows." Error
    # StateMachineTypeNotSupported, HTTP 400.
    machine = conf.machine(HELLO)
    code, message = refused(conf.sfn.start_sync_execution, stateMachineArn=machine, input="{}")
    assert code == "StateMachineTypeNotSupported"
    assert message == "This operation is not supported by this type of state machine"


def test_start_sync_execution_of_a_missing_machine(conf: Conformance) -> None:
    # SYNC_API: StateMachineDoesNotExist, HTTP 400.
    machine = conf.machine(HELLO).replace(":stateMachine:", ":stateMachine:gone-")
    code, _ = refused(conf.sfn.start_sync_execution, stateMachineArn=machine, input="{}")
    assert code == "StateMachineDoesNotExist"


def test_express_runs_time_out_after_five_minutes(
    conf: Conformance, engine_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TYPES_DOC: an Express workflow runs for five minutes at most; longer is a timeout
    # (SYNC_API: status TIMED_OUT). The engine's five minutes are shortened here.
    monkeypatch.setattr(express, "MAX_SECONDS", 1.0)
    machine = express_machine(
        conf, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    )
    answer = conf.sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert answer["status"] == "TIMED_OUT"
    assert "output" not in answer


def test_express_machines_refuse_activities(conf: Conformance) -> None:
    # TYPES_DOC: Express workflows do not support activities. CREATE_API: InvalidDefinition.
    activity = conf.activity()
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": activity, "End": True}},
    }
    with pytest.raises(ClientError) as excinfo:
        express_machine(conf, definition)
    assert error_code(excinfo) == "InvalidDefinition"


# CloudWatch Logs --------------------------------------------------------------------


def test_express_runs_are_logged_one_json_record_per_event(conf: Conformance) -> None:
    # LOGS_DOC: Express workflows keep no execution history in Step Functions: their
    # history is in CloudWatch Logs, one JSON record per history event with id, type,
    # details, previous_event_id, event_timestamp (milliseconds) and execution_arn.
    # LOGGING_API: includeExecutionData true keeps input and output (JSON text).
    group, group_arn = conf.log_group()
    machine = express_machine(conf, HELLO, loggingConfiguration=logging_to(group_arn))
    run = conf.sfn.start_execution(
        stateMachineArn=machine, name=unique("run"), input='{"who": "Ada"}'
    )["executionArn"]
    got = logged(conf, group, run, "ExecutionSucceeded")
    assert [r["type"] for r in got] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    for number, record in enumerate(got, start=1):
        assert set(record) >= RECORD_KEYS, record
        assert record["id"] == str(number)
        assert record["execution_arn"] == run
        assert record["event_timestamp"].isdigit()
        assert isinstance(record["details"], dict)
    assert [r["previous_event_id"] for r in got] == ["0", "0", "2", "3"]
    assert json.loads(got[0]["details"]["input"]) == {"who": "Ada"}
    assert got[1]["details"]["name"] == "Greet"
    assert json.loads(got[3]["details"]["output"]) == {"greeting": "Ada"}


def test_execution_data_is_left_out_when_not_included(conf: Conformance) -> None:
    # LOGGING_API: includeExecutionData false: "data is excluded" (no input or output).
    group, group_arn = conf.log_group()
    machine = express_machine(conf, HELLO, loggingConfiguration=logging_to(group_arn, data=False))
    run = conf.sfn.start_execution(
        stateMachineArn=machine, name=unique("run"), input='{"who": "Ada"}'
    )["executionArn"]
    got = logged(conf, group, run, "ExecutionSucceeded")
    for record in got:
        for key in ("input", "inputDetails", "output", "outputDetails"):
            assert key not in record["details"], record
    assert got[1]["details"]["name"] == "Greet"


def test_error_level_logs_only_the_error_events(conf: Conformance) -> None:
    # LEVELS_DOC: ERROR logs ExecutionFailed, FailStateEntered and the other error events
    # only (not ExecutionStarted, not the Pass state).
    group, group_arn = conf.log_group()
    machine = express_machine(conf, DECLINED, loggingConfiguration=logging_to(group_arn, "ERROR"))
    answer = conf.sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    got = logged(conf, group, answer["executionArn"], "ExecutionFailed")
    assert [r["type"] for r in got] == ["FailStateEntered", "ExecutionFailed"]
    assert got[1]["details"]["error"] == "Card.Declined"
    assert got[1]["details"]["cause"] == "insufficient funds"


def test_sync_runs_are_logged_too(conf: Conformance) -> None:
    # LOGS_DOC: logging applies to every Express execution; the record's execution_arn is
    # the ARN StartSyncExecution answered.
    group, group_arn = conf.log_group()
    machine = express_machine(conf, HELLO, loggingConfiguration=logging_to(group_arn, "FATAL"))
    failing = express_machine(conf, DECLINED, loggingConfiguration=logging_to(group_arn, "FATAL"))
    conf.sfn.start_sync_execution(stateMachineArn=machine, input='{"who": "A"}')
    answer = conf.sfn.start_sync_execution(stateMachineArn=failing, input="{}")
    got = logged(conf, group, answer["executionArn"], "ExecutionFailed")
    assert [r["type"] for r in got] == ["ExecutionFailed"]  # FATAL: the end only


def test_logging_to_a_missing_log_group_is_refused(conf: Conformance) -> None:
    # CREATE_API: InvalidLoggingConfiguration (HTTP 400) when the logging configuration
    # cannot be used; the destination's log group must exist.
    _, group_arn = conf.log_group()
    missing = group_arn.replace("/states/", "/states/missing-")
    with pytest.raises(ClientError) as excinfo:
        express_machine(conf, HELLO, loggingConfiguration=logging_to(missing))
    assert error_code(excinfo) == "InvalidLoggingConfiguration"
    assert "Log Destination not found" in str(excinfo.value.response["Error"]["Message"])


def test_logging_without_a_destination_is_refused(conf: Conformance) -> None:
    # LOGGING_API: destinations are "Required, if your log level is not set to OFF".
    with pytest.raises(ClientError) as excinfo:
        express_machine(
            conf, HELLO, loggingConfiguration={"level": "ALL", "includeExecutionData": True}
        )
    assert error_code(excinfo) == "InvalidLoggingConfiguration"


def test_logging_can_be_turned_on_by_update(conf: Conformance) -> None:
    # LOGS_DOC: logging is set with CreateStateMachine or UpdateStateMachine;
    # DescribeStateMachine shows the loggingConfiguration.
    group, group_arn = conf.log_group()
    machine = express_machine(conf, HELLO)
    conf.sfn.update_state_machine(
        stateMachineArn=machine, loggingConfiguration=logging_to(group_arn)
    )
    described = conf.sfn.describe_state_machine(stateMachineArn=machine)
    assert described["loggingConfiguration"]["level"] == "ALL"
    answer = conf.sfn.start_sync_execution(stateMachineArn=machine, input='{"who": "B"}')
    got = logged(conf, group, answer["executionArn"], "ExecutionSucceeded")
    assert got[0]["type"] == "ExecutionStarted"
