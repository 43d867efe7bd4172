"""Run a Python Lambda function for real, in a child process, without Docker.

moto runs Lambda code only in Docker containers (and ``awslambda_simple`` returns
canned answers). ``run()`` instead starts the interpreter running sfn-tui on
``lambda_bootstrap.py`` in the function's unpacked code, with the function's
environment variables, Lambda's reserved ones, the engine's endpoint in
``AWS_ENDPOINT_URL`` and dummy credentials (so the function's boto3 calls reach the same
local engine, never AWS: the user's AWS config files are hidden from it), and enforces:

* the function's timeout, counted from the end of Init as on Lambda (Init itself may
  take ``INIT_SECONDS``): the process group is killed and the answer is Lambda's
  ``Sandbox.Timedout`` error;
* its memory size: a process whose resident memory grows past it is killed
  (``Runtime.OutOfMemory``);
* a process that exits without answering gives ``Runtime.ExitError``.

Every invocation is a cold start (a fresh process): module-level state does not carry
over between invocations as it can on a warm Lambda. At most ``MAX_CONCURRENT`` run at
once; more wait their turn (before their clock starts). This module imports no moto.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import datetime
import io
import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INIT_SECONDS: float = 10.0
"""How long Init (interpreter start and handler import) may take (Lambda: 10 s)."""

MAX_CONCURRENT: int = 8
"""Invocations running at once; the others wait for a free slot."""

POLL_SECONDS = 0.02  # how often a running child's exit, clock and memory are checked
LOG_TAIL_BYTES = 4096  # Invoke's LogResult: "the last 4 KB of the execution log"
GRACE_SECONDS = 5.0  # the child's own guard fires this long after the runner should have

_BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_live_lock = threading.Lock()
_live: set[subprocess.Popen[bytes]] = set()
_code_lock = threading.Lock()
_code_root: Path | None = None


class UnsupportedFunction(Exception):
    """The function cannot run on the local engine (not a Python zip function)."""


class InvalidZipFile(Exception):
    """The function's deployment package cannot be unzipped."""


@dataclass(frozen=True)
class FunctionSpec:
    """What the runner needs to know about the function being invoked."""

    name: str
    invoked_arn: str  # the ARN as invoked (with the version or alias when one was given)
    version: str  # "$LATEST" or a published version number
    runtime: str | None
    handler: str | None
    timeout: float  # seconds
    memory_mb: int
    environment: Mapping[str, str]
    region: str
    code_zip: bytes | None
    code_id: str  # identifies the code (its SHA-256): the unpacked copy is reused
    package_type: str = "Zip"


