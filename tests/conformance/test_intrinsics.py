"""Intrinsic functions, and the escapes of their string literals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.support import Conformance

INTRINSICS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html"
ESCAPES_DOC = INTRINSICS_DOC + "#amazon-states-language-intrinsic-functions-escapes"


def evaluate(conf: Conformance, expression: str, payload: Any = None) -> Any:
    run = conf.run(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}},
        },
        payload if payload is not None else {"name": "Ada", "list": [1, 2, 2]},
    )
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    return run.output["v"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("States.Format('Hello, {}!', $.name)", "Hello, Ada!"),
        ("States.Format('{} and {}', 1, true)", "1 and true"),
        ("States.StringToJson('{\"a\": 1}')", {"a": 1}),
        ("States.JsonToString($.list)", "[1,2,2]"),
        ("States.Array(1, 'two', $.name)", [1, "two", "Ada"]),
        ("States.ArrayUnique($.list)", [1, 2]),
        ("States.ArrayLength($.list)", 3),
        ("States.MathAdd(40, 2)", 42),
        ("States.StringSplit('a,b,c', ',')", ["a", "b", "c"]),
        ("States.Base64Encode('hi')", "aGk="),
    ],
)
def test_intrinsic_functions(conf: Conformance, expression: str, expected: Any) -> None:
    # INTRINSICS_DOC: each function's documented result.
    assert evaluate(conf, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # The literal string \' represents ', \{ represents {, \} represents }, and \\
        # represents \ (ESCAPES_DOC); in JSON each backslash is written twice.
        ("States.Format('it\\'s {}', $.name)", "it's Ada"),
        ("States.Format('\\{literal\\} {}', $.name)", "{literal} Ada"),
        ("States.Format('back\\\\slash {}', $.name)", "back\\slash Ada"),
        ("States.Format('\\{\\}', $.name)", "{}"),
        ("States.StringSplit('a\\'b,c', ',')", ["a'b", "c"]),
    ],
)
def test_intrinsic_string_escapes(conf: Conformance, expression: str, expected: Any) -> None:
    # ESCAPES_DOC: reserved characters ' { } \ are escaped with a backslash.
    assert evaluate(conf, expression) == expected
