"""Textual's Linux driver, handing printable keys that arrive together to the app as
one message.

A terminal without bracketed paste types a pasted text key by key. Textual turns each
character into its own event and its own asyncio task on the way to the app: a 1 MB
paste was a million of them, and the app grew to 4 GB before it caught up. Here the
printable keys read in one go (up to 4 KiB from the terminal) travel as one
`TypedKeys`; `tui/key_order.py` hands them to a text field as one paste, or to any
other widget one key at a time, in order.

`run_input_thread` is Textual 8.2.8's own loop (textual is pinned) with that one
change: each read's events pass through `batched()`.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable, Iterator

from textual import events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from sfn_tui.tui.key_order import TypedKeys


def batched(parsed: Iterable[Message]) -> Iterator[Message]:
    """The same events in the same order, with each run of two or more printable keys
    as one `TypedKeys`."""
    run: list[str] = []
    for event in parsed:
        if isinstance(event, events.Key) and event.is_printable and event.character:
            run.append(event.character)
            continue
        if run:
            yield _typed(run)
            run = []
        yield event
    if run:
        yield _typed(run)


def _typed(run: list[str]) -> Message:
    if len(run) == 1:
        from textual.keys import _character_to_key

        return events.Key(_character_to_key(run[0]), run[0])
    return TypedKeys("".join(run))


class OrderedInputDriver(LinuxDriver):
    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop; see the module doc)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break  # stdin is a pipe that closed
                    for event in batched(parser.feed(data)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
