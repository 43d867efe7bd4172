"""ListExecutions of a machine with many runs: its newest-first order and its runs by
ARN are kept between calls instead of rebuilt at each one.

At 100,000 runs moto sorted them all at every ListExecutions (about 20 ms), and two
response patches (execution_describe, versions) each built a dict of them (about 28 ms
each) to find the page's 100 items: 84 ms a call, during which the engine, one process
under the GIL, answered nothing else. A dashboard polling such a machine every 2 s held
a chat answer or a GetActivityTask for up to that long.

A machine's runs are appended to its list, never reordered (StartExecution,
local/bulk.py); express.py drops ended Express runs, whose machines ListExecutions
refuses. So both views are keyed on the list, its length and its last run, extended
when runs were appended and rebuilt on any other change. Lists under ``MIN_RUNS`` are
not kept: computing them costs less than a millisecond.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MIN_RUNS = 1_000
MAX_KEPT = 32  # lists kept (each machine's, and versions' per-version lists)

_installed = False
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Views:
    runs: list[Any]  # the machine's own list (held, so its id is not reused)
    length: int
    last: Any
    by_arn: Mapping[str, Any]
    newest_first: list[Any]


_kept: OrderedDict[int, _Views] = OrderedDict()


def _start(run: Any) -> Any:
    return run.start_date


def _build(runs: list[Any], length: int) -> _Views:
    items = runs[:length]
    return _Views(
        runs=runs,
        length=length,
        last=items[-1] if items else None,
        by_arn={run.execution_arn: run for run in items},
        newest_first=sorted(items, key=_start, reverse=True),
    )


def _extend(views: _Views, length: int) -> _Views:
    """`views` plus the runs appended since. They go first when each started after
    every run before them (as sorted() would put them); otherwise the order is rebuilt."""
    added = views.runs[views.length : length]
    newest = views.newest_first[0].start_date if views.newest_first else None
    if newest is not None and not all(run.start_date > newest for run in added):
        return _build(views.runs, length)
    by_arn = dict(views.by_arn)
    by_arn.update((run.execution_arn, run) for run in added)
    return _Views(
        runs=views.runs,
        length=length,
        last=added[-1],
        by_arn=by_arn,
        newest_first=sorted(added, key=_start, reverse=True) + views.newest_first,
    )


def _views(runs: list[Any]) -> _Views | None:
    length = len(runs)
    if length < MIN_RUNS:
        return None
    with _lock:
        views = _kept.get(id(runs))
        if views is not None and views.runs is runs and views.length == length:
            if runs[length - 1] is views.last:
                _kept.move_to_end(id(runs))
                return views
            views = None
        if (
            views is not None
            and views.runs is runs
            and views.length < length
            and views.length > 0
            and runs[views.length - 1] is views.last
        ):
            views = _extend(views, length)
        else:
            views = _build(runs, length)
        _kept[id(runs)] = views
        _kept.move_to_end(id(runs))
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
        return views


def runs_by_arn(runs: list[Any]) -> Mapping[str, Any]:
    """A machine's runs (its ``executions`` list) by execution ARN."""
    views = _views(runs)
    if views is None:
        return {run.execution_arn: run for run in runs}
    return views.by_arn


def newest_first(runs: list[Any]) -> list[Any]:
    """A machine's runs, newest start first, as moto's ListExecutions sorts them
    (``sorted(..., reverse=True)`` keeps runs that started at the same time in list order)."""
    views = _views(runs)
    if views is None:
        return sorted(runs, key=_start, reverse=True)
    return views.newest_first


def install() -> None:
    """moto's ListExecutions (the backend's, paginated) sorts through ``newest_first``."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    models = import_module("moto.stepfunctions.models")
    paginate = import_module("moto.utilities.paginator").paginate

    @paginate(pagination_model=models.PAGINATION_MODEL)
    def list_executions(
        self: Any, state_machine_arn: str, status_filter: str | None = None
    ) -> list[Any]:
        ordered = newest_first(self.describe_state_machine(state_machine_arn).executions)
        if status_filter:
            return [run for run in ordered if run.status == status_filter]
        return ordered  # the paginator slices it and does not change it

    models.StepFunctionBackend.list_executions = list_executions
