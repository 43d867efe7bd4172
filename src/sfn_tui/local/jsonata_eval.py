"""JSONata for the embedded engine: jsonata-python, with Step Functions' own functions.

``evaluate(expression, bindings)`` evaluates one JSONata expression (no input document:
Step Functions reaches data through ``$states`` and workflow variables only) and answers
``UNDEFINED`` when JSONata returns nothing, so the caller can tell ``null`` from nothing.
Errors come out as ``JSONataError`` with JSONata's code (``T2001``...) and message.

The functions Step Functions adds to JSONata (Transforming data with JSONata,
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html, "JSONata
functions provided by Step Functions"): ``$partition``, ``$range``, ``$hash``,
``$random`` (with an optional seed), ``$uuid`` and ``$parse``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any, Final


def _import_jsonata() -> tuple[Any, Any, Any]:
    """jsonata-python's module, JException and Utils. Importing it raises the whole
    interpreter's recursion limit to 10,000 (jsonata.py's static initializer); the app's
    limit is put back, since its own checks (JSON nested too deeply) rely on it."""
    limit = sys.getrecursionlimit()
    try:
        module = import_module("jsonata")
        return (
            module,
            import_module("jsonata.jexception").JException,
            import_module("jsonata.utils").Utils,
        )
    finally:
        sys.setrecursionlimit(limit)


jsonata, JException, Utils = _import_jsonata()


class _Undefined:
    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined()
"""What an expression that returns nothing (JSONata's undefined) evaluates to."""

_CACHE_SIZE = 512
_SAFE_INTEGER = 2**53
_cache = threading.local()  # .compiled: dict[str, parsed expression], per thread


class JSONataError(Exception):
    """A JSONata expression failed to parse or to evaluate."""

    def __init__(self, code: str, message: str, position: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.position = position


class UnsupportedResult(Exception):
    """The expression returned something JSON cannot hold (a function)."""


def _fail(code: str, message: str) -> JSONataError:
    return JSONataError(code, message)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _partition(array: Any = None, size: Any = None, *rest: Any) -> Any:
    if not isinstance(array, list) or not _number(size) or rest:
        raise _fail("T0410", "$partition takes an array and a chunk size")
    if size <= 0 or int(size) != size:
        raise _fail("D3001", "$partition's chunk size must be a positive integer")
    step = int(size)
    return [list(array[i : i + step]) for i in range(0, len(array), step)]


_RANGE_LIMIT = 1000  # AWS: "The array can contain at most 1000 values"


def _range(first: Any = None, last: Any = None, step: Any = None, *rest: Any) -> Any:
    if not (_number(first) and _number(last) and _number(step)) or rest:
        raise _fail("T0410", "$range takes a start, an end and a step (numbers)")
    if step == 0:
        raise _fail("D3001", "$range's step cannot be 0")
    values: list[Any] = []
    value = first
    while (step > 0 and value <= last) or (step < 0 and value >= last):
        if len(values) >= _RANGE_LIMIT:
            raise _fail("D3001", f"$range returns at most {_RANGE_LIMIT} values")
        values.append(int(value) if float(value).is_integer() else value)
        value = value + step
    return values


_HASHES: Final[dict[str, str]] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(data: Any = None, algorithm: Any = None, *rest: Any) -> Any:
    if not isinstance(data, str) or not isinstance(algorithm, str) or rest:
        raise _fail("T0410", "$hash takes a string and an algorithm name")
    name = _HASHES.get(algorithm)
    if name is None:
        raise _fail("D3001", f"$hash algorithm must be one of {', '.join(_HASHES)}")
    return hashlib.new(name, data.encode()).hexdigest()


def _random(seed: Any = None, *rest: Any) -> Any:
    if rest or (seed is not None and not _number(seed)):
        raise _fail("T0410", "$random takes an optional numeric seed")
    if seed is None:
        return random.random()
    return random.Random(seed).random()


def _uuid(*rest: Any) -> Any:
    if rest:
        raise _fail("T0410", "$uuid takes no arguments")
    return str(uuid.uuid4())


def _parse(text: Any = None, *rest: Any) -> Any:
    if not isinstance(text, str) or rest:
        raise _fail("T0410", "$parse takes a JSON string")
    try:
        return _to_jsonata(json.loads(text))
    except json.JSONDecodeError as error:
        raise _fail("D3001", f"$parse: not JSON ({error.msg})") from error


STEP_FUNCTIONS_FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
}


def _to_jsonata(value: Any) -> Any:
    """A JSON value as jsonata-python reads it: a top-level null is its NULL_VALUE."""
    return Utils.NULL_VALUE if value is None else value


def compile_expression(expression: str) -> Any:
    """The parsed expression (cached per thread); JSONataError on a syntax error."""
    compiled: dict[str, Any] | None = getattr(_cache, "compiled", None)
    if compiled is None:
        compiled = _cache.compiled = {}
    found = compiled.get(expression)
    if found is not None:
        return found
    try:
        parsed = jsonata.Jsonata(expression)
    except JException as error:
        raise JSONataError(error.error, _message(error), error.location) from error
    parsed.set_output_convert_nulls(False)
    for name, function in STEP_FUNCTIONS_FUNCTIONS.items():
        parsed.register_lambda(name, function)
    if len(compiled) >= _CACHE_SIZE:
        compiled.clear()
    compiled[expression] = parsed
    return parsed


def _message(error: Any) -> str:
    text = str(error)
    return text if text else error.error


def _to_json(value: Any) -> Any:
    """jsonata-python's result as plain JSON values (NULL_VALUE -> None)."""
    if value is Utils.NULL_VALUE or value is None:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < _SAFE_INTEGER:
            return int(value)  # JSON has one number type: 2.0 is written 2, as AWS does
        return value
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    raise UnsupportedResult(type(value).__name__)


def _python_error(error: Exception) -> JSONataError:
    """A Python error jsonata-python let out, as the JSONata error jsonata-js raises there
    (so a run fails with States.QueryEvaluationError and JSONata's words, not Python's)."""
    if isinstance(error, ZeroDivisionError):
        return JSONataError("D1001", "Number out of range: Infinity")
    text = str(error)
    if isinstance(error, ValueError) and text.startswith("could not convert string to float"):
        value = text.split(":", 1)[-1].strip()
        return JSONataError("D3030", f"Unable to cast value to a number: {value}")
    return JSONataError("", f"The expression could not be evaluated: {text}")


def evaluate(expression: str, bindings: Mapping[str, Any]) -> Any:
    """Evaluate ``expression`` with these variables (names without ``$``).

    Returns the JSON result, or ``UNDEFINED``. Raises JSONataError (syntax or evaluation
    error) or UnsupportedResult (a function as the result)."""
    parsed = compile_expression(expression)
    frame = {name: _to_jsonata(value) for name, value in bindings.items()}
    try:
        result = parsed.evaluate(None, frame)
    except JSONataError:
        raise
    except JException as error:
        raise JSONataError(error.error, _message(error), error.location) from error
    except RecursionError:  # jsonata-js's stack overflow, U1001
        raise JSONataError(
            "U1001", "Stack overflow error: the expression nests too deeply"
        ) from None
    except (ValueError, TypeError, ArithmeticError) as error:
        raise _python_error(error) from error
    if result is None:
        return UNDEFINED
    return _to_json(result)
