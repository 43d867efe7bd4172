"""The definition form's File field reads only regular files of at most 1 MiB (the
Step Functions definition quota), and says why otherwise, without blocking (a FIFO) or
growing without bound (/dev/zero). Each hostile path is read in a child process with a
capped address space and a deadline, so a regression fails the test instead of taking
the machine's memory or hanging the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.core.validation import MAX_DEFINITION_BYTES
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.pilot_helpers import wait_shown
from tests.test_modals import open_modal, type_into

ADDRESS_SPACE = 1024 * 1024 * 1024  # a child that reads /dev/zero to the end dies here
DEADLINE = 20.0  # seconds; a FIFO opened for reading blocks until a writer comes

READER = """
import resource, sys
from pathlib import Path
from sfn_tui.core.definition_file import read_definition_file
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
try:
    text = read_definition_file(Path(sys.argv[1]))
except ValueError as error:
    print("REFUSED", error)
else:
    print("READ", len(text.encode("utf-8")))
"""


def read_in_child(path: Path | str) -> str:
    """What `read_definition_file` says about `path`, read in a child process."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", READER.format(cap=ADDRESS_SPACE), str(path)],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"reading {path} blocked for {DEADLINE} s") from None
    assert done.returncode == 0, f"reading {path} failed: {done.stderr[-2000:]}"
    return done.stdout.strip()


def test_a_device_is_refused() -> None:
    said = read_in_child("/dev/zero")
    assert said.startswith("REFUSED"), said
    assert "not a regular file" in said and "device" in said


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "definition.fifo"
    os.mkfifo(fifo)
    said = read_in_child(fifo)
    assert said.startswith("REFUSED"), said
    assert "named pipe" in said and "not a regular file" in said


def test_a_directory_is_refused(tmp_path: Path) -> None:
    said = read_in_child(tmp_path)
    assert said.startswith("REFUSED") and "is a folder" in said, said


def test_a_2_gb_sparse_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as out:
        out.truncate(2 * 1024**3)
    said = read_in_child(big)
    assert said.startswith("REFUSED"), said
    assert "2,147,483,648 bytes" in said and "1,048,576 bytes" in said


def test_the_limit_is_1_mib_exactly(tmp_path: Path) -> None:
    at_limit = tmp_path / "at-limit.json"
    padding = MAX_DEFINITION_BYTES - len('{"Comment": ""}')
    at_limit.write_text(json.dumps({"Comment": "x" * padding}), encoding="utf-8")
    assert at_limit.stat().st_size == MAX_DEFINITION_BYTES
    assert read_in_child(at_limit) == f"READ {MAX_DEFINITION_BYTES}"
    over = tmp_path / "over.json"
    over.write_bytes(at_limit.read_bytes() + b" ")
    said = read_in_child(over)
    assert said.startswith("REFUSED") and "1,048,577 bytes" in said, said


def test_missing_and_unreadable_paths_are_said(tmp_path: Path) -> None:
    said = read_in_child(tmp_path / "missing.json")
    assert said.startswith("REFUSED") and "There is no file at" in said, said
    plain_file = tmp_path / "plain.json"
    plain_file.write_text("{}")
    said = read_in_child(plain_file / "under-a-file.json")
    assert said.startswith("REFUSED") and "cannot be read" in said, said
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    said = read_in_child(binary)
    assert said.startswith("REFUSED") and "not UTF-8" in said, said


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_said(tmp_path: Path) -> None:
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0)
    said = read_in_child(locked)
    assert said.startswith("REFUSED") and "permission denied" in said, said


async def test_the_form_says_why_a_path_is_refused(engine: str, tmp_path: Path) -> None:
    """Through the File field: the reason is on screen and the editor keeps its text."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    connection = Connection(region="eu-south-1", endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        before = editor.text
        for path, reason in (
            ("/dev/zero", "is a device"),
            (str(fifo), "is a named pipe"),
            (str(tmp_path), "is a folder"),
        ):
            await type_into(pilot, form, "#sm-file", path)
            await pilot.press("enter")
            await wait_shown(pilot, reason, flat=True)
        assert editor.text == before
