"""Filtering the state machines pane at the default quota's scale (thousands of
machines): the rows shown are exactly the matching machines, in name order, and the
cursor moves over them as over any table. Above a few hundred rows added or removed
at once the pane is rebuilt in one pass with cells made only for the rows drawn
(keyed_table.py `_rebuild`); this checks what the user sees of it."""

from __future__ import annotations

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.pilot_helpers import wait_for, wait_shown

REGION = "ap-southeast-6"  # no other test uses it (machines by the thousand)
COUNT = 3000
PREFIX = "fscale-"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"


@pytest.fixture(scope="module")
def thousands(engine: str) -> dict[str, str]:
    """COUNT machines written into the engine's backend (the API parses each
    definition: minutes for thousands); name -> ARN."""
    from moto.stepfunctions.models import StepFunctionBackend

    from sfn_tui.local.bulk import _backend

    backend = _backend(REGION)
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    made = {}
    for i in range(COUNT):
        name = f"{PREFIX}{i:04d}"
        machine = StepFunctionBackend.create_state_machine(
            backend, name=name, definition=definition, roleArn=ROLE
        )
        made[name] = machine.arn
    return made


def shown_names(app: SfnTuiApp) -> list[str]:
    table = app.dashboard.machines
    return [
        table.items[str(table.coordinate_to_cell_key((row, 0))[0].value)].name
        for row in range(table.row_count)
    ]


async def test_filtering_thousands_of_machines_shows_exactly_the_matches(
    engine: str, thousands: dict[str, str]
) -> None:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        dash = app.dashboard
        table = dash.machines
        await wait_for(
            pilot,
            lambda: thousands.keys() <= {m.name for m in table.items.values()},
            timeout=60,
            what="every machine listed",
        )
        table.focus()
        await pilot.press("slash")
        for ch in "fscale-12":
            await pilot.press(ch)
        expected = [f"{PREFIX}{i:04d}" for i in range(1200, 1300)]
        await wait_for(pilot, lambda: shown_names(app) == expected, what="the 100 matches")
        await wait_shown(pilot, "fscale-1200", "fscale-1201", absent=("fscale-1199",))
        await pilot.press("3")
        await wait_for(
            pilot,
            lambda: shown_names(app) == [f"{PREFIX}{i:04d}" for i in range(1230, 1240)],
            what="the 10 matches",
        )
        await wait_shown(pilot, "fscale-1239", absent=("fscale-1240", "fscale-1229"))
        await pilot.press("enter")  # keep the filter, back to the table
        await pilot.press("home", "down", "down", "down")
        await wait_for(
            pilot,
            lambda: table.selected is not None and table.selected.name == "fscale-1233",
            what="the cursor on the fourth match",
        )
        await pilot.press("end")
        await wait_for(
            pilot,
            lambda: table.selected is not None and table.selected.name == "fscale-1239",
            what="the cursor on the last match",
        )
        # Erased back to the prefix: every machine again, in name order.
        # "/" opens the filter with its text selected (typing replaces it): End first.
        await pilot.press("slash", "end")
        for _ in "123":
            await pilot.press("backspace")
        await wait_for(
            pilot, lambda: table.filter_text == PREFIX, what="the filter erased to fscale-"
        )
        await wait_for(
            pilot,
            lambda: (
                [n for n in shown_names(app) if n.startswith(PREFIX)] == sorted(thousands)
                and len(shown_names(app)) == COUNT
            ),
            what="every fscale- machine, in order",
        )
        assert table.selected is not None and table.selected.name == "fscale-1239"
        await pilot.press("escape")  # the filter cleared: the region's every machine
        await wait_for(
            pilot, lambda: table.row_count == len(table.source), what="the filter cleared"
        )
        assert table.row_count >= COUNT
