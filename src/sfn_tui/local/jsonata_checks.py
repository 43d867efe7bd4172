"""The checks AWS makes of a definition's JSONata expressions.

AWS parses every ``{% %}`` expression of a JSONata state when the definition is created,
updated or validated, and refuses the definition (InvalidDefinition; a diagnostic of
ValidateStateMachineDefinition) naming the field, e.g. ``/States/E/Output/v``:

* ``INVALID_JSONATA_EXPRESSION``: the expression does not parse (JSONata's message,
  here with the character where the parser stopped);
* ``UNSUPPORTED_JSONATA_EXPRESSION``: "Reference to 'name' at the top level is not
  supported." A JSONata state has no context document: data comes from ``$states`` and
  variables, so a path that starts with a bare name could never select anything.

(Transforming data with JSONata,
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html.) moto
accepted such definitions; every run then failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.definition_checks import Diagnostic, refuse_on_create
from sfn_tui.local.jsonata_eval import JSONataError, compile_expression

_installed = False
_NESTED = ("Branches", "ItemProcessor", "Iterator")  # their States are checked as states
_NOT_EXPRESSIONS = ("Comment", "Type", "Next", "Default", "End", "QueryLanguage", "Resource")


def expressions(definition: str) -> Iterator[tuple[str, str]]:
    """(location, expression) of every ``{% %}`` string of the JSONata states."""
    try:
        document = json.loads(definition)
    except ValueError:
        return
    if isinstance(document, dict):
        yield from _scope(document, "", document.get("QueryLanguage", "JSONPath"))


def _scope(scope: dict[str, Any], where: str, language: Any) -> Iterator[tuple[str, str]]:
    states = scope.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        at = f"{where}/States/{name}"
        own = state.get("QueryLanguage", language)
        if own == "JSONata":
            for field, value in state.items():
                if field not in _NESTED and field not in _NOT_EXPRESSIONS:
                    yield from _strings(value, f"{at}/{field}")
        for branch_index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                yield from _scope(branch, f"{at}/Branches[{branch_index}]", language)
        for field in ("ItemProcessor", "Iterator"):
            inner = state.get(field)
            if isinstance(inner, dict):
                yield from _scope(inner, f"{at}/{field}", language)


def _strings(value: Any, at: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{%") and text.endswith("%}") and len(text) >= 4:
            yield at, text[2:-2]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{at}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{at}[{index}]")


def top_level_names(ast: Any) -> list[str]:
    """Names a path starts from with no context (``foo`` in ``foo.bar``), in order."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
            return
        if not hasattr(node, "type") or not hasattr(node, "bp") or id(node) in seen:
            return
        seen.add(id(node))
        if node.type == "name":
            found.append(str(node.value))
            return
        if node.type == "lambda":
            return  # a function's body reads the context it is called with
        if node.type == "path":
            steps = getattr(node, "steps", None) or []
            if steps:
                first = steps[0]
                if first.type == "name":
                    found.append(str(first.value))
                elif first.type != "path":
                    walk_children(first, skip=("stages", "predicate", "group"))
                else:
                    walk(first)
            return  # later steps (and their filters) read their own context
        walk_children(node)

    def walk_children(node: Any, skip: tuple[str, ...] = ()) -> None:
        for key, value in vars(node).items():
            if key.startswith("_") or key in skip:
                continue
            walk(value)

    walk(ast)
    return list(dict.fromkeys(found))


def _check(expression: str) -> tuple[str, str] | None:
    """(code, message) of an expression AWS refuses; None if it is accepted."""
    try:
        parsed = compile_expression(expression)
    except JSONataError as error:
        where = f" (at character {error.position})" if error.position else ""
        return "INVALID_JSONATA_EXPRESSION", f"{error.message}{where}"
    names = top_level_names(parsed.ast)
    if names:
        return (
            "UNSUPPORTED_JSONATA_EXPRESSION",
            f"Reference to '{names[0]}' at the top level is not supported.",
        )
    return None


def diagnostics(definition: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for location, expression in expressions(definition):
        problem = _check(expression)
        if problem is not None:
            found.append(Diagnostic(problem[0], problem[1], location))
    return found


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    refuse_on_create(diagnostics)
