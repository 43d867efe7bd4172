"""The user's keymap (`[keys]` in the settings file: binding id = "key"), checked at
start against the app's bindings (tui/key_catalog.py) before Textual applies it with
`App.set_keymap`.

Refused, each with one sentence: an id the app does not have, a key Textual would never
deliver, and a clash: two ids of one scope on the same key that did not share it
before (Textual would quietly drop one). A scope is a class's keys with those it
inherits; a full screen's scope also holds the app's keys (they work on every screen).
Keys that share a key by design (x: Stop, or "Stop n/a" on an Express run) are fine.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, _normalize_key_list, key_to_character
from textual.screen import ModalScreen, Screen

from sfn_tui.tui.key_catalog import effective_keys, key_owners, own_bindings, title_of

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
KEY_NAMES = frozenset(key.value for key in Keys if "+" not in key.value) | {
    "space",
    "enter",
    "tab",
    "escape",
    "backspace",
    "delete",
}


def normalize(keymap: Mapping[str, str]) -> dict[str, str]:
    """Textual's long key names: "?" becomes "question_mark", "/" "slash"."""
    return {binding_id: _normalize_key_list(keys) for binding_id, keys in keymap.items()}


def is_key(key: str) -> bool:
    """A key name Textual delivers: a character, or a named key, with modifiers."""
    *modifiers, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    base = REPLACED_KEYS.get(base, base)  # "slash" is Unicode's "solidus"
    return len(base) == 1 or base in KEY_NAMES or key_to_character(base) is not None


def scopes() -> list[tuple[str, list[Binding]]]:
    """Each scope's bindings with ids (see the module docstring)."""
    owners = key_owners()
    app_keys = [b for cls in owners if issubclass(cls, App) for b in own_bindings(cls)]
    found = []
    for cls in owners:
        inherited = [b for base in reversed(cls.__mro__) for b in own_bindings(base)]
        if issubclass(cls, Screen) and not issubclass(cls, ModalScreen):
            inherited = app_keys + inherited
        found.append((title_of(cls), inherited))
    return found


def problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with `keymap` (binding id -> keys), one sentence each; [] if fine."""
    written = dict(keymap)
    keymap = normalize(keymap)
    owners: dict[str, type[DOMNode]] = {
        b.id: cls for cls in key_owners() for b in own_bindings(cls) if b.id
    }
    found = []
    for binding_id, keys in keymap.items():
        if binding_id not in owners:
            near = difflib.get_close_matches(binding_id, owners, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            found.append(
                f"unknown key binding id {binding_id!r}{hint}; the help screen (?) lists the ids"
            )
            continue
        if not all(is_key(key.strip()) for key in keys.split(",")):
            found.append(
                f"{binding_id} = {written[binding_id]!r}: not a key name Textual knows"
                ' (examples: "x", "R", "ctrl+s", "f5", "question_mark")'
            )
    if found:
        return found
    reported: set[tuple[str, str, str]] = set()
    for title, bindings in scopes():
        for first, second, key in clashes(bindings, keymap):
            if (first, second, key) not in reported:
                reported.add((first, second, key))
                found.append(
                    f"{first} and {second} would both be on {key!r} ({title});"
                    " give one of them another key"
                )
    return found


def clashes(bindings: list[Binding], keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Pairs of ids on one key with the keymap that shared no key without it."""
    after: dict[str, set[str]] = defaultdict(set)
    defaults: dict[str, set[str]] = {}
    for binding in bindings:
        if not binding.id:
            continue
        defaults[binding.id] = set(effective_keys(binding, {}))
        for key in effective_keys(binding, keymap):
            after[key].add(binding.id)
    found = []
    for key, ids in after.items():
        ordered = sorted(ids)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                if not defaults[first] & defaults[second] and (first in keymap or second in keymap):
                    found.append((first, second, key))
    return found
