"""Work-arounds for problems in the libraries under the UI, each with its reason.

Textual 8.2.8 caches ``StylesCache.get_inner_outer`` with ``functools.lru_cache`` on
the method, so the cache keeps up to 1,024 ``StylesCache`` objects (and every line they
rendered) alive after their widgets are gone: each opened and closed execution detail
or chat pane left megabytes behind (Textualize/textual#6665). Clearing that cache now
and then lets them go; it only holds two computed styles per entry.
"""

from __future__ import annotations

import functools

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
