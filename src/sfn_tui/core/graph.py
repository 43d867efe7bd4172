"""A state machine's definition drawn as text: boxes, arrows, groups. Pure: no Textual.

`parse_definition` reads an ASL definition into a `Flow` (states, labelled edges, nested
flows for Parallel branches and a Map's ItemProcessor/Iterator). `render_graph` lays a
flow out top to bottom and returns rich `Text` lines:

- layers by longest path from StartAt over forward edges; an edge that skips layers
  runs as a vertical line through the layers in between;
- the edges between two layers are routed on horizontal tracks, with Choice rule,
  Default and Catch labels written just above the arrow head;
- an edge going back up (a loop, such as ChatSFN's return to GetInput) is written next
  to its source as "↺ GetInput", and an edge to an undefined state as "→ ? Name";
- Parallel branches and a Map's processor are drawn side by side inside a frame.

Each box carries a status mark (✔ ✖ ▶ ↷ ■ ·) explained by a legend line, so the picture
reads without colour. Nothing here raises on a bad definition: `render_graph` returns a
message instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from sfn_tui.core.history import STATUS_MARKS, StateStatus
from sfn_tui.core.query_language import JSONATA, JSONPATH, declared, top_language

log = logging.getLogger(__name__)

MAX_NAME = 40  # longest state name drawn in full
MAX_LABEL = 28  # longest edge label
MAX_NOTE = 40  # longest back-edge note
MAX_DEPTH = 12  # nesting of Parallel/Map drawn; deeper ones are drawn closed
NODE_GAP = 3  # columns between blocks of one layer
LONG_EDGE = 4  # an edge down more layers than this is a note ("↓ Target"), not a line

STATUS_STYLES = {
    StateStatus.NOT_REACHED: "grey50",
    StateStatus.RUNNING: "bold dodger_blue1",
    StateStatus.SUCCEEDED: "green",
    StateStatus.FAILED: "bold red",
    StateStatus.CAUGHT: "dark_orange",
    StateStatus.STOPPED: "magenta",
}
PLAIN_BOX_STYLE = "cyan"
EDGE_STYLE = "grey58"
LABEL_STYLE = "italic"
NOTE_STYLE = "grey62"


class DefinitionProblem(ValueError):
    """The definition cannot be drawn at all (not JSON, no States)."""


# The model -------------------------------------------------------------------------


@dataclass(slots=True)
class Edge:
    target: str
    label: str = ""
    kind: str = "next"  # next, choice, default, catch


@dataclass(slots=True)
class Node:
    name: str
    type: str
    edges: list[Edge] = field(default_factory=list)
    branches: list[Flow] = field(default_factory=list)  # Parallel branches / Map processor
    end: bool = False
    query_language: str = JSONPATH


@dataclass(slots=True)
class Flow:
    start_at: str
    nodes: dict[str, Node]
    problems: list[str] = field(default_factory=list)

    def all_names(self) -> list[str]:
        """Every state name, nested ones included."""
        names: list[str] = []
        for node in self.nodes.values():
            names.append(node.name)
            for branch in node.branches:
                names.extend(branch.all_names())
        return names


def parse_definition(definition: str | Mapping[str, Any]) -> Flow:
    """The definition's states and edges. Raises DefinitionProblem when there is
    nothing to draw; smaller problems are listed in `Flow.problems`."""
    if isinstance(definition, str):
        try:
            data = json.loads(definition)
        except ValueError as error:
            raise DefinitionProblem(f"The definition is not valid JSON: {error}") from None
    else:
        data = definition
    if not isinstance(data, Mapping):
        raise DefinitionProblem("The definition is not a JSON object.")
    flow = _flow(data, depth=0, top=top_language(data))
    if not flow.nodes:
        raise DefinitionProblem("The definition has no States to draw.")
    return flow


def _flow(data: Mapping[str, Any], depth: int, top: str = JSONPATH) -> Flow:
    problems: list[str] = []
    states = data.get("States")
    if not isinstance(states, Mapping):
        states = {}
    nodes: dict[str, Node] = {}
    for name, state in states.items():
        nodes[str(name)] = _node(str(name), state, depth, problems, top)
    start = data.get("StartAt")
    if not isinstance(start, str) or start not in nodes:
        if nodes:
            problems.append(f"StartAt {start!r} names no state; starting at the first one.")
        start = next(iter(nodes), "")
    return Flow(start_at=start, nodes=nodes, problems=problems)


def _node(name: str, state: Any, depth: int, problems: list[str], top: str = JSONPATH) -> Node:
    if not isinstance(state, Mapping):
        problems.append(f"State {name!r} is not an object.")
        return Node(name=name, type="?")
    kind = state.get("Type")
    language = declared(state, top)
    node = Node(name=name, type=kind if isinstance(kind, str) else "?", query_language=language)
    node.end = state.get("End") is True or node.type in ("Succeed", "Fail")
    if node.type == "Choice":
        choices = state.get("Choices")
        for rule in choices if isinstance(choices, list) else []:
            if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                node.edges.append(Edge(rule["Next"], _short(rule_label(rule)), "choice"))
        default = state.get("Default")
        if isinstance(default, str):
            node.edges.append(Edge(default, "default", "default"))
    nxt = state.get("Next")
    if isinstance(nxt, str):
        node.edges.append(Edge(nxt))
    catchers = state.get("Catch")
    for catcher in catchers if isinstance(catchers, list) else []:
        if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
            errors = catcher.get("ErrorEquals")
            names = [e for e in errors if isinstance(e, str)] if isinstance(errors, list) else []
            label = "catch " + ", ".join(names) if names else "catch"
            node.edges.append(Edge(catcher["Next"], _short(label), "catch"))
    if depth < MAX_DEPTH:
        if node.type == "Parallel":
            branches = state.get("Branches")
            for branch in branches if isinstance(branches, list) else []:
                if isinstance(branch, Mapping):
                    node.branches.append(_flow(branch, depth + 1, declared(branch, language)))
        elif node.type == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(processor, Mapping):
                node.branches.append(_flow(processor, depth + 1, declared(processor, language)))
    return node


# Choice rule labels ----------------------------------------------------------------

_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TESTS = {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}


def rule_label(rule: Mapping[str, Any], depth: int = 0) -> str:
    """A Choice rule in a few words: `$.action == "song"`, `$.i < 3 and ...`."""
    if depth > 4:
        return "…"
    condition = rule.get("Condition")
    if isinstance(condition, str):  # JSONata
        text = condition.strip()
        if text.startswith("{%") and text.endswith("%}"):
            text = text[2:-2].strip()
        return text
    for combinator, word in (("And", " and "), ("Or", " or ")):
        parts = rule.get(combinator)
        if isinstance(parts, list):
            return word.join(rule_label(p, depth + 1) for p in parts if isinstance(p, Mapping))
    negated = rule.get("Not")
    if isinstance(negated, Mapping):
        return f"not ({rule_label(negated, depth + 1)})"
    variable = rule.get("Variable")
    variable = variable if isinstance(variable, str) else "?"
    for key, value in rule.items():
        if not isinstance(key, str) or key in ("Variable", "Next", "Comment"):
            continue
        if key in _TESTS:
            word = key[2:].lower()
            return f"{variable} {'is' if value is True else 'is not'} {word}".replace(
                "is present", "present"
            ).replace("is not present", "absent")
        if key.startswith("StringMatches"):
            return f"{variable} ~ {json.dumps(value)}"
        path = key.endswith("Path")
        base = key[:-4] if path else key
        for suffix, symbol in _OPERATORS.items():
            if base.endswith(suffix) and base[: -len(suffix)] in (
                "String",
                "Numeric",
                "Boolean",
                "Timestamp",
            ):
                shown = str(value) if path else json.dumps(value, ensure_ascii=False)
                return f"{variable} {symbol} {shown}"
    comment = rule.get("Comment")
    return comment if isinstance(comment, str) else "rule"


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The canvas ------------------------------------------------------------------------

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
LINE_CHARS = {
    UP: "│",
    DOWN: "│",
    UP | DOWN: "│",
    LEFT: "─",
    RIGHT: "─",
    LEFT | RIGHT: "─",
    DOWN | RIGHT: "┌",
    DOWN | LEFT: "┐",
    UP | RIGHT: "└",
    UP | LEFT: "┘",
    UP | DOWN | RIGHT: "├",
    UP | DOWN | LEFT: "┤",
    DOWN | LEFT | RIGHT: "┬",
    UP | LEFT | RIGHT: "┴",
    UP | DOWN | LEFT | RIGHT: "┼",
}


@dataclass(slots=True)
class Block:
    """A drawn piece: text cells over line cells, with where edges attach."""

    width: int = 0
    height: int = 0
    text: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    lines: dict[tuple[int, int], int] = field(default_factory=dict)
    in_x: int = 0  # column where incoming edges arrive (on the top row)
    out_x: int = 0  # column where outgoing edges leave (on the bottom row)

    def put(self, row: int, col: int, chars: str, style: str = "") -> None:
        for i, char in enumerate(chars):
            self.text[(row, col + i)] = (char, style)
        self.width = max(self.width, col + len(chars))
        self.height = max(self.height, row + 1)

    def line(self, row: int, col: int, mask: int) -> None:
        self.lines[(row, col)] = self.lines.get((row, col), 0) | mask
        self.width = max(self.width, col + 1)
        self.height = max(self.height, row + 1)

    def vline(self, col: int, top: int, bottom: int) -> None:
        """A vertical line joining row `top` to row `bottom` (inclusive)."""
        for row in range(top, bottom + 1):
            mask = (UP if row > top else 0) | (DOWN if row < bottom else 0)
            self.line(row, col, mask or (UP | DOWN))

    def blit(self, other: Block, row: int, col: int) -> None:
        for (r, c), cell in other.text.items():
            self.text[(r + row, c + col)] = cell
        for (r, c), mask in other.lines.items():
            key = (r + row, c + col)
            self.lines[key] = self.lines.get(key, 0) | mask
        self.width = max(self.width, col + other.width)
        self.height = max(self.height, row + other.height)

    def to_lines(self) -> list[Text]:
        grid: dict[int, dict[int, tuple[str, str]]] = {}
        for (row, col), mask in self.lines.items():
            grid.setdefault(row, {})[col] = (LINE_CHARS.get(mask, " "), EDGE_STYLE)
        for (row, col), cell in self.text.items():
            grid.setdefault(row, {})[col] = cell
        lines: list[Text] = []
        for row in range(self.height):
            text = Text(no_wrap=True, end="")
            runs: list[tuple[str, str]] = []  # (characters, style), merged
            column = 0
            for col, (char, style) in sorted(grid.get(row, {}).items()):
                if col > column:
                    runs.append((" " * (col - column), ""))
                runs.append((char, style))
                column = col + 1
            merged: list[tuple[str, str]] = []
            for chars, style in runs:
                if merged and merged[-1][1] == style:
                    merged[-1] = (merged[-1][0] + chars, style)
                else:
                    merged.append((chars, style))
            for chars, style in merged:
                text.append(chars, style or None)
            text.rstrip()
            lines.append(text)
        return lines


# Boxes -----------------------------------------------------------------------------


def _fit(name: str, limit: int = MAX_NAME) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class _Painter:
    def __init__(
        self,
        statuses: Mapping[str, StateStatus] | None,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        self.statuses = statuses
        self.notes = notes or {}

    def status(self, name: str) -> StateStatus | None:
        if self.statuses is None:
            return None
        return self.statuses.get(name, StateStatus.NOT_REACHED)

    def style(self, name: str) -> str:
        status = self.status(name)
        return PLAIN_BOX_STYLE if status is None else STATUS_STYLES[status]

    def title(self, name: str) -> str:
        status = self.status(name)
        title = _fit(name) if status is None else f"{STATUS_MARKS[status]} {_fit(name)}"
        note = self.notes.get(name)
        return f"{title} · {note}" if note else title

    def box(self, node: Node, min_inner: int, has_out: bool) -> Block:
        title = self.title(node.name)
        style = self.style(node.name)
        kind = _fit(node.type, 20) + _language_mark(node)
        inner = max(len(title) + 2, _label_room(kind), min_inner)
        block = Block()
        top = "┌─ " + kind + " " + "─" * (inner - len(kind) - 3) + "┐"
        block.put(0, 0, top, style)
        block.put(1, 0, "│", style)
        block.put(1, 1, " " + title.ljust(inner - 1), _bold(style))
        block.put(1, inner + 1, "│", style)
        bottom = "└" + "─" * inner + "┘"
        block.put(2, 0, bottom, style)
        block.in_x = block.out_x = (inner + 2) // 2
        if has_out:
            block.put(2, block.out_x, "┬", style)
        return block

    def group(self, node: Node, inner_blocks: list[Block], min_inner: int, has_out: bool) -> Block:
        title = self.title(node.name)
        style = self.style(node.name)
        kind = ("Map" if node.type == "Map" else "Parallel") + _language_mark(node)
        content = Block()
        col = 0
        for index, branch in enumerate(inner_blocks):
            if index:
                for row in range(max(b.height for b in inner_blocks)):
                    content.put(row, col + 1, "┆", style)
                col += 3
            content.blit(branch, 0, col)
            col += branch.width
        if not inner_blocks:
            content.put(0, 0, "(no states)", NOTE_STYLE)
        inner = max(len(title) + 2, _label_room(kind), content.width + 2, min_inner)
        block = Block()
        block.put(0, 0, "╭─ " + kind + " " + "─" * (inner - len(kind) - 3) + "╮", style)
        block.put(1, 1, " " + title, _bold(style))
        block.blit(content, 2, 2)
        bottom = 2 + content.height
        for row in range(1, bottom):
            block.put(row, 0, "│", style)
            block.put(row, inner + 1, "│", style)
        block.put(bottom, 0, "╰" + "─" * inner + "╯", style)
        block.in_x = block.out_x = (inner + 2) // 2
        if has_out:
            block.put(bottom, block.out_x, "┬", style)
        return block


def _language_mark(node: Node) -> str:
    """JSONata states say so in their top border; JSONPath ones (the default) do not."""
    return f" · {JSONATA}" if node.query_language == JSONATA else ""


def _label_room(kind: str) -> int:
    """Inner width that keeps the type label in the top border left of the centre,
    where the incoming arrow points."""
    return 2 * (len(kind) + 3)


def _bold(style: str) -> str:
    return style if "bold" in style else f"bold {style}".strip()


# Layout ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    """One thing in a layer: a state, or a line passing through (`node` None)."""

    node: Node | None
    key: str  # state name, or a unique id for a pass-through
    block: Block
    x: int = 0  # left column in the flow block
    out: list[tuple[_Slot, str]] = field(default_factory=list)  # (target slot, label)


def _order(flow: Flow) -> tuple[list[str], set[tuple[str, int]]]:
    """Depth-first order from StartAt (then the unreachable states), and the edges
    (source, edge index) that go back to a state on the current path."""
    order: list[str] = []
    back: set[tuple[str, int]] = set()
    seen: set[str] = set()
    on_path: set[str] = set()
    roots = [flow.start_at] + [n for n in flow.nodes if n != flow.start_at]
    for root in roots:
        if root in seen or root not in flow.nodes:
            continue
        # Iterative DFS: (name, next edge index).
        stack: list[tuple[str, int]] = [(root, 0)]
        seen.add(root)
        on_path.add(root)
        order.append(root)
        while stack:
            name, index = stack[-1]
            edges = flow.nodes[name].edges
            if index >= len(edges):
                stack.pop()
                on_path.discard(name)
                continue
            stack[-1] = (name, index + 1)
            target = edges[index].target
            if target not in flow.nodes:
                continue
            if target in on_path:
                back.add((name, index))
            elif target not in seen:
                seen.add(target)
                on_path.add(target)
                order.append(target)
                stack.append((target, 0))
    return order, back


def _layers(flow: Flow, order: list[str], back: set[tuple[str, int]]) -> dict[str, int]:
    """Longest path from the roots over forward edges (a DAG once back edges are out).
    States not reachable from StartAt are layered on their own, below the rest."""
    reachable = _reachable(flow)
    layer = dict.fromkeys(order, 0)
    bottom = 0
    for part in (
        [n for n in order if n in reachable],
        [n for n in order if n not in reachable],
    ):
        if not part:
            continue
        members = set(part)
        incoming = dict.fromkeys(part, 0)
        forward: dict[str, list[str]] = {name: [] for name in part}
        for name in part:
            for index, edge in enumerate(flow.nodes[name].edges):
                target = edge.target
                if (name, index) in back or target not in members or target == name:
                    continue
                forward[name].append(target)
                incoming[target] += 1
        ready = [n for n in part if incoming[n] == 0]
        while ready:
            name = ready.pop(0)
            for target in forward[name]:
                layer[target] = max(layer[target], layer[name] + 1)
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
        for name in part:
            layer[name] += bottom
        bottom = max(layer[n] for n in part) + 1
    # No empty layers.
    used = sorted(set(layer.values()))
    renumber = {old: new for new, old in enumerate(used)}
    return {name: renumber[value] for name, value in layer.items()}


def _reachable(flow: Flow) -> set[str]:
    seen = {flow.start_at} if flow.start_at in flow.nodes else set()
    todo = list(seen)
    while todo:
        for edge in flow.nodes[todo.pop()].edges:
            if edge.target in flow.nodes and edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen


def layout_flow(flow: Flow, painter: _Painter, depth: int = 0) -> Block:
    """Draw one flow (the machine, or a branch) as a block."""
    order, back = _order(flow)
    layer_of = _layers(flow, order, back)
    # Edges that go up or nowhere become notes beside their source.
    notes: dict[str, list[str]] = {}
    forward: dict[str, list[tuple[str, str]]] = {}
    for name in order:
        node = flow.nodes[name]
        for index, edge in enumerate(node.edges):
            if edge.target not in flow.nodes:
                notes.setdefault(name, []).append(
                    _short(f"→ ? {edge.target} (not defined)", MAX_NOTE)
                )
            elif (name, index) in back or layer_of[edge.target] <= layer_of[name]:
                label = f" ({edge.label})" if edge.label else ""
                notes.setdefault(name, []).append(_short(f"↺ {edge.target}{label}", MAX_NOTE))
            elif layer_of[edge.target] - layer_of[name] > LONG_EDGE:
                label = f" ({edge.label})" if edge.label else ""
                notes.setdefault(name, []).append(_short(f"↓ {edge.target}{label}", MAX_NOTE))
            else:
                forward.setdefault(name, []).append((edge.target, edge.label))
    # The label width each state needs above it.
    label_need: dict[str, int] = {}
    for edges in forward.values():
        for target, label in edges:
            if label:
                label_need[target] = max(label_need.get(target, 0), len(label))

    slots: dict[str, _Slot] = {}
    for name in order:
        node = flow.nodes[name]
        has_out = bool(forward.get(name))
        min_inner = label_need.get(name, 0)
        if node.branches and depth < MAX_DEPTH:
            inner = [layout_flow(branch, painter, depth + 1) for branch in node.branches]
            block = painter.group(node, inner, min_inner, has_out)
        else:
            block = painter.box(node, min_inner, has_out)
        _add_notes(block, notes.get(name, []), below=not has_out)
        slots[name] = _Slot(node=node, key=name, block=block)

    layer_count = max(layer_of.values(), default=0) + 1
    layers: list[list[_Slot]] = [[] for _ in range(layer_count)]
    for name in order:
        layers[layer_of[name]].append(slots[name])

    # Pass-through lines for edges that skip layers; the label goes on the last hop.
    through = 0
    for name in order:
        for target, label in forward.get(name, []):
            tail = slots[name]
            for level in range(layer_of[name] + 1, layer_of[target]):
                through += 1
                hop = _Slot(node=None, key=f"\0{through}", block=Block(width=1, height=1))
                layers[level].append(hop)
                tail.out.append((hop, ""))
                tail = hop
            tail.out.append((slots[target], label))

    # Order each layer by where its slots' sources sit in the layer above.
    for number in range(1, layer_count):
        above = layers[number - 1]
        wanted: dict[str, float] = {}
        for position, upper in enumerate(above):
            for edge_index, (lower, _) in enumerate(upper.out):
                key = position + edge_index / 100
                wanted[lower.key] = min(wanted.get(lower.key, key), key)
        fallback = {slot.key: len(above) + i for i, slot in enumerate(layers[number])}
        layers[number].sort(key=lambda s: wanted.get(s.key, fallback[s.key]))

    # Horizontal placement: each layer centred on one axis.
    widths = [
        sum(s.block.width for s in layer) + NODE_GAP * max(0, len(layer) - 1) for layer in layers
    ]
    total = max(widths, default=1)
    centre = total // 2
    for members, width in zip(layers, widths, strict=True):
        if len(members) == 1:
            only = members[0]
            only.x = max(0, centre - only.block.in_x)
            continue
        x = max(0, centre - width // 2)
        for slot in members:
            slot.x = x
            x += slot.block.width + NODE_GAP

    # Vertical placement, drawing each layer and the gap below it.
    out = Block()
    row = 0
    for number, members in enumerate(layers):
        height = max((s.block.height for s in members if s.node is not None), default=1)
        for slot in members:
            if slot.node is None:
                out.vline(slot.x, row, row + height - 1)
                continue
            out.blit(slot.block, row, slot.x)
            bottom = _bottom_row(slot.block)
            if slot.out and row + bottom < row + height - 1:
                out.vline(slot.x + slot.block.out_x, row + bottom + 1, row + height - 1)
                out.line(row + bottom, slot.x + slot.block.out_x, DOWN)
        row += height
        if number + 1 < layer_count:
            row = _draw_gap(out, members, row)
    start = slots.get(flow.start_at)
    out.in_x = start.x + start.block.in_x if start is not None else 0
    out.out_x = out.in_x
    return out


def _add_notes(block: Block, notes: list[str], below: bool) -> None:
    """Back edges written under the box (nothing leaves from there) or beside it."""
    if below:
        top = block.height
        for row, note in enumerate(notes):
            block.put(top + row, 1, note, NOTE_STYLE)
    else:
        right = block.width + 1
        for row, note in enumerate(notes):
            block.put(1 + row, right, note, NOTE_STYLE)


def _bottom_row(block: Block) -> int:
    """The row of a block's bottom border under its out column."""
    rows = [r for (r, c) in block.text if c == block.out_x]
    return max(rows) if rows else block.height - 1