@dataclass
class Invocation:
    """One invocation's answer, as Lambda's Invoke returns it, and its log."""

    request_id: str
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed, else None
    executed_version: str
    log: str = ""
    log_stream: str = ""
    duration_ms: float = 0.0
    init_ms: float = 0.0
    max_memory_mb: int = 0
    error_type: str | None = field(default=None)

    def log_result(self) -> str:
        """Invoke's LogResult: the last 4 KB of the log, base64-encoded."""
        return base64.b64encode(self.log.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


def unsupported_reason(spec: FunctionSpec) -> str | None:
    """Why the local engine cannot run this function, in words; None when it can."""
    if spec.package_type != "Zip":
        return (
            f"The local engine cannot run function {spec.name}: it is a container image "
            "function, and sfn-tui runs only Python functions deployed as .zip (no Docker)."
        )
    runtime = spec.runtime or ""
    if not runtime.startswith("python3"):
        return (
            f"The local engine cannot run function {spec.name}: runtime {runtime or '(none)'} "
            "is not supported locally. sfn-tui runs Python functions only (python3.x runtimes), "
            "without Docker; deploy this function to AWS or use a Python runtime."
        )
    if not spec.code_zip:
        return f"The local engine cannot run function {spec.name}: its code is not available."
    if not spec.handler:
        return f"The local engine cannot run function {spec.name}: it has no handler."
    return None


def run(
    spec: FunctionSpec,
    event: bytes,
    *,
    endpoint_url: str,
    request_id: str | None = None,
    client_context: dict[str, object] | None = None,
) -> Invocation:
    """Invoke the function once and wait for its answer.

    Raises UnsupportedFunction (see ``unsupported_reason``) or InvalidZipFile.
    """
    reason = unsupported_reason(spec)
    if reason is not None:
        raise UnsupportedFunction(reason)
    request_id = request_id or str(uuid.uuid4())
    task_root = _unpacked_code(spec)
    with _slots, tempfile.TemporaryDirectory(prefix="sfn-tui-invoke-") as scratch:
        return _run_child(
            spec, event, task_root, Path(scratch), endpoint_url, request_id, client_context
        )


def shutdown() -> None:
    """Kill every running invocation's process group (the engine is stopping)."""
    with _live_lock:
        processes = list(_live)
    for process in processes:
        _kill(process)


def _run_child(
    spec: FunctionSpec,
    event: bytes,
    task_root: Path,
    scratch: Path,
    endpoint_url: str,
    request_id: str,
    client_context: dict[str, object] | None,
) -> Invocation:
    today = datetime.datetime.now(tz=datetime.UTC)
    log_stream = f"{today:%Y/%m/%d}/[{spec.version}]{uuid.uuid4().hex}"
    result_path = scratch / "result.json"
    invocation_path = scratch / "invocation.json"
    invocation_path.write_text(
        json.dumps(
            {
                "request_id": request_id,
                "invoked_function_arn": spec.invoked_arn,
                "event": event.decode("utf-8") or "{}",
                "timeout_seconds": spec.timeout,
                "hard_limit_seconds": INIT_SECONDS + spec.timeout + GRACE_SECONDS,
                "result_path": str(result_path),
                "client_context": client_context,
            }
        ),
        encoding="utf-8",
    )
    env = _environment(spec, task_root, endpoint_url, log_stream)
    ready_read, ready_write = os.pipe()
    started = time.monotonic()
    with open(scratch / "output.log", "w+b") as output:
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    # -E: no PYTHON* variables; -P: no script folder on sys.path (the
                    # user site stays: sfn-tui's boto3 may be installed there); -u: the
                    # log keeps prints and errors in order.
                    "-E",
                    "-P",
                    "-u",
                    str(_BOOTSTRAP),
                    str(invocation_path),
                    str(ready_write),
                ],
                cwd=task_root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(ready_write,),
                start_new_session=True,  # its own process group, killed as a whole
            )
        finally:
            os.close(ready_write)
        with _live_lock:
            _live.add(process)
        try:
            outcome = _watch(process, ready_read, spec, started)
        finally:
            os.close(ready_read)
            _kill(process)
            with _live_lock:
                _live.discard(process)
        output.seek(0)
        printed = output.read().decode("utf-8", errors="replace")

    error: dict[str, object] | None = None
    payload = b""
    status = ""
    limit = INIT_SECONDS if outcome.in_init else spec.timeout
    if outcome.kind == "timeout":
        error = _sandbox_error(
            "Sandbox.Timedout", request_id, f"Task timed out after {limit:.2f} seconds"
        )
        status = "timeout"
    elif outcome.kind == "memory":
        error = _sandbox_error(
            "Runtime.OutOfMemory", request_id, "Runtime exited with error: signal: killed"
        )
        status = "error\tError Type: Runtime.OutOfMemory"
    else:
        answer = _read_result(result_path)
        if answer is None:
            error = _sandbox_error(
                "Runtime.ExitError", request_id, _exit_description(process.returncode)
            )
            status = "error\tError Type: Runtime.ExitError"
        elif isinstance(answer.get("error"), dict):
            error = dict(answer["error"])
        else:
            payload = str(answer.get("payload", "null")).encode("utf-8")
    if error is not None:
        payload = json.dumps(error).encode("utf-8")

    log = _log_text(spec, request_id, printed, outcome, limit, status)
    return Invocation(
        request_id=request_id,
        payload=payload,
        function_error="Unhandled" if error is not None else None,
        executed_version=spec.version,
        log=log,
        log_stream=log_stream,
        duration_ms=outcome.duration_ms,
        init_ms=outcome.init_ms,
        max_memory_mb=outcome.peak_mb,
        error_type=str(error.get("errorType")) if error is not None else None,
    )


@dataclass
class _Outcome:
    kind: str  # "done", "timeout" or "memory"
    init_ms: float
    duration_ms: float
    peak_mb: int
    in_init: bool  # the process never finished Init


