"""Editing large definitions: a definition AWS holds as one line opens one value a line
(every token as written) and is saved within the quota; one over the 1 MiB quota opens
read-only and says why; the editor's shortcuts for large documents (highlighting
around the view, identity line maps, byte offsets) give the same text, cursor and
colours as Textual's own code. Latency is measured by bench/definition_editor.py, not
asserted here."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.widgets import Button, Static

from sfn_tui.aws.connection import Connection
from sfn_tui.core.json_layout import compact, laid_out, needs_layout, reindent
from sfn_tui.core.validation import MAX_DEFINITION_BYTES
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor, JsonTextArea
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_modals import open_modal

REGION = "ap-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"


def chain(count: int) -> dict[str, Any]:
    states = {
        f"Step{n:05d}": {
            "Type": "Pass",
            "Comment": f"part {n} of the order",
            "Result": {"part": n, "checks": ["size", "weight"]},
            **({"End": True} if n == count - 1 else {"Next": f"Step{n + 1:05d}"}),
        }
        for n in range(count)
    }
    return {"StartAt": "Step00000", "States": states}


def dense(count: int, depth: int = 40) -> dict[str, Any]:
    """States whose Result nests `depth` objects: laid out, about 12 times longer (the
    indentation), with few tokens (the embedded engine's parser is slow on many)."""
    document = chain(count)
    for state in document["States"].values():
        result: Any = 1
        for _ in range(depth):
            result = {"x": result}
        state["Result"] = result
    return document


def one_line(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def make_app(engine: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


def create(engine: str, definition: str) -> Any:
    from sfn_tui.aws.models import StateMachine

    sfn = boto_client("stepfunctions", engine, REGION)
    made = sfn.create_state_machine(
        name=f"big-{uuid.uuid4().hex[:8]}", definition=definition, roleArn=ROLE
    )
    arn = made["stateMachineArn"]
    machine = StateMachine(arn, arn.rsplit(":", 1)[1], "STANDARD", made["creationDate"])
    return sfn, machine


# Layout (pure) -------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_reindent_lays_out_as_json_dumps_does(value: Any, ascii_only: bool) -> None:
    written = json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)
    assert reindent(written) == json.dumps(value, indent=2, ensure_ascii=ascii_only)
    assert compact(reindent(written)) == written


def test_every_token_is_kept_as_written() -> None:
    written = '{"n":1.50,"big":1e400,"k":"a\\u001b\\"b","k":[ ],"o":{}}'
    shown = reindent(written)
    assert shown == (
        '{\n  "n": 1.50,\n  "big": 1e400,\n  "k": "a\\u001b\\"b",\n  "k": [],\n  "o": {}\n}'
    )
    assert compact(shown) == '{"n":1.50,"big":1e400,"k":"a\\u001b\\"b","k":[],"o":{}}'


def test_only_documents_no_one_laid_out_are_laid_out() -> None:
    own = '{\n    "StartAt": "A",\n    "States": {"A": {"Type": "Succeed"}}\n}'
    assert not needs_layout(own) and laid_out(own) is own
    assert laid_out('{"a": [1, 2]}') == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    broken = '{"a": [1, 2}'
    assert laid_out(broken) is broken  # not JSON: as it is, the check says where


# The form --------------------------------------------------------------------------------


async def test_a_one_line_definition_opens_one_value_a_line(engine: str) -> None:
    stored = one_line(chain(3))
    sfn, machine = create(engine, stored)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen(machine)
        opened = await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        expected = json.dumps(chain(3), indent=2)
        await wait_for(pilot, lambda: editor.text == expected, what="laid out")
        await wait_shown(pilot, '"StartAt": "Step00000",', "AWS holds it as one line")
        await pilot.press("ctrl+s")  # nothing changed, only shown differently
        await wait_shown(pilot, "The definition is unchanged: nothing to save.")
        editor.replace_text(expected.replace('"part 1 of', '"part one of'))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="saved")
    saved = sfn.describe_state_machine(stateMachineArn=machine.arn)["definition"]
    assert saved == expected.replace('"part 1 of', '"part one of')  # as shown: it fits


async def test_a_definition_over_the_quota_once_laid_out_is_saved_as_one_line(
    engine: str,
) -> None:
    """Stored as one line of 100 KB, it is 1.2 MiB laid out: typed into, then saved,
    it goes back as one line (as it was held), with the change."""
    stored = one_line(dense(300))
    sfn, machine = create(engine, stored)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen(machine)
        opened = await open_modal(pilot, form)
        area = form.query_one(JsonEditor).text_area
        await wait_for(pilot, lambda: area.document.line_count > 10_000, what="laid out")
        assert len(area.text.encode()) > MAX_DEFINITION_BYTES >= len(stored)
        middle = area.document.line_count // 2
        row = next(
            i for i in range(middle, area.document.line_count) if "part " in area.document[i]
        )
        number = area.document[row].split('"part ', 1)[1].split(" ", 1)[0]
        area.focus()
        area.move_cursor((row, area.document[row].index("part ") + 5), center=True)
        await pilot.press(*"NEW-", "enter", "backspace")
        await wait_for(pilot, lambda: "NEW-" in area.document[row], what="typed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, timeout=60, what="saved")
    saved = sfn.describe_state_machine(stateMachineArn=machine.arn)["definition"]
    expected = json.loads(stored)
    state = expected["States"][f"Step{int(number):05d}"]
    state["Comment"] = state["Comment"].replace("part ", "part NEW-")
    assert saved == one_line(expected)  # one line again, with the change


async def test_a_definition_over_the_quota_opens_read_only_and_says_why(engine: str) -> None:
    """One a service holds over the quota (the embedded engine does not check; AWS
    would refuse to save it anyway): shown, laid out, read-only, and said why."""
    from sfn_tui.aws.models import StateMachineDetail

    stored = one_line(chain(9500))
    assert len(stored) > MAX_DEFINITION_BYTES
    detail = StateMachineDetail(
        arn=f"arn:aws:states:{REGION}:123456789012:stateMachine:Huge",
        name="Huge",
        type="STANDARD",
        status="ACTIVE",
        role_arn=ROLE,
        definition=stored,
        creation_date=datetime.now(UTC),
    )
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen(detail)
        await open_modal(pilot, form)
        area = form.query_one(JsonEditor).text_area
        await wait_for(pilot, lambda: area.document.line_count > 10_000, what="laid out")
        status = form.query_one("#sm-status", Static)
        await wait_for(pilot, lambda: "read-only" in str(status.content), what="said")
        assert f"{len(stored):,} bytes, over the 1,048,576-byte quota" in str(status.content)
        await wait_shown(pilot, "read-only")
        assert area.read_only and form.query_one("#sm-submit", Button).disabled
        before = area.text
        area.focus()
        await pilot.press(*"typed", "ctrl+s")
        await pilot.pause()
        assert area.text == before


# The editor's shortcuts give Textual's results ------------------------------------------


class Editors(App[None]):
    """A JsonTextArea beside a plain TextArea, same document, same size."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        yield JsonTextArea.code_editor(self.text, language="json", soft_wrap=False, id="ours")
        yield TextArea.code_editor(self.text, language="json", soft_wrap=False, id="plain")


async def test_large_document_edits_match_textual_and_stay_highlighted() -> None:
    """The same keys in both editors give the same text and cursor; the lines in view
    of ours are highlighted as Textual highlights them, also after scrolling far."""
    from textual.widgets import TextArea

    text = json.dumps(chain(1000), indent=2)  # about 12,000 lines
    app = Editors(text)
    async with app.run_test(size=(100, 60)) as pilot:
        ours = app.query_one("#ours", JsonTextArea)
        plain = app.query_one("#plain", TextArea)
        middle = ours.document.line_count // 2
        for area in (ours, plain):
            area.focus()
            area.move_cursor((middle, 4), center=True)
            await pilot.press(*"xy", "enter", "enter", "backspace", "tab", "down", "z", "up")
            await pilot.press("backspace", "home", "backspace", "end", "delete", *"w")
            await pilot.pause()
        assert ours.text == plain.text
        assert ours.cursor_location == plain.cursor_location
        assert ours.wrapped_document.height == plain.document.line_count
        for row in (0, 1, middle, middle + 1, ours.document.line_count - 1):
            for column in (0, 1, 3):
                location = (row, column)
                assert ours.wrapped_document.location_to_offset(
                    location
                ) == plain.wrapped_document.location_to_offset(location)
                offset = (column, row)
                assert ours.wrapped_document.offset_to_location(
                    offset
                ) == plain.wrapped_document.offset_to_location(offset)
        for area in (ours, plain):
            area.focus()
            area.move_cursor((11_000, 0), center=True)  # far from where the edits were
            await pilot.pause()
        top = ours.scroll_offset.y
        assert top == plain.scroll_offset.y and top > 10_000
        plain._build_highlight_map()  # Textual's own: the whole document
        for row in range(top, top + ours.size.height):
            assert sorted(ours._highlights.get(row, [])) == sorted(plain._highlights[row])
        assert any(ours._highlights.get(row) for row in range(top, top + ours.size.height))
