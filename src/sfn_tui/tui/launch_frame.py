"""The launch frame: what the terminal shows from the first frame until the dashboard
has mounted, laid out as the dashboard's loading state.

The dashboard's first frame cost about 120 ms of mounting and styling (three tables,
the footer, the filter field) and 30 ms of imports (the screens, the poller, the
models) on top of Textual's own start: the first paint took 1.7 to 1.9 times a bare
Textual app's (bench/run.py). This frame is the app's default screen, composed of a few
light widgets: the header (the same widget as the dashboard's: where, read-only), the
catalog loading, an empty executions pane, and the app's keys. The app pushes the
dashboard over it on `Ready` (the first frame is on the terminal by then); keys typed
meanwhile are kept for the dashboard, in order (`KeyOrder.hold`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from sfn_tui.tui.empty_states import executions_empty
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.pane_columns import EXECUTIONS_COLUMNS

NARROW_WIDTH = 110
"""Below this many columns the dashboard stacks its panes (screens/main.py) and so does
this frame."""

# The executions pane with no machine selected, as the dashboard says it.
EXECUTIONS_HINT = executions_empty(None, None, "", more_on_service=False)
EXECUTIONS_HEADINGS = "  ".join(label for _, label, _ in EXECUTIONS_COLUMNS)


class LaunchExecutions(Static):
    """The executions pane before a machine is selected: its columns and its hint."""

    COMPONENT_CLASSES = {"launch-executions--header", "launch-executions--hint"}
    DEFAULT_CSS = """
    LaunchExecutions {
        background: $surface;
        border: round $primary 50%;
        border-title-color: $text;
        border-title-style: bold;
        .launch-executions--header { text-style: bold; background: $panel; color: $foreground; }
        .launch-executions--hint { text-style: dim italic; }
    }
    """

    def on_mount(self) -> None:
        self.border_title = Content("Executions")

    def render(self) -> Text:
        width = self.content_size.width
        header = EXECUTIONS_HEADINGS.ljust(width)[: max(0, width)]
        return Text.assemble(
            (header, self.get_component_rich_style("launch-executions--header")),
            "\n\n",
            (EXECUTIONS_HINT, self.get_component_rich_style("launch-executions--hint")),
        )


class LaunchPanes(Horizontal):
    """The catalog loading beside an empty executions pane, as the dashboard lays them
    out (narrow: the catalog's two panes side by side, above the executions)."""

    DEFAULT_CSS = """
    LaunchPanes { height: 1fr; }
    LaunchPanes > #launch-catalog { width: 2fr; height: 1fr; }
    LaunchPanes > #launch-catalog > LoadingIndicator { background: $surface; height: 3fr; }
    LaunchPanes > #launch-catalog > LoadingIndicator.-activities { height: 2fr; }
    LaunchPanes > LaunchExecutions { width: 3fr; height: 1fr; }
    LaunchPanes.-narrow { layout: vertical; }
    LaunchPanes.-narrow > #launch-catalog { layout: horizontal; width: 1fr; height: 2fr; }
    LaunchPanes.-narrow > #launch-catalog > LoadingIndicator { width: 1fr; height: 1fr; }
    LaunchPanes.-narrow > LaunchExecutions { width: 1fr; height: 3fr; }
    """

    def compose(self) -> Iterator[Widget]:
        with Vertical(id="launch-catalog"):
            yield LoadingIndicator()
            yield LoadingIndicator(classes="-activities")
        yield LaunchExecutions()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")


class LaunchKeys(Static):
    """The app's keys, drawn as the footer draws them, in one widget (the footer's one
    widget per key cost more than the rest of this frame together). Keys typed now act
    once the dashboard is up, where its footer takes over."""

    COMPONENT_CLASSES = {"launch-keys--key", "launch-keys--description"}
    DEFAULT_CSS = """
    LaunchKeys {
        dock: bottom;
        height: 1;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .launch-keys--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .launch-keys--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def render(self) -> Text:
        key_style = self.get_component_rich_style("launch-keys--key")
        description_style = self.get_component_rich_style("launch-keys--description")
        row, palette = Text(), Text()
        seen: set[str] = set()
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            shown = binding.show or binding.action == "command_palette"
            if not enabled or not shown or binding.action in seen:
                continue
            seen.add(binding.action)  # one key per action, as the footer shows them
            words = Text.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style),
                (f"{binding.description} ", description_style),
            )
            if binding.action == "command_palette":
                palette = words
            else:
                row.append_text(words)
        width = self.content_size.width
        gap = width - row.cell_len - palette.cell_len
        if palette and gap > 0:
            row.append(" " * gap, description_style)
            row.append_text(palette)
        return row


def launch_frame(tz: tzinfo | None) -> Iterator[Widget]:
    """The widgets of the launch frame, for the app's default screen."""
    yield StatusHeader(tz=tz, id="launch-header")
    yield LaunchPanes()
    yield LaunchKeys()
