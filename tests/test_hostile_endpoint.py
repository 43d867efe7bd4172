"""Words AWS takes from a fixed set (a history event's type, a run's or a Map Run's
status) are still the endpoint's words: an endpoint that is not AWS (a proxy, an
emulator, a compromised host) may send anything there, and sfn-tui shows it as text,
its markup as typed and its control characters written out, and keeps working.

The fault proxy's `rewrite` fault puts a hostile word into the engine's real answer.
Each scene was written for a place scripts/service_text_mutation.py had judged "never
service text" (AWS's enumerations), and seen failing with its protection dropped."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for
from tests.test_faults_tasks import FAST, REVIEW, open_chat_on, start
from tests.test_hostile_screens import open_detail, shown_literally

REGION = "eu-north-1"  # shared with test_faults_tasks: names here are unique
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
SIZE = (170, 50)
WORD = "[b]Odd[/b]\x1b[31m"  # where AWS sends one of a fixed set of words
WORD_SHOWN = "[b]Odd[/b]\\x1b[31m"

proxy = fault_proxy_fixture()


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


async def test_a_history_event_of_an_unknown_type_is_named_literally(
    engine: str, proxy: FaultProxy
) -> None:
    """The history's rows, an event's detail, the type picker and the filter bar."""
    from sfn_tui.tui.screens.execution_detail import EventTypePicker

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    machine = sfn.create_state_machine(
        name=f"odd-events-{tag}",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"odd-{tag}")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] == "SUCCEEDED")

    def odd_type(answer: dict[str, Any]) -> dict[str, Any]:
        for event in answer.get("events", []):
            if event["type"] == "ExecutionStarted":
                event["type"] = WORD
        return answer

    proxy.fault("GetExecutionHistory", "rewrite", transform=odd_type)
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, app, run)
        await pilot.press("2")
        table = detail.table
        await wait_for(pilot, lambda: table.row_count() > 2, what="history listed")
        table.focus()
        table.cursor = 0  # the first event: the odd one
        await shown_literally(pilot, f"#1 {WORD_SHOWN}")  # the detail under the table
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, EventTypePicker), what="picker")
        await shown_literally(pilot, f"{WORD_SHOWN} (1)")
        keys = ["", *sorted(app.screen.counts)]
        for _ in range(keys.index(WORD)):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is detail, what="picked")
        await shown_literally(pilot, f"1 of 4 events · type {WORD_SHOWN}")
    assert proxy.served("GetExecutionHistory") >= 1


async def test_a_map_run_of_an_unknown_status_is_named_literally(engine: str) -> None:
    """The Update Map Run dialog says a Map Run not RUNNING has ended, naming its
    status."""
    from sfn_tui.aws.map_runs import MapRunDetail
    from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen

    arn = f"arn:aws:states:{REGION}:123456789012:mapRun:m/Each:{uuid.uuid4()}"
    detail = MapRunDetail.from_api(
        {
            "mapRunArn": arn,
            "executionArn": f"arn:aws:states:{REGION}:123456789012:execution:m:r",
            "status": WORD,
            "startDate": datetime(2026, 11, 30, tzinfo=UTC),
            "maxConcurrency": 0,
        }
    )
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.push_screen(UpdateMapRunScreen(detail))
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateMapRunScreen), what="dialog")
        await shown_literally(pilot, f"This Map Run has ended ({WORD_SHOWN})")


async def test_a_task_whose_run_has_an_unknown_status_says_so_literally(
    engine: str, proxy: FaultProxy
) -> None:
    """A claimed task whose run the endpoint describes with a status AWS never sends:
    the chat pane's status line says why it can no longer be answered, literally."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"odd-status-{tag}")["activityArn"]
    machine = sfn.create_state_machine(
        name=f"odd-status-{tag}",
        definition=json.dumps(REVIEW).replace("ACTIVITY", activity),
        roleArn=ROLE,
    )["stateMachineArn"]
    marker = f"odd-{tag}"
    run = start(sfn, machine, marker)

    def odd_status(answer: dict[str, Any]) -> dict[str, Any]:
        if answer.get("executionArn") == run:
            answer["status"] = WORD
        return answer

    app = make_app(
        proxy.url,
        worked_activities=frozenset({activity.rsplit(":", 1)[1]}),
        client_settings=FAST,
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_chat_on(pilot, app, marker)
        proxy.fault("DescribeExecution", "rewrite", transform=odd_status)
        await shown_literally(
            pilot, f"This task can no longer be answered: The run is {WORD_SHOWN}."
        )
    sfn.stop_execution(executionArn=run)


async def test_a_callback_to_an_unknown_service_api_is_named_literally(
    engine: str, proxy: FaultProxy
) -> None:
    """A callback whose token the history does not carry: the chat pane's status line
    names the service API the task went to, from the history's TaskScheduled event."""
    from tests.test_callbacks import callback_shown

    sfn = boto_client("stepfunctions", engine, REGION)
    sqs = boto_client("sqs", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    queue = sqs.create_queue(QueueName=f"odd-api-{tag}")["QueueUrl"]
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        # The token formatted into text: not where the definition passes it.
        "Parameters": {
            "QueueUrl": queue,
            "MessageBody": {"text.$": "States.Format('token {}', $$.Task.Token)"},
        },
        "TimeoutSeconds": 300,
        "End": True,
    }
    machine = sfn.create_state_machine(
        name=f"odd-api-{tag}",
        definition=json.dumps({"StartAt": "Ask", "States": {"Ask": ask}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"odd-api-{tag}")["executionArn"]

    def odd_api(answer: dict[str, Any]) -> dict[str, Any]:
        for event in answer.get("events", []):
            scheduled = event.get("taskScheduledEventDetails")
            if scheduled is not None:
                scheduled["resource"] = f"sendMessage{WORD}.waitForTaskToken"
        return answer

    proxy.fault("GetExecutionHistory", "rewrite", transform=odd_api)
    app = make_app(proxy.url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await callback_shown(pilot, app, machine)
            await shown_literally(
                pilot,
                "This callback is waiting, but cannot be answered from here.",
                f"sqs:sendMessage{WORD_SHOWN} only).",
            )
    finally:
        sfn.stop_execution(executionArn=run)


async def test_an_alias_routing_to_an_unknown_version_is_named_literally(
    engine: str, proxy: FaultProxy
) -> None:
    """An alias whose routing names a version ARN whose qualifier is no number, and
    whose description holds an escape: the Aliases table and the Start dialog's Run
    choice show both literally."""
    from textual.widgets import Select

    from sfn_tui.tui.screens.start_execution import StartExecutionScreen
    from sfn_tui.tui.screens.versions import VersionsScreen
    from tests.test_hostile_screens import select_machine

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    machine = sfn.create_state_machine(
        name=f"odd-route-{tag}",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=ROLE,
        publish=True,
    )["stateMachineArn"]
    version = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"][0]
    alias = sfn.create_state_machine_alias(
        name="route",
        description=f"about {WORD}",
        routingConfiguration=[
            {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}
        ],
    )["stateMachineAliasArn"]

    def odd_route(answer: dict[str, Any]) -> dict[str, Any]:
        for route in answer.get("routingConfiguration", []):
            route["stateMachineVersionArn"] = f"{machine}:{WORD}"
        return answer

    proxy.fault("DescribeStateMachineAlias", "rewrite", transform=odd_route)
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await select_machine(pilot, app, machine)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions")
        screen = app.screen
        assert isinstance(screen, VersionsScreen)
        await wait_for(pilot, lambda: screen.loaded, what="versions loaded")
        await shown_literally(pilot, f"route  {WORD_SHOWN} 100%  about {WORD_SHOWN}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="back")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        target = app.screen.query_one("#start-target", Select)
        await wait_for(pilot, lambda: len(target._options) > 2, what="versions and aliases")
        target.value = alias
        await shown_literally(pilot, f"Alias route: {WORD_SHOWN} 100%")


# The rule ----------------------------------------------------------------------

# Every field of an answer that holds words rather than an identifier: a name, a
# status, a type, a description, an error and its cause, a label.
WORDS = frozenset(
    {
        "name",
        "status",
        "type",
        "description",
        "versionDescription",
        "error",
        "cause",
        "label",
        "redriveStatus",
        "redriveStatusReason",
    }
)


def hostile_words(answer: Any) -> Any:
    """Each word field of an answer with WORD after it, however deep."""
    if isinstance(answer, dict):
        return {
            key: f"{value}{WORD}"
            if key in WORDS and isinstance(value, str)
            else hostile_words(value)
            for key, value in answer.items()
        }
    if isinstance(answer, list):
        return [hostile_words(item) for item in answer]
    return answer


async def no_raw_control(pilot: Any, where: str) -> None:
    """The screen as drawn now holds no raw ESC or BEL."""
    await pilot.pause()
    text = screen_text(pilot.app)
    assert "\x1b" not in text and "\x07" not in text, f"a raw escape on {where}:\n{text}"


async def test_an_endpoint_whose_every_word_is_hostile_breaks_no_screen(
    engine: str, proxy: FaultProxy
) -> None:
    """Every answer's names, statuses, types, descriptions, errors and labels end in
    markup and an escape: each screen an operator walks through (dashboard, a run's
    five tabs, type picker, first failure, whole event and Test state,
    versions, graph, start, delete, chat, help) shows no
    raw control character, and the app keeps running."""
    from sfn_tui.tui.screens.chat import ChatScreen
    from sfn_tui.tui.screens.help import HelpScreen
    from sfn_tui.tui.screens.main import MainScreen
    from tests.test_hostile_screens import select_machine

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    failing = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Next": "F"},
            "F": {"Type": "Fail", "Error": "E", "Cause": "C"},
        },
    }
    machine = sfn.create_state_machine(
        name=f"odd-all-{tag}",
        definition=json.dumps(failing),
        roleArn=ROLE,
        publish=True,
        versionDescription="first",
    )["stateMachineArn"]
    version = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"][0]
    sfn.create_state_machine_alias(
        name="live",
        description="the live one",
        routingConfiguration=[
            {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}
        ],
    )
    sfn.create_activity(name=f"odd-all-{tag}")
    run = sfn.start_execution(stateMachineArn=machine, name=f"odd-all-{tag}")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] == "FAILED")
    proxy.fault("*", "rewrite", transform=hostile_words)
    app = make_app(proxy.url, worked_activities=frozenset())
    seen: list[str] = []

    async def clean(where: str) -> None:
        await no_raw_control(pilot, where)
        seen.append(where)

    async with app.run_test(size=SIZE) as pilot:
        await select_machine(pilot, app, machine)
        await pilot.press("enter")
        await wait_for(pilot, lambda: run in app.dashboard.executions.items, what="run listed")
        await shown_literally(pilot, f"odd-all-{tag}{WORD_SHOWN}")
        await clean("the dashboard")
        detail = await open_detail(pilot, app, run)
        for tab in "12345":
            await pilot.press(tab)
            await clean(f"the detail's tab {tab}")
        await pilot.press("2")
        await pilot.press("t")
        await clean("the type picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, what="picker closed")
        detail.table.focus()
        await pilot.press("f")  # the first failure: its event's error and cause
        await shown_literally(pilot, f"E{WORD_SHOWN}")
        await clean("the first failure")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not detail, what="the whole event")
        await clean("the whole event")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, what="event closed")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.screen is not detail, what="test state")
        await clean("test state")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, what="test state closed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="dashboard")
        await select_machine(pilot, app, machine)
        for key, what in (("v", "versions"), ("g", "the graph"), ("s", "start"), ("d", "delete")):
            await pilot.press(key)
            await wait_for(pilot, lambda: not isinstance(app.screen, MainScreen), what=what)
            await clean(what)
            if key == "v":
                versions = app.screen
                await wait_for(pilot, lambda: getattr(versions, "loaded", True), what="loaded")  # noqa: B023
                await shown_literally(pilot, f"live{WORD_SHOWN}")
                await clean(what)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="back")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat")
        await clean("the chat pane")
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await clean("help")
    assert len(seen) == 17


async def test_an_endpoint_whose_every_word_is_hostile_breaks_no_map_run_screen(
    engine: str, proxy: FaultProxy
) -> None:
    """As above, for a Distributed Map's screens: the detail's Map Runs tab, the Map Run
    screen and its Update dialog."""
    from sfn_tui.tui.screens.map_run import MapRunScreen
    from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    each = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Label": "Each",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name=f"odd-map-{tag}", definition=json.dumps(each), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(
        stateMachineArn=machine, name=f"odd-map-{tag}", input=json.dumps({"items": [1, 2]})
    )["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] != "RUNNING", timeout=60)
    proxy.fault("*", "rewrite", transform=hostile_words)
    app = make_app(proxy.url, worked_activities=frozenset())

    async def clean(where: str) -> None:
        await no_raw_control(pilot, where)

    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, app, run)
        await wait_for(pilot, lambda: bool(detail.map_runs.details), what="Map Run described")
        await pilot.press("5")
        await shown_literally(pilot, WORD_SHOWN)
        await clean("the Map Runs tab")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MapRunScreen), what="Map Run")
        await clean("the Map Run screen")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateMapRunScreen), what="update")
        await clean("the Update Map Run dialog")
        await pilot.press("escape")
