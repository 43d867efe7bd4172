"""Checks made before any call to the service, each refusal said in words.

Names follow the rules AWS gives for state machines, activities and executions:
1-80 characters; no whitespace, brackets `< > { } [ ]`, wildcards `? *`, special
characters `" # % \\ ^ | ~ ` $ & , ; : /` or control characters (U+0000-001F,
U+007F-009F). JSON errors name the line and column. Also the session's memory of the
last input used to start each state machine (`LastInputs`).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sfn_tui.core.jsonata_check import jsonata_problem

MAX_NAME = 80
MAX_PAYLOAD_BYTES = 256 * 1024  # execution input and output, UTF-8
MAX_DEFINITION_BYTES = 1024 * 1024  # a state machine's definition
BRACKETS = "<>{}[]"
WILDCARDS = "?*"
SPECIALS = '"#%\\^|~`$&,;:/'


class InvalidValue(ValueError):
    """Input refused before any call; the message says which rule it breaks."""


class InvalidName(InvalidValue):
    pass


class InvalidJson(InvalidValue):
    """Not JSON, or too large. `line` and `column` are 1-based (0 when not about a spot)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class InvalidDefinition(InvalidJson):
    pass


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code <= 0x1F or 0x7F <= code <= 0x9F


def _shown(ch: str) -> str:
    return repr(ch) if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


def check_name(name: str, what: str) -> str:
    """`name` if AWS would accept it as the name of `what` (e.g. "state machine",
    "activity", "execution"); InvalidName saying which rule it breaks otherwise."""
    if not name:
        raise InvalidName(f"Give the {what} a name: it cannot be empty.")
    if len(name) > MAX_NAME:
        raise InvalidName(
            f"The {what} name is {len(name)} characters long; at most {MAX_NAME} are allowed."
        )
    for position, ch in enumerate(name, start=1):
        where = f"(character {position})"
        if _is_control(ch):
            raise InvalidName(
                f"The {what} name contains a control character {_shown(ch)} {where};"
                " control characters are not allowed."
            )
        if ch.isspace():
            raise InvalidName(
                f"The {what} name contains whitespace {where}; use - or _ instead of spaces."
            )
        if ch in BRACKETS:
            raise InvalidName(
                f"The {what} name contains the bracket {ch} {where};"
                " brackets < > { } [ ] are not allowed."
            )
        if ch in WILDCARDS:
            raise InvalidName(
                f"The {what} name contains the wildcard {ch} {where};"
                " wildcards ? and * are not allowed."
            )
        if ch in SPECIALS:
            raise InvalidName(
                f"The {what} name contains the special character {ch} {where};"
                ' none of " # % \\ ^ | ~ ` $ & , ; : / is allowed.'
            )
    return name


def check_json(text: str, what: str, max_bytes: int = MAX_PAYLOAD_BYTES) -> Any:
    """`text` parsed as JSON; InvalidJson naming the line and column of a syntax error,
    or the size when `text` is over `max_bytes` in UTF-8."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise InvalidJson(
            f"The {what} is {size:,} bytes ({_size(size)}) in UTF-8; at most {max_bytes:,}"
            f" bytes ({_size(max_bytes)}) are allowed."
        )
    if not text.strip():
        raise InvalidJson(f"The {what} is empty; write a JSON value (for example {{}}).", 1, 1)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    except _NotJsonConstant as constant:
        raise InvalidJson(
            f"The {what} is not valid JSON: {constant} is not a JSON value"
            " (write null, or a number or a string instead)."
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidJson(
            f"The {what} is not valid JSON: {error.msg} at line {error.lineno},"
            f" column {error.colno}.",
            error.lineno,
            error.colno,
        ) from None
    except RecursionError:
        raise InvalidJson(f"The {what} is nested too deeply to read.") from None


class _NotJsonConstant(Exception):
    pass


def _parse_int(digits: str) -> int | Decimal:
    """Integers of any length are JSON; Python's int() stops at 4,300 digits."""
    return int(digits) if len(digits) <= 4000 else Decimal(digits)


def _refuse_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity: Python reads them, JSON (and AWS) does not."""
    raise _NotJsonConstant(name)


def check_definition(text: str) -> dict[str, Any]:
    """A state machine definition: JSON, an object, with `StartAt` naming one of its
    `States`; in JSONata states, expressions that parse and no JSONPath-only fields
    (core/jsonata_check.py). Deeper rules are the service's to check."""
    try:
        parsed = check_json(text, "definition", MAX_DEFINITION_BYTES)
    except InvalidJson as error:
        raise InvalidDefinition(str(error), error.line, error.column) from None
    if not isinstance(parsed, dict):
        raise InvalidDefinition(
            "The definition must be a JSON object with StartAt and States,"
            f" not {_json_kind(parsed)}."
        )
    states = parsed.get("States")
    start_at = parsed.get("StartAt")
    if "StartAt" not in parsed:
        raise InvalidDefinition('The definition has no "StartAt": name the first state to run.')
    if not isinstance(start_at, str):
        raise InvalidDefinition('"StartAt" must be the name of a state (a string).')
    if "States" not in parsed:
        raise InvalidDefinition('The definition has no "States": it needs at least one state.')
    if not isinstance(states, dict) or not states:
        raise InvalidDefinition('"States" must be an object with at least one state in it.')
    if start_at not in states:
        raise InvalidDefinition(
            f'"StartAt" names the state {start_at!r}, which is not in "States".'
        )
    problem = jsonata_problem(text)
    if problem is not None:
        raise InvalidDefinition(problem.message, problem.line, problem.column)
    return parsed


