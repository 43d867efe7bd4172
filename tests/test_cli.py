"""The `sfn-tui` command as a user meets it: one clear sentence when AWS is not
configured, and `local-server` serving other clients until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from sfn_tui.aws.connection import ConnectionProblem, resolve

CLEAN_ENV_KEYS = ("PATH", "SYSTEMROOT", "LANG")


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
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
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
