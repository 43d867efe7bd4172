"""The launch peer for bench/run.py: a bare Textual app (one Static widget), launched
the same way as sfn-tui (the same python, pty and environment) in the same bench run.
sfn-tui's first paint is compared with this app's, not with a fixed number of seconds."""

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "bare Textual app"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    BareApp().run()