def _centre(slot: _Slot) -> int:
    return slot.x + (slot.block.out_x if slot.node is not None else 0)


def _entry(slot: _Slot) -> int:
    return slot.x + (slot.block.in_x if slot.node is not None else 0)


def _draw_gap(out: Block, layer: list[_Slot], row: int) -> int:
    """Route the edges from `layer` to the next one; returns the next layer's top row."""
    sources = [s for s in layer if s.out]
    # Tracks: sources whose targets are not all straight below share rows when
    # their spans do not overlap.
    tracks: list[int] = []  # right end of each track row
    track_of: dict[str, int] = {}
    for source in sorted(sources, key=lambda s: min([_centre(s)] + [_entry(t) for t, _ in s.out])):
        xs = [_centre(source)] + [_entry(t) for t, _ in source.out]
        if all(x == xs[0] for x in xs):
            continue
        left, right = min(xs), max(xs)
        for index, end in enumerate(tracks):
            if end + 1 < left:
                tracks[index] = right
                track_of[source.key] = index
                break
        else:
            tracks.append(right)
            track_of[source.key] = len(tracks) - 1
    labels: dict[str, tuple[_Slot, list[str]]] = {}
    for source in sources:
        for target, label in source.out:
            if label and target.node is not None:
                entry = labels.setdefault(target.key, (target, []))
                if label not in entry[1]:
                    entry[1].append(label)
    label_row = row + len(tracks) if labels else None
    arrow_row = row + len(tracks) + (1 if labels else 0)
    for source in sources:
        x = _centre(source)
        track = track_of.get(source.key)
        if track is None:
            out.vline(x, row - 1, arrow_row)
        else:
            track_row = row + track
            out.vline(x, row - 1, track_row)
            xs = sorted({x} | {_entry(t) for t, _ in source.out})
            for col in range(xs[0], xs[-1] + 1):
                mask = (LEFT if col > xs[0] else 0) | (RIGHT if col < xs[-1] else 0)
                out.line(track_row, col, mask)
            for target, _ in source.out:
                out.vline(_entry(target), track_row, arrow_row)
        for target, _ in source.out:
            if target.node is not None:
                out.put(arrow_row, _entry(target), "▼", EDGE_STYLE)
    if label_row is not None:
        for target, texts in labels.values():
            text = _short(" / ".join(texts), max(3, target.block.width))
            start = max(target.x, _entry(target) - len(text) // 2)
            start = min(start, target.x + target.block.width - len(text))
            out.put(label_row, max(target.x, start), text, LABEL_STYLE)
    return arrow_row + 1


# Rendering -------------------------------------------------------------------------


def legend() -> Text:
    text = Text(no_wrap=True, end="")
    for status in StateStatus:
        if text:
            text.append("  ")
        text.append(f"{STATUS_MARKS[status]} {status.word}", STATUS_STYLES[status])
    return text


def any_jsonata(flow: Flow) -> bool:
    """Whether any state of the flow (nested ones included) uses JSONata."""
    return any(
        node.query_language == JSONATA or any(any_jsonata(b) for b in node.branches)
        for node in flow.nodes.values()
    )


def render_flow(
    flow: Flow,
    statuses: Mapping[str, StateStatus] | None = None,
    notes: Mapping[str, str] | None = None,
) -> list[Text]:
    block = layout_flow(flow, _Painter(statuses, notes))
    return block.to_lines()


def render_graph(
    definition: str | Mapping[str, Any],
    statuses: Mapping[str, StateStatus] | None = None,
    notes: Mapping[str, str] | None = None,
) -> list[Text]:
    """The definition drawn as lines of text; a message (never an exception) when it
    cannot be drawn. With `statuses`, a legend line comes first. `notes` add a few
    words to a state's title (a Map state's Map Run counts)."""
    try:
        flow = parse_definition(definition)
    except DefinitionProblem as problem:
        return [Text(str(problem), style="bold red")]
    try:
        lines = render_flow(flow, statuses, notes)
    except Exception as error:  # a drawing bug must not take the screen down
        log.exception("drawing the state graph failed")
        return [Text(f"The graph could not be drawn ({type(error).__name__}: {error}).", "red")]
    head: list[Text] = []
    if statuses is not None:
        head.append(legend())
    if any_jsonata(flow):
        head.append(
            Text(
                f"States marked · {JSONATA} use JSONata; the others {JSONPATH}.",
                style=NOTE_STYLE,
                no_wrap=True,
                end="",
            )
        )
    for note in flow.problems:
        head.append(Text(f"⚠ {note}", style="yellow", no_wrap=True, end=""))
    if head:
        head.append(Text())
    return head + lines
