"""Each parse of a definition keeps its own QueryLanguage scopes.

moto's ``Preprocessor`` (the LocalStack parser) keeps the stack of QueryLanguage scopes
in a class attribute shared by every parse, in every thread. Two definitions created at
once read each other's language, and a definition refused half-way (e.g. a JSONPath
field in a JSONata state) leaves its scopes behind, so the next definitions are parsed
in the wrong language and refused ("Unsupported declaration in QueryLanguage=JSONata
block") or run with the wrong one. AWS (Amazon States Language, QueryLanguage,
https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html) takes
each definition's language from that definition alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    preprocessor: Any = import_module("moto.stepfunctions.parser.asl.parse.preprocessor")
    Preprocessor: Any = preprocessor.Preprocessor
    original_init = Preprocessor.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._query_language_per_scope = []

    Preprocessor.__init__ = init
