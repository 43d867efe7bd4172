"""Every key findable from the screen (issue 16, "Findable"): the help lists every key
of the app from wherever it is opened, generated from the bindings; the footer keeps the
global keys at every width; the header keeps the task count and outage words; a keymap
in the settings file rebinds keys, and a wrong one is refused with a sentence."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.actions import parse as parse_action

from sfn_tui.aws.connection import Connection
from sfn_tui.cli import main
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.commands import COMMANDS
from sfn_tui.tui.key_catalog import catalog
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.versions import VersionsScreen
from tests.fault_proxy import FaultProxy
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-north-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
# Textual's own bindings that do nothing useful here: never listed as ours (by their
# words: the text viewer's own ^home First line is ours).
GENERIC = ("super+c", "Page Left", "Page Right", "^home Top", "Top", "Bottom", "Copy selected")
TALL = (150, 400)  # the whole help on one screen


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


@pytest.fixture(scope="module")
def world(engine: str) -> dict[str, str]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    machine = sfn.create_state_machine(
        name=f"findable-{tag}", definition=json.dumps(PASS), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"run-{tag}")["executionArn"]
    activity = sfn.create_activity(name=f"findable-{tag}")["activityArn"]
    return {"machine": machine, "run": run, "activity": activity, "tag": tag}


async def select_machine(pilot: Any, machine_arn: str) -> None:
    machines = pilot.app.dashboard.machines
    await wait_for(pilot, lambda: machine_arn in machines.items, what="machine listed")
    machines.focus()
    machines.select_key(machine_arn)
    await wait_for(pilot, lambda: getattr(machines.selected, "arn", "") == machine_arn)


async def on_machines(pilot: Any, world: dict[str, str]) -> str:
    await select_machine(pilot, world["machine"])
    return "Dashboard: State machines pane"


async def on_activities(pilot: Any, world: dict[str, str]) -> str:
    activities = pilot.app.dashboard.activities
    await wait_for(pilot, lambda: world["activity"] in activities.items, what="activity")
    activities.focus()
    return "Dashboard: Activities pane"


async def on_executions(pilot: Any, world: dict[str, str]) -> str:
    await select_machine(pilot, world["machine"])
    await pilot.press("enter")
    executions = pilot.app.dashboard.executions
    await wait_for(pilot, lambda: world["run"] in executions.items, what="run listed")
    executions.focus()
    return "Dashboard: Executions pane"


async def on_detail(pilot: Any, world: dict[str, str]) -> str:
    await on_executions(pilot, world)
    pilot.app.dashboard.executions.select_key(world["run"])
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExecutionDetailScreen))
    return "Execution detail"


async def on_chat(pilot: Any, world: dict[str, str]) -> str:
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen), what="chat")
    return "Chat"


async def on_versions(pilot: Any, world: dict[str, str]) -> str:
    await select_machine(pilot, world["machine"])
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, VersionsScreen), what="versions")
    return "Versions and aliases screen"


async def in_a_dialog(pilot: Any, world: dict[str, str]) -> str:
    await select_machine(pilot, world["machine"])
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StartExecutionScreen))
    return "Start execution dialog"


PLACES: dict[str, Callable[[Any, dict[str, str]], Awaitable[str]]] = {
    "machines pane": on_machines,
    "activities pane": on_activities,
    "executions pane": on_executions,
    "execution detail": on_detail,
    "chat": on_chat,
    "versions screen": on_versions,
    "start dialog (F1)": in_a_dialog,
}


@pytest.mark.parametrize("place", list(PLACES))
async def test_help_lists_every_key_from_every_focus(
    engine: str, world: dict[str, str], place: str
) -> None:
    app = make_app(engine)
    async with app.run_test(size=TALL) as pilot:
        here = await PLACES[place](pilot, world)
        await pilot.press("f1" if "dialog" in place else "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help open")
        text = await wait_shown(pilot, "sfn-tui — keys", "Settings file:")
        for group in catalog():
            assert group.title in text, group.title
            for entry in group.entries:
                assert entry.binding_id in text, entry.binding_id
        # Where the help was opened from is marked.
        assert f"{here}  ◂ here" in text
        assert "Everywhere  ◂ here" in text or "dialog" in here
        for generic in GENERIC:
            assert generic not in text, generic
        # The footer's words, and the palette's where it has an entry.
        assert re.search(r"n +New ChatSFN run +app\.new_chat_run", text)
        assert re.search(r"s +Start — Start execution +main\.start", text)
        flat = " ".join(re.sub(r"[█▀▄▌▐▊▎│]", " ", text).split())  # without the box
        assert "q again quits at once" in flat, flat[flat.index("Settings") - 600 :]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")


PANE_GROUPS = {
    "machines": "Dashboard: State machines pane",
    "activities": "Dashboard: Activities pane",
    "executions": "Dashboard: Executions pane",
}


async def test_help_groups_the_dashboard_keys_by_the_pane_they_act_in(
    engine: str, world: dict[str, str]
) -> None:
    """Each pane's group in the help holds the keys the dashboard lets act in that pane
    (its check_action), and the "any pane" group only keys that act in every pane; a
    pane's group is marked "here" when the help opens from it."""
    groups = {group.title: group for group in catalog()}
    assert list(groups)[1:5] == ["Dashboard: any pane", *PANE_GROUPS.values()]
    wide = {e.binding_id for e in groups["Dashboard: any pane"].entries}
    app = make_app(engine)
    async with app.run_test(size=TALL) as pilot:
        await on_executions(pilot, world)
        dashboard = app.dashboard
        await wait_for(pilot, lambda: world["run"] in dashboard.executions.items)
        dashboard.executions.select_key(world["run"])
        await wait_for(pilot, lambda: dashboard.executions.selected is not None)
        activities = dashboard.activities
        await wait_for(pilot, lambda: world["activity"] in activities.items, what="activity")
        activities.select_key(world["activity"])
        for pane, title in PANE_GROUPS.items():
            getattr(dashboard, pane).focus()
            await pilot.pause()
            listed = {e.binding_id for e in groups[title].entries}
            for binding in type(dashboard).BINDINGS:
                _, action, parameters = parse_action(binding.action)
                allowed = dashboard.check_action(action, parameters)
                if allowed:
                    assert binding.id in listed | wide, (pane, binding.id)
                if binding.id in wide:
                    assert allowed, (pane, binding.id)
            await pilot.press("question_mark")
            text = await wait_shown(pilot, f"{title}  ◂ here", "Dashboard: any pane  ◂ here")
            for other in set(PANE_GROUPS.values()) - {title}:
                assert f"{other}  ◂ here" not in text
                assert other in text
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")
        # Where a key acts: Stop in the executions pane's group, Work in the activities'.
        texts = {
            t: " ".join(f"{e.label} {e.binding_id}" for e in groups[t].entries) for t in groups
        }
        assert "main.stop" in texts[PANE_GROUPS["executions"]]
        assert "main.stop" not in texts[PANE_GROUPS["machines"]]
        assert "main.work" in texts[PANE_GROUPS["activities"]]
        assert "executions.details" in texts[PANE_GROUPS["executions"]]


