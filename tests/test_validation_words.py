"""The exact words of every local refusal, and where it points: the user reads these
instead of the service's error, so each names the rule, the spot (character, line,
column) and the sizes. Found wanting by mutants of core/validation.py that changed a
message, a position or a boundary and passed every other test."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from sfn_tui.core.validation import (
    MAX_DEFINITION_BYTES,
    InvalidDefinition,
    InvalidJson,
    InvalidName,
    InvalidValue,
    check_definition,
    check_json,
    check_name,
    check_role_arn,
    generate_execution_name,
)

NAME_RULES = [
    ("", "Give the activity a name: it cannot be empty."),
    ("a" * 81, "The activity name is 81 characters long; at most 80 are allowed."),
    (
        "ab\x1fc",
        "The activity name contains a control character U+001F (character 3);"
        " control characters are not allowed.",
    ),
    (
        "a\x9fb",
        "The activity name contains a control character U+009F (character 2);"
        " control characters are not allowed.",
    ),
    ("a b", "The activity name contains whitespace (character 2); use - or _ instead of spaces."),
    (
        "a[b",
        "The activity name contains the bracket [ (character 2);"
        " brackets < > { } [ ] are not allowed.",
    ),
    (
        "a?b",
        "The activity name contains the wildcard ? (character 2);"
        " wildcards ? and * are not allowed.",
    ),
    (
        "a#b",
        "The activity name contains the special character # (character 2);"
        ' none of " # % \\ ^ | ~ ` $ & , ; : / is allowed.',
    ),
]


@pytest.mark.parametrize(("name", "message"), NAME_RULES)
def test_name_refusals_say_the_rule_and_the_character(name: str, message: str) -> None:
    with pytest.raises(InvalidName) as refused:
        check_name(name, "activity")
    assert str(refused.value) == message
    assert check_name("a" * 80, "activity") == "a" * 80


JSON_RULES = [
    (
        "x" * (256 * 1024 + 2),
        "The input is 262,146 bytes (256.0 KiB) in UTF-8; at most 262,144 bytes (256 KiB)"
        " are allowed.",
        (0, 0),
    ),
    ("  ", "The input is empty; write a JSON value (for example {}).", (1, 1)),
    (
        "NaN",
        "The input is not valid JSON: NaN is not a JSON value (write null, or a number or a"
        " string instead).",
        (0, 0),
    ),
    (
        '{"a": 1,\n "b": }',
        "The input is not valid JSON: Expecting value at line 2, column 7.",
        (2, 7),
    ),
]


@pytest.mark.parametrize(("text", "message", "spot"), JSON_RULES)
def test_json_refusals_say_what_and_where(text: str, message: str, spot: tuple[int, int]) -> None:
    with pytest.raises(InvalidJson) as refused:
        check_json(text, "input")
    assert str(refused.value) == message
    assert (refused.value.line, refused.value.column) == spot


def test_sizes_in_mib() -> None:
    with pytest.raises(InvalidJson) as refused:
        check_json("x" * (3 * 1024 * 1024), "input", 2 * 1024 * 1024)
    assert str(refused.value) == (
        "The input is 3,145,728 bytes (3 MiB) in UTF-8; at most 2,097,152 bytes (2 MiB)"
        " are allowed."
    )
    with pytest.raises(InvalidJson) as refused:
        check_json("x" * (1536 * 1024), "input", 1024 * 1024)
    assert "1,572,864 bytes (1.5 MiB)" in str(refused.value)
    assert "1,048,576 bytes (1 MiB)" in str(refused.value)
    assert InvalidJson("no spot").line == 0 and InvalidJson("no spot").column == 0


def test_integers_are_read_exactly_at_any_length() -> None:
    assert check_json("5", "input") == 5 and isinstance(check_json("5", "input"), int)
    assert isinstance(check_json("7" * 4000, "input"), int)
    assert check_json("7" * 4001, "input") == Decimal("7" * 4001)
    assert isinstance(check_json("7" * 4001, "input"), Decimal)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("[]", "an array"),
        ('"s"', "a string"),
        ("null", "null"),
        ("true", "a boolean"),
        ("1", "a number"),
    ],
)
def test_a_definition_that_is_not_an_object_says_what_it_is(text: str, kind: str) -> None:
    with pytest.raises(InvalidDefinition) as refused:
        check_definition(text)
    assert str(refused.value) == (
        f"The definition must be a JSON object with StartAt and States, not {kind}."
    )


def test_definition_refusals_keep_the_spot_and_the_larger_limit() -> None:
    with pytest.raises(InvalidDefinition) as refused:
        check_definition('{"StartAt": "A", \n"States": }')
    assert (refused.value.line, refused.value.column) == (2, 11)
    with pytest.raises(InvalidDefinition) as refused:
        check_definition('{"StartAt": "A"}')
    assert str(refused.value) == 'The definition has no "States": it needs at least one state.'
    # A definition may be up to 1 MiB (an input only 256 KiB).
    big = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Comment": "x" * (300 * 1024), "End": True}},
    }
    assert check_definition(json.dumps(big))["StartAt"] == "A"
    with pytest.raises(InvalidDefinition, match="at most 1,048,576 bytes"):
        check_definition(" " * MAX_DEFINITION_BYTES + "{}")


ARN = "arn:aws:iam::123456789012:role/"
MALFORMED = (
    "That role ARN is malformed: it should look like arn:aws:iam::<12-digit account>:role/<name>"
    " (a 12-digit account; a name of letters, digits and + = , . @ _ -, up to 64)."
)


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (
            ARN + "a b",
            "The role ARN contains U+0020 (character 33); an ARN has no spaces or control"
            " characters.",
        ),
        (
            ARN + "a\x01b",
            "The role ARN contains U+0001 (character 33); an ARN has no spaces or control"
            " characters.",
        ),
        (ARN + "x" * 2018, "The role ARN is 2,049 characters long; at most 2,048 are allowed."),
        (ARN + "x" * 2017, MALFORMED),  # 2,048 characters: long enough, but the name is not
        ("arn:aws:iam::1234:role/x", MALFORMED),
    ],
)
def test_role_arn_refusals_say_what_is_wrong(arn: str, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_role_arn(arn)
    assert str(refused.value) == message


def test_generated_names_end_in_eight_hex_digits() -> None:
    name = generate_execution_name(datetime(2026, 1, 2, 3, 4, 5))
    head, tail = name.rsplit("-", 1)
    assert head == "run-20260102-030405"
    assert len(tail) == 8 and int(tail, 16) >= 0
