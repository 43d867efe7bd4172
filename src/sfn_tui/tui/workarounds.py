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
