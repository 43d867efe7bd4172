"""Python Lambda functions run for real on the embedded engine (Lambda's Invoke API).

Each test creates a function through the Lambda API with boto3 and invokes it: the code
runs in a child Python process (``sfn_tui.local.lambda_runner``), and what the caller
gets back is checked against the AWS Lambda documentation:
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (status codes,
FunctionError, LogResult, ExecutedVersion, errors),
https://docs.aws.amazon.com/lambda/latest/dg/python-context.html (the context object),
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html (error documents),
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html (reserved
environment variables). On stock moto every invocation answers "error running docker".
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sfn_tui.local import cfn_cdk_metadata, lambda_invoke, lambda_tasks
from sfn_tui.local.engine import LocalEngine
from tests.helpers import CREDENTIALS, REGION, boto_client, wait_until
from tests.lambda_functions import LAMBDA_ROLE, create_function, role_arn, unique


def invoke(endpoint: str, arn: str, event: Any = None, **kwargs: Any) -> dict[str, Any]:
    client = boto_client("lambda", endpoint)
    response: dict[str, Any] = client.invoke(
        FunctionName=arn, Payload=json.dumps(event if event is not None else {}), **kwargs
    )
    response["Body"] = response["Payload"].read()
    return response


def single_try_lambda(endpoint: str) -> Any:
    """A Lambda client that does not retry (InvalidRuntimeException is an HTTP 502)."""
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
        **CREDENTIALS,
    )


def test_handler_gets_event_context_and_environment(engine: str) -> None:
    arn = create_function(
        engine,
        """
        import os, sys

        def handler(event, context):
            return {
                "path": sys.path,
                "root": os.environ["LAMBDA_TASK_ROOT"],
                "cwd": os.getcwd(),
                "event": event,
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "remaining": context.get_remaining_time_in_millis(),
                "custom": context.client_context.custom,
                "env": {k: os.environ.get(k) for k in (
                    "GREETING", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_ENDPOINT_URL", "_HANDLER",
                    "AWS_ACCESS_KEY_ID")},
            }
        """,
        memory=256,
        timeout=20,
        environment={"GREETING": "hello"},
    )
    name = arn.rsplit(":", 1)[1]

    client_context = base64.b64encode(json.dumps({"custom": {"tenant": "t1"}}).encode())
    response = invoke(engine, arn, {"answer": 42}, ClientContext=client_context.decode())

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    answer = json.loads(response["Body"])
    assert answer["event"] == {"answer": 42}
    assert answer["function_name"] == name
    assert answer["function_version"] == "$LATEST"
    assert answer["invoked_function_arn"] == arn
    assert answer["memory_limit_in_mb"] == "256"
    assert answer["aws_request_id"] == response["ResponseMetadata"]["RequestId"]
    assert answer["log_group_name"] == f"/aws/lambda/{name}"
    assert 0 < answer["remaining"] <= 20_000
    assert answer["custom"] == {"tenant": "t1"}
    # The code comes first on sys.path and is the working folder; sfn-tui's is absent.
    assert answer["path"][0] == answer["root"] == answer["cwd"]
    assert str(Path(lambda_invoke.__file__).parent) not in answer["path"]
    port = engine.rsplit(":", 1)[1]
    assert answer["env"] == {
        "GREETING": "hello",
        "AWS_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "_HANDLER": "index.handler",
        "AWS_ACCESS_KEY_ID": "testing",
    }


def test_functions_reach_a_running_engine_after_another_one_stops(engine: str) -> None:
    # Engines in one process share moto's state; the functions' endpoint (MOTO_PORT)
    # must not stay on an engine that has stopped.
    with LocalEngine():
        pass
    arn = create_function(
        engine,
        """
        import os, boto3

        def handler(event, context):
            boto3.client("sqs").list_queues()
            return os.environ["AWS_ENDPOINT_URL"]
        """,
    )

    response = invoke(engine, arn)

    assert "FunctionError" not in response, response["Body"]
    assert json.loads(response["Body"]) == f"http://127.0.0.1:{engine.rsplit(':', 1)[1]}"


def test_log_tail_when_asked_and_log_in_cloudwatch(engine: str) -> None:
    arn = create_function(
        engine,
        """
        import logging

        def handler(event, context):
            print("working on", event["item"])
            logging.getLogger().warning("careful with %s", event["item"])
            return "done"
        """,
    )
    name = arn.rsplit(":", 1)[1]

    plain = invoke(engine, arn, {"item": "a"})
    tail = invoke(engine, arn, {"item": "b"}, LogType="Tail")

    assert "LogResult" not in plain
    assert json.loads(tail["Body"]) == "done"
    log = base64.b64decode(tail["LogResult"]).decode()
    request_id = tail["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert "working on b" in log
    assert re.search(
        rf"^\[WARNING\]\t\d{{4}}-\d\d-\d\dT[\d:.]+Z\t{request_id}\tcareful with b$", log, re.M
    )
    assert re.search(rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms", log)
    logs = boto_client("logs", engine)
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 2
    printed = [
        event["message"]
        for stream in streams
        for event in logs.get_log_events(
            logGroupName=f"/aws/lambda/{name}", logStreamName=stream["logStreamName"]
        )["events"]
    ]
    assert "working on a" in printed and "working on b" in printed


def test_event_invocation_answers_202_and_its_boto3_call_reaches_the_engine(engine: str) -> None:
    sqs = boto_client("sqs", engine)
    queue_url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = create_function(
        engine,
        """
        import boto3

        def handler(event, context):
            boto3.client("sqs").send_message(QueueUrl=event["queue"], MessageBody=event["body"])
        """,
    )

    response = invoke(
        engine, arn, {"queue": queue_url, "body": "from lambda"}, InvocationType="Event"
    )

    assert response["StatusCode"] == 202
    assert response["Body"] == b""

    def received() -> list[str]:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        return [m["Body"] for m in messages]

    assert wait_until(received, timeout=30, message="no message from the function") == [
        "from lambda"
    ]


def test_dry_run_answers_204_without_running(engine: str) -> None:
    arn = create_function(engine, "def handler(event, context):\n    raise SystemExit(9)\n")
    assert invoke(engine, arn, InvocationType="DryRun")["StatusCode"] == 204


def test_unhandled_exception_is_a_function_error(engine: str) -> None:
    arn = create_function(
        engine,
        """
        def handler(event, context):
            raise ValueError("no such order: " + event["order"])
        """,
    )

    response = invoke(engine, arn, {"order": "o-17"})

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Body"])
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "no such order: o-17"
    assert error["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert len(error["stackTrace"]) == 1
    assert 'index.py", line 3, in handler' in error["stackTrace"][0]


def test_timeout_kills_the_function(engine: str) -> None:
    arn = create_function(
        engine,
        """
        import os, time

        def handler(event, context):
            print("pid", os.getpid(), flush=True)
            time.sleep(120)
        """,
        timeout=1,
    )

    response = invoke(engine, arn, LogType="Tail")

    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Body"])
    assert error["errorType"] == "Sandbox.Timedout"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert error["errorMessage"] == (
        f"RequestId: {request_id} Error: Task timed out after 1.00 seconds"
    )
    log = base64.b64decode(response["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in log
    pid = int(re.search(r"pid (\d+)", log).group(1))  # type: ignore[union-attr]
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in _state(pid)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return status.read().lower()
    except OSError:
        return "zombie"


def test_memory_size_is_enforced(engine: str) -> None:
    arn = create_function(
        engine,
        """
        def handler(event, context):
            hog = bytearray(256 * 1024 * 1024)
            return len(hog)
        """,
        memory=128,
    )

    response = invoke(engine, arn)

    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Body"])["errorType"] == "Runtime.OutOfMemory"


def test_result_that_is_not_json_is_a_marshal_error(engine: str) -> None:
    arn = create_function(engine, "def handler(event, context):\n    return {1, 2}\n")
    error = json.loads(invoke(engine, arn)["Body"])
    assert error["errorType"] == "Runtime.MarshalError"
    assert "Unable to marshal response" in error["errorMessage"]


def test_missing_handler_is_reported_as_lambda_does(engine: str) -> None:
    arn = create_function(
        engine, "def handler(event, context):\n    return 1\n", handler="index.main"
    )
    error = json.loads(invoke(engine, arn)["Body"])
    assert error["errorType"] == "Runtime.HandlerNotFound"
    assert error["errorMessage"] == "Handler 'main' missing on module 'index'"


def test_other_runtimes_are_refused_in_words(engine: str) -> None:
    arn = create_function(engine, "exports.handler = async () => 1;", runtime="nodejs20.x")
    client = single_try_lambda(engine)

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName=arn, Payload=b"{}")

    assert raised.value.response["Error"]["Code"] == "InvalidRuntimeException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    message = raised.value.response["Error"]["Message"]
    assert "runtime nodejs20.x is not supported locally" in message
    assert "Python functions only" in message


def test_package_that_cannot_be_unzipped_is_refused(engine: str) -> None:
    client = single_try_lambda(engine)
    arn = client.create_function(
        FunctionName=unique("broken"),
        Runtime="python3.12",
        Role=role_arn(engine, LAMBDA_ROLE, "lambda.amazonaws.com"),
        Handler="index.handler",
        Code={"ZipFile": b"this is not a zip archive"},
    )["FunctionArn"]

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName=arn, Payload=b"{}")

    assert raised.value.response["Error"]["Code"] == "InvalidZipFileException"
    assert "cannot be unzipped" in raised.value.response["Error"]["Message"]


def test_payload_that_is_not_json_is_refused(engine: str) -> None:
    arn = create_function(engine, "def handler(event, context):\n    return 1\n")
    with pytest.raises(ClientError) as raised:
        boto_client("lambda", engine).invoke(FunctionName=arn, Payload=b"{not json")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"


# --- how Step Functions names a function error (pure mapping) ---------------------------


def test_function_error_takes_the_error_type() -> None:
    payload = '{"errorMessage": "m", "errorType": "OrderError", "stackTrace": []}'
    assert lambda_tasks.function_error(payload) == (
        "OrderError",
        '{"errorMessage":"m","errorType":"OrderError","stackTrace":[]}',
    )


def test_function_error_without_a_type_is_lambda_unknown() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    payload = '{"errorMessage": "2024-11-26T00:36:39.604Z 5b1c Task timed out after 3.00 seconds"}'
    error, cause = lambda_tasks.function_error(payload)
    assert error == "Lambda.Unknown"
    assert cause == (
        "The cause could not be determined because Lambda did not return an error type. "
        'Returned payload: {"errorMessage":"2024-11-26T00:36:39.604Z 5b1c Task timed out '
        'after 3.00 seconds"}'
    )


# --- moto version guard ---------------------------------------------------------------


@pytest.mark.parametrize("module", [lambda_invoke, cfn_cdk_metadata])
def test_install_refuses_another_moto(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto, "__version__", "5.2.6")
    with pytest.raises(RuntimeError, match=r"moto 5\.2\.6 is installed"):
        module.install()
