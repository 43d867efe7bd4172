"""Keys act in the order they were typed, each on what the previous ones left.

Textual forwards a key to the widget focused when the key *arrives*. A key that moves
focus (Tab, a key that opens a modal, Enter that jumps to another pane) only takes
effect once it has bubbled up to the binding that handles it, so keys typed right
after it were already queued for the old widget: "Err.X", Tab, "cause" typed in one
burst gave "Err.Xcause" in the Error field, and letters typed after `s` reached the
dashboard instead of the Start dialog.

`KeyOrder` holds every key until the one before it has settled: it went up the DOM
until a widget stopped it or the app ran its binding, the callbacks that binding
scheduled on the app (`Widget.focus` is one) ran, and a screen it opened is mounted
(its `on_mount` focuses its first field). Only then is the next key forwarded, to
whatever has focus then.

Runs of printable keys that go into a text field are handed to it as one paste: a
terminal without bracketed paste types a pasted text key by key, and one edit per key
made a 1 MB paste take minutes. A field then takes them in one edit (and can refuse
what is too large, see `tui/paste_limits.py`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget

log = logging.getLogger(__name__)

SETTLE_TIMEOUT = 2.0
"""A key whose handling takes longer than this (a binding awaiting something slow) no
longer holds the keys after it: typing is never blocked for good."""


class TypedKeys(events.Event, bubble=False):
    """Printable characters typed (or pasted without bracketed paste) that arrived in
    one read of the terminal (posted by `tui/input_driver.py`)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@dataclass(slots=True)
class TypedRun:
    """Printable characters that arrived together (see `tui/input_driver.py`), in the
    queue as one item: a 1 MB paste typed key by key is one string, not a million
    events. `time` is when they arrived; `start` how many were handed on as keys."""

    text: str
    time: float = field(default_factory=time.monotonic)
    start: int = 0

    @property
    def rest(self) -> str:
        return self.text[self.start :] if self.start else self.text


Pending = events.Key | events.Paste | TypedRun


def _accepts_text(widget: object) -> str | None:
    """What a widget takes as typed text: "line" (an Input), "lines" (an editable
    TextArea: Enter is a new line), or None (printable keys may be bindings there)."""
    # Input's and TextArea's modules (TextArea's with tree-sitter) are imported by the
    # first screen that has one, not for the first frame: a widget of a class never
    # imported is not one.
    text_input = sys.modules.get("textual.widgets._input")
    if text_input is not None and isinstance(widget, text_input.Input):
        return "line"
    text_area = sys.modules.get("textual.widgets._text_area")
    if text_area is not None and isinstance(widget, text_area.TextArea) and not widget.read_only:
        return "lines"
    return None


