"""Escapes in the string literals of intrinsic functions: ``\\'``, ``\\{``, ``\\}``, ``\\\\``.

AWS (Intrinsic functions, "Reserved characters in intrinsic functions"): ``'``, ``{``,
``}`` and ``\\`` are escaped with a backslash; ``\\'`` is ``'``, ``\\{`` is ``{``, ``\\}`` is
``}``, ``\\\\`` is ``\\``; in the JSON definition each backslash is written twice. So
``"States.Format('it\\\\'s \\\\{x\\\\} {}', $.v)"`` in the definition gives "it's {x} ...".

moto parsed the intrinsic from the JSON text without undoing JSON's escapes (``\\\\'``
reached the intrinsic lexer as an escaped backslash followed by a closing quote: the
output was cut), kept ``\\'`` and ``\\\\`` as two characters, and formatted
States.Format's template with Python's ``str.format``, so a literal brace raised
KeyError. Here the JSON string is decoded first, each literal is unescaped, and
States.Format replaces each unescaped ``{}`` in turn.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_CONTROL = re.compile(r"[\x00-\x1f]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNNAMED = {"n": "\n", "t": "\t", "r": "\r"}

_installed = False


def escape_controls(text: str) -> str:
    """Control characters (from JSON escapes) as intrinsic escapes the lexer accepts."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def _pieces(inner: str) -> list[tuple[str, bool]]:
    """A literal's text as (piece, escaped) pairs: one character each, escapes undone."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(inner):
        char = inner[i]
        if char == "\\" and i + 1 < len(inner):
            nxt = inner[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", inner[i + 2 : i + 6]):
                out.append((chr(int(inner[i + 2 : i + 6], 16)), True))
                i += 6
                continue
            out.append((_UNNAMED.get(nxt, nxt), True))
            i += 2
            continue
        out.append((char, False))
        i += 1
    return out


def unescape(inner: str) -> str:
    """The value of an intrinsic string literal (the text between its quotes)."""
    return "".join(piece for piece, _ in _pieces(inner))


def format_template(inner: str, values: list[str]) -> str:
    """States.Format with a literal template: each unescaped {} takes the next value."""
    pieces = _pieces(inner)
    out: list[str] = []
    queue = list(values)
    i = 0
    while i < len(pieces):
        piece, escaped = pieces[i]
        if piece == "{" and not escaped and i + 1 < len(pieces) and pieces[i + 1] == ("}", False):
            out.append(queue.pop(0) if queue else "{}")
            i += 2
            continue
        out.append(piece)
        i += 1
    return "".join(out)


def format_value(template: str, values: list[str]) -> str:
    """States.Format with a template read from a path: each {} takes the next value."""
    parts = template.split("{}")
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append(values[index] if index < len(values) else "{}")
        out.append(part)
    return "".join(out)


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    AslPreprocessor: Any = import_module(f"{asl}.parse.preprocessor").Preprocessor
    IntrinsicParser: Any = import_module(f"{asl}.parse.intrinsic.intrinsic_parser").IntrinsicParser
    IntrinsicPreprocessor: Any = import_module(f"{asl}.parse.intrinsic.preprocessor").Preprocessor
    string_expression: Any = import_module(f"{asl}.component.common.string.string_expression")
    argument: Any = import_module(f"{asl}.component.intrinsic.argument.argument")
    StringFormat: Any = import_module(
        f"{asl}.component.intrinsic.function.statesfunction.generic.string_format"
    ).StringFormat

    def visit_string_intrinsic_function(self: Any, ctx: Any) -> Any:
        token = ctx.STRINGINTRINSICFUNC().getText()
        try:
            derivation = json.loads(token)
        except ValueError:
            derivation = token[1:-1]
        derivation = escape_controls(derivation)
        function, _ = IntrinsicParser.parse(derivation)
        return string_expression.StringIntrinsicFunction(
            intrinsic_function_derivation=derivation, function=function
        )

    AslPreprocessor.visitString_intrinsic_function = visit_string_intrinsic_function

    def visit_func_arg_string(self: Any, ctx: Any) -> Any:
        inner = ctx.STRING().getText()[1:-1]
        literal = argument.ArgumentLiteral(definition_value=unescape(inner))
        literal.escaped_text = inner  # States.Format needs to tell \{ from {
        return literal

    IntrinsicPreprocessor.visitFunc_arg_string = visit_func_arg_string

    def format_eval_body(self: Any, env: Any) -> None:
        self.argument_list.eval(env=env)
        args = env.stack.pop()
        values = [StringFormat._to_str_repr(value) for value in args[1:]]
        first = self.argument_list.arguments[0]
        escaped = getattr(first, "escaped_text", None)
        if escaped is not None:
            env.stack.append(format_template(escaped, values))
        else:
            env.stack.append(format_value(str(args[0]), values))

    StringFormat._eval_body = format_eval_body
