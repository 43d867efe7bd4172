"""Diffs between what a table shows and what a poll returned, so the UI touches only
rows that changed."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(slots=True)
class Diff(Generic[K, V]):
    added: list[V] = field(default_factory=list)
    changed: list[V] = field(default_factory=list)
    removed: list[K] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def diff_by_key(
    old: Mapping[K, V], new: Iterable[V], key: Callable[[V], K], *, complete: bool = True
) -> Diff[K, V]:
    """What to add, change and remove to turn `old` into `new`.

    With `complete=False` (`new` is only the first page of a longer list) nothing is
    removed: rows missing from the page may simply be older.
    """
    diff: Diff[K, V] = Diff()
    seen: set[K] = set()
    for item in new:
        k = key(item)
        seen.add(k)
        before = old.get(k)
        if before is None:
            diff.added.append(item)
        elif before is not item and before != item:  # the same object: unchanged
            diff.changed.append(item)
    if complete:
        diff.removed = [k for k in old if k not in seen]
    return diff
