"""The rule: keys act in the order typed, each on what the keys before it left.

Keys are sent here the way a fast typist, `tmux send-keys` or a paste in a terminal
without bracketed paste sends them: all at once, without waiting for the app between
them (Pilot's `press` waits for the app to be idle after every key, which hides the
bug). A key that opens a modal or moves focus must have taken effect before the next
key is handed on: what is typed lands in the field the focus moved to, nothing leaks
to the dashboard behind a modal, and what reaches the service is what was typed.
"""

from __future__ import annotations

import json
import os
import random
import string
import uuid
from typing import Any

import boto3
import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, TextArea

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.key_order import TypedKeys
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.stop_execution import StopExecutionScreen
from tests.pilot_helpers import wait_for

REGION = "us-west-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-key-order"
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 900, "End": True}}}
MUTATING = {
    "StartExecution",
    "StopExecution",
    "RedriveExecution",
    "CreateStateMachine",
    "UpdateStateMachine",
    "DeleteStateMachine",
    "CreateActivity",
    "DeleteActivity",
    "SendTaskSuccess",
    "SendTaskFailure",
}
SPECIAL_CHARS = {"\t": "tab", "\r": "enter", "\n": "enter", " ": "space"}
# Letters that are keys on the dashboard (a, d, e, s, x, R, g, f, w, y, c, n, q, r ...),
# digits, punctuation and a non-ASCII letter: anything that leaks shows.
ALPHABET = string.ascii_letters + string.digits + " .-_:/é"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def make_app(endpoint: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


def key(name: str) -> events.Key:
    """A key as the terminal driver makes it: "a", "tab", "ctrl+s", or one character."""
    if len(name) == 1:
        return events.Key(SPECIAL_CHARS.get(name) or _character_to_key(name), name)
    char = {"tab": "\t", "enter": "\r", "space": " ", "escape": "\x1b"}.get(name)
    return events.Key(name, char)


Item = str | events.Key | events.Paste | TypedKeys


def burst(pilot: Any, *items: Item) -> int:
    """Send every item to the app at once, as a terminal would; return how many.
    A str item longer than one character is typed key by key."""
    app = pilot.app
    sent = 0
    for item in items:
        messages: list[Any]
        if isinstance(item, str):
            messages = [key(item)] if len(item) == 1 or is_key_name(item) else list(map(key, item))
        else:
            messages = [item]
        for message in messages:
            message.set_sender(app)
            app._driver.send_message(message)
            sent += 1
    return sent


KEY_NAMES = {
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "f7",
    "down",
    "up",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "backspace",
    "delete",
}


def is_key_name(item: str) -> bool:
    return item in KEY_NAMES or item.startswith(("ctrl+", "shift+", "alt+"))


async def all_handled(pilot: Any, before: int, count: int) -> None:
    keys = pilot.app.keys
    await wait_for(
        pilot,
        lambda: keys.arrivals >= before + count and keys.idle,
        what=f"{count} keys handled",
    )
    await pilot.pause()


def as_typed(rng: random.Random, text: str) -> list[Item]:
    """`text` as it may reach the app: key by key, in runs read together (a terminal
    without bracketed paste), or as one bracketed paste."""
    way = rng.choice(("keys", "runs", "paste"))
    if way == "paste" and text:
        return [events.Paste(text)]
    if way == "runs" and len(text) > 1:
        cut = rng.randrange(1, len(text))
        return [TypedKeys(text[:cut]), TypedKeys(text[cut:])]
    return [key(c) for c in text]


def random_text(rng: random.Random, low: int = 1, high: int = 14) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high))).strip() or "x"


async def dashboard_ready(pilot: Any, app: SfnTuiApp, machine_arn: str, run_arn: str) -> None:
    dashboard = app.dashboard
    await wait_for(
        pilot,
        lambda: machine_arn in dashboard.machines.items and run_arn in dashboard.executions.items,
        what="machine and its run listed",
    )


async def on_dashboard(pilot: Any, app: SfnTuiApp) -> None:
    await wait_for(pilot, lambda: app.screen is app.dashboard, what="back on the dashboard")


def field(app: SfnTuiApp, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


async def test_keys_typed_after_tab_land_in_the_next_field(
    engine: str, sfn: Any, proxy: Any
) -> None:
    """The hostile tester's repro: Err.X, Tab, "cause text", Ctrl+S in one burst."""
    name = f"tab-{uuid.uuid4().hex[:6]}"
    made = sfn.create_state_machine(name=name, definition=json.dumps(HOLD), roleArn=ROLE)
    run = sfn.start_execution(stateMachineArn=made["stateMachineArn"], name="r1")
    app = make_app(proxy.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await dashboard_ready(pilot, app, made["stateMachineArn"], run["executionArn"])
        app.dashboard.executions.focus()
        app.dashboard.executions.select_key(run["executionArn"])
        await wait_for(
            pilot,
            lambda: app.dashboard.focused is app.dashboard.executions,
            what="executions focused",
        )
        before = app.keys.arrivals
        sent = burst(pilot, "x", "Err.X", "tab", "cause text", "ctrl+s")
        await all_handled(pilot, before, sent)
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=run["executionArn"])["status"] == "ABORTED",
            what="stopped",
        )
    stops = proxy.sent("StopExecution")
    assert len(stops) == 1
    assert stops[0]["error"] == "Err.X" and stops[0]["cause"] == "cause text"


