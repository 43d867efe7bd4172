"""A Footer that redraws only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer recomposes (re-mounting and re-styling every key, 20-60 ms) on
    every bindings refresh, and the panes ask for one on each cursor move so that
    row-dependent keys (stop, redrive) come and go. This one recomposes only when the
    keys, descriptions or enabled states it would show differ from what it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[str, str, bool, str], ...] | None = None

    def _signature(self, screen: Screen[Any]) -> tuple[tuple[str, str, bool, str], ...]:
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen:
            if not screen.app.app_focus:
                return
            shown = self._signature(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
