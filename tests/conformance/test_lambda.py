"""Conformance: Step Functions Task states that invoke Python Lambda functions.

Each case cites the AWS documentation page it checks. The functions run for real on the
embedded engine (``sfn_tui.local.lambda_runner``); on stock moto every case fails with
"error running docker".
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import boto_client, wait_until
from tests.lambda_functions import create_function, create_machine, history, run_to_end, unique

ECHO = """
def handler(event, context):
    return {"got": event, "request": context.aws_request_id}
"""

FAILS = """
class OrderError(Exception):
    pass

def handler(event, context):
    if event.get("kind") == "order":
        raise OrderError("order " + event["id"] + " is not known")
    raise ValueError("bad input")
"""


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def one_task(resource: str, **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": resource, **task, "End": True}},
    }


def test_function_arn_as_resource(engine: str) -> None:
    # The Task's result is the function's answer; history: LambdaFunctionScheduled,
    # LambdaFunctionStarted, LambdaFunctionSucceeded.
    # https://docs.aws.amazon.com/step-functions/latest/dg/call-lambda.html
    # https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
    function = create_function(engine, ECHO)
    machine = create_machine(engine, one_task(function))

    run = run_to_end(engine, machine, {"n": 1})

    assert run["status"] == "SUCCEEDED"
    output = json.loads(run["output"])
    assert output["got"] == {"n": 1}
    assert types(history(engine, run["executionArn"]))[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]


def test_lambda_invoke_gives_the_invoke_response(engine: str) -> None:
    # arn:aws:states:::lambda:invoke: the result is Lambda's Invoke response, the
    # function's answer under Payload.
    # https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
    function = create_function(engine, ECHO)
    machine = create_machine(
        engine,
        one_task(
            "arn:aws:states:::lambda:invoke",
            Parameters={"FunctionName": function, "Payload": {"order.$": "$.order"}},
        ),
    )

    run = run_to_end(engine, machine, {"order": "o-1"})

    assert run["status"] == "SUCCEEDED"
    output = json.loads(run["output"])
    assert list(output) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert output["ExecutedVersion"] == "$LATEST"
    assert output["StatusCode"] == 200
    assert output["Payload"]["got"] == {"order": "o-1"}
    request_id = output["Payload"]["request"]
    assert output["SdkResponseMetadata"] == {"RequestId": request_id}
    http = output["SdkHttpMetadata"]
    assert http["HttpStatusCode"] == 200
    assert http["HttpHeaders"]["X-Amz-Executed-Version"] == "$LATEST"
    assert http["HttpHeaders"]["x-amzn-RequestId"] == request_id
    assert http["AllHttpHeaders"]["Content-Type"] == ["application/json"]
    assert types(history(engine, run["executionArn"]))[2:5] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
    ]


def test_wait_for_task_token(engine: str) -> None:
    # .waitForTaskToken: the run waits until SendTaskSuccess with the token; its output
    # becomes the Task's result. Here the function itself answers, through the engine.
    # https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
    function = create_function(
        engine,
        """
        import json, boto3

        def handler(event, context):
            boto3.client("stepfunctions").send_task_success(
                taskToken=event["token"], output=json.dumps({"approved": event["order"]}))
            return "ignored"
        """,
    )
    machine = create_machine(
        engine,
        one_task(
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            Parameters={
                "FunctionName": function,
                "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"},
            },
        ),
    )

    run = run_to_end(engine, machine, {"order": "o-2"})

    assert run["status"] == "SUCCEEDED"
    assert json.loads(run["output"]) == {"approved": "o-2"}


def test_unhandled_exception_fails_with_the_error_type(engine: str) -> None:
    # An exception the function does not catch: the error is its errorType, the cause
    # Lambda's error document (errorMessage, errorType, requestId, stackTrace).
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    # https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
    function = create_function(engine, FAILS)
    for resource, parameters, failed_event in [
        (function, None, "LambdaFunctionFailed"),
        ("arn:aws:states:::lambda:invoke", {"FunctionName": function}, "TaskFailed"),
    ]:
        task = {"Parameters": parameters} if parameters else {}
        machine = create_machine(engine, one_task(resource, **task))

        run = run_to_end(engine, machine, {"kind": "other"})

        assert run["status"] == "FAILED"
        assert run["error"] == "ValueError"
        cause = json.loads(run["cause"])
        assert cause["errorMessage"] == "bad input"
        assert cause["errorType"] == "ValueError"
        assert cause["requestId"]
        assert any("in handler" in frame for frame in cause["stackTrace"])
        assert failed_event in types(history(engine, run["executionArn"]))


def test_function_error_is_caught_by_its_name(engine: str) -> None:
    # Catch matches the error name (the exception's class name); States.TaskFailed too.
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    function = create_function(engine, FAILS)
    machine = create_machine(
        engine,
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": function,
                    "Catch": [
                        {
                            "ErrorEquals": ["OrderError"],
                            "ResultPath": "$.error",
                            "Next": "Unknown order",
                        },
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "Other"},
                    ],
                    "End": True,
                },
                "Unknown order": {"Type": "Pass", "End": True},
                "Other": {"Type": "Fail", "Error": "Other"},
            },
        },
    )

    caught = run_to_end(engine, machine, {"kind": "order", "id": "o-3"})
    other = run_to_end(engine, machine, {"kind": "other"})

    assert caught["status"] == "SUCCEEDED"
    error = json.loads(caught["output"])["error"]
    assert error["Error"] == "OrderError"
    assert json.loads(error["Cause"])["errorMessage"] == "order o-3 is not known"
    assert other["status"] == "FAILED"
    assert other["error"] == "Other"


def test_function_timeout_is_sandbox_timedout(engine: str) -> None:
    # A function that runs past its own timeout: newer Lambda runtimes report
    # Sandbox.Timedout (older ones Lambda.Unknown).
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    function = create_function(
        engine, "import time\n\ndef handler(event, context):\n    time.sleep(120)\n", timeout=1
    )
    machine = create_machine(engine, one_task(function))

    run = run_to_end(engine, machine)

    assert run["status"] == "FAILED"
    assert run["error"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in json.loads(run["cause"])["errorMessage"]


def test_state_timeout_is_states_timeout(engine: str) -> None:
    # The Task's TimeoutSeconds ends the state first: States.Timeout, and for a function
    # ARN resource a LambdaFunctionTimedOut event.
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    function = create_function(
        engine, "import time\n\ndef handler(event, context):\n    time.sleep(60)\n", timeout=90
    )
    machine = create_machine(engine, one_task(function, TimeoutSeconds=1))

    run = run_to_end(engine, machine)

    assert run["status"] == "FAILED"
    assert run["error"] == "States.Timeout"
    assert "LambdaFunctionTimedOut" in types(history(engine, run["executionArn"]))


def test_unsupported_runtime_fails_the_task_in_words(engine: str) -> None:
    # A Lambda service error is Lambda.<ErrorCode>; the local engine answers
    # InvalidRuntimeException for runtimes it cannot run, saying so.
    # https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
    # https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (InvalidRuntimeException)
    function = create_function(engine, "exports.handler = async () => 1;", runtime="nodejs20.x")
    for resource, task in [
        (function, {}),
        ("arn:aws:states:::lambda:invoke", {"Parameters": {"FunctionName": function}}),
    ]:
        machine = create_machine(engine, one_task(resource, **task))

        run = run_to_end(engine, machine)

        assert run["status"] == "FAILED"
        assert run["error"] == "Lambda.InvalidRuntimeException"
        assert "runtime nodejs20.x is not supported locally" in run["cause"]
        assert "Status Code: 502" in run["cause"]


def test_function_writes_to_dynamodb_in_the_same_engine(engine: str) -> None:
    # The function's boto3 calls reach the engine the state machine runs on.
    dynamodb = boto_client("dynamodb", engine)
    table = unique("orders")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    function = create_function(
        engine,
        """
        import os, boto3

        def handler(event, context):
            boto3.resource("dynamodb").Table(os.environ["TABLE"]).put_item(
                Item={"id": event["id"], "by": context.function_name})
            return {"stored": event["id"]}
        """,
        environment={"TABLE": table},
    )
    machine = create_machine(engine, one_task(function))

    run = run_to_end(engine, machine, {"id": "o-4"})

    assert run["status"] == "SUCCEEDED"

    def item() -> dict[str, Any] | None:
        found: dict[str, Any] | None = dynamodb.get_item(
            TableName=table, Key={"id": {"S": "o-4"}}
        ).get("Item")
        return found

    stored = wait_until(item, timeout=10, message="the function's item is not in the table")
    assert stored["by"] == {"S": function.rsplit(":", 1)[1]}
