"""The launch frame: what the terminal shows from the first frame until the dashboard
has mounted, laid out as the dashboard's loading state.

The dashboard's first frame cost about 120 ms of mounting and styling (three tables,
the footer, the filter field) and 30 ms of imports (the screens, the poller, the
models) on top of Textual's own start: the first paint took 1.7 to 1.9 times a bare
Textual app's (bench/run.py). This frame is the app's default screen, one widget
drawing the header (where, read-only), the catalog loading, an empty executions pane,
and the app's keys. The app pushes the dashboard over it on `Ready` (the first frame is
on the terminal by then); keys typed meanwhile are kept for the dashboard, in order
(`KeyOrder.hold`).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from sfn_tui.tui.empty_states import executions_empty
from sfn_tui.tui.header_fit import fit
from sfn_tui.tui.widgets.header import where_parts
from sfn_tui.tui.widgets.pane_columns import EXECUTIONS_COLUMNS

NARROW_WIDTH = 110
"""Below this many columns the dashboard stacks its panes (screens/main.py) and so does
this frame."""

# The executions pane with no machine selected, as the dashboard says it.
EXECUTIONS_HINT = executions_empty(None, None, "", more_on_service=False)
EXECUTIONS_HEADINGS = "  ".join(label for _, label, _ in EXECUTIONS_COLUMNS)


def _split(total: int, *fractions: int) -> list[int]:
    """`total` cells shared in these fractions as Textual shares `fr` units (each part
    ends at the whole cell below its running share)."""
    whole, done, sizes, ends = sum(fractions), 0, [], 0
    for fraction in fractions:
        done += fraction
        end = total * done // whole
        sizes.append(end - ends)
        ends = end
    return sizes


class LaunchFrame(Widget):
    """The whole launch frame, drawn by one widget: the header (where, read-only), the
    catalog loading beside an empty executions pane as the dashboard lays them out
    (narrow: the catalog's two panes side by side, above the executions), and the app's
    keys as the footer shows them. Its first version composed eight widgets (a header,
    containers, two loading indicators, a pane, the keys): their styles, layout and
    renders cost about 12 ms more of the first paint than this one, which is what the
    frame is for. The dots are a loading indicator's at its start; the dashboard's
    animate. Keys typed now act once the dashboard is up."""

    COMPONENT_CLASSES = {
        "launch-frame--header",
        "launch-frame--keys",
        "launch-frame--key",
        "launch-frame--description",
        "launch-frame--dots",
        "launch-frame--border",
        "launch-frame--title",
        "launch-frame--headings",
        "launch-frame--hint",
    }
    DEFAULT_CSS = """
    LaunchFrame {
        height: 1fr;
        background: $surface;
        .launch-frame--header { background: $panel; color: $foreground; }
        .launch-frame--keys { background: $footer-background; }
        .launch-frame--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .launch-frame--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .launch-frame--dots { color: $primary; }
        .launch-frame--border { color: $primary 50%; }
        .launch-frame--title { color: $text; text-style: bold; }
        .launch-frame--headings { text-style: bold; background: $panel; color: $foreground; }
        .launch-frame--hint { text-style: dim italic; }
    }
    """

    def render(self) -> Text:
        width, height = self.size
        if width <= 0 or height <= 0:
            return Text()
        lines = [Text() for _ in range(height)]
        lines[0] = self._header(width)
        if height > 1:
            lines[-1] = self._keys(width)
        self._panes(lines, 1, height - 2, width)
        return Text("\n").join(lines)

    def _header(self, width: int) -> Text:
        """The status header's line as it is before the first poll (padding 0 1)."""
        line = Text(" ", style=self.get_component_rich_style("launch-frame--header"))
        line.append_text(fit(where_parts(self.app), max(0, width - 2)))
        line.pad_right(width - line.cell_len)
        line.truncate(width)
        return line

    def _keys(self, width: int) -> Text:
        """The footer's keys: one per action, the palette's at the right."""
        key_style = self.get_component_rich_style("launch-frame--key")
        description_style = self.get_component_rich_style("launch-frame--description")
        row = Text(style=self.get_component_rich_style("launch-frame--keys"))
        palette = Text()
        seen: set[str] = set()
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            shown = binding.show or binding.action == "command_palette"
            if not enabled or not shown or binding.action in seen:
                continue
            seen.add(binding.action)
            words = Text.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style),
                (f"{binding.description} ", description_style),
            )
            if binding.action == "command_palette":
                palette = words
            else:
                row.append_text(words)
        gap = width - row.cell_len - palette.cell_len
        if palette and gap > 0:
            row.append(" " * gap, description_style)
            row.append_text(palette)
        row.pad_right(width - row.cell_len)
        row.truncate(width)
        return row

    def _panes(self, lines: list[Text], top: int, height: int, width: int) -> None:
        if height <= 0:
            return
        dots = self._dot_row()
        if width < NARROW_WIDTH:
            catalog, runs = _split(height, 2, 3)
            halves = _split(width, 1, 1)
            for x, part in zip((0, halves[0]), halves, strict=True):
                self._dots(lines, dots, x, part, top, catalog)
            self._executions(lines, 0, width, top + catalog, runs)
        else:
            catalog, runs = _split(width, 2, 3)
            machines, activities = _split(height, 3, 2)
            self._dots(lines, dots, 0, catalog, top, machines)
            self._dots(lines, dots, 0, catalog, top + machines, activities)
            self._executions(lines, catalog, runs, top, height)

    @staticmethod
    def _place(lines: list[Text], x: int, y: int, text: Text) -> None:
        """`text` on line `y` from column `x` (the line padded up to it)."""
        if 0 <= y < len(lines):
            line = lines[y]
            if line.cell_len < x:
                line.append(" " * (x - line.cell_len))
            line.append_text(text)

    def _dots(self, lines: list[Text], dots: Text, x: int, width: int, y: int, height: int) -> None:
        """A loading indicator's five dots, centred in the region."""
        if width <= 0 or height <= 0:
            return
        if dots.cell_len > width:
            dots = dots.copy()
            dots.truncate(width)
        self._place(lines, x + (width - dots.cell_len) // 2, y + (height - 1) // 2, dots)

    def _dot_row(self) -> Text:
        from textual.color import Color, Gradient

        style = self.get_component_rich_style("launch-frame--dots")
        color = Color.from_rich_color(style.color) if style.color else Color(1, 120, 212)
        background = Color.from_rich_color(self.rich_style.bgcolor)
        gradient = Gradient(
            (0.0, background.blend(color, 0.1)), (0.7, color), (1.0, color.lighten(0.1))
        )
        dots = Text.assemble(
            *(
                ("\u25cf ", Style.from_color(gradient.get_color((1 - blend) ** 2).rich_color))
                for blend in ((-number / 8) % 1 for number in range(5))
            )
        )
        dots.rstrip()
        return dots

    def _executions(self, lines: list[Text], x: int, width: int, y: int, height: int) -> None:
        """The executions pane's round border, title, column headings and hint."""
        if width < 2 or height < 2:
            return
        border = self.get_component_rich_style("launch-frame--border")
        inner = width - 2
        title = Text(" Executions ", self.get_component_rich_style("launch-frame--title"))
        title.truncate(max(0, inner - 1))
        top = Text("╭─", border) if inner else Text("╭", border)
        top.append_text(title if inner > 1 else Text())
        top.append("─" * max(0, inner - top.cell_len + 1) + "╮", border)
        self._place(lines, x, y, top)
        headings = Text(EXECUTIONS_HEADINGS.ljust(inner)[:inner])
        headings.stylize(self.get_component_rich_style("launch-frame--headings"))
        hint = Text(EXECUTIONS_HINT[:inner], self.get_component_rich_style("launch-frame--hint"))
        inside = [headings, Text(), hint]
        for row in range(1, height - 1):
            content = inside[row - 1] if row - 1 < len(inside) else Text()
            content = content.copy()
            content.pad_right(inner - content.cell_len)
            self._place(lines, x, y + row, Text("│", border) + content + Text("│", border))
        self._place(lines, x, y + height - 1, Text("╰" + "─" * inner + "╯", border))
