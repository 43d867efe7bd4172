"""An idle dashboard draws only what changed (issue 17, idle CPU): each poll used to
set the App's header reactives (refreshed_at at every poll), and an App reactive
repaints the whole screen by default: a full frame of every pane every 2 s at idle.

The rule: while polls come and go on a dashboard nobody touches, no whole-screen frame
is drawn, and the header still shows each refresh's time."""

from __future__ import annotations

import json
import uuid
from typing import Any

from textual._compositor import Compositor

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.formatting import clock_time
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for

REGION = "eu-north-1"  # shared with test_findable (unique names here)
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


async def test_polls_on_an_idle_dashboard_draw_no_whole_screen_frame(
    engine: str, monkeypatch: Any
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    machine = sfn.create_state_machine(
        name=f"idle-{uuid.uuid4().hex[:6]}", definition=json.dumps(PASS), roleArn=ROLE
    )["stateMachineArn"]
    sfn.start_execution(stateMachineArn=machine)
    full_frames = []
    whole = Compositor.render_full_update

    def counted(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        full_frames.append(self)
        return whole(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_full_update", counted)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.3, catalog_interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="machine")
        dashboard.machines.select_key(machine)
        await wait_for(pilot, lambda: len(dashboard.executions.items) == 1, what="its run")
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="a refresh")
        full_frames.clear()
        seen = {app.refreshed_at}
        await wait_for(
            pilot,
            lambda: seen.add(app.refreshed_at) or len(seen) >= 5,
            what="four more polls",
        )
        mine = [c for c in full_frames if c is dashboard._compositor]
        assert mine == [], f"{len(mine)} whole-screen frames at idle"
        refreshed = app.refreshed_at
        assert refreshed is not None
        await wait_for(
            pilot,
            lambda: clock_time(app.refreshed_at or refreshed) in screen_text(app).splitlines()[0],
            what="the header showing the last refresh",
        )
