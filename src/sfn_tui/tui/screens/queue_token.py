"""Read a waiting callback's token from the SQS queue its task sent it to (Ctrl+O in
the chat pane). See core/queue_tokens.py for what happens to the messages."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sfn_tui.aws.errors import SfnError
from sfn_tui.core.callbacks import CallbackWait, hide_tokens
from sfn_tui.core.queue_tokens import (
    HOLD_SECONDS,
    READ_SECONDS,
    QueueClient,
    QueuedMessage,
    QueueHold,
    queue_of,
    read_queue,
    release,
)
from sfn_tui.tui.formatting import clip_middle, visible

PREVIEW = 160  # characters of a message body shown


@dataclass(frozen=True, slots=True)
class QueuePick:
    """The token chosen, and the message it came from (held until the task settles)."""

    token: str
    hold: QueueHold


def preview(message: QueuedMessage) -> str:
    """The body on one line, its tokens hidden."""
    body = hide_tokens(message.body, message.tokens)
    return clip_middle(visible(" ".join(body.split())), PREVIEW)


class QueueTokenScreen(ModalScreen[QueuePick | None]):
    """Asks for the queue (the one the history names, by default), reads its messages
    and lets the person pick the run's; the others go back to the queue at once."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="queue.cancel")]

    def __init__(self, wait: CallbackWait, client: QueueClient) -> None:
        super().__init__()
        self.wait = wait
        self.client = client
        self.messages: list[QueuedMessage] = []
        self._queue_url = ""
        self._warned: str | None = None  # the unmatched message Enter was pressed on once

    def compose(self) -> ComposeResult:
        run = self.wait.execution_arn.rsplit(":", 1)[-1]
        with Vertical(classes="modal-box", id="queue-box"):
            yield Static("Read the token from the queue", classes="modal-title")
            yield Static(
                Text(
                    f"{visible(self.wait.state_name)} of run {visible(run)} sent its token"
                    " in a message. The messages read are hidden from other consumers"
                    f" for {READ_SECONDS} s while you choose; the ones you do not pick go"
                    " back at once. The one you pick stays hidden (up to"
                    f" {HOLD_SECONDS // 60} minutes) until you answer the task, and is"
                    " then deleted; if you do not answer, it goes back to the queue."
                ),
                id="queue-about",
            )
            yield Label("Queue URL")
            yield Input(value=queue_of(self.wait), id="queue-url")
            yield OptionList(id="queue-messages")
            yield Static("", id="queue-status")
            with Horizontal(classes="modal-buttons"):
                yield Button("Read messages", variant="primary", id="queue-read")
                yield Button("Cancel (Esc)", id="queue-cancel")

    def on_mount(self) -> None:
        self.query_one("#queue-messages", OptionList).display = False
        self.query_one("#queue-url", Input).focus()

    @on(Input.Submitted, "#queue-url")
    def url_given(self) -> None:
        self.read()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "queue-read":
            self.read()
        else:
            self.action_cancel()

    def say(self, text: str, style: str = "") -> None:
        """A status line: it may quote the service (an error), so shown literally."""
        self.query_one("#queue-status", Static).update(Text(visible(text), style=style))

    def read(self) -> None:
        url = self.query_one("#queue-url", Input).value.strip()
        if not url:
            self.say("Give the queue's URL.", "red")
            return
        self.say("Reading…")
        self.query_one("#queue-read", Button).disabled = True
        self._read(url)

    @work(exclusive=True, group="queue-read")
    async def _read(self, url: str) -> None:
        await self._give_back()
        try:
            messages = await read_queue(self.client, url, self.wait)
        except SfnError as error:
            self.say(f"The queue could not be read: {error}", "red")
            return
        finally:
            self.query_one("#queue-read", Button).disabled = False
        if not self.is_attached:  # closed while reading: let the messages go
            await release(self.client, url, messages)
            return
        self._queue_url, self.messages = url, messages
        self._show(messages)

    def _show(self, messages: list[QueuedMessage]) -> None:
        options = self.query_one("#queue-messages", OptionList)
        options.clear_options()
        for message in messages:
            label = Text()
            if message.match:
                label.append(f"✓ this run's: {message.match}\n", style="green")
            elif message.tokens:
                label.append("? nothing says it is this run's\n", style="yellow")
            else:
                label.append("✗ no open task's token in it\n", style="dim")
            label.append(preview(message), style="" if message.tokens else "dim")
            options.add_option(Option(label, id=message.message_id, disabled=not message.tokens))
        options.display = bool(messages)
        usable = [m for m in messages if m.tokens]
        if not messages:
            self.say("The queue has no message to read now (another consumer may hold it).")
        elif not usable:
            self.say("No message read holds an open task's token.", "yellow")
        else:
            self.say("Pick the run's message: ↑ ↓ and Enter.")
            options.highlighted = messages.index(usable[0])
            options.focus()

    @on(OptionList.OptionSelected, "#queue-messages")
    def picked(self, event: OptionList.OptionSelected) -> None:
        message = next((m for m in self.messages if m.message_id == event.option_id), None)
        if message is None or not message.tokens:
            return
        if not message.match and self._warned != message.message_id:
            self._warned = message.message_id
            self.say(
                "Nothing in this message says it is this run's: an answer would go to the"
                " task it belongs to. Enter again to use it anyway.",
                "yellow",
            )
            return
        self._keep(message)

    @work(exclusive=True, group="queue-keep")
    async def _keep(self, message: QueuedMessage) -> None:
        hold = QueueHold(self.client, self._queue_url, message)
        try:
            await hold.keep()
        except SfnError as error:
            self.say(f"The message could not be kept hidden: {error}", "red")
            return
        others = [m for m in self.messages if m is not message]
        self.messages = []
        self._release_later(self._queue_url, others)
        self.dismiss(QueuePick(message.tokens[0], hold))

    def action_cancel(self) -> None:
        self._release_later(self._queue_url, self.messages)
        self.messages = []
        self.dismiss(None)

    async def _give_back(self) -> None:
        """Messages read before (a second read): back to the queue first."""
        messages, self.messages = self.messages, []
        if messages:
            await release(self.client, self._queue_url, messages)

    def _release_later(self, url: str, messages: list[QueuedMessage]) -> None:
        if messages:
            self.app.run_worker(release(self.client, url, messages), group="queue-release")
