"""Work-arounds for problems in the libraries under the UI, each with its reason.

Textual 8.2.8 caches ``StylesCache.get_inner_outer`` with ``functools.lru_cache`` on
the method, so the cache keeps up to 1,024 ``StylesCache`` objects (and every line they
rendered) alive after their widgets are gone: each opened and closed execution detail
or chat pane left megabytes behind (Textualize/textual#6665). Clearing that cache now
and then lets them go; it only holds two computed styles per entry.

Textual's ``watch(obj, name, callback)`` keeps ``(widget, callback)`` in a list on
``obj`` and drops a closed widget only when ``obj.name`` next changes. Widgets watching
the app (the status header of every screen, Footer keys, TextArea) for something that
rarely changes (a theme, a failure) stayed alive with their whole screen after it
closed, and a Footer kept every key it ever recomposed (each key data-binds the
footer's ``compact``): a chat pane opened and closed held about 25 widgets. Pruning
those lists of closed widgets now and then lets them go (the test Textual applies).
"""

from __future__ import annotations

import functools
from typing import Any

RELEASE_EVERY = 30.0  # seconds between clears


def release_style_caches() -> None:
    """Drop Textual's per-widget style cache entries (a no-op if Textual changes)."""
    try:
        from textual._styles_cache import StylesCache
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    method = getattr(StylesCache, "get_inner_outer", None)
    if isinstance(method, functools._lru_cache_wrapper):
        method.cache_clear()


def release_closed_watchers(*watched: Any) -> None:
    """Drop closed widgets from the watcher lists of these objects (app, screens)."""
    for obj in watched:
        watchers = getattr(obj, "__watchers", None)
        if not isinstance(watchers, dict):
            continue
        for entries in watchers.values():
            entries[:] = [
                (node, callback)
                for node, callback in entries
                if not getattr(node, "_closing", False) and not getattr(node, "_closed", False)
            ]


def wrap_to_at_least_one_column() -> None:
    """Textual 8.2.8 wraps a widget's text to the width the layout gives it, and a
    widget squeezed to no width asks Rich to wrap to 0 (or fewer) columns: Rich's
    ``chop_cells`` then raises "range() arg 3 must not be zero" and the app dies. It
    happens to any auto-height OptionList or text at small sizes (the chat pane's reply
    area is 0 columns wide once the terminal is 32 columns or fewer; at 1x1 everything
    is). Wrapping to at least one column draws nothing wrong: a region 0 columns wide
    shows nothing anyway. Idempotent; a no-op if Textual changes the method."""
    try:
        from textual.content import Content
    except ImportError:  # pragma: no cover - a Textual without the module
        return
    original = getattr(Content, "_wrap_and_format", None)
    if original is None or getattr(original, "_at_least_one_column", False):
        return

    @functools.wraps(original)
    def wrap_and_format(self: Any, width: int, *args: Any, **kwargs: Any) -> Any:
        return original(self, max(1, width), *args, **kwargs)

    wrap_and_format._at_least_one_column = True  # type: ignore[attr-defined]
    Content._wrap_and_format = wrap_and_format  # type: ignore[method-assign]
