"""Table columns fit their pane (issue 16, "Readable"): long run names are shortened in
the middle and never push Status, Started or Stopped off screen; widths follow the
watched machine and the terminal's size; no sideways scrollbar when everything fits."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.main import MainScreen
from sfn_tui.tui.widgets.column_fit import clip_middle_text
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown

REGION = "cn-north-1"  # only the readable-pane tests use it (the engine accepts it; ARNs read arn:aws-cn:…)
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
LONG_RUN = "run-20261129-190514-26f33820-nightly-reconciliation-of-ledgers"


def make_app(endpoint: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


def finished_run(sfn: Any, machine_arn: str, name: str) -> str:
    arn = str(sfn.start_execution(stateMachineArn=machine_arn, name=name)["executionArn"])
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
    return arn


@pytest.fixture(scope="module")
def machines(engine: str) -> dict[str, str]:
    """One machine with a long-named run, one with short-named runs."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    made = {}
    for label in ("Long", "Short"):
        made[label] = str(
            sfn.create_state_machine(
                name=f"Cols{label}{tag}", definition=json.dumps(PASS), roleArn=ROLE
            )["stateMachineArn"]
        )
    finished_run(sfn, made["Long"], LONG_RUN)
    finished_run(sfn, made["Short"], "r1")
    return made


async def watch(pilot: Any, dashboard: MainScreen, arn: str, runs: int = 1) -> None:
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(arn)
    await wait_for(
        pilot,
        lambda: (
            dashboard.watched is not None
            and dashboard.watched.arn == arn
            and len(dashboard.executions.items) >= runs
            and all(arn.split(":")[-1] in e for e in dashboard.executions.items)
        ),
        what="the machine's runs",
    )


def fits(table: Any) -> bool:
    """Every column within the pane: no sideways scrolling."""
    used = sum(c.get_render_width(table) for c in table.columns.values())
    return used <= table.scrollable_content_region.width and table.max_scroll_x == 0


def test_clip_middle_keeps_both_ends() -> None:
    from rich.text import Text

    clipped = clip_middle_text(Text("run-20261129-190514-26f33820"), 15)
    assert clipped.plain == "run-202…6f33820"
    assert clipped.cell_len == 15
    assert clip_middle_text(Text("short"), 15).plain == "short"


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_long_run_names_never_push_the_columns_off(
    engine: str, machines: dict[str, str], size: tuple[int, int]
) -> None:
    """A 62-character run name: Status, Started and Stopped stay on screen, the name
    is cut in the middle (its start and its end shown), no sideways scrollbar; then on
    a machine with short names the Name column narrows again (it kept the previous
    machine's width before)."""
    app = make_app(engine)
    async with app.run_test(size=size) as pilot:
        dashboard = app.dashboard
        await watch(pilot, dashboard, machines["Long"])
        table = dashboard.executions
        await wait_shown(pilot, "Status", "Started", "Stopped / elapsed", "SUCCEEDED")
        await wait_for(pilot, lambda: fits(table), what="executions fit the pane")
        shown = str(table.get_cell(next(iter(table.items)), "name"))
        if size[0] < 200:  # too long for the pane: shortened
            assert "…" in shown and shown.startswith("run-2026") and shown.endswith("ledgers")
            await wait_shown(pilot, shown)
        else:
            assert shown == LONG_RUN
        long_width = table.columns[next(iter(table.columns))].width

        await watch(pilot, dashboard, machines["Short"])
        await wait_shown(pilot, "r1 ", "Stopped / elapsed")
        name_column = table.columns[next(iter(table.columns))]
        assert name_column.width == len("Name") < long_width
        assert fits(table)
        for pane in (dashboard.machines, dashboard.activities):
            await wait_for(pilot, lambda p=pane: fits(p), what=f"{pane.id} fit")
            assert not pane.show_horizontal_scrollbar


async def test_no_sideways_scrollbar_at_80x24_and_resizing_refits(
    engine: str, machines: dict[str, str]
) -> None:
    """At 80x24 the state machines pane shows all its rows and no horizontal scrollbar
    (one used to take a row); growing and shrinking the terminal recomputes widths."""
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        dashboard = app.dashboard
        await watch(pilot, dashboard, machines["Long"])
        await wait_for(pilot, lambda: fits(dashboard.machines), what="machines fit")
        assert not dashboard.machines.show_horizontal_scrollbar
        # Each pane handles its own Resize: the runs pane may fit its columns a turn
        # after the machines pane does (CI once read the width in between).
        await wait_for(
            pilot,
            lambda: dashboard.executions.name_width is not None,
            what="the long name shortened at 80 columns",
        )
        narrow = dashboard.executions.name_width
        await wait_shown(pilot, "…", "Stopped / elapsed")
        await pilot.resize_terminal(200, 50)
        await wait_for(
            pilot, lambda: dashboard.executions.name_width is None, what="full names at 200"
        )
        await wait_shown(pilot, LONG_RUN)
        await pilot.resize_terminal(80, 24)
        await wait_for(
            pilot, lambda: dashboard.executions.name_width == narrow, what="shortened again"
        )
        assert fits(dashboard.executions)
