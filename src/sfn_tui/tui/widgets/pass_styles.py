"""Styles looked up once per drawing pass, not once per line.

DataTable asks for the same styles at every line it draws: its own `rich_style` (a walk
up every ancestor's styles), the header's and the rows' component styles (each call
merges a new styles object, then walks the ancestors again). A pane of 36 lines
redrawn on a cursor move asked ~100 times for 3 answers, a tenth of the move's CPU.
Within one `render_lines` call nothing can change them (styles change between frames,
from the message loop), so `PassStyles` answers from what it found first in the pass,
and forgets it when the pass ends.
"""

from __future__ import annotations

from typing import Any, cast

from rich.style import Style
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable


class _Found:
    """A component's styles as found once in a pass: its `rich_style` computed once,
    everything else read from the styles themselves."""

    __slots__ = ("_styles", "rich_style")

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style: Style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class PassStyles(DataTable[Any]):
    """A DataTable whose style look-ups are kept for the length of a drawing pass."""

    _pass_style: Style | None = None
    _pass_components: dict[tuple[str, ...], RenderStyles] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass_components = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass_components = None
            self._pass_style = None

    @property
    def rich_style(self) -> Style:
        if self._pass_components is None:
            return super().rich_style
        if self._pass_style is None:
            self._pass_style = super().rich_style
        return self._pass_style

    def get_component_styles(self, *names: str) -> RenderStyles:
        found = self._pass_components
        if found is None:
            return super().get_component_styles(*names)
        styles = found.get(names)
        if styles is None:
            # Read like RenderStyles by DataTable (rich_style and attributes).
            styles = found[names] = cast(RenderStyles, _Found(super().get_component_styles(*names)))
        return styles
