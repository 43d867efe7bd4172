"""A definite JSONPath (no wildcard, slice, filter, union or deep scan) yields the value
of the one node it names, not a one-item list.

moto 5.2.5 wraps the value in a list whenever the path steps through an array before
its last step (a fix of theirs for getmoto/moto#7825), so `$.items[1].name` gave
`["b"]` and `States.Format('{}', $.items[0].name)` gave `[a]`. AWS (Paths, "Reference
paths"): a path that identifies a single node selects that node's value;
`$.items[*].name` still gives a list.
"""

from __future__ import annotations

import re
import sys
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

# A path naming one node: only .name, ['name'] and [index] steps.
_DEFINITE = re.compile(r"^\$(?:\.[A-Za-z0-9_$@-]+|\[\d+\]|\['[^']*'\])*$")
_USERS = (  # moto modules that import extract_json by name
    "moto.stepfunctions.parser.asl.component.common.string.string_expression",
    "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.timestamp_operators",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.boolean_equals",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.numeric",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.string_operators",
    "moto.stepfunctions.parser.asl.eval.states",
)
_installed = False


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    json_path: Any = import_module("moto.stepfunctions.parser.asl.utils.json_path")
    original = json_path.extract_json

    def extract_json(path: str, data: Any) -> Any:
        if _DEFINITE.match(path.strip()):
            matches = json_path.parse(path).find(data)
            if len(matches) == 1:
                return matches[0].value
        return original(path, data)

    json_path.extract_json = extract_json
    for name in _USERS:
        module: Any = sys.modules.get(name) or import_module(name)
        if getattr(module, "extract_json", None) is original:
            module.extract_json = extract_json
