"""Column widths that fit a pane: every column as wide as its widest cell, except the
name column, which takes what is left and shortens long names in the middle.

A DataTable's own auto-width columns only ever grow (their width survives `clear()`),
so a pane that showed one machine's long run names kept that width for the next
machine's, pushing Stopped off screen; and columns wider than the pane brought a
horizontal scrollbar that took a row of a 7-row pane. Here the widths are computed
from the rows shown now and the pane's width, each time either changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text

MIN_NAME = 8  # below this a shortened name says too little: scroll sideways instead


def clip_middle_text(text: Text, width: int) -> Text:
    """`text` in at most `width` cells, cut in the middle with an ellipsis (styles kept):
    generated names (a prefix, a date, a unique suffix) stay telling apart."""
    if text.cell_len <= width:
        return text
    if width <= 1:
        return Text("…"[:width])
    tail = (width - 1) // 2
    head = width - 1 - tail
    plain = text.plain
    # Names are mostly single-width characters; trim further if wide ones overflow.
    while head > 0 and Text(plain[:head]).cell_len > width - 1 - tail:
        head -= 1
    clipped = text[:head]
    clipped.append("…")
    if tail:
        clipped.append_text(text[len(plain) - tail :])
    return clipped


def fit_widths(
    labels: Sequence[str],
    natural: Sequence[int],
    fixed: Sequence[int | None],
    flex: int,
    room: int,
    padding: int,
) -> list[int]:
    """Content widths (without padding) for columns whose labels are `labels`.

    `natural[i]` is the widest cell of column i; a `fixed[i]` width wins over it.
    Column `flex` (the name) gets what the others leave of `room` (the pane's inner
    width), at most its natural width and at least MIN_NAME. `room` <= 0 (not laid
    out yet): natural widths.
    """
    widths: list[int] = []
    for label, wide, width in zip(labels, natural, fixed, strict=True):
        widths.append(width if width is not None else max(len(label), wide))
    want = max(len(labels[flex]), natural[flex])
    if room <= 0:
        widths[flex] = want
        return widths
    others = sum(w for i, w in enumerate(widths) if i != flex)
    left = room - others - padding * len(widths)
    widths[flex] = max(min(want, left), min(want, MIN_NAME))
    return widths


def widest(cells: Iterable[object]) -> int:
    """The widest of these cell values, in terminal cells."""
    best = 0
    for cell in cells:
        length = cell.cell_len if isinstance(cell, Text) else Text(str(cell)).cell_len
        best = max(best, length)
    return best
