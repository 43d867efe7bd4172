"""The paste limit's arithmetic and words, field by field: what a field would hold after
the paste (its text, less a selection the paste replaces, plus the paste; bytes of
UTF-8 in an editor, characters in a one-line field) against its limit, and the message
that names both sizes and why. The limit itself is allowed; one more is refused."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Static, TextArea

from sfn_tui.tui.paste_limits import LimitedTextArea, refusal

KIB = 1024


class Fields(App[None]):
    def compose(self) -> ComposeResult:
        yield LimitedTextArea("abc", max_bytes=10, limit_name="the reply limit", id="small")
        yield LimitedTextArea("", max_bytes=256 * KIB, id="reply")
        yield LimitedTextArea("", max_bytes=KIB, id="kib")
        yield TextArea("", id="plain")
        yield Input("ab", max_length=5, id="short")
        yield Input("", id="line")
        yield Static("text", id="static")


async def with_fields(check: Any) -> None:
    app = Fields()
    async with app.run_test():
        check(app)


async def test_an_editor_takes_up_to_its_limit_in_bytes() -> None:
    def check(app: Fields) -> None:
        small = app.query_one("#small", LimitedTextArea)
        assert refusal(small, "x" * 7) is None  # 3 + 7 = 10: the limit itself
        assert refusal(small, "x" * 8) == (
            "Not pasted: the field would hold 11 bytes; it takes at most 10 bytes"
            " (the reply limit). What it held is unchanged."
        )
        assert refusal(small, "é" * 4) is not None  # 3 + 8 bytes: UTF-8 is counted
        assert refusal(small, "é" * 3 + "x") is None  # 3 + 7 bytes
        small.select_all()  # a paste replaces the selection: 10 bytes in place of 3
        assert refusal(small, "x" * 10) is None
        assert refusal(small, "x" * 11) is not None
        assert small.text == "abc"  # asking changes nothing

    await with_fields(check)


async def test_sizes_are_said_in_kib_and_mib() -> None:
    def check(app: Fields) -> None:
        reply = app.query_one("#reply", LimitedTextArea)
        assert refusal(reply, "x" * (256 * KIB)) is None
        assert refusal(reply, "x" * (300 * KIB)) == (
            "Not pasted: the field would hold 300.0 KiB; it takes at most 256.0 KiB."
            " What it held is unchanged."
        )
        kib = app.query_one("#kib", LimitedTextArea)  # 1,024 bytes is 1.0 KiB
        assert refusal(kib, "x" * 1025) == (
            "Not pasted: the field would hold 1.0 KiB; it takes at most 1.0 KiB."
            " What it held is unchanged."
        )
        assert "1023 bytes" in (refusal(app.query_one("#small"), "x" * 1020) or "")
        plain = app.query_one("#plain", TextArea)  # any editor: a definition's 1 MiB
        assert refusal(plain, "x" * (1024 * KIB)) is None
        assert refusal(plain, "x" * (1536 * KIB)) == (
            "Not pasted: the field would hold 1.5 MiB; it takes at most 1.0 MiB."
            " What it held is unchanged."
        )

    await with_fields(check)


async def test_a_one_line_field_takes_up_to_its_length_in_characters() -> None:
    def check(app: Fields) -> None:
        short = app.query_one("#short", Input)
        assert refusal(short, "éèê") is None  # 2 + 3 characters = max_length
        assert refusal(short, "abcd") == (
            "Not pasted: the field would hold 6 characters; it takes at most 5 characters."
            " What it held is unchanged."
        )
        short.selection = (0, 2)  # "ab" selected: replaced by the paste
        assert refusal(short, "abcde") is None
        assert refusal(short, "abcdef") is not None
        line = app.query_one("#line", Input)  # no max_length: 64 Ki characters
        assert refusal(line, "x" * (64 * KIB)) is None
        assert refusal(line, "x" * 70_000) == (
            "Not pasted: the field would hold 70,000 characters; it takes at most"
            " 65,536 characters. What it held is unchanged."
        )
        assert refusal(app.query_one("#static"), "x" * 10**6) is None  # not a field

    await with_fields(check)
