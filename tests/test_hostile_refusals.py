"""The service's words, when it refuses, are shown literally: every screen that shows
a refusal or a failure from the service (a dialog's problem line, a status line, a
note) shows a hostile message as it came, markup as typed and control characters
written out.

The engine does not refuse these calls with such messages, so a fault proxy in front
of it does (`FaultProxy.fault(operation, "error", ...)`): an AWS-shaped error whose
message holds markup and an escape. AWS error messages quote what the caller sent
(names, ARNs, JSON paths, a state's name), so such a message is one an endpoint can
send. IAM answers in XML, which cannot carry control characters: its message has
markup only. Last, what a dialog says while the service has not answered yet (the
call held at the proxy), which names what it waits for.

Each test was written for places scripts/service_text_mutation.py found unprotected
by any test (a mutant that drops the place's visible()/plain() survived)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.core.chatsfn import STATE_MACHINE_NAME as CHATSFN_MACHINE
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for
from tests.test_faults_tasks import open_chat_on, send_reply
from tests.test_hostile_screens import open_detail, select_machine, shown_literally, watch_run
from tests.test_modals import type_into

REGION = "us-isob-west-1"  # no other test uses it
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
# Markup that would style, a stray "[/" and an SGR escape: shown as typed, the escape
# written out (\x1b).
HOSTILE = "[b]No[/b] [/\x1b[31m"
HOSTILE_SHOWN = "[b]No[/b] [/\\x1b[31m"
MARKUP = "[b]No[/b] [/x"  # what IAM's XML can carry
# Short timeouts and no botocore retries: a refusal is shown at once.
FAST = ClientSettings(read_timeout=3, connect_timeout=1, long_poll_read_timeout=8, max_attempts=1)

FAIL = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
WAIT = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}


@pytest.fixture(scope="module")
def scene(engine: str) -> Iterator[dict[str, str]]:
    """A machine with a version and a failed run; a machine with a run going; the
    ChatSFN machine, its role ARN hostile (the engine, like AWS, checks its shape)."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    boom = sfn.create_state_machine(
        name=f"refused-{tag}", definition=json.dumps(FAIL), roleArn=ROLE, publish=True
    )["stateMachineArn"]
    failed = sfn.start_execution(stateMachineArn=boom, name=f"failed-{tag}")["executionArn"]
    hold = sfn.create_state_machine(
        name=f"refused-hold-{tag}", definition=json.dumps(WAIT), roleArn=ROLE
    )["stateMachineArn"]
    running = sfn.start_execution(stateMachineArn=hold, name=f"going-{tag}")["executionArn"]
    sfn.create_state_machine(  # found by the guided run (this region has no other)
        name=CHATSFN_MACHINE,
        definition=json.dumps(FAIL),
        roleArn=f"arn:aws:iam::123456789012:role/{HOSTILE}",
    )
    wait_until(lambda: sfn.describe_execution(executionArn=failed)["status"] == "FAILED")
    yield {"boom": boom, "failed": failed, "hold": hold, "running": running, "tag": tag}
    sfn.stop_execution(executionArn=running)


proxy = fault_proxy_fixture()


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    kwargs.setdefault("worked_activities", frozenset())
    kwargs.setdefault("client_settings", FAST)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


def refuse(proxy: FaultProxy, operation: str, code: str = "ValidationException") -> None:
    """From now on the service refuses `operation` with the hostile message."""
    status = 500 if code == "InternalFailure" else 400
    proxy.fault(operation, "error", status=status, code=code, message=HOSTILE)


async def opened(pilot: Any, key: str) -> Any:
    """Press `key` on the current screen; the screen it opens."""
    app = pilot.app
    before = app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen is not before, what=f"{key} opened a screen")
    return app.screen


# How each refusal is reached: from a connected app, to the refusal on screen. ---------

Reach = Callable[[Any, SfnTuiApp, dict[str, str]], Awaitable[None]]


