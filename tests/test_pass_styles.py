"""widgets/pass_styles.py keeps a table's style look-ups for one drawing pass. The rule:
a table draws exactly what DataTable draws, in every state the styles depend on (focus,
cursor, hover, theme), and nothing found in one pass is used in the next."""

from __future__ import annotations

import random
from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable, Input

from sfn_tui.tui.widgets.pass_styles import PassStyles


class Table(PassStyles):
    pass


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()
        yield Table(zebra_stripes=True)


def drawn(table: Table, memo: bool) -> list[list[Any]]:
    """Every line the table draws now, through the pass memo or through DataTable's
    own render_lines, from empty caches."""
    table._clear_caches()
    table._styles_cache.clear()
    crop = Region(0, 0, table.size.width, table.size.height)
    lines = table.render_lines(crop) if memo else DataTable.render_lines(table, crop)
    return [list(line) for line in lines]


async def test_a_table_draws_what_datatable_draws_in_every_state() -> None:
    rng = random.Random(7)
    app = Tables()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(Table)
        table.add_columns("Name", "Status", "Started")
        for n in range(60):
            table.add_row(f"run-{n:03}", rng.choice(["RUNNING", "FAILED"]), f"12:{n:02}")
        await pilot.pause()
        themes = ["textual-dark", "textual-light", "nord", "gruvbox"]
        for step in range(24):
            action = rng.choice(["focus", "blur", "move", "theme", "cursor"])
            if action == "focus":
                table.focus()
            elif action == "blur":
                app.query_one(Input).focus()
            elif action == "move":
                table.move_cursor(row=rng.randrange(60))
            elif action == "theme":
                app.theme = rng.choice(themes)
            else:
                table.cursor_type = rng.choice(["row", "cell"])
            await pilot.pause()
            assert drawn(table, memo=True) == drawn(table, memo=False), (step, action)
            assert table._pass_components is None and table._pass_style is None