def test_help_names_are_the_palettes() -> None:
    """A key and the palette entry that does the same thing have one name."""
    aliases = {"open_execution": "select_cursor", "toggle_work_selected": "toggle_work"}
    # Where the palette acts: the app, the dashboard and its panes.
    dashboard = {
        "SfnTuiApp",
        "MainScreen",
        "StateMachinesTable",
        "ActivitiesTable",
        "ExecutionsTable",
    }
    names = {
        entry.binding.action: entry.name
        for group in catalog()
        if group.owner.__name__ in dashboard
        for entry in group.entries
    }
    checked = 0
    for text, _, action in COMMANDS:
        name = re.sub(r"^dashboard\('(?:action_)?(\w+)'\)$", r"\1", action)
        name = aliases.get(name, name)
        if name in names:
            checked += 1
            assert names[name] == text, (action, names[name], text)
    assert checked >= 12


# Footer ---------------------------------------------------------------------------

GLOBAL_KEYS = ("q Quit", "? Help", "c Chat", "^p palette")


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_the_footer_keeps_the_global_keys(
    engine: str, world: dict[str, str], width: int
) -> None:
    app = make_app(engine)
    async with app.run_test(size=(width, 30)) as pilot:
        await on_executions(pilot, world)
        text = await wait_shown(pilot, "⏎ Details", *GLOBAL_KEYS)
        footer = text.splitlines()[-1]
        for key in GLOBAL_KEYS:
            assert key in footer, (width, key, footer)
        if width == 80:
            # Not every key fits: the pane's last ones go, and the hint says where they are.
            assert "more: ?" in footer
            assert "y Copy ARN" not in footer
        if width == 200:
            assert "more: ?" not in footer
            for key in ("⏎ Details", "s Start", "f Status", "y Copy ARN", "n New ChatSFN run"):
                assert key in footer, key


