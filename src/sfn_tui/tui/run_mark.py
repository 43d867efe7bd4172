"""The run marked for comparison (one per app): marked with `m` in the executions pane
or in a run's detail, compared with another run with `=`."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sfn_tui.aws.models import Execution

MARKER = "◆"

_marked: WeakKeyDictionary[Any, Execution] = WeakKeyDictionary()


def marked(app: Any) -> Execution | None:
    return _marked.get(app)


def is_marked(app: Any, arn: str) -> bool:
    run = _marked.get(app)
    return run is not None and run.arn == arn


def toggle(app: Any, execution: Execution) -> None:
    """Mark `execution` (replacing any other mark), or unmark it if it was marked."""
    if is_marked(app, execution.arn):
        del _marked[app]
    else:
        _marked[app] = execution
