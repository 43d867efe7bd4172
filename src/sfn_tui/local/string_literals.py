"""A definition's strings read as JSON strings, in moto 5.2.5's ASL parser.

A definition is JSON, so `"\\u001b[31mAnsiState"` names a state whose first character is
ESC (AWS reports that name in the run's history). moto's preprocessor takes most string
literals (state names, StartAt, Next, Default, paths) as the raw text between the
quotes, escapes and all: a run then enters a state called `\\u001b[31mAnsiState`, six
characters longer than the definition's, and nothing matches it by name
(tests/test_local_string_literals.py). This decodes those literals as JSON does.
Installed by ``activities.install()``, which checks the moto version.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False


def decoded(raw: str | None) -> str | None:
    """The string a JSON literal's inner text stands for (the raw text when it is not
    valid JSON string content: moto's lexer accepted it, so keep what it did)."""
    if raw is None or "\\" not in raw:
        return raw
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def install() -> None:
    """Patch the preprocessor's string reader (idempotent)."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    preprocessor = import_module("moto.stepfunctions.parser.asl.parse.preprocessor").Preprocessor
    original = preprocessor._inner_string_of

    def inner_string_of(parser_rule_context: Any) -> str | None:
        return decoded(original(parser_rule_context))

    preprocessor._inner_string_of = staticmethod(inner_string_of)
    _installed = True
