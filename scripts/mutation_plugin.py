"""pytest plugin for scripts/mutation.py's baseline run: which lines of the mutated
module each test executes, and how long each test takes.

Loaded with `-p mutation_plugin` (scripts/ on PYTHONPATH) and MUTATION_BASELINE set to
`<module file>::<output json>`. Coverage starts before any conftest imports the module.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any

import coverage
import pytest

_spec = os.environ.get("MUTATION_BASELINE", "")
_target, _, _output = _spec.partition("::")
_cov: coverage.Coverage | None = None
_durations: dict[str, float] = defaultdict(float)
_outcomes: dict[str, str] = {}

if _target:
    _cov = coverage.Coverage(data_file=None, include=[_target], branch=False)
    _cov.start()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _cov is not None:
        _cov.switch_context(item.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] += report.duration
    if report.failed or (report.when == "call" and report.nodeid not in _outcomes):
        _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _cov is None:
        return
    _cov.stop()
    data = _cov.get_data()
    lines: dict[str, list[int]] = defaultdict(list)
    for measured in data.measured_files():
        for lineno, contexts in data.contexts_by_lineno(measured).items():
            for context in contexts:
                if context:
                    lines[context].append(lineno)
    result: dict[str, Any] = {
        "exitstatus": int(exitstatus),
        "durations": dict(_durations),
        "outcomes": _outcomes,
        "lines": {k: sorted(set(v)) for k, v in lines.items()},
    }
    with open(_output, "w", encoding="utf-8") as out:
        json.dump(result, out)
