"""The `sfn-tui` command as a user meets it: one clear sentence when AWS is not
configured, and `local-server` serving other clients until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from sfn_tui.aws.connection import ConnectionProblem, resolve
from tests.helpers import wait_until

CLEAN_ENV_KEYS = ("PATH", "SYSTEMROOT", "LANG")
ENDPOINT_LINE = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No AWS configuration at all: an empty HOME, no AWS_* variables, no IMDS."""
    env = {k: v for k, v in os.environ.items() if k in CLEAN_ENV_KEYS}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true", **extra)
    return env


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sfn_tui", *args],
        env=clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "args", "says"),
    [
        ({}, (), "No AWS region is set"),
        ({"AWS_REGION": "eu-west-1"}, (), "No AWS credentials found"),
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, (), "No AWS credentials found"),
        ({}, ("--profile", "missing"), "The AWS profile 'missing' is not configured"),
    ],
)
def test_unconfigured_aws_is_one_clear_sentence(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...], says: str
) -> None:
    result = run_cli(tmp_path, *args, **env)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0] and "--local" in lines[0]
    assert "Traceback" not in result.stderr


def test_loopback_endpoint_needs_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    connection = resolve(profile=None, region=None, endpoint_url="http://127.0.0.1:4566")
    assert connection.dummy_credentials and connection.region == "us-east-1"
    with pytest.raises(ConnectionProblem, match="No AWS region"):
        resolve(profile=None, region=None, endpoint_url="https://states.example.com")


def test_help_mentions_local_and_logging(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    assert "--local" in result.stdout and "--log-file" in result.stdout


def read_endpoint(process: subprocess.Popen[str], timeout: float = 30) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        match = ENDPOINT_LINE.search(line)
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
    raise AssertionError(f"no endpoint printed; output so far: {seen!r}")


def test_local_server_serves_boto3_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_tui", "local-server", "--port", "0"],
        env=clean_env(tmp_path, AWS_PROFILE="not-configured"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = read_endpoint(process)
        sfn: Any = boto3.client(
            "stepfunctions",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
        )
        names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
        assert {"ChatSFN", "WaitThenSucceed", "AlwaysFails"} <= names
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Stopped." in out
    assert "Traceback" not in err and "Traceback" not in out


# Runs `sfn-tui` the way a shell without job control (a script, `cmd &`) runs a command:
# SIGINT ignored across exec, so Python installs no KeyboardInterrupt handler of its own.
SIGINT_IGNORED = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'sfn_tui', *sys.argv[1:]])"
)

# `sfn-tui local-server` (SIGINT ignored as above) whose GetActivityTask long-polls touch
# the file argv[1] once they wait, so a test can interrupt one that is open for sure.
LONG_POLL_MARKED = """
import signal, sys, threading
from sfn_tui.local import activities
signal.signal(signal.SIGINT, signal.SIG_IGN)
marker = sys.argv.pop(1)

class MarkingCondition(threading.Condition):
    def wait(self, timeout=None):
        open(marker, "w").close()
        return super().wait(timeout)

class MarkingQueue(activities._Queue):
    def __init__(self):
        super().__init__()
        self.cond = MarkingCondition()

activities._Queue = MarkingQueue
from sfn_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

# `sfn-tui local-server` whose engine never finishes stopping; argv[1] is STOP_SECONDS.
STOP_HANGS = """
import sys, threading
from sfn_tui import cli
from sfn_tui.local.engine import LocalEngine
cli.STOP_SECONDS = float(sys.argv.pop(1))
LocalEngine.stop = lambda self: threading.Event().wait()
sys.exit(cli.main(sys.argv[1:]))
"""


class Server:
    """A `sfn-tui` child process whose stdout is read by a thread: no step can block."""

    def __init__(self, tmp_path: Path, *argv: str) -> None:
        self._stderr = (tmp_path / "stderr.txt").open("w+")
        self.process = subprocess.Popen(
            [sys.executable, *argv],
            env=clean_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    def wait_for_line(self, text: str) -> str:
        """The first line printed that contains `text` (30 s at most)."""
        return wait_until(
            lambda: next((line for line in list(self._lines) if text in line), None),
            timeout=30,
            message=f"{text!r} printed",
        )

    def endpoint(self) -> str:
        line = self.wait_for_line("listening on ")
        match = ENDPOINT_LINE.search(line)
        assert match, line
        return match.group(1)

    def finish(self) -> tuple[int, str, str]:
        """Wait (30 s at most) for the process to end: its exit code, stdout and stderr."""
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        self._stderr.seek(0)
        return code, "".join(self._lines), self._stderr.read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.close()


def assert_stopped_cleanly(server: Server) -> None:
    code, out, err = server.finish()
    assert code == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err and "Traceback" not in out


def test_ctrl_c_stops_local_server_started_with_sigint_ignored(
    tmp_path: Path, servers: list[Server]
) -> None:
    """`sfn-tui local-server &` from a script, then `kill -INT`: it stops all the same."""
    server = Server(tmp_path, "-c", SIGINT_IGNORED, "local-server", "--port", "0")
    servers.append(server)
    server.endpoint()
    server.process.send_signal(signal.SIGINT)
    assert_stopped_cleanly(server)


def test_ctrl_c_during_start_up_exits_without_traceback(
    tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, "-m", "sfn_tui", "local-server", "--port", "0")
    servers.append(server)
    server.wait_for_line("Starting the local Step Functions engine")
    server.process.send_signal(signal.SIGINT)
    assert_stopped_cleanly(server)


def test_ctrl_c_with_a_long_poll_open_answers_it_and_stops(
    tmp_path: Path, servers: list[Server]
) -> None:
    marker = tmp_path / "long-poll-waiting"
    server = Server(
        tmp_path, "-c", LONG_POLL_MARKED, str(marker), "local-server", "--port", "0", "--no-seed"
    )
    servers.append(server)
    sfn: Any = boto3.client(
        "stepfunctions",
        endpoint_url=server.endpoint(),
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
        config=Config(read_timeout=120, retries={"total_max_attempts": 1}),
    )
    activity = sfn.create_activity(name="held")["activityArn"]
    answers: list[object] = []

    def poll() -> None:
        try:
            answers.append(sfn.get_activity_task(activityArn=activity, workerName="w"))
        except BotoCoreError as exc:  # the process may exit before the answer is out
            answers.append(exc)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    wait_until(marker.exists, timeout=30, message="the long-poll waits")
    server.process.send_signal(signal.SIGINT)
    assert_stopped_cleanly(server)
    poller.join(timeout=30)
    assert answers, "the long-poll is still open"
    assert not isinstance(answers[0], dict) or "taskToken" not in answers[0]


def test_second_ctrl_c_exits_at_once_when_stopping_hangs(
    tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, "-c", STOP_HANGS, "600", "local-server", "--no-seed")
    servers.append(server)
    server.endpoint()
    server.process.send_signal(signal.SIGINT)
    server.wait_for_line("Stopping")
    server.process.send_signal(signal.SIGINT)
    code, out, err = server.finish()
    assert code == 128 + signal.SIGINT
    assert "stopped at once" in err and "Traceback" not in err + out


def test_stop_that_hangs_is_abandoned_after_its_deadline(
    tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, "-c", STOP_HANGS, "0.5", "local-server", "--no-seed")
    servers.append(server)
    server.endpoint()
    server.process.send_signal(signal.SIGTERM)
    code, out, err = server.finish()
    assert code == 1
    assert "did not stop within 0.5 s" in err and "Traceback" not in err + out
