"""The footer: the keys that work here, fitted to the width, redrawn only when they
change.

At any width it keeps the global keys (Quit, Help, Chat and the palette key): the
others are dropped from the end of the row (the app's other keys, then the pane's)
until the row fits, and "more: ?" then says the help lists them all.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

PINNED = frozenset({"app.quit", "app.help", "app.chat"})
MORE = "more: ?"
PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})
Shown = tuple[Binding, bool, str]
Plan = tuple[list[Shown], bool, Shown | None]  # keys shown, some hidden, the palette key


def key_width(key_display: str, description: str) -> int:
    """Cells a FooterKey takes (not compact): " key " then "description "."""
    return cell_len(key_display) + 2 + (cell_len(description) + 1 if description else 0)


def palette_width(key_display: str, description: str) -> int:
    """The palette key, docked right: a border cell, then "key description " (its key
    has no left padding there; measured: "▏^p palette ")."""
    return 1 + cell_len(key_display) + 1 + cell_len(description) + 1


def fit(widths: list[tuple[bool, int]], room: int) -> tuple[list[bool], bool]:
    """Which keys to show: `widths` is (pinned, cells) per key in footer order. Pinned
    keys always; the others from the end are dropped until the row fits, with room
    left for the "more" hint. Returns (shown per key, whether some are hidden)."""
    shown = [True] * len(widths)
    total = sum(cells for _, cells in widths)
    if total <= room:
        return shown, False
    room -= cell_len(MORE) + 3  # a space each side, and the label's right margin
    for index in range(len(widths) - 1, -1, -1):
        if total <= room:
            break
        pinned, cells = widths[index]
        if not pinned:
            shown[index] = False
            total -= cells
    return shown, True


def signature(plan: Plan) -> tuple[object, ...]:
    """What a plan shows: two plans with the same signature draw the same footer."""
    keys, hidden, palette = plan
    return (
        tuple((b.key, b.description, enabled, tooltip) for b, enabled, tooltip in keys),
        hidden,
        palette and (palette[0].key, palette[1]),
    )


def rewrite_key(
    widget: FooterKey, binding: Binding, key_display: str, enabled: bool, tooltip: str
) -> None:
    """Make a mounted FooterKey the one FooterKey(...) would make for `binding`."""
    resized = (widget.key_display, widget.description) != (key_display, binding.description)
    widget.key, widget.key_display = binding.key, key_display
    widget.description, widget.action = binding.description, binding.action
    widget._disabled = not enabled  # what FooterKey's click reads
    widget.set_class(not enabled, "-disabled")
    widget.tooltip = tooltip or None
    widget.refresh(layout=resized)


class SteadyFooter(Footer):
    """Textual's Footer recomposes (re-mounting and re-styling every key, 20-60 ms) on
    every bindings refresh, and the panes ask for one on each cursor move so that
    row-dependent keys (stop, redrive) come and go. This one does nothing when the keys
    it would show (after fitting them to the width) are the ones it shows, and when
    only which keys they are changed (Redrive on a failed run, Copy ARN in its place on
    a succeeded one) it rewrites the keys it has in place: a recompose is left for a
    change in how many keys there are. It is told through its message queue, as
    Textual's Footer is, so the frame that moves the cursor is drawn first (told at
    once, the footer's work delayed that frame: key-to-frame p95 grew 10-15 ms)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None
        self.some_hidden = False

    def _keys(self, screen: Screen[Any]) -> tuple[list[Shown], Shown | None]:
        keys: list[Shown] = []
        palette: Shown | None = None
        seen: set[str] = set()
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.action in PALETTE_ACTIONS:
                palette = palette or (binding, enabled, tooltip)
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)  # one key per action, as Textual's footer does
                keys.append((binding, enabled, tooltip))
        return keys, palette

    def _plan(self, screen: Screen[Any]) -> Plan:
        keys, palette = self._keys(screen)
        display = self.app.get_key_display
        room = self.size.width or self.app.size.width
        if palette is not None and self.show_command_palette:
            room -= palette_width(display(palette[0]), palette[0].description)
        widths = [
            (binding.id in PINNED, key_width(display(binding), binding.description))
            for binding, _, _ in keys
        ]
        shown, hidden = fit(widths, room)
        return [key for key, keep in zip(keys, shown, strict=True) if keep], hidden, palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys, hidden, palette = self._plan(self.screen)
        self.some_hidden = hidden
        display = self.app.get_key_display
        for binding, enabled, tooltip in keys:
            yield self._row_key(binding, enabled, tooltip)
        if hidden:
            yield FooterLabel(f" {MORE} ", id="footer-more")
        if palette is not None and self.show_command_palette:
            binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def _row_key(self, binding: Binding, enabled: bool, tooltip: str) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip or binding.tooltip,
        ).data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen:
            if not screen.app.app_focus:
                return
            plan = self._plan(screen)
            shown = signature(plan)
            if shown == self._shown:
                return
            previous, self._shown = self._shown, shown
            if previous is not None and self._rewrite(plan):
                return
        super().bindings_changed(screen)

    def _rewrite(self, plan: Plan) -> bool:
        """Show `plan` by rewriting the mounted keys in place, mounting the keys it has
        more or removing those it has fewer (a key that comes and goes with the task
        shown, as the chat's Fail task does at each answer, then costs one key, not
        the whole row). False (a recompose is needed) when the "more" hint or the
        palette key comes or goes, or the keys are not mounted yet."""
        keys, hidden, palette = plan
        mounted = list(self.query_children(FooterKey))
        row = [key for key in mounted if not key.has_class("-command-palette")]
        palettes = [key for key in mounted if key.has_class("-command-palette")]
        wants_palette = palette is not None and self.show_command_palette
        if (
            not row
            or bool(self.query_children("#footer-more")) != hidden
            or bool(palettes) != wants_palette
        ):
            return False
        display = self.app.get_key_display
        for widget, (binding, enabled, tooltip) in zip(row, keys, strict=False):
            rewrite_key(widget, binding, display(binding), enabled, tooltip or binding.tooltip)
        if len(keys) > len(row):
            extra = [self._row_key(*key) for key in keys[len(row) :]]
            self.mount_all(extra, after=row[-1])
        for widget in row[len(keys) :]:
            widget.remove()
        if palette is not None and palettes:
            binding, enabled, _ = palette
            rewrite_key(
                palettes[0],
                binding,
                display(binding),
                enabled,
                binding.tooltip or binding.description,
            )
        self.some_hidden = hidden
        return True

    def on_resize(self) -> None:
        """A new width may fit more keys, or fewer."""
        if self._bindings_ready and self.is_attached:
            self.bindings_changed(self.screen)
