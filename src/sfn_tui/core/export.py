"""Export one execution to a JSON file: DescribeExecution, its whole history (every
page of GetExecutionHistory) and the definition it ran with
(DescribeStateMachineForExecution), each as the service answered it.

The file:

    {"exportedBy": "sfn-tui", "execution": {...}, "history": [{...}, ...],
     "stateMachine": {...}}

Dates are ISO 8601 strings. Writing refuses to replace a file unless told to, and
every failure is an `ExportError` with a sentence a person can act on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

PAGE_SIZE = 1000  # GetExecutionHistory's maximum


class RawReader(Protocol):
    async def raw(self, operation: str, **kw: Any) -> dict[str, Any]: ...


class ExportError(Exception):
    """Why an export could not be written, in words."""


@dataclass
class Progress:
    pages: int = 0
    events: int = 0


def default_path(execution_name: str, directory: Path | None = None) -> Path:
    """`./<execution-name>.json` in the current directory (a name may hold no `/`, and
    no control character: the path is shown in a text field)."""
    safe = (
        "".join(ch if ch.isprintable() and ch != os.sep else "_" for ch in execution_name)
        or "execution"
    )
    return (directory or Path.cwd()) / f"{safe}.json"


async def collect(
    client: RawReader,
    execution_arn: str,
    on_page: Callable[[Progress], Awaitable[None] | None] | None = None,
) -> dict[str, Any]:
    """The execution, its whole history and its definition, as the API gives them."""
    execution = await client.raw("DescribeExecution", executionArn=execution_arn)
    history: list[dict[str, Any]] = []
    progress = Progress()
    token: str | None = None
    while True:
        kw: dict[str, Any] = {"executionArn": execution_arn, "maxResults": PAGE_SIZE}
        if token:
            kw["nextToken"] = token
        page = await client.raw("GetExecutionHistory", **kw)
        history.extend(page.get("events") or [])
        progress.pages += 1
        progress.events = len(history)
        if on_page is not None:
            result = on_page(progress)
            if result is not None:
                await result
        token = page.get("nextToken") or None
        if token is None:
            break
    machine = await client.raw("DescribeStateMachineForExecution", executionArn=execution_arn)
    return {
        "exportedBy": "sfn-tui",
        "execution": execution,
        "history": history,
        "stateMachine": machine,
    }


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON")


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_default) + "\n"


def write(path: Path, document: dict[str, Any], *, overwrite: bool = False) -> int:
    """Write the export; returns the bytes written. ExportError says why not."""
    if path.is_dir():
        raise ExportError(f"{path} is a directory: give a file name, e.g. {path}/run.json.")
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists.")
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"The directory {parent} does not exist.")
    data = to_json(document).encode("utf-8")
    try:
        path.write_bytes(data)
    except PermissionError:
        raise ExportError(f"Not allowed to write {path} (permission denied).") from None
    except OSError as error:
        raise ExportError(f"Could not write {path}: {error.strerror or error}.") from None
    return len(data)
