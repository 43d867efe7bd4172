"""Step Functions' Lambda tasks on moto 5.2.5 report results and errors as AWS does.

Checked against the AWS documentation:

* ``arn:aws:states:::lambda:invoke`` answers the whole Invoke response: moto kept only
  ``ExecutedVersion``, ``Payload`` and ``StatusCode``; AWS also gives ``SdkHttpMetadata``
  (the HTTP headers and status) and ``SdkResponseMetadata`` (the request id).
  (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html)
* A function error names the error after the payload's ``errorType`` with the payload
  as the cause; a payload without ``errorType`` is ``Lambda.Unknown`` with "The cause
  could not be determined because Lambda did not return an error type. Returned
  payload: ...". moto named it ``Exception``.
  (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)
* Lambda service errors on a Task whose Resource is the function ARN are
  ``Lambda.<ErrorCode>`` as for ``lambda:invoke``; moto named them ``Exception`` and
  dropped the code. (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html)

Installed by ``lambda_invoke.install()``, which checks the moto version.
"""

from __future__ import annotations

import email.utils
import json
import secrets
import time
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False

UNKNOWN_ERROR = "Lambda.Unknown"
UNKNOWN_CAUSE = (
    "The cause could not be determined because Lambda did not return an error type. "
    "Returned payload: {payload}"
)

# Header names as AWS's SDK (and so Step Functions) spells them; botocore lowercases them.
_HEADER_NAMES = {
    "connection": "Connection",
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "date": "Date",
    "x-amz-executed-version": "X-Amz-Executed-Version",
    "x-amz-function-error": "X-Amz-Function-Error",
    "x-amz-log-result": "X-Amz-Log-Result",
    "x-amzn-remapped-content-length": "x-amzn-Remapped-Content-Length",
    "x-amzn-requestid": "x-amzn-RequestId",
    "x-amzn-trace-id": "X-Amzn-Trace-Id",
}


def function_error(payload: str) -> tuple[str, str]:
    """The (error, cause) Step Functions reports for a function error's payload."""
    try:
        document = json.loads(payload)
    except ValueError:
        document = None
    error_type = document.get("errorType") if isinstance(document, dict) else None
    if document is not None:  # compact, as Step Functions writes it
        payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if isinstance(error_type, str) and error_type:
        return error_type, payload
    return UNKNOWN_ERROR, UNKNOWN_CAUSE.format(payload=payload)


def client_error(response: dict[str, Any]) -> tuple[str, str]:
    """The (error, cause) for a Lambda API error (``Lambda.<ErrorCode>``)."""
    code = response.get("Error", {}).get("Code", "ServiceException")
    message = response.get("Error", {}).get("Message", "")
    meta = response.get("ResponseMetadata", {})
    details = "; ".join(
        [
            "Service: AWSLambda",
            f"Status Code: {meta.get('HTTPStatusCode', 500)}",
            f"Error Code: {code}",
            f"Request ID: {meta.get('RequestId', '')}",
            "Proxy: null",
        ]
    )
    return f"Lambda.{code}", f"{message} ({details})"


def sdk_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata`` as ``lambda:invoke`` gives them."""
    meta = response.get("ResponseMetadata", {})
    received = {str(k).lower(): str(v) for k, v in meta.get("HTTPHeaders", {}).items()}
    request_id = received.get("x-amzn-requestid") or meta.get("RequestId") or ""
    headers = {
        "Connection": "keep-alive",
        "Content-Type": received.get("content-type", "application/json"),
        "Date": received.get("date") or email.utils.formatdate(time.time(), usegmt=True),
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Sampled=0",
    }
    for key, value in received.items():
        name = _HEADER_NAMES.get(key)
        if name is not None and name not in headers:
            headers[name] = value
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": meta.get("HTTPStatusCode", 200),
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _parse_payload(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def install() -> None:
    """Patch the engine's Lambda task evaluation (idempotent; lambda_invoke calls it)."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    task = f"{asl}.component.state.exec.state_task"
    utils: Any = import_module(f"{task}.lambda_eval_utils")
    boto_client_for = import_module(f"{asl}.utils.boto_client").boto_client_for
    CustomErrorName = import_module(
        f"{asl}.component.common.error_name.custom_error_name"
    ).CustomErrorName
    ClientError = import_module("botocore.exceptions").ClientError
    StateTaskLambda = import_module(f"{task}.state_task_lambda").StateTaskLambda
    StateTaskServiceLambda = import_module(
        f"{task}.service.state_task_service_lambda"
    ).StateTaskServiceLambda
    original_integration = utils.execute_lambda_function_integration

    def execute_lambda_function_integration(
        env: Any, parameters: dict[str, Any], region: str, state_credentials: Any
    ) -> None:
        if env.is_mocked_mode():
            original_integration(env, parameters, region, state_credentials)
            return
        client = boto_client_for(
            service="lambda", region=region, state_credentials=state_credentials
        )
        response = client.invoke(**parameters)
        text = response["Payload"].read().decode("utf-8")
        if response.get("FunctionError"):
            raise utils.LambdaFunctionErrorException(response["FunctionError"], text)
        output: dict[str, Any] = {}
        if "ExecutedVersion" in response:
            output["ExecutedVersion"] = response["ExecutedVersion"]
        if "LogResult" in response:
            output["LogResult"] = response["LogResult"]
        output["Payload"] = _parse_payload(text)
        output.update(sdk_metadata(response))
        output["StatusCode"] = response.get("StatusCode", 200)
        env.stack.append(output)

    utils.execute_lambda_function_integration = execute_lambda_function_integration

    def renamed(failure: Any, error: str, cause: str) -> Any:
        failure.error_name = CustomErrorName(error)
        details = failure.event_details
        if details:
            spec = next(iter(details.values()))
            spec["error"], spec["cause"] = error, cause
        return failure

    for cls in (StateTaskLambda, StateTaskServiceLambda):
        original_from_error = cls._from_error

        def from_error(
            self: Any, env: Any, ex: Exception, _original: Any = original_from_error
        ) -> Any:
            failure = _original(self, env, ex)
            if isinstance(ex, utils.LambdaFunctionErrorException):
                return renamed(failure, *function_error(ex.payload))
            if isinstance(ex, ClientError) and isinstance(self, StateTaskLambda):
                return renamed(failure, *client_error(ex.response))
            return failure

        cls._from_error = from_error
