"""Lambda's Invoke on moto 5.2.5 runs Python functions for real (``lambda_runner``).

moto runs a function's code only in Docker and, without it, answers every Invoke with a
"error running docker" function error. ``install()`` replaces ``LambdaFunction.invoke``
(reached by Invoke, InvokeAsync, Step Functions' Lambda tasks, and moto's own event
sources such as SQS event source mappings and SNS subscriptions) so that:

* ``RequestResponse`` runs the function and answers its result, with
  ``X-Amz-Executed-Version``, ``X-Amz-Function-Error: Unhandled`` when it failed, and
  ``X-Amz-Log-Result`` (the last 4 KB of the log) when ``LogType`` is ``Tail``;
* ``Event`` answers 202 at once and runs the function in the background;
* ``DryRun`` answers 204 without running anything;
* a function the local engine cannot run (not a python3.x runtime, a container image)
  answers ``InvalidRuntimeException`` (HTTP 502) saying so, never a canned result;
* a payload that is not JSON answers ``InvalidRequestContentException``, a package that
  cannot be unzipped ``InvalidZipFileException``, as Lambda does;
* the answer's request id is the invocation's (the function's ``aws_request_id``);
* each invocation's log goes to CloudWatch Logs, group ``/aws/lambda/<name>``.

The function's AWS calls go to this engine: ``AWS_ENDPOINT_URL`` is
``http://127.0.0.1:$MOTO_PORT`` (the engine sets MOTO_PORT when it starts).
``install()`` also installs ``lambda_tasks`` (how Step Functions reports the results)
and refuses any moto but 5.2.5.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import uuid
from importlib import import_module
from typing import Any

from sfn_tui.local import lambda_runner, lambda_tasks, patches

_install_lock = threading.Lock()
_installed = False
_log_lock = threading.Lock()  # moto's Logs backend is not thread-safe


def install() -> None:
    """Patch moto (idempotent). Raises RuntimeError on any moto version but 5.2.5."""
    global _installed
    patches.check_moto()
    with _install_lock:
        if not _installed:
            _patch()
            lambda_tasks.install()
            _installed = True


def shutdown() -> None:
    """Kill the functions still running (the engine is stopping)."""
    lambda_runner.shutdown()


def endpoint_url() -> str:
    """The engine's own endpoint, for the functions' AWS calls."""
    from moto.settings import moto_server_port

    return f"http://127.0.0.1:{moto_server_port()}"


def spec_of(function: Any) -> lambda_runner.FunctionSpec:
    """The runner's view of a moto ``LambdaFunction``."""
    return lambda_runner.FunctionSpec(
        name=function.function_name,
        invoked_arn=function.function_arn,
        version=str(function.version),
        runtime=function.run_time,
        handler=function.handler,
        timeout=float(function.timeout or 3),
        memory_mb=int(function.memory_size or 128),
        environment=dict(function.environment_vars or {}),
        region=function.region,
        code_zip=getattr(function, "code_bytes", None) or None,
        code_id=str(getattr(function, "code_sha_256", "") or function.function_name),
        package_type=function.package_type or "Zip",
    )


def _header(headers: Any, name: str) -> str | None:
    """A request header whatever the mapping (werkzeug headers, or a dict from moto)."""
    if not headers:
        return None
    value = headers.get(name)
    if value is None and isinstance(headers, dict):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return None if value is None else str(value)


def _client_context(headers: Any) -> dict[str, object] | None:
    raw = _header(headers, "X-Amz-Client-Context")
    if not raw:
        return None
    try:
        value = json.loads(base64.b64decode(raw))
    except (binascii.Error, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _save_log(function: Any, invocation: lambda_runner.Invocation) -> None:
    """The invocation's log in CloudWatch Logs, as Lambda writes it."""
    logs = function.logs_backend
    group = f"/aws/lambda/{function.function_name}"
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in invocation.log.splitlines()]
    with _log_lock:
        logs.ensure_log_group(group)
        logs.create_log_stream(group, invocation.log_stream)
        if events:
            logs.put_log_events(group, invocation.log_stream, events)


def _patch() -> None:
    models = import_module("moto.awslambda.models")
    JsonRESTError = import_module("moto.core.exceptions").JsonRESTError

    class InvalidRuntimeException(JsonRESTError):  # type: ignore[misc, valid-type]
        code = 502

        def __init__(self, message: str) -> None:
            super().__init__("InvalidRuntimeException", message)

    class InvalidRequestContentException(JsonRESTError):  # type: ignore[misc, valid-type]
        code = 400

        def __init__(self, message: str) -> None:
            super().__init__("InvalidRequestContentException", message)

    class InvalidZipFileException(JsonRESTError):  # type: ignore[misc, valid-type]
        code = 502

        def __init__(self, message: str) -> None:
            super().__init__("InvalidZipFileException", message)

    def invoke(
        self: Any, body: str | bytes | None, request_headers: Any, response_headers: Any
    ) -> bytes:
        invocation_type = _header(request_headers, "X-Amz-Invocation-Type") or "RequestResponse"
        spec = spec_of(self)
        reason = lambda_runner.unsupported_reason(spec)
        if reason is not None:
            raise InvalidRuntimeException(reason)
        event = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        if not event.strip():
            event = b"{}"
        try:
            json.loads(event)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidRequestContentException(
                f"Could not parse request body into json: {exc}"
            ) from None
        request_id = str(uuid.uuid4())
        response_headers["x-amzn-requestid"] = request_id  # kept by _enrich_response below
        if invocation_type == "DryRun":
            return b""
        endpoint = endpoint_url()
        context = _client_context(request_headers)
        if invocation_type == "Event":
            threading.Thread(
                target=_run_and_log,
                args=(self, spec, event, endpoint, request_id, context),
                name=f"sfn-tui-lambda-{spec.name}",
                daemon=True,
            ).start()
            return b""
        try:
            invocation = lambda_runner.run(
                spec, event, endpoint_url=endpoint, request_id=request_id, client_context=context
            )
        except lambda_runner.UnsupportedFunction as exc:
            raise InvalidRuntimeException(str(exc)) from None
        except lambda_runner.InvalidZipFile as exc:
            raise InvalidZipFileException(str(exc)) from None
        _save_log(self, invocation)
        response_headers["X-Amz-Executed-Version"] = invocation.executed_version
        if invocation.function_error:
            response_headers["x-amz-function-error"] = invocation.function_error
        # moto's response keeps this header only when the request asked for the log tail.
        response_headers["x-amz-log-result"] = invocation.log_result()
        return invocation.payload

    models.LambdaFunction.invoke = invoke

    # moto gives every answer a random request id; Invoke's must be the invocation's
    # (the function's context.aws_request_id), as on Lambda.
    responses = import_module("moto.awslambda.responses").LambdaResponse
    enrich = responses._enrich_response

    def enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        ours = headers.get("x-amzn-requestid")
        headers, body = enrich(headers, body)
        if ours:
            headers["x-amzn-requestid"] = ours
        return headers, body

    responses._enrich_response = staticmethod(enrich_response)


def _run_and_log(
    function: Any,
    spec: lambda_runner.FunctionSpec,
    event: bytes,
    endpoint: str,
    request_id: str,
    context: dict[str, object] | None,
) -> None:
    """An ``Event`` invocation, in its own thread: the result only goes to the log."""
    try:
        invocation = lambda_runner.run(
            spec, event, endpoint_url=endpoint, request_id=request_id, client_context=context
        )
    except (lambda_runner.UnsupportedFunction, lambda_runner.InvalidZipFile):
        return  # nobody to answer; Lambda would drop the event after its retries
    _save_log(function, invocation)
