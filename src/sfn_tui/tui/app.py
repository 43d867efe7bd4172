"""The sfn-tui application: connects, runs the poller, routes worker results.

I/O happens only in workers; results come back as messages to the screens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from sfn_tui.aws.connection import Connection
from sfn_tui.core.poller import utc_now
from sfn_tui.tui.messages import Polled
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient
    from sfn_tui.core.poller import Poller
    from sfn_tui.local.engine import LocalEngine


class SfnTuiApp(App[None]):
    TITLE = "sfn-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
    ]

    def __init__(
        self,
        connection: Connection,
        *,
        poll_interval: float = 2.0,
        catalog_interval: float = 30.0,
        read_only: bool = False,
        clock: Callable[[], datetime] = utc_now,
        tz: tzinfo | None = None,
        seed_local: bool = True,
    ) -> None:
        super().__init__()
        self.connection = connection
        self.poll_interval = poll_interval
        self.catalog_interval = catalog_interval
        self.read_only = read_only
        self.clock = clock
        self.tz = tz
        self.seed_local = seed_local
        self.client: StepFunctionsClient | None = None
        self.poller: Poller | None = None
        self.engine: LocalEngine | None = None
        self.dashboard = MainScreen()

    def on_mount(self) -> None:
        self.push_screen(self.dashboard)
        self.connect()

    # Workers ----------------------------------------------------------------------

    @work(exclusive=True, group="connect")
    async def connect(self) -> None:
        """Start the local engine if asked, open the clients, then poll forever."""
        # Imported here, after the first paint: the AWS stack costs about half a second.
        from sfn_tui.aws.client import StepFunctionsClient
        from sfn_tui.core.poller import Poller

        if self.connection.local_engine and not self.connection.endpoint_url:
            self.dashboard.header.where = "starting the local engine…"
            self.connection = self.connection.with_endpoint(await self._start_local_engine())
        self.client = StepFunctionsClient(self.connection)
        await self.client.open()
        self.dashboard.header.where = self.connection.label
        self.poller = Poller(
            self.client, interval=self.poll_interval, catalog_interval=self.catalog_interval
        )
        if self.dashboard.watched is not None:
            self.poller.watch(self.dashboard.watched.arn)
        async for update in self.poller.run():
            self.dashboard.post_message(Polled(update))

    async def _start_local_engine(self) -> str:
        from sfn_tui.local.engine import LocalEngine
        from sfn_tui.local.seed import seed_demo

        engine = LocalEngine()
        self.engine = engine
        # Blocking start and seeding in a thread: the UI keeps drawing meanwhile.
        endpoint = await asyncio.to_thread(engine.start)
        if self.seed_local:
            await asyncio.to_thread(seed_demo, endpoint, self.connection.region)
        return endpoint

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where a worker's unexpected failure becomes a message."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                f"{error}", title=f"{event.worker.name} failed", severity="error", timeout=15
            )
            if event.worker.group == "connect":
                self.dashboard.header.failing = f"{error}"
                self.dashboard.header.failing_since = self.clock()

    # Actions ----------------------------------------------------------------------

    def watch_machine(self, state_machine_arn: str | None) -> None:
        if self.poller is not None:
            self.poller.watch(state_machine_arn)

    def action_refresh(self) -> None:
        if self.poller is not None:
            self.poller.refresh()
            self.notify("Refreshing…", timeout=1.5)

    def action_help(self) -> None:
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for active in self.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            rows.append((self.get_key_display(binding), binding.description))
        self.push_screen(HelpScreen(rows))

    async def action_quit(self) -> None:
        await self.shutdown()
        self.exit()

    async def shutdown(self) -> None:
        """Stop the poller, close the clients, shut the local engine down."""
        if self.poller is not None:
            self.poller.stop()
        self.workers.cancel_group(self, "connect")
        if self.client is not None:
            await self.client.close()
            self.client = None
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await asyncio.to_thread(engine.stop)
