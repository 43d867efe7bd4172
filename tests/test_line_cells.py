"""The panes' one-line cells (widgets/line_cells.py) are drawn exactly as DataTable draws
them: the same segments, text and styles (meta included), over random cells: plain
strings, markup, styled Text with spans, wide and combining characters, emoji, text
longer than the column, empty cells, every width from 1 to 30, cursor and hover."""

from __future__ import annotations

import random
from typing import Any

import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from sfn_tui.tui.widgets.line_cells import LineCells, render_line_cell

WORDS = [
    "run-20261130-1",
    "SUCCEEDED",
    "日本語の実行",
    "e\u0301te\u0301",  # combining accents
    "🙂 ok",
    "a  b  ",
    "   ",
    "",
    "[b]bold[/b] x",
    "[red]red[/red][on blue]blue[/]",
    "x" * 40,
    "2026-11-30 12:00:01 (1m 02s)",
]


def random_cell(rng: random.Random) -> Any:
    word = rng.choice(WORDS)
    kind = rng.randrange(5)
    if kind == 0:
        return word  # DataTable parses a str as markup
    if kind == 1:
        return Text(word)
    if kind == 2:
        return Text(word, style=rng.choice(["bold", "red", "italic on green", ""]))
    text = Text(word.replace("[", "("), style=rng.choice(["", "dim"]))
    if len(text) > 1:
        start = rng.randrange(len(text))
        text.stylize(rng.choice(["bold", "underline", "yellow"]), start, start + rng.randint(1, 5))
    if kind == 4:
        text.no_wrap = True
    return text


class Plain(DataTable[Any]):
    pass


class Lines(LineCells):
    pass


class Tables(App[None]):
    def __init__(self, rows: list[list[Any]], padding: int) -> None:
        super().__init__()
        self.rows, self.padding = rows, padding

    def compose(self) -> ComposeResult:
        for table in (Plain(cell_padding=self.padding), Lines(cell_padding=self.padding)):
            table.add_columns("a", "b", "c")
            for row in self.rows:
                table.add_row(*row)
            yield table


def segments(lines: list[list[Any]]) -> list[list[tuple[str, Style | None, Any]]]:
    return [[(s.text, s.style, s.control) for s in line] for line in lines]


@pytest.mark.parametrize("focused", [False, True])
async def test_line_cells_are_drawn_as_datatable_draws_them(focused: bool) -> None:
    rng = random.Random(20261130)
    base = Style(bgcolor="grey11")  # as DataTable's row style
    for padding in (0, 1, 2):
        rows = [[random_cell(rng) for _ in range(3)] for _ in range(40)]
        cases = [
            (row, column, width, rng.random() < 0.2, rng.random() < 0.1)
            for row in range(len(rows))
            for column in range(3)
            for width in range(1, 31)
        ]
        app = Tables(rows, padding)
        async with app.run_test(size=(100, 50)) as pilot:
            drawn = []
            for table in (app.query_one(Plain), app.query_one(Lines)):
                # Each drawn focused or not (a focused table's cursor has its own colours).
                app.set_focus(table if focused else None)
                await pilot.pause()
                assert table.has_focus == focused
                drawn.append(
                    [
                        segments(table._render_cell(r, c, style, w, cursor, hover))
                        for style in (base, Style())
                        for r, c, w, cursor, hover in cases
                    ]
                )
            want, got = drawn
            for case, expected, actual in zip(cases * 2, want, got, strict=True):
                assert actual == expected, (rows[case[0]][case[1]], case)
            assert len(want) == 2 * 40 * 3 * 30


def test_what_it_does_not_draw_is_left_to_datatable() -> None:
    """Several lines, tabs, justified or ellipsised text, a column narrower than its
    padding, or a cell that is not Text: None (DataTable's pipeline draws those)."""
    from rich.console import Console

    console = Console()
    style = Style()

    def draw(cell: Any, width: int = 10, padding: int = 1) -> Any:
        return render_line_cell(console, cell, width, padding, style, style, None, None)

    assert draw(Text("two\nlines")) is None
    assert draw(Text("a\tb")) is None
    assert draw(Text("right", justify="right")) is None
    assert draw(Text("long text here", overflow="ellipsis")) is None
    assert draw(Text("wraps", no_wrap=False)) is None
    assert draw(Text("x"), width=2, padding=1) is None
    assert draw("a str") is None
    assert draw(Text("drawn")) is not None