MAX_ARN = 2048
ROLE_ARN_SHAPE = "arn:aws:iam::<12-digit account>:role/<name>"
_ROLE_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):role/(?:[\x21-\x7e]*/)?(?P<name>[\w+=,.@-]{1,64})",
    re.ASCII,
)


def check_role_arn(text: str) -> str:
    """A pasted IAM role ARN (surrounding whitespace dropped) if it has the shape of
    one; InvalidValue saying what is wrong otherwise. Whether the role exists and
    trusts Step Functions is the service's to say."""
    arn = text.strip()
    if not arn:
        raise InvalidValue(f"Paste the ARN of a role ({ROLE_ARN_SHAPE}).")
    if len(arn) > MAX_ARN:
        raise InvalidValue(
            f"The role ARN is {len(arn):,} characters long; at most {MAX_ARN:,} are allowed."
        )
    for position, ch in enumerate(arn, start=1):
        if _is_control(ch) or ch.isspace():
            raise InvalidValue(
                f"The role ARN contains {_shown(ch)} (character {position});"
                " an ARN has no spaces or control characters."
            )
    if not arn.startswith("arn:"):
        raise InvalidValue(f"That is not an ARN: it should look like {ROLE_ARN_SHAPE}.")
    if ":role/" not in arn:
        raise InvalidValue(f"That ARN is not an IAM role's: it should look like {ROLE_ARN_SHAPE}.")
    if _ROLE_ARN.fullmatch(arn) is None:
        raise InvalidValue(
            f"That role ARN is malformed: it should look like {ROLE_ARN_SHAPE}"
            " (a 12-digit account; a name of letters, digits and + = , . @ _ -, up to 64)."
        )
    return arn


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _size(size: int) -> str:
    """Rounded for reading, next to the exact count: 262,146 bytes is "256.0 KiB"."""
    mib = size >= 1024 * 1024
    text = f"{size / (1024 * 1024):.1f} MiB" if mib else f"{size / 1024:.1f} KiB"
    return text.replace(".0 ", " ") if size % 1024 == 0 else text


def generate_execution_name(now: datetime, suffix: str | None = None) -> str:
    """`run-<yyyymmdd>-<HHMMSS>-<8 hex>`: unique enough, sorts by time, valid everywhere."""
    tail = suffix if suffix is not None else secrets.token_hex(4)
    return f"run-{now.strftime('%Y%m%d-%H%M%S')}-{tail}"


DEFAULT_INPUT = "{}"


@dataclass
class LastInputs:
    """The last input used to start each state machine (by ARN), for this session only."""

    _by_machine: dict[str, str] = field(default_factory=dict)

    def get(self, machine_arn: str, default: str = DEFAULT_INPUT) -> str:
        return self._by_machine.get(machine_arn, default)

    def remember(self, machine_arn: str, text: str) -> None:
        self._by_machine[machine_arn] = text

    def __contains__(self, machine_arn: object) -> bool:
        return machine_arn in self._by_machine


LOG_GROUP_ARN_SHAPE = "arn:aws:logs:<region>:<12-digit account>:log-group:<name>:*"
_LOG_GROUP_ARN = re.compile(
    r"arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:(?P<name>[\w./#-]{1,512})(?::\*)?",
    re.ASCII,
)


def check_log_group_arn(text: str) -> str:
    """A CloudWatch Logs log group ARN as LoggingConfiguration takes it (ending in
    ``:*``, added when missing); InvalidValue saying what is wrong otherwise. Whether the
    group exists is the service's to say."""
    arn = text.strip()
    if not arn:
        raise InvalidValue(f"Give the log group's ARN ({LOG_GROUP_ARN_SHAPE}), or set Logs to OFF.")
    if len(arn) > MAX_ARN:
        raise InvalidValue(
            f"The log group ARN is {len(arn):,} characters long; at most {MAX_ARN:,} are allowed."
        )
    if not arn.startswith("arn:"):
        raise InvalidValue(
            f"That is not an ARN: give the log group's ARN ({LOG_GROUP_ARN_SHAPE});"
            " the CloudWatch Logs console and `aws logs describe-log-groups` show it."
        )
    if _LOG_GROUP_ARN.fullmatch(arn) is None:
        raise InvalidValue(
            f"That is not a log group's ARN: it should look like {LOG_GROUP_ARN_SHAPE}."
        )
    return arn if arn.endswith(":*") else f"{arn}:*"
