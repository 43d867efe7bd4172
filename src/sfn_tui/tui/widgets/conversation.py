"""The conversation of one execution, drawn as chat lines."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from sfn_tui.core.chat import Turn
from sfn_tui.tui.formatting import plain, visible

SPEAKERS = {
    "workflow": ("◆ workflow", "bold cyan"),
    "user": ("▸ you", "bold green"),
    "system": ("• ", "italic yellow"),
}


def render_turns(turns: list[Turn], tz: tzinfo | None = None) -> Text:
    text = Text()
    # Offered actions are shown once, under the latest message that offers them.
    last_offer = max((i for i, t in enumerate(turns) if t.actions), default=-1)
    for index, turn in enumerate(turns):
        label, style = SPEAKERS[turn.speaker]
        if turn.speaker == "system":
            text.append(label, style=style)
            body = plain(turn.text)
            body.stylize(style)
            text.append_text(body)
        else:
            text.append(f"{label}: ", style=style)
            text.append_text(plain(turn.text))
        if turn.actions and index == last_offer:
            text.append(f"\n   offers: {', '.join(visible(a) for a in turn.actions)}", style="dim")
        text.append("\n")
    return text


class ConversationView(VerticalScroll):
    DEFAULT_CSS = """
    ConversationView { height: 1fr; padding: 0 1; }
    ConversationView > Static { width: 1fr; }
    """

    def __init__(self, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tz = tz
        self._body = Static(Text("No conversation yet.", style="dim"))
        self.turns: list[Turn] = []

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    def show(self, turns: list[Turn], placeholder: str = "No conversation yet.") -> None:
        if turns == self.turns and turns:
            return
        self.turns = list(turns)
        at_end = self.is_vertical_scroll_end
        self._body.update(render_turns(turns, self.tz) if turns else Text(placeholder, style="dim"))
        if at_end or not self.is_vertical_scrollbar_grabbed:
            self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def text(self) -> str:
        return render_turns(self.turns, self.tz).plain
