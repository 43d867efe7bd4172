"""Checks of a definition's JSONata before any call, each naming the line and column.

In a state whose query language is JSONata (its own `QueryLanguage`, else the top-level
one; see core/query_language.py):

- a string that starts with `{%` and ends with `%}` is a JSONata expression: it must
  parse (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html);
  the JSONata library (jsonata-python) reads it, and its error is said with the line
  and column in the editor where the parser stopped;
- the JSONPath fields `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`,
  `OutputPath`, `ItemsPath` and `Choices[].Variable` are not allowed; in a JSONPath state
  `Arguments`, `Output` and `Choices[].Condition` are JSONata's and not allowed either
  (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html,
  "Fields not supported in JSONata states").

The definition is walked with the position of every key and string kept, so a
problem points at its spot. Pure: no I/O, no Textual.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass

from sfn_tui.core.query_language import JSONATA, JSONPATH, loaded, state_places, top_language

# Fields of one query language that the other refuses, and what to use instead.
JSONPATH_ONLY = {
    "InputPath": "Arguments (or $states.input in an expression)",
    "Parameters": "Arguments",
    "ResultSelector": "Output",
    "ResultPath": "Output or Assign",
    "OutputPath": "Output",
    "ItemsPath": "Items",
}
JSONATA_ONLY = {
    "Arguments": "Parameters",
    "Output": "OutputPath, ResultSelector or ResultPath",
}
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_EXPRESSION = re.compile(r"\{%(.*)%\}", re.DOTALL)
MAX_DEPTH = 200
_WORDS = ('"JSONata"', '"Arguments"', '"Output"')


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and where (1-based line and column in the text)."""

    message: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class _Found:
    path: tuple[str | int, ...]
    offset: int  # of the opening quote
    text: str
    raw: str  # the string as written between its quotes
    is_key: bool


def jsonata_problem(text: str) -> Problem | None:
    """The first JSONata problem of a definition that is valid JSON, or None."""
    if not any(word in text for word in _WORDS):
        return None  # nothing of JSONata in it: no walk through a large definition
    data = loaded(text)
    places = state_places(data) if data is not None else {}
    if data is None or not places:
        return None
    strings = _strings(text)
    if strings is None:  # nested too deeply to walk: the service will say
        return None
    for found in strings:
        state = _state_of(found.path)
        if state is None or state not in places:
            continue
        language = places[state].query_language
        field = found.path[-1] if found.path else ""
        if found.is_key and found.text == "QueryLanguage" and _is_state_field(found.path):
            place = places[state]
            outer = places[place.parent].query_language if place.parent else top_language(data)
            if outer == JSONATA and place.definition.get("QueryLanguage") == JSONPATH:
                where = f"Parallel/Map state {place.parent!r}" if place.parent else "the machine"
                return _at(
                    text,
                    found.offset + 1,
                    f"State {state!r} sets QueryLanguage JSONPath inside {where}, which"
                    " uses JSONata: a state can move from JSONPath to JSONata, not back.",
                )
        if found.is_key and _is_state_field(found.path):
            message = _field_problem(state, found.text, language)
            if message:
                return _at(text, found.offset + 1, message)
            continue
        if found.is_key or language != JSONATA:
            continue
        if found.path and found.path[-1] == "Variable" and _in_choice_rule(found.path):
            return _at(
                text,
                found.offset + 1,
                f"State {state!r} uses JSONata: a Choice rule takes a Condition, not a"
                " Variable (JSONPath).",
            )
        match = _EXPRESSION.fullmatch(found.text)
        if match is None:
            continue
        error = _parse_error(match.group(1))
        if error is None:
            continue
        position, why = error
        offset = found.offset + 1 + _raw_index(found.raw, 2 + position)
        where = ".".join(str(p) for p in found.path[2:]) if len(found.path) > 2 else str(field)
        return _at(
            text, offset, f"The JSONata expression in {where} of state {state!r} is invalid: {why}"
        )
    return None


def _at(text: str, offset: int, message: str) -> Problem:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Problem(f"{message} (line {line}, column {column})", line, column)