def _watch(
    process: subprocess.Popen[bytes], ready: int, spec: FunctionSpec, started: float
) -> _Outcome:
    """Wait for the child to answer, time out or outgrow its memory size."""
    peak_mb = 0
    init_done: float | None = None
    deadline = started + INIT_SECONDS

    def outcome(kind: str) -> _Outcome:
        init_end = init_done if init_done is not None else time.monotonic()
        return _Outcome(
            kind, _ms(started, init_end), _ms(init_done, None), peak_mb, init_done is None
        )

    while True:
        rss_mb, peak_now = _memory_mb(process.pid)
        peak_mb = max(peak_mb, peak_now)
        if 0 < spec.memory_mb < rss_mb:
            return outcome("memory")
        if init_done is None:
            readable, _, _ = select.select([ready], [], [], POLL_SECONDS)
            if readable:
                os.read(ready, 1)  # b"1", or b"" if the child died during Init
                init_done = time.monotonic()
                deadline = init_done + spec.timeout
        elif process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(POLL_SECONDS)
        if process.poll() is not None:
            return outcome("done")
        if time.monotonic() >= deadline:
            return outcome("timeout")


def _ms(start: float | None, end: float | None) -> float:
    if start is None:
        return 0.0
    return max(0.0, ((end if end is not None else time.monotonic()) - start) * 1000)


def _memory_mb(pid: int) -> tuple[int, int]:
    """The process's resident and peak resident memory in MB (Linux; (0, 0) elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0, 0
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) // 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
    else:  # the handler may have left children running in its group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _read_result(path: Path) -> dict[str, Any] | None:
    try:
        answer = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def _sandbox_error(error_type: str, request_id: str, what: str) -> dict[str, object]:
    """An error Lambda itself reports (not the function's code)."""
    return {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {what}"}


_SIGNAL_WORDS = {
    signal.SIGKILL: "killed",
    signal.SIGTERM: "terminated",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
}


def _exit_description(returncode: int | None) -> str:
    if returncode is None or returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode < 0:
        try:
            number = signal.Signals(-returncode)
        except ValueError:
            return f"Runtime exited with error: signal {-returncode}"
        return f"Runtime exited with error: signal: {_SIGNAL_WORDS.get(number, number.name)}"
    return f"Runtime exited with error: exit status {returncode}"


def _log_text(
    spec: FunctionSpec,
    request_id: str,
    printed: str,
    outcome: _Outcome,
    limit: float,
    status: str,
) -> str:
    """The invocation's log as Lambda writes it: START, the output, END, REPORT."""
    lines = [f"START RequestId: {request_id} Version: {spec.version}"]
    if printed:
        lines.append(printed.rstrip("\n"))
    if outcome.kind == "timeout":
        now = datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        lines.append(f"{now}Z {request_id} Task timed out after {limit:.2f} seconds")
    lines.append(f"END RequestId: {request_id}")
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {outcome.duration_ms:.2f} ms\t"
        f"Billed Duration: {math.ceil(outcome.duration_ms + outcome.init_ms)} ms\t"
        f"Memory Size: {spec.memory_mb} MB\tMax Memory Used: {outcome.peak_mb} MB\t"
        f"Init Duration: {outcome.init_ms:.2f} ms"
    )
    if status:
        report += f"\tStatus: {status}"
    lines.append(report)
    return "\n".join(lines) + "\n"


def _environment(
    spec: FunctionSpec, task_root: Path, endpoint_url: str, log_stream: str
) -> dict[str, str]:
    """The child's environment: Lambda's variables, the function's, the local endpoint."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        # Every AWS call the function makes goes to the local engine; the user's AWS
        # configuration (profiles, SSO, credentials) is never read.
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update({str(k): str(v) for k, v in spec.environment.items()})
    env.update(
        {  # reserved: a function cannot set these on Lambda
            "_HANDLER": spec.handler or "",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(_BOOTSTRAP.parent),
        }
    )
    return env


def _unpacked_code(spec: FunctionSpec) -> Path:
    """The function's code unpacked once per code version, under a per-process folder."""
    global _code_root
    with _code_lock:
        if _code_root is None:
            _code_root = Path(tempfile.mkdtemp(prefix="sfn-tui-lambda-"))
            atexit.register(shutil.rmtree, _code_root, True)
        target = _code_root / f"{_safe(spec.name)}-{_safe(spec.code_id)[:32]}"
        if not target.is_dir():
            partial = target.with_name(target.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            try:
                with zipfile.ZipFile(io.BytesIO(spec.code_zip or b"")) as archive:
                    archive.extractall(partial)  # strips absolute and ".." paths
            except zipfile.BadZipFile as exc:
                raise InvalidZipFile(
                    f"The deployment package of function {spec.name} cannot be unzipped: {exc}"
                ) from None
            partial.rename(target)
        return target


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text) or "function"