async def test_keys_land_where_focus_moves_in_every_modal(
    engine: str, sfn: Any, proxy: Any
) -> None:
    """Randomised: each modal opened by its key and typed into at once, field after
    field (Tab between), as keys, as runs read together, or as pastes. Every field holds
    exactly what was typed for it, no other modal opened, nothing was sent."""
    seed = int(os.environ.get("SFN_TUI_KEY_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    name = f"keys-{uuid.uuid4().hex[:6]}"
    made = sfn.create_state_machine(name=name, definition=json.dumps(HOLD), roleArn=ROLE)
    machine_arn = made["stateMachineArn"]
    activity = sfn.create_activity(name=f"keys-act-{uuid.uuid4().hex[:6]}")
    run = sfn.start_execution(stateMachineArn=machine_arn, name="r1")
    app = make_app(proxy.url)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await dashboard_ready(pilot, app, machine_arn, run["executionArn"])
        await wait_for(
            pilot, lambda: activity["activityArn"] in dashboard.activities.items, what="activity"
        )

        async def scenario(
            pane: Any, opener: str, modal: type, fields: list[str], close: tuple[str, ...]
        ) -> None:
            pane.focus()
            await wait_for(pilot, lambda: dashboard.focused is pane, what="pane focused")
            texts = [random_text(rng) for _ in fields]
            items: list[Item] = [opener]
            for n, text in enumerate(texts):
                if n:
                    items.append("tab")
                items.extend(as_typed(rng, text))
            before = app.keys.arrivals
            sent = burst(pilot, *items)
            await all_handled(pilot, before, sent)
            assert isinstance(app.screen, modal), f"seed {seed}: {type(app.screen).__name__}"
            got = [field(app, selector) for selector in fields]
            assert got == texts, f"seed {seed}: typed {texts!r}, fields hold {got!r}"
            before = app.keys.arrivals
            await all_handled(pilot, before, burst(pilot, *close))
            await on_dashboard(pilot, app)

        stop_fields = ["#stop-error", "#stop-cause"]
        for _round in range(3):
            await scenario(dashboard.executions, "x", StopExecutionScreen, stop_fields, ("escape",))
            await scenario(
                dashboard.machines, "s", StartExecutionScreen, ["#start-name"], ("escape",)
            )
            await scenario(
                dashboard.activities, "a", CreateActivityScreen, ["#activity-name"], ("escape",)
            )
            # Escape on a changed form asks first; y (in the same burst) discards.
            await scenario(
                dashboard.machines, "a", StateMachineFormScreen, ["#sm-name"], ("escape", "y")
            )

        # The start modal's JSON editor, after Tab from the name: F7 selects all, then the
        # typed JSON replaces it (Enter is a new line there).
        dashboard.machines.focus()
        payload = '{"a": 1,\n "b": "x y"}'
        before = app.keys.arrivals
        sent = burst(pilot, "s", "run-9", "tab", "f7", *as_typed(rng, payload))
        await all_handled(pilot, before, sent)
        assert isinstance(app.screen, StartExecutionScreen)
        assert field(app, "#start-name") == "run-9"
        assert app.screen.query_one(TextArea).text == payload, f"seed {seed}"
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "escape", "escape"))
        await on_dashboard(pilot, app)
    assert not MUTATING & set(proxy.operations), f"seed {seed}: {proxy.operations}"


async def test_enter_right_after_moving_to_a_machine_jumps_to_its_runs(
    engine: str, sfn: Any
) -> None:
    """Down, Enter, Down in one burst: Enter opens the machine the cursor moved to (its
    executions pane takes focus although it is still loading), and the last Down moves
    in that pane, not the machine cursor."""
    names = [f"jump-{n}-{uuid.uuid4().hex[:6]}" for n in range(3)]
    arns = [
        sfn.create_state_machine(name=n, definition=json.dumps(HOLD), roleArn=ROLE)[
            "stateMachineArn"
        ]
        for n in names
    ]
    app = make_app(engine)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await wait_for(
            pilot, lambda: all(a in dashboard.machines.items for a in arns), what="machines"
        )
        dashboard.machines.focus()
        dashboard.machines.select_key(arns[0])
        await wait_for(
            pilot,
            lambda: dashboard.watched is not None and dashboard.watched.arn == arns[0],
            what="first machine watched",
        )
        await wait_for(pilot, lambda: not dashboard.executions.loading, what="its runs listed")
        first_row = dashboard.machines.cursor_row
        before = app.keys.arrivals
        await all_handled(pilot, before, burst(pilot, "down", "enter", "down"))
        assert dashboard.machines.cursor_row == first_row + 1
        assert dashboard.watched is not None
        assert dashboard.watched.arn == dashboard.machines.selected.arn  # type: ignore[union-attr]
        assert dashboard.focused is dashboard.executions
