"""Textual's render caches without the reference cycles they leave behind.

Reference counting frees most of what a frame leaves over at once; what is in a cycle
waits for the cyclic GC, whose full collections were the longest stalls while polling
(bench/stalls.py). In Textual 8.2.8 two caches made such cycles at every poll:

- ``LRUCache`` keeps its entries in a ring of ``[prev, next, key, value]`` lists, and
  ``clear()`` drops the ring whole: a cycle holding every cached value. DataTable clears
  its line cache whenever a cell changes, so each poll that changed a run's status or
  elapsed time left a ring of up to 120 rendered lines.
- A ``Strip`` divided into one piece (``divide``) or cropped and extended to its own
  length (``crop_extend``) stores itself in its own cache: every such line, with its
  segments and its seven caches, became a cycle once dropped.

Fifteen seconds of polling the bench's dashboard left 561 strips, 3,927 caches, 3,758
lists and 3,474 segments for the collector. Here ``clear()`` unlinks the ring first (and ``discard`` the link it drops), and
a strip does not cache itself (it is its own answer, found without a cache). Idempotent;
a no-op where Textual's classes are not the ones described.
"""

from __future__ import annotations

from typing import Any


def unlink_cleared_rings() -> None:
    """LRUCache.clear unlinks its ring, so reference counting frees the entries."""
    from textual.cache import LRUCache

    original = LRUCache.__dict__.get("clear")
    original_discard = LRUCache.__dict__.get("discard")
    if original is None or original_discard is None or getattr(original, "_acyclic", False):
        return
    if "_head" not in LRUCache.__slots__ or "_cache" not in LRUCache.__slots__:
        return  # pragma: no cover - a Textual with another LRUCache

    def clear(self: Any) -> None:
        for link in self._cache.values():
            link.clear()  # [prev, next, key, value]: no longer refers to its neighbours
        original(self)

    def discard(self: Any, key: Any) -> None:
        link = self._cache.get(key)
        original_discard(self, key)
        if link is not None:
            link.clear()  # the last entry's link refers to itself

    clear._acyclic = True  # type: ignore[attr-defined]
    LRUCache.clear = clear  # type: ignore[method-assign]
    LRUCache.discard = discard  # type: ignore[method-assign]


def strips_never_cache_themselves() -> None:
    """Strip.divide and Strip.crop_extend return the strip itself uncached."""
    from textual.strip import Strip

    divide = Strip.__dict__.get("divide")
    crop_extend = Strip.__dict__.get("crop_extend")
    if divide is None or crop_extend is None or getattr(divide, "_acyclic", False):
        return

    def acyclic_divide(self: Any, cuts: Any) -> list[Any]:
        cuts = list(cuts)
        if [cut for cut in cuts if cut <= self.cell_length] == [self.cell_length]:
            return [self]
        return divide(self, cuts)

    def acyclic_crop_extend(self: Any, start: int, end: int, style: Any) -> Any:
        if start <= 0 and end == self.cell_length:
            return self  # what extend_cell_length(end).crop(start, end) returns
        return crop_extend(self, start, end, style)

    acyclic_divide._acyclic = True  # type: ignore[attr-defined]
    Strip.divide = acyclic_divide  # type: ignore[method-assign]
    Strip.crop_extend = acyclic_crop_extend  # type: ignore[method-assign]


def install() -> None:
    unlink_cleared_rings()
    strips_never_cache_themselves()
