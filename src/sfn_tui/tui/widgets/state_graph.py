"""A state machine's graph in a view that scrolls both ways (arrows, PgUp/PgDn, Home/End).

It draws lines made by `sfn_tui.core.graph`; only the visible part is rendered, so a
large graph scrolls as fast as a small one.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sfn_tui.core.graph import render_graph
from sfn_tui.core.history import StateStatus


class StateGraph(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    StateGraph {
        height: 1fr;
        width: 1fr;
        padding: 0 1;
        background: $surface;
    }
    StateGraph:focus {
        background-tint: $foreground 3%;
    }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.lines: list[Text] = []
        self._strips: list[Strip] = []
        self._shown: tuple[object, ...] | None = None

    def show(
        self,
        definition: str,
        statuses: Mapping[str, StateStatus] | None = None,
        notes: Mapping[str, str] | None = None,
    ) -> bool:
        """Draw `definition`, each state marked by `statuses` (None: the definition
        alone) and titled with its `notes`. Returns False when nothing changed since
        the last call."""
        key = (
            definition,
            tuple(sorted(statuses.items())) if statuses is not None else None,
            tuple(sorted((notes or {}).items())),
        )
        if key == self._shown:
            return False
        self._shown = key
        self.show_lines(render_graph(definition, statuses, notes))
        return True

    def show_lines(self, lines: list[Text]) -> None:
        self.lines = lines
        self._strips = []
        width = max((line.cell_len for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    @property
    def plain_text(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def _strip(self, index: int) -> Strip:
        if not self._strips:
            console = self.app.console
            self._strips = [
                Strip(list(line.render(console)), line.cell_len)
                if line.cell_len
                else Strip([Segment("")], 0)
                for line in self.lines
            ]
        return self._strips[index]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, style)
        return self._strip(index).crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