async def create_activity(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    app.dashboard.activities.focus()
    form = await opened(pilot, "a")
    await type_into(pilot, form, "#activity-name", f"refused-{scene['tag']}")
    await pilot.press("enter")


async def delete_machine(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await select_machine(pilot, app, scene["boom"])
    dialog = await opened(pilot, "d")
    await wait_for(pilot, lambda: dialog.ready, what="its runs counted")
    await pilot.press("y")


async def stop_run(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await watch_run(pilot, app, scene["hold"], scene["running"])
    await opened(pilot, "x")
    await pilot.press("ctrl+s")


async def redrive_run(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await watch_run(pilot, app, scene["boom"], scene["failed"])
    await opened(pilot, "R")
    await pilot.press("y")


async def try_a_state(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await open_detail(pilot, app, scene["failed"])
    screen = await opened(pilot, "ctrl+t")
    await wait_for(pilot, lambda: bool(screen.places), what="a state to test")
    await pilot.press("ctrl+s")


async def list_versions(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await select_machine(pilot, app, scene["boom"])
    await opened(pilot, "v")


async def delete_version(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await select_machine(pilot, app, scene["boom"])
    versions = (await opened(pilot, "v")).versions
    await wait_for(pilot, lambda: versions.selected is not None, what="version listed")
    versions.focus()
    await opened(pilot, "d")
    await pilot.press("y")


async def detail_graph(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await open_detail(pilot, app, scene["failed"])
    await pilot.press("4")


async def chat_history(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await watch_run(pilot, app, scene["boom"], scene["failed"])
    await opened(pilot, "c")


async def watch_machine(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await select_machine(pilot, app, scene["boom"])
    await pilot.press("enter")


async def guided_chat(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    await opened(pilot, "n")


async def guided_approval(pilot: Any, app: SfnTuiApp, scene: dict[str, str]) -> None:
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    dialog = await opened(pilot, "N")
    await type_into(pilot, dialog, "#topic", "a lighthouse keeper")
    await pilot.press("enter")


def refused(operation: str) -> str:
    """How a ValidationException's message is said: the operation, then its words."""
    return f"{operation} failed: {HOSTILE_SHOWN}"


REFUSALS: list[tuple[str, tuple[tuple[str, str], ...], Reach, str]] = [
    (
        "activity",
        (("CreateActivity", "ValidationException"),),
        create_activity,
        refused("CreateActivity"),
    ),
    (
        "delete-machine",
        (("DeleteStateMachine", "ValidationException"),),
        delete_machine,
        refused("DeleteStateMachine"),
    ),
    ("stop", (("StopExecution", "ValidationException"),), stop_run, refused("StopExecution")),
    (
        "redrive",
        (("RedriveExecution", "ValidationException"),),
        redrive_run,
        refused("RedriveExecution"),
    ),
    ("test-state", (("TestState", "ValidationException"),), try_a_state, refused("TestState")),
    (
        "versions-list",
        (("ListStateMachineVersions", "ValidationException"),),
        list_versions,
        refused("ListStateMachineVersions"),
    ),
    (
        "version-delete",
        (("DeleteStateMachineVersion", "ValidationException"),),
        delete_version,
        f"Could not delete version 1: {refused('DeleteStateMachineVersion')}",
    ),
    (
        # Neither the definition the run used nor the machine's could be read.
        "detail-definition",
        (
            ("DescribeStateMachineForExecution", "InternalFailure"),
            ("DescribeStateMachine", "ValidationException"),
        ),
        detail_graph,
        f"The definition could not be loaded: {refused('DescribeStateMachine')}",
    ),
    (
        "chat-history",
        (("GetExecutionHistory", "ThrottlingException"),),
        chat_history,
        f"GetExecutionHistory failed: throttled by the service (too many requests); try"
        f" again shortly ({HOSTILE_SHOWN})",
    ),
    (
        # ListExecutions refused as AWS refuses it for an Express machine: a fact about
        # the machine, said in the runs pane's note in the service's words.
        "runs-not-listable",
        (("ListExecutions", "StateMachineTypeNotSupported"),),
        watch_machine,
        f"ListExecutions failed: not supported for this type of state machine ({HOSTILE_SHOWN})",
    ),
    (
        # The ChatSFN machine is found; reading it is refused.
        "guided-chat",
        (("DescribeStateMachine", "ValidationException"),),
        guided_chat,
        refused("DescribeStateMachine"),
    ),
    (
        "guided-approval",
        (("CreateStateMachine", "ValidationException"),),
        guided_approval,
        refused("CreateStateMachine"),
    ),
]


@pytest.mark.parametrize(
    ("faults", "reach", "said"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
async def test_a_refusal_in_the_services_words_is_shown_literally(
    proxy: FaultProxy,
    scene: dict[str, str],
    faults: tuple[tuple[str, str], ...],
    reach: Reach,
    said: str,
) -> None:
    """`said`: the refusal as the screen says it, the message as it came."""
    for operation, code in faults:
        refuse(proxy, operation, code)
    app = make_app(proxy.url)
    async with app.run_test(size=(200, 50)) as pilot:
        await reach(pilot, app, scene)
        await shown_literally(pilot, said)
    for operation, _ in faults:
        assert proxy.served(operation), f"{operation} was not refused: the scene missed it"


async def test_the_new_machine_form_shows_iam_and_the_services_refusals_literally(
    proxy: FaultProxy, scene: dict[str, str]
) -> None:
    """Roles cannot be listed (IAM refuses: AccessDenied, whose message quotes who
    asked and what, here markup); a definition whose StartAt names a state that is not
    there (the error quotes it); then CreateStateMachine refused."""
    proxy.fault("ListRoles", "error", status=403, code="AccessDenied", message=MARKUP)
    refuse(proxy, "CreateStateMachine")
    app = make_app(proxy.url)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.dashboard.machines.focus()
        form = await opened(pilot, "a")
        await shown_literally(pilot, "Cannot list IAM roles (ListRoles failed:", MARKUP)
        missing = {"StartAt": HOSTILE, "States": {"Go": {"Type": "Succeed"}}}
        form.editor.replace_text(json.dumps(missing))
        await type_into(pilot, form, "#sm-name", f"refused-new-{scene['tag']}")
        await type_into(pilot, form, "#sm-role-arn", ROLE)
        await pilot.press("ctrl+s")
        await shown_literally(pilot, f"\"StartAt\" names the state '{HOSTILE_SHOWN}'")
        form.editor.replace_text(json.dumps({"StartAt": "Go", "States": missing["States"]}))
        await pilot.press("ctrl+s")
        await shown_literally(pilot, f"CreateStateMachine failed: {HOSTILE_SHOWN}")
    assert proxy.served("CreateStateMachine")


async def test_the_guided_run_names_a_found_machine_with_a_hostile_role_literally(
    proxy: FaultProxy, scene: dict[str, str]
) -> None:
    """The ChatSFN machine found is described as it is: its role ARN among its facts."""
    app = make_app(proxy.url)
    async with app.run_test(size=(200, 50)) as pilot:
        await guided_chat(pilot, app, scene)
        await shown_literally(pilot, f"Role ARN arn:aws:iam::123456789012:role/{HOSTILE_SHOWN}")


async def test_an_answer_not_delivered_shows_the_services_words_literally(
    engine: str, proxy: FaultProxy
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"refused-ask-{tag}")["activityArn"]
    ask = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"refused-ask-{tag}", definition=json.dumps(ask), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"m": tag}))
    refuse(proxy, "SendTaskSuccess")
    app = make_app(proxy.url, worked_activities=frozenset({f"refused-ask-{tag}"}))
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            await open_chat_on(pilot, app, tag)
            await send_reply(pilot, app, {"ok": True})
            await shown_literally(
                pilot, f"The answer was not delivered: SendTaskSuccess failed: {HOSTILE_SHOWN}"
            )
    finally:
        sfn.stop_execution(executionArn=run["executionArn"])


# While the service has not answered yet: what the dialog says it is waiting for. ----

WAITING = ClientSettings(
    read_timeout=60, connect_timeout=1, long_poll_read_timeout=8, max_attempts=1
)


async def test_a_state_being_tested_is_named_literally_while_teststate_runs(
    proxy: FaultProxy,
) -> None:
    """The status line names the state only until TestState answers: held at the proxy,
    the line is there to read."""
    from sfn_tui.tui.screens.test_state import TestStateScreen

    definition = {"StartAt": HOSTILE, "States": {HOSTILE: {"Type": "Pass", "End": True}}}
    proxy.fault("TestState", "hang")
    app = make_app(proxy.url, client_settings=WAITING)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = TestStateScreen("m", json.dumps(definition), ROLE)
        app.push_screen(screen)
        await wait_for(pilot, lambda: bool(screen.places), what="a state to test")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: proxy.held("TestState") > 0, what="TestState held")
        await shown_literally(pilot, f"Testing {HOSTILE_SHOWN}…")


async def test_a_synchronous_run_is_named_literally_while_it_goes(
    engine: str, proxy: FaultProxy, scene: dict[str, str]
) -> None:
    """StartSyncExecution held at the proxy: the dialog's title while it waits."""
    from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen

    sfn = boto_client("stepfunctions", engine, REGION)
    express = sfn.create_state_machine(
        name=f"refused-x-{scene['tag']}", definition=json.dumps(FAIL), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    proxy.fault("StartSyncExecution", "hang")
    app = make_app(proxy.url, client_settings=WAITING)
    async with app.run_test(size=(200, 50)) as pilot:
        await select_machine(pilot, app, express)
        machine = app.dashboard.machines.items[express]
        app.push_screen(SyncExecutionScreen(machine, HOSTILE, "{}"))
        await wait_for(pilot, lambda: proxy.held("StartSyncExecution") > 0, what="call held")
        await shown_literally(
            pilot, f"Running {HOSTILE_SHOWN} of refused-x-{scene['tag']} synchronously"
        )
