"""Lay a JSON document out for editing: one value a line, indented, like the AWS
console shows a definition. Pure: no Textual.

AWS gives a definition back as it was sent; one created by a tool is often a single
line of up to 1 MiB, which no one can read or edit as one line (and which costs a text
editor seconds a key). `laid_out` re-indents such a document without parsing its values
into Python: strings, numbers and escapes stay byte for byte as written (json.dumps
would turn 1.50 into 1.5, 1e400 into Infinity, and merge duplicate keys), only the
whitespace between tokens changes. A document already written over several lines is
left as its author laid it out.
"""

from __future__ import annotations

import json
import re

INDENT = "  "
LONG_LINE = 1000  # a line longer than this is not anyone's layout
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def needs_layout(text: str) -> bool:
    """Whether `text` is laid out by no one: one line, or lines too long to read."""
    return "\n" not in text.strip() or any(len(line) > LONG_LINE for line in text.splitlines())


def reindent(text: str, indent: str = INDENT) -> str:
    """`text`, valid JSON, with one value a line and nested values indented (the layout
    of json.dumps(indent=2)); every token is kept as written. ValueError if not JSON."""
    json.loads(text)  # the tokens below are then those of a valid document
    out: list[str] = []
    depth = 0
    tokens = _TOKEN.findall(text)
    for index, token in enumerate(tokens):
        if token in ("{", "["):
            closing = "}" if token == "{" else "]"
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            out.append(token)
            if following != closing:  # empty {} and [] stay on one line
                depth += 1
                out.append("\n" + indent * depth)
        elif token in ("}", "]"):
            if tokens[index - 1] not in ("{", "["):  # not an empty {} or []
                depth -= 1
                out.append("\n" + indent * depth)
            out.append(token)
        elif token == ",":
            out.append(",\n" + indent * depth)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
    return "".join(out)


def laid_out(text: str) -> str:
    """`text` re-indented when it is valid JSON that no one laid out; else unchanged."""
    if not needs_layout(text):
        return text
    try:
        return reindent(text)
    except ValueError:
        return text  # not JSON: shown as it is, the editor's check says where it breaks


def compact(text: str) -> str:
    """`text`, valid JSON, as one line: the whitespace between tokens removed, every
    token kept as written (how a definition laid out by `laid_out` is sent back)."""
    json.loads(text)
    return "".join(_TOKEN.findall(text))
