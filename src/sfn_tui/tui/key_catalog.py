"""Every key of the app, read from the live classes' BINDINGS: the help screen lists
them, the keymap (`[keys]` in the settings file) is checked against them.

Only bindings with an id are ours; Textual's generic ones (no id: `super+c`,
`ctrl+pageup`, `ctrl+home`…) are left out. A binding belongs to the class that declares
it; the class gives the group's title (`HELP_TITLES`, else its name in words), so a
screen added later shows up with its keys without anything written here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from sfn_tui.tui.pane_keys import DASHBOARD_WIDE, PANES, pane_bound

# Titles of the groups, in the order the help shows them (others follow: screens, then
# the tables and widgets, then dialogs, each alphabetically).
HELP_TITLES: dict[str, str] = {
    "SfnTuiApp": "Everywhere",
    "MainScreen": "Dashboard",  # split per pane in the help (tui/pane_keys.py)
    "KeyedTable": "Dashboard and versions tables",
    "ExecutionDetailScreen": "Execution detail",
    "LazyTable": "Execution detail: history and states tables",
    "ChatScreen": "Chat",
    "VersionsScreen": "Versions and aliases screen",
    "StateMachineGraphScreen": "State machine graph",
}
# Titles for classes whose name says little; they keep the default order.
OTHER_TITLES: dict[str, str] = {
    "_Form": "Publish version, create or update alias dialogs",
    "ConfirmScreen": "Confirmation dialogs (quit, …)",
    "DeleteResourceScreen": "Delete state machine or activity dialog",
    "GuidedRunScreen": "New ChatSFN run dialog",
    "GuidedApprovalScreen": "New approval run dialog",
    "StateMachineFormScreen": "Create or update state machine dialog",
    "EventTypePicker": "History event type picker dialog",
    "QueueTokenScreen": "Token from queue dialog",
}
_WORDS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One binding as the help shows it."""

    binding: Binding
    binding_id: str
    keys: tuple[str, ...]  # Textual key names, after the keymap
    label: str  # the footer's word for it
    name: str  # the long name (the palette's, where it has an entry)
    shown_in_footer: bool


@dataclass(frozen=True, slots=True)
class KeyGroup:
    title: str
    owner: type[DOMNode]
    entries: tuple[KeyEntry, ...]


def load_all_modules() -> None:
    """Import every module of the UI package, so every class with keys is known
    (some are imported only when first used)."""
    import sfn_tui.tui

    for info in pkgutil.walk_packages(sfn_tui.tui.__path__, "sfn_tui.tui."):
        importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def key_owners() -> list[type[DOMNode]]:
    """The app's classes that declare bindings with ids, in help order."""
    load_all_modules()
    found: dict[str, type[DOMNode]] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("sfn_tui."):
            continue
        if any(isinstance(b, Binding) and b.id for b in cls.__dict__.get("BINDINGS", ())):
            found.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    known = list(HELP_TITLES)

    def order(cls: type[DOMNode]) -> tuple[int, int, str]:
        if cls.__name__ in HELP_TITLES:
            return (0, known.index(cls.__name__), "")
        rank = 3 if issubclass(cls, ModalScreen) else 1 if issubclass(cls, Screen) else 2
        return (rank, 0, title_of(cls))

    return sorted(found.values(), key=order)


def title_of(cls: type) -> str:
    """The group title: HELP_TITLES, else the class name in words ("Start execution
    dialog" for StartExecutionScreen)."""
    if cls.__name__ in HELP_TITLES:
        return HELP_TITLES[cls.__name__]
    if cls.__name__ in OTHER_TITLES:
        return OTHER_TITLES[cls.__name__]
    name = cls.__name__.lstrip("_")
    for suffix in ("Screen", "Table", "Widget"):
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
    words = _WORDS.sub(" ", name).lower().capitalize()
    if issubclass(cls, ModalScreen):
        return f"{words} dialog"
    if issubclass(cls, Screen):
        return f"{words} screen"
    return words


def own_bindings(cls: type) -> list[Binding]:
    """The bindings with an id that `cls` itself declares."""
    return [b for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id]


def split_keys(keys: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in keys.split(",") if k.strip())


def effective_keys(binding: Binding, keymap: Mapping[str, str]) -> tuple[str, ...]:
    if binding.id and binding.id in keymap:
        return split_keys(keymap[binding.id])
    return split_keys(binding.key)


def catalog(keymap: Mapping[str, str] | None = None) -> list[KeyGroup]:
    """Every group of keys, with the keys as the keymap makes them; the dashboard's
    split by the pane they act in."""
    keymap = keymap or {}
    panes = {pane.pane for pane in PANES}
    groups = []
    for cls in key_owners():
        entries = tuple(_entry(b, keymap) for b in own_bindings(cls))
        if cls.__name__ == "MainScreen":
            groups.extend(_dashboard_groups(cls, entries, keymap))
        elif cls not in panes:  # a pane's own keys are in its dashboard group
            groups.append(KeyGroup(title_of(cls), cls, entries))
    return groups


def _entry(binding: Binding, keymap: Mapping[str, str]) -> KeyEntry:
    return KeyEntry(
        binding=binding,
        binding_id=binding.id or "",
        keys=effective_keys(binding, keymap),
        label=binding.description,
        name=binding.tooltip or binding.description,
        shown_in_footer=binding.show,
    )


def _dashboard_groups(
    screen: type[DOMNode], entries: tuple[KeyEntry, ...], keymap: Mapping[str, str]
) -> list[KeyGroup]:
    """The dashboard's keys: those acting in any pane, then each pane's (the screen's
    keys its pane allows, and the pane widget's own)."""
    by_id = {entry.binding_id: entry for entry in entries}
    groups = [
        KeyGroup(DASHBOARD_WIDE, screen, tuple(e for e in entries if not pane_bound(e.binding_id)))
    ]
    for pane in PANES:
        own = tuple(_entry(b, keymap) for b in own_bindings(pane.pane))
        listed = tuple(by_id[i] for i in pane.binding_ids if i in by_id)
        groups.append(KeyGroup(pane.title, pane.pane, own + listed))
    return groups


def binding_ids() -> dict[str, type[DOMNode]]:
    """Every binding id, with the class that declares it."""
    return {b.id: cls for cls in key_owners() for b in own_bindings(cls) if b.id}


def key_display(app: App[object], binding: Binding, keys: tuple[str, ...]) -> str:
    """The keys as the footer writes them ("^s", "?", "R")."""
    shown = []
    for key in keys:
        keep = binding.key_display if key == binding.key and binding.key_display else None
        shown.append(app.get_key_display(binding.with_key(key, key_display=keep)))
    return " / ".join(shown)
