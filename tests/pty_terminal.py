"""A real terminal for a real `sfn-tui` process: a pty, its output drained in a thread."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading

from tests.helpers import CREDENTIALS


def app_environment() -> dict[str, str]:
    """The environment of an app run against the engine: dummy keys, no profile."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
    env.update(
        TERM="xterm-256color",
        AWS_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
    )
    return env


def sfn_tui(*args: str) -> list[str]:
    return [sys.executable, "-m", "sfn_tui", *args]


class Terminal:
    """A pty running `sfn-tui`, its output drained in a thread (the app never blocks)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, with the pty as its terminal
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 130, 0, 0))
        self.output = bytearray()
        self.status: int | None = None
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._closing.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.output.extend(data)

    def send(self, keys: bytes) -> None:
        """Write all of `keys` (a large paste blocks until the app has read it)."""
        view = memoryview(keys)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def rss_peak_kib(self) -> int:
        """The process's peak resident memory (VmHWM), in KiB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def hang_up(self) -> None:
        """Close the terminal: the kernel sends SIGHUP to the app, reads and writes fail.
        (The reader lets go first: a read blocked on the fd would keep it open.)"""
        self._closing.set()
        self._reader.join()
        os.close(self.fd)

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def kill(self) -> None:
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
