"""Pinned Map Runs for screenshots and snapshot tests: each Map Run of a region's
finished executions starts 1 s after its execution and ends 3 s later, and its child
executions are put in item order (they start in any order, several at a time) with
fixed names (00000000-0000-0000-0000-00000000000n for item n - 1) and dates 10 ms
apart. Reaches into moto's backend and `map_runs`' registry."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sfn_tui.local import map_runs
from sfn_tui.local.scene import DEFAULT_ACCOUNT

CHILD_STEP = timedelta(milliseconds=10)


def pin_map_runs(region: str, account: str = DEFAULT_ACCOUNT) -> None:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[account][region]
    for machine in backend.state_machines:
        for execution in machine.executions:
            env: Any = getattr(getattr(execution, "exec_worker", None), "env", None)
            if env is None:
                continue
            for record in env.map_run_record_pool_manager.get_all():
                start = execution.start_date + timedelta(seconds=1)
                record.start_date = start
                if record.stop_date is not None:
                    record.stop_date = start + timedelta(seconds=3)
                run = map_runs.run_children(record.map_run_arn)
                if run is not None:
                    _pin_children(run, start)


def _pin_children(run: map_runs.RunChildren, start: Any) -> None:
    with map_runs._lock:
        run.children.sort(key=lambda c: c.item_index)
        for position, child in enumerate(run.children):
            child.index = position
            map_runs._children.pop(child.arn, None)
            child.name = str(uuid.UUID(int=child.index + 1))
            child.arn = map_runs.child_arn(run.state_machine_arn, child.name)
            child.start_date = start + CHILD_STEP * child.index
            if child.stop_date is not None:
                child.stop_date = child.start_date + CHILD_STEP / 2
            map_runs._children[child.arn] = child