def _field_problem(state: str, field: str, language: str) -> str:
    if language == JSONATA and field in JSONPATH_ONLY:
        return (
            f"State {state!r} uses JSONata: the JSONPath field {field} is not allowed there;"
            f" use {JSONPATH_ONLY[field]}."
        )
    if language == JSONPATH and field in JSONATA_ONLY:
        return (
            f"State {state!r} uses JSONPath: {field} is a JSONata field; use"
            f' {JSONATA_ONLY[field]}, or set "QueryLanguage": "JSONata" on the state.'
        )
    return ""


def _parse_error(expression: str) -> tuple[int, str] | None:
    """Where (0-based, in `expression`) and why the JSONata parser refuses it; None if
    it parses."""
    limit = sys.getrecursionlimit()
    from jsonata import Jsonata  # imported when needed: it takes a moment to load
    from jsonata.jexception import JException

    # jsonata-python raises the process's recursion limit to 10,000 when it loads; the
    # app's own checks (a JSON text "nested too deeply") rely on Python's.
    sys.setrecursionlimit(limit)

    try:
        Jsonata(expression)
    except JException as error:
        location = getattr(error, "location", None)
        position = location if isinstance(location, int) else 0
        position = max(0, min(position, len(expression)) - 1) if position else 0
        code = getattr(error, "error", "")
        why = str(error).rstrip(".")
        return position, f"{why} ({code})." if code else f"{why}."
    except RecursionError:
        return 0, "it is nested too deeply to read."
    return None


def _state_of(path: tuple[str | int, ...]) -> str | None:
    """The state a path is inside: the name after the last "States" key."""
    for index in range(len(path) - 2, -1, -1):
        if path[index] == "States" and isinstance(path[index + 1], str):
            return path[index + 1]  # type: ignore[return-value]
    return None


def _is_state_field(path: tuple[str | int, ...]) -> bool:
    """A key written directly in a state object (…, "States", name, key)."""
    return len(path) >= 3 and path[-3] == "States"


def _in_choice_rule(path: tuple[str | int, ...]) -> bool:
    return "Choices" in path


def _raw_index(raw: str, decoded: int) -> int:
    """The index in `raw` (a JSON string's body as written) of decoded character
    `decoded`: escapes take several raw characters for one."""
    index = 0
    count = 0
    while index < len(raw) and count < decoded:
        if raw[index] == "\\":
            index += 6 if raw[index + 1 : index + 2] == "u" else 2
        else:
            index += 1
        count += 1
    return index


def _strings(text: str) -> list[_Found] | None:
    """Every key and string value of a valid JSON text, with its path and position."""
    found: list[_Found] = []
    try:
        _value(text, _skip(text, 0), (), found, 0)
    except (RecursionError, ValueError, IndexError):
        return None
    return found


def _skip(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _string(text: str, index: int) -> tuple[str, int]:
    value, end = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
    return value, end


def _value(
    text: str, index: int, path: tuple[str | int, ...], found: list[_Found], depth: int
) -> int:
    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    ch = text[index]
    if ch == "{":
        index = _skip(text, index + 1)
        if text[index] == "}":
            return index + 1
        while True:
            key, end = _string(text, index)
            found.append(_Found((*path, key), index, key, text[index + 1 : end - 1], True))
            index = _skip(text, end)
            index = _skip(text, index + 1)  # the colon
            index = _skip(text, _value(text, index, (*path, key), found, depth + 1))
            if text[index] == "}":
                return index + 1
            index = _skip(text, index + 1)  # the comma
    if ch == "[":
        index = _skip(text, index + 1)
        if text[index] == "]":
            return index + 1
        position = 0
        while True:
            index = _skip(text, _value(text, index, (*path, position), found, depth + 1))
            position += 1
            if text[index] == "]":
                return index + 1
            index = _skip(text, index + 1)
    if ch == '"':
        value, end = _string(text, index)
        found.append(_Found(path, index, value, text[index + 1 : end - 1], False))
        return end
    for literal in ("true", "false", "null"):
        if text.startswith(literal, index):
            return index + len(literal)
    match = _NUMBER.match(text, index)
    if match is None:
        raise ValueError(f"unexpected {ch!r}")
    return match.end()