class KeyOrder:
    """One key at a time for `app` (install: route unforwarded keys to `arrived`).

    `handle(key)` is what the app does with a key normally (Textual's `App.on_event`
    for a key or a paste): check priority bindings, else forward it to the focus.
    """

    def __init__(
        self,
        app: App[Any],
        handle: Callable[[events.Event], Awaitable[None]],
        *,
        settle_timeout: float = SETTLE_TIMEOUT,
        refuse_paste: Callable[[Widget | None, str], str | None] | None = None,
    ) -> None:
        """`refuse_paste(focused, text)` may say why a paste must not reach the focus
        (it is then dropped, and the reason notified)."""
        self._app = app
        self._handle = handle
        self._refuse_paste = refuse_paste
        self._settle_timeout = settle_timeout
        self._pending: deque[Pending] = deque()
        self._current: events.Event | None = None
        self._screen: Screen[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._refusing = False  # the last paste was refused (say so once per burst)
        self._held = False  # keys wait (see `hold`)
        self.arrivals = 0  # keys, runs and pastes received so far

    # What actions may ask ----------------------------------------------------------

    @property
    def current_time(self) -> float | None:
        """When the key being handled was typed (Textual's monotonic clock), or None
        outside a key. An action can compare it with when the screen last changed."""
        return self._current.time if self._current is not None else None

    @property
    def idle(self) -> bool:
        """No key is being handled and none waits."""
        return self._current is None and not self._pending

    # Holding -----------------------------------------------------------------------

    def hold(self) -> None:
        """Keep every key that arrives from now on until `resume`: typed while the
        launch frame is up, they are for the dashboard that replaces it."""
        self._held = True

    def resume(self) -> None:
        """Hand on the keys kept since `hold`, in the order typed, once the screen now
        on top has settled: what is queued for it ran (its mount, whose focus it asks
        the app to set), then what that queued on the app (the focus)."""
        screen = self._app.screen
        if not screen.call_later(self._app.call_later, self._resume):
            self._app.call_later(self._resume)

    async def _resume(self) -> None:
        self._held = False
        await self._next()

    # Arrivals ----------------------------------------------------------------------

    async def arrived(self, item: Pending) -> None:
        self.arrivals += 1
        self._pending.append(item)
        if self._current is None:
            await self._next()

    async def _next(self) -> None:
        while self._pending and self._current is None and not self._held:
            event = self._take()
            self._current = event
            self._screen = self._app.screen
            if isinstance(event, events.Paste) and self._refuse_paste is not None:
                refused = self._refuse_paste(self._app.focused, event.text)
                if refused is not None:
                    if not self._refusing:  # a long paste typed in: one message, not 200
                        self._app.notify(refused, severity="warning", timeout=8)
                    self._refusing = True
                    self._settled(event)  # the next key is released from there
                    return
            self._refusing = False
            target: MessagePump = self._app.focused or self._app.screen
            try:
                await self._handle(event)
            except Exception:
                self._done(event)
                raise
            if event.is_forwarded:
                self._timer = asyncio.get_running_loop().call_later(
                    self._settle_timeout, self._gave_up, event
                )
                self._chase(target, event)
            else:
                self._settled(event)  # a priority binding took it (or nothing did)

    def _take(self) -> events.Event:
        """The next key, or a paste of the typed text at its head when the focus takes
        text (a lone key stays a key)."""
        head = self._pending[0]
        if isinstance(head, events.Paste):
            self._pending.popleft()
            return head
        mode = _accepts_text(self._app.focused)
        if mode is None:
            if isinstance(head, TypedRun):
                return self._split_run(head)
            self._pending.popleft()
            return head
        priority = self._priority_keys()
        chars: list[str] = []
        at = head.time
        while self._pending:
            item = self._pending[0]
            if isinstance(item, TypedRun):
                chars.append(item.rest)
            elif isinstance(item, events.Paste):
                break
            elif item.is_printable and item.key not in priority:
                chars.append(item.character or "")
            elif item.key == "enter" and mode == "lines":
                chars.append("\n")
            else:
                break
            self._pending.popleft()
        if not chars:
            assert isinstance(head, events.Key)  # a run or a paste gives text or stops
            self._pending.popleft()
            return head
        text = "".join(chars)
        if len(text) == 1:
            return self._key(text, at)
        paste = events.Paste(text)
        paste.time = at
        paste.set_sender(self._app)
        return paste

    def _split_run(self, run: TypedRun) -> events.Key:
        """The next character of a typed run, as a key (the focus takes no text)."""
        char = run.text[run.start]
        run.start += 1
        if run.start >= len(run.text):
            self._pending.popleft()
        return self._key(char, run.time)

    def _key(self, char: str, at: float) -> events.Key:
        if char == "\n":
            key = events.Key("enter", "\r")
        else:
            key = events.Key(_character_to_key(char), char)
        key.time = at
        key.set_sender(self._app)
        return key

    def _priority_keys(self) -> set[str]:
        """Keys a priority binding takes before any widget (never pasted as text)."""
        keys: set[str] = set()
        for _node, bindings in self._app.screen._binding_chain:
            for key, found in bindings.key_to_bindings.items():
                if any(b.priority for b in found):
                    keys.add(key)
        return keys

    # Following a key up the DOM -----------------------------------------------------

    def _chase(self, node: MessagePump, event: events.Event) -> None:
        """Run after `node` has handled `event` (its queue holds the event first)."""
        if not node.call_later(self._chased, node, event):
            self._settled(event)  # the node is closing: the event goes no further

    def _chased(self, node: MessagePump, event: events.Event) -> None:
        if event is not self._current:
            return  # given up on meanwhile
        parent = node._parent
        bubbled = (
            event.bubble
            and parent is not None
            and not event._stop_propagation
            and node.is_parent_active
            and node.is_attached
        )
        if bubbled and parent is not None:
            self._chase(parent, event)
        else:
            self._settled(event)

    def _settled(self, event: events.Event) -> None:
        """The event has gone as far as it goes. Its effects may still be queued: a
        screen it opened mounting, focus set through `call_later` on the app."""
        if event is not self._current:
            return
        screen = self._app.screen
        if screen is not self._screen and not screen.is_mounted:
            self._screen = screen
            if screen.call_later(self._settled, event):
                return
        if not self._app.call_later(self._release, event):
            self._done(event)

    async def _release(self, event: events.Event) -> None:
        if event is self._current:
            self._done(event)
            await self._next()

    def _gave_up(self, event: events.Event) -> None:
        if event is not self._current:
            return
        log.debug("A key took over %.1f s to handle; the next keys go on", self._settle_timeout)
        self._done(event)
        self._app.call_later(self._next)

    def _done(self, event: events.Event) -> None:
        if event is self._current:
            self._current = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


def typed_at(app: App[Any]) -> float | None:
    """When the key being handled now was typed (Textual's clock, as `Message.time`),
    or None outside a key (a timer, a worker) or in an app without a KeyOrder."""
    order = getattr(app, "keys", None)
    return order.current_time if isinstance(order, KeyOrder) else None
