"""Fitting the one-line header to the terminal's width by shortening its words, never
by cutting the end off: the waiting-task count and an outage's words are the last to
shorten (at 80 columns "✉ 1 task waiting (c)" becomes "✉ 1 waiting (c)", and "data is
stale" becomes "stale" before anything is lost).

A header is a row of parts, each with its forms from the longest to the shortest ("" if
it may go); parts shrink one step at a time in the order of `Part.shrink_rank`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

SEPARATOR = " │ "


@dataclass(slots=True)
class Part:
    forms: list[str]  # longest first
    style: str = ""
    shrink_rank: int = 0  # lower shrinks first
    separated: bool = True  # " │ " before it (when something precedes it)
    separator_style: str = ""
    chosen: int = 0

    @property
    def text(self) -> str:
        return self.forms[self.chosen]


def middle_cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, its middle replaced by "…"."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    head = (width - 1) // 2 + (width - 1) % 2
    tail = width - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


def end_cut(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def assemble(parts: list[Part]) -> Text:
    text = Text()
    for part in parts:
        if not part.text:
            continue
        if part.separated and text.plain:
            text.append(SEPARATOR, style=part.separator_style)
        text.append(part.text, style=part.style)
    return text


def fit(parts: list[Part], width: int) -> Text:
    """The header in `width` cells: each part at its longest form that lets it fit,
    shrinking parts in rank order; a last resort cuts the end with "…"."""
    by_rank = sorted(range(len(parts)), key=lambda i: parts[i].shrink_rank)
    while cell_len(assemble(parts).plain) > width:
        for index in by_rank:
            part = parts[index]
            if part.chosen < len(part.forms) - 1:
                part.chosen += 1
                break
        else:
            break
    text = assemble(parts)
    if width > 0 and cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    return text
