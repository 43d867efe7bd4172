"""The child side of the local Lambda runner: one invocation of a Python handler.

``lambda_runner`` starts this file as a script, ``python -E -P -u lambda_bootstrap.py
INVOCATION_FILE READY_FD``, in a new process whose working directory is the function's
unpacked code (``LAMBDA_TASK_ROOT``) and whose environment is the function's. It does
what Lambda's Python runtime does for one invocation:

* Init: puts the code first on ``sys.path``, sets up the root logger as Lambda does and
  imports the handler's module; then writes one byte to READY_FD (the runner starts the
  function's timeout clock there, as Lambda does not count Init against it);
* Invoke: calls ``handler(event, context)`` and writes the JSON answer, or the error
  document Lambda's Python runtime writes (``errorMessage``, ``errorType``,
  ``requestId``, ``stackTrace``), to the result file named in the invocation file.

Everything the function prints goes to stdout/stderr, which the runner keeps as the
invocation's log. A timer ends this process if the runner is gone and cannot kill it.
This file imports nothing from sfn_tui (its folder is not on ``sys.path``: ``-P``), so
that it stays out of the way of the user's code.
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import math
import os
import sys
import threading
import time
import traceback
from typing import Any

_THIS_FILE = os.path.abspath(__file__)


class _Identity:
    """``context.identity`` (Cognito identity; empty when not invoked through Cognito)."""

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None


class _ClientContext:
    """``context.client_context`` from the Invoke call's ClientContext (base64 JSON)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.client: Any = data.get("client")
        self.custom: Any = data.get("custom")
        self.env: Any = data.get("env")


class LambdaContext:
    """The context object a Python handler receives (attribute names as on Lambda)."""

    def __init__(self, invocation: dict[str, Any], deadline: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn: str = invocation["invoked_function_arn"]
        # A string on Lambda too (read from AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id: str = invocation["request_id"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = _Identity()
        client_context = invocation.get("client_context")
        self.client_context = (
            _ClientContext(client_context) if isinstance(client_context, dict) else None
        )
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


class _Encoder(json.JSONEncoder):
    """Lambda's Python runtime writes Decimal (DynamoDB numbers) as JSON numbers."""

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


class _RequestIdFilter(logging.Filter):
    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _set_up_logging(request_id: str) -> None:
    """The root logger's handler and line format as in Lambda's Python runtime."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter(request_id))
    logging.getLogger().addHandler(handler)


def _error(message: str, error_type: str, request_id: str, trace: list[str]) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": trace,
    }


def _user_frames(tb: Any) -> list[str]:
    """The traceback's frames without this file's (as Lambda shows only user code)."""
    frames = [f for f in traceback.extract_tb(tb) if os.path.abspath(f.filename) != _THIS_FILE]
    return traceback.format_list(frames)


def _log_exception(exc: BaseException, trace: list[str]) -> None:
    print(
        f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):\n"
        + "".join(trace),
        file=sys.stdout,
        flush=True,
    )


def _load_handler(spec: str, request_id: str) -> tuple[Any, dict[str, Any] | None]:
    """Import the handler ``module.function`` (Lambda's Init phase)."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        return None, _error(
            f"Bad handler '{spec}': {exc}", "Runtime.MalformedHandlerName", request_id, []
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        return None, _error(
            f"Unable to import module '{module_name}': {exc}",
            "Runtime.ImportModuleError",
            request_id,
            [],
        )
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        return None, _error(
            f"Syntax error in module '{module_name}': {exc}",
            "Runtime.UserCodeSyntaxError",
            request_id,
            trace,
        )
    except Exception as exc:  # the module's own code failed: reported like a handler error
        trace = _user_frames(exc.__traceback__)
        _log_exception(exc, trace)
        return None, _error(str(exc), type(exc).__name__, request_id, trace)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        return None, _error(
            f"Handler '{function_name}' missing on module '{module_name}'",
            "Runtime.HandlerNotFound",
            request_id,
            [],
        )
    return handler, None


def _write_result(path: str, result: dict[str, Any]) -> None:
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as out:
        json.dump(result, out)
    os.replace(partial, path)


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as source:
        invocation = json.load(source)
    ready_fd = int(argv[2])
    request_id: str = invocation["request_id"]
    result_path: str = invocation["result_path"]
    # If the runner is gone (killed), nobody enforces the timeout: end at the latest here.
    guard = threading.Timer(float(invocation["hard_limit_seconds"]), os._exit, (137,))
    guard.daemon = True
    guard.start()

    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    _set_up_logging(request_id)
    handler, init_error = _load_handler(os.environ.get("_HANDLER", ""), request_id)
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    if init_error is not None:
        _write_result(result_path, {"error": init_error})
        return 0

    event = json.loads(invocation["event"])
    context = LambdaContext(invocation, time.time() + float(invocation["timeout_seconds"]))
    try:
        answer = handler(event, context)
    except Exception as exc:
        trace = _user_frames(exc.__traceback__)
        _log_exception(exc, trace)
        _write_result(
            result_path, {"error": _error(str(exc), type(exc).__name__, request_id, trace)}
        )
        return 0
    try:
        payload = json.dumps(answer, cls=_Encoder, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        error = _error(f"Unable to marshal response: {exc}", "Runtime.MarshalError", request_id, [])
        _write_result(result_path, {"error": error})
        return 0
    _write_result(result_path, {"payload": payload})
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # like Lambda, do not wait for threads the function left running
