"""Read a state machine definition from a file the user named, safely.

Only a regular file is read, and at most the definition quota plus one byte of it:
a device such as /dev/zero never ends, a named pipe blocks until something writes to
it, and a file can grow between the size check and the read. Every refusal is a
`ValueError` whose message says why, in words.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sfn_tui.core.validation import MAX_DEFINITION_BYTES

CHUNK = 64 * 1024


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_kind(path: Path, mode: int) -> ValueError:
    if stat.S_ISDIR(mode):
        return ValueError(f"{path} is a folder; give the path of a JSON file.")
    return ValueError(f"{path} is {_kind(mode)}, not a regular file; give the path of a JSON file.")


def _too_large(path: Path, size: int, limit: int) -> ValueError:
    return ValueError(
        f"{path} is {size:,} bytes; a definition is at most {limit:,} bytes"
        " (1 MiB, the Step Functions quota)."
    )


def read_definition_file(path: Path, limit: int = MAX_DEFINITION_BYTES) -> str:
    """The file's text (UTF-8); ValueError saying why it cannot be used.

    The path is checked before it is opened (a FIFO or a device is never opened), opened
    without blocking (it may have been swapped for a FIFO meanwhile), checked again, and
    read up to `limit` + 1 bytes whatever its size claims.
    """
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse_kind(path, mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _refuse_kind(path, info.st_mode)
            if info.st_size > limit:
                raise _too_large(path, info.st_size, limit)
            chunks: list[bytes] = []
            held = 0
            while held <= limit:
                chunk = os.read(fd, min(CHUNK, limit + 1 - held))
                if not chunk:
                    break
                chunks.append(chunk)
                held += len(chunk)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise ValueError(f"There is no file at {path}.") from None
    except PermissionError:
        raise ValueError(f"{path} cannot be read: permission denied.") from None
    except OSError as error:
        raise ValueError(f"{path} cannot be read: {error.strerror or error}.") from None
    if held > limit:  # it grew after its size was read
        raise ValueError(
            f"{path} is over {limit:,} bytes; a definition is at most {limit:,} bytes"
            " (1 MiB, the Step Functions quota)."
        )
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text.") from None
