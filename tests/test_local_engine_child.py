"""`sfn-tui --local` runs its engine in a child process forked at launch
(local/engine_child.py). The rule: the engine lives exactly as long as the app. However
the app ends (its quit key, a signal, the terminal closed, SIGKILL), the child ends
too, and nothing listens on its port afterwards; while the app runs, the dashboard shows
what the child seeded."""

from __future__ import annotations

import os
import re
import signal
import socket
from pathlib import Path

import pytest

from tests.helpers import wait_until
from tests.pty_terminal import Terminal, app_environment, sfn_tui

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` listens on (its sockets' inodes in /proc/net/tcp)."""
    inodes = set()
    try:
        fds = list((Path("/proc") / str(pid) / "fd").iterdir())
    except OSError:
        return set()  # the process is gone
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed since the listing (the engine serves the poller meanwhile)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "0A" and parts[9] in inodes:  # 0A: LISTEN
            ports.add(int(parts[1].split(":")[1], 16))
    return ports


def seen(terminal: Terminal, text: bytes) -> bool:
    return text in ANSI.sub(b"", bytes(terminal.output))


def gone(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def refused(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("how", ["q", "SIGTERM", "hangup", "SIGKILL"])
def test_the_local_engine_lives_exactly_as_long_as_the_app(how: str) -> None:
    terminal = Terminal(sfn_tui("--local"), app_environment())
    engine = 0
    try:
        wait_until(
            lambda: seen(terminal, b"WaitThenSucceed"),
            timeout=60,
            message="the seeded machines shown",
        )
        engines = children(terminal.pid)
        assert len(engines) == 1, engines
        engine = engines[0]
        ports = listening_ports(engine)
        assert ports, "the engine child listens"
        assert not listening_ports(terminal.pid), "the app itself serves nothing"
        if how == "q":
            terminal.send(b"q")
        elif how == "hangup":
            terminal.hang_up()
        else:
            os.kill(terminal.pid, getattr(signal, how))
        wait_until(terminal.exited, timeout=30, message="the app exited")
        wait_until(lambda: gone(engine), timeout=20, message="the engine child ended")
        assert all(refused(port) for port in ports), "something still listens on its port"
        if how in ("q", "SIGTERM"):
            assert b"Traceback" not in terminal.output
    finally:
        terminal.kill()
        if engine and not gone(engine):
            os.kill(engine, signal.SIGKILL)  # not left behind when the test fails
