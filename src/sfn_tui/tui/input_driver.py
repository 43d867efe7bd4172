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
    _suspended = False

    def _sigtstp_application(self, *args: object) -> None:
        self._suspended = True
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: object) -> None:
        """Resume only after our own suspend (Ctrl+Z). A terminal that hangs up sends
        SIGCONT after SIGHUP: Textual then restarted application mode on the dead
        terminal, with a second writer thread, and the app hung on its way out."""
        if self._suspended:
            self._suspended = False
            super()._sigcont_application(*args)

    def write(self, data: str) -> None:
        """Nothing to draw on once the writer thread has died (the terminal hung up and
        a write failed): queueing more would block the app when the queue fills."""
        writer = self._writer_thread
        if writer is not None and not writer.is_alive():
            return
        super().write(data)

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop; see the module doc)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> bool:
            """False once the input has ended (a closed pipe, a terminal that hung up:
            Textual kept selecting a descriptor that is always readable, spinning)."""
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    try:
                        raw = os.read(fileno, 1024 * 4)
                    except OSError:
                        return False
                    data = decode(raw, final=final and last)
                    if not raw:
                        return False
                    for event in batched(parser.feed(data)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not process_selector_events(selector.select(0.1)):
                    return
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