# Header ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_the_header_keeps_the_task_count(
    engine: str, world: dict[str, str], width: int
) -> None:
    """A task claimed from a worked activity: its count stays in the header, however
    narrow (shorter words, never cut)."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"hdr-{tag}")["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"hdr-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    app = make_app(engine, worked_activities=frozenset({f"hdr-{tag}"}))
    try:
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_for(pilot, lambda: app.tasks_waiting == 1, timeout=30, what="claimed")
            text = await wait_shown(pilot, "✉ 1")
            header = text.splitlines()[0].rstrip()
            assert header.endswith("(c)"), header
            if width >= 120:
                assert "✉ 1 task waiting (c)" in header
                assert "refreshed" in header
            await pilot.press("q")
            await pilot.press("y")
    finally:
        sfn.stop_execution(executionArn=run)


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_the_header_keeps_the_outage_words(engine: str, width: int) -> None:
    """The endpoint down: "disconnected", how stale and when the next try is, at every
    width (shorter words at 80 columns; at 120 they used to be cut after "data is")."""
    proxy = FaultProxy(engine)
    await proxy.start(refusing=True)
    try:
        app = make_app(proxy.url)
        async with app.run_test(size=(width, 24)) as pilot:
            text = await wait_shown(pilot, "⚠ disconnected", "retry")
            header = text.splitlines()[0].rstrip()
            assert "stale" in header, header
            assert re.search(r"retry(ing| in \d+s| \d+s)", header), header
            if width >= 120:
                assert "· data is stale · retry in" in header or "retrying now" in header
    finally:
        await proxy.stop()


# Keymap ---------------------------------------------------------------------------


async def test_a_keymap_rebinds_a_key(engine: str, world: dict[str, str]) -> None:
    """[keys] main.start = "ctrl+t": the footer and the help say ^t, ^t opens the start
    dialog and s no longer does."""
    app = make_app(engine, keymap={"main.start": "ctrl+t"})
    async with app.run_test(size=(200, 60)) as pilot:
        await select_machine(pilot, world["machine"])
        text = await wait_shown(pilot, "^t Start", absent=("s Start",))
        assert "^t Start" in text.splitlines()[-1]
        await pilot.press("s")
        await pilot.press("question_mark")  # s did nothing: the next key acts on the dashboard
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help open")
        assert not any(isinstance(s, StartExecutionScreen) for s in app.screen_stack)
        await wait_shown(pilot, "main.start")
        assert re.search(r"\^t +Start — Start execution +main\.start", screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start dialog"
        )


def write_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[keys]\n{keys}\n", encoding="utf-8")
    monkeypatch.setenv("SFN_TUI_CONFIG", str(path))
    return path


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        (
            '"main.strat" = "ctrl+t"',
            "unknown key binding id 'main.strat' (did you mean main.start?);"
            " the help screen (?) lists the ids",
        ),
        (
            '"main.start" = "d"',
            "main.delete and main.start would both be on 'd'"
            " (Dashboard); give one of them another key",
        ),
        ('"app.refresh" = "ctrl+r"', "app.refresh and chat.retry would both be on 'ctrl+r'"),
        ('"main.start" = "contrl+t"', "main.start = 'contrl+t': not a key name Textual knows"),
        ('"main.start" = 5', 'main.start must be a key in quotes, e.g. main.start = "ctrl+s"'),
    ],
    ids=["unknown-id", "clash", "clash-with-a-global-key", "unknown-key", "not-a-string"],
)
def test_a_wrong_keymap_is_refused_at_start_with_a_sentence(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    keys: str,
    said: str,
) -> None:
    path = write_keys(tmp_path, monkeypatch, keys)
    assert main(["--endpoint-url", "http://127.0.0.1:9", "--region", REGION]) == 2
    err = capsys.readouterr().err
    assert said in err, err
    assert str(path) in err
    assert "Traceback" not in err


def test_a_keymap_that_moves_keys_apart_is_accepted() -> None:
    """Swapping two keys of one scope, or a key two ids shared already, is no clash."""
    from sfn_tui.tui.keymap import problems

    assert problems({"main.start": "d", "main.delete": "s"}) == []
    assert problems({"app.help": "?", "main.filter": "/", "app.refresh": "f5,r"}) == []


# Quitting -------------------------------------------------------------------------

COUNTDOWN = re.compile(r"Waiting for 1 open task poll to return so no task is lost: (\d+) s left")


async def test_quitting_counts_down_the_wait_for_open_polls(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a remote endpoint with an activity worked, q waits for the open
    GetActivityTask poll: the seconds left count down, the reason is given, and a second
    q quits at once."""
    from sfn_tui.local import activities

    monkeypatch.setattr(activities, "HOLD_SECONDS", 30.0)  # AWS holds a poll up to 60 s
    sfn = boto_client("stepfunctions", engine, REGION)
    name = f"quit-{uuid.uuid4().hex[:6]}"
    sfn.create_activity(name=name)
    app = make_app(engine, worked_activities=frozenset({name}))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None and app.inbox.open_polls == 1)
        await pilot.press("q")
        text = await wait_shown(pilot, "open task poll", "s left", flat=True)
        first = int(COUNTDOWN.search(" ".join(text.split())).group(1))  # type: ignore[union-attr]
        assert "would wait for its timeout" in " ".join(text.split())

        def counted_down() -> bool:
            found = COUNTDOWN.search(" ".join(screen_text(app).split()))
            return found is not None and int(found.group(1)) < first

        await wait_for(pilot, counted_down, what="the countdown going down")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, what="the app ended at once")
