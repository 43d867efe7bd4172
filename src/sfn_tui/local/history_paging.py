"""GetExecutionHistory's maxResults, nextToken, reverseOrder and includeExecutionData.

moto answered the whole history, oldest first, whatever was asked. AWS (GetExecutionHistory
API reference): at most maxResults events a page (default 100, 0 means the default,
1000 at most), a nextToken while more remain, descending order with reverseOrder, an
HTTP 400 InvalidToken for a token that is not one, and no input/output in the events
with includeExecutionData false.

A token names the id of the next event to answer, so it stays valid while the run adds
events (and, as AWS asks, with the other arguments unchanged).
"""

from __future__ import annotations

import base64
import binascii
import json
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DATA_FIELDS = ("input", "output", "inputDetails", "outputDetails")

_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def encode_token(execution_arn: str, next_id: int) -> str:
    raw = json.dumps({"arn": execution_arn, "next": next_id}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str, execution_arn: str) -> int:
    """The id of the next event a token asks for; InvalidToken for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["arn"] == execution_arn and isinstance(data["next"], int):
            return int(data["next"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise _error("InvalidToken", f"Invalid Token: '{token}'")


def page_size(max_results: Any) -> int:
    if max_results in (None, "", 0):
        return DEFAULT_PAGE
    size = int(max_results)
    if size > MAX_PAGE or size < 0:
        raise _error(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy"
            f" constraint: Member must have value {'less' if size > 0 else 'greater'} than"
            f" or equal to {MAX_PAGE if size > 0 else 0}",
        )
    return size


def without_data(event: dict[str, Any]) -> dict[str, Any]:
    """The event with the input and output of its details left out."""
    out = dict(event)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if k not in DATA_FIELDS}
    return out


def make_page(
    events: list[Any],
    execution_arn: str,
    size: int,
    next_id: int | None,
    reverse: bool,
    include_data: bool,
) -> dict[str, Any]:
    """One page of the history (events oldest first in `events`)."""
    ordered = list(reversed(events)) if reverse else list(events)
    if next_id is not None:
        ordered = [e for e in ordered if (e["id"] <= next_id if reverse else e["id"] >= next_id)]
    page, rest = ordered[:size], ordered[size:]
    body: dict[str, Any] = {"events": page if include_data else [without_data(e) for e in page]}
    if rest:
        body["nextToken"] = encode_token(execution_arn, int(rest[0]["id"]))
    return body


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    cached = resp_cls.get_execution_history  # history_cache's answer (installed before)

    def get_execution_history_response(self: Any) -> Any:
        arn = str(self._get_param("executionArn"))
        size = page_size(self._get_param("maxResults"))
        token = self._get_param("nextToken")
        next_id = decode_token(str(token), arn) if token else None
        reverse = bool(self._get_param("reverseOrder", False))
        include_data = self._get_param("includeExecutionData")
        include = include_data is None or bool(include_data)
        result = cached(self)

        def shape(events: list[Any]) -> dict[str, Any]:
            return make_page(events, arn, size, next_id, reverse, include)

        if hasattr(result, "shape"):
            result.shape = shape
        else:  # not started yet, or moto's own answer: a dict of unserialized events
            result._result = shape(list(result.result.get("events", [])))
        return result

    resp_cls.get_execution_history = get_execution_history_response
