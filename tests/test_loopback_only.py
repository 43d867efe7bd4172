"""The embedded engine listens on 127.0.0.1 only: the kernel's table of listening
sockets says so, and a connection to the machine's own non-loopback address is refused."""

from __future__ import annotations

import contextlib
import errno
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sfn_tui.local.engine import LocalEngine

LISTEN = "0A"
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it (little-endian hex)


def listening(port: int) -> list[tuple[str, str]]:
    """(table, local address hex) of every listening TCP socket on `port`."""
    found = []
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == LISTEN:
                found.append((table, address))
    return found


def own_non_loopback_address() -> str | None:
    """This machine's address on its default route, if it has one (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 9))
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_the_engine_listens_on_loopback_only(engine: str) -> None:
    url = urlparse(engine)
    assert url.hostname == "127.0.0.1"
    assert url.port is not None
    sockets = listening(url.port)
    assert sockets, "the engine's listening socket was not found"
    assert sockets == [("tcp", LOOPBACK_V4)], sockets  # no 0.0.0.0, no IPv6 wildcard


def test_a_new_engine_defaults_to_loopback_and_refuses_other_addresses(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # start() points MOTO_PORT (service integrations) at itself: the session's engine
    # gets it back afterwards.
    monkeypatch.setenv("MOTO_PORT", str(urlparse(engine).port))
    local = LocalEngine(port=0)  # as `--local` and `local-server` make it
    url = urlparse(local.start())
    try:
        assert url.hostname == "127.0.0.1" and url.port is not None
        if Path("/proc/net/tcp").exists():
            assert listening(url.port) == [("tcp", LOOPBACK_V4)]
        address = own_non_loopback_address()
        if address is None:
            return  # nothing but loopback here: the /proc check above is the proof
        with (
            pytest.raises(OSError) as refused,
            contextlib.closing(socket.create_connection((address, url.port), timeout=5)),
        ):
            pass
        assert refused.value.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, None)
    finally:
        local.stop()
