"""The sfn-tui application: connects, runs the poller and the task inbox, routes
worker results to the screens, and quits safely.

I/O happens only in workers; results come back as messages to the screens.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from sfn_tui.aws.connection import Connection
from sfn_tui.core import launch_gc
from sfn_tui.core.clock import utc_now
from sfn_tui.tui import exit_signals, workarounds
from sfn_tui.tui.formatting import visible
from sfn_tui.tui.key_order import KeyOrder, TypedKeys, TypedRun
from sfn_tui.tui.launch_frame import LaunchFrame
from sfn_tui.tui.lazy_screens import import_later_screens, is_a
from sfn_tui.tui.messages import InboxChanged, Polled
from sfn_tui.tui.workarounds import (
    RELEASE_EVERY,
    release_closed_watchers,
    release_style_caches,
)

if TYPE_CHECKING:
    from textual.command import Provider

    from sfn_tui.aws.client import ClientSettings, StepFunctionsClient
    from sfn_tui.aws.early_listing import EarlyListing, Listing
    from sfn_tui.core.inbox import TaskInbox
    from sfn_tui.core.poller import ExecutionSource, Poller, PollFailed, PollLate
    from sfn_tui.core.validation import LastInputs
    from sfn_tui.local.engine import LocalEngine
    from sfn_tui.local.engine_child import EngineChild
    from sfn_tui.tui.app_services import AppServices
    from sfn_tui.tui.screens.chat import GuidedRun
    from sfn_tui.tui.screens.main import MainScreen

log = logging.getLogger(__name__)

# Activities the app works by default on the embedded engine.
LOCAL_WORKED_ACTIVITIES = frozenset({"ChatSFNActivity"})
# On a remote endpoint, how long quitting waits for open long-polls (GetActivityTask
# holds up to 60 s): a token handed to a poll we abandoned would be lost until timeout.
REMOTE_QUIT_GRACE = 65.0
LOCAL_QUIT_GRACE = 0.5
LETTER_ACTIONS = frozenset({"quit", "help", "refresh", "chat", "new_chat_run", "new_approval_run"})
DASHBOARD_OPERATIONS = frozenset(
    {
        "action_start_execution",
        "action_stop_execution",
        "action_redrive_execution",
        "create_state_machine",
        "action_update_state_machine",
        "delete_state_machine",
        "create_activity",
        "delete_activity",
        "action_graph",
        "action_test_state",
        "open_execution",
        "action_filter",
        "action_follow_newest",
        "action_copy_arn",
        "action_follow_callbacks",
        "action_versions",  # versions and aliases (screens/versions.py), and its changes:
        "publish_version",
        "create_alias",
        "update_alias",
        "delete_version",
        "delete_alias",
    }
)


def _sfn_commands() -> type[Provider]:
    """The palette's commands, imported when the palette first opens (Textual takes a
    provider or a function returning one)."""
    from sfn_tui.tui.commands import SfnCommands

    return SfnCommands


def _paste_refusal(widget: Widget | None, text: str) -> str | None:
    """tui/paste_limits.py's refusal, imported at the first paste (it brings TextArea
    and tree-sitter, which the first frame does not need)."""
    from sfn_tui.tui.paste_limits import refusal

    return refusal(widget, text)


class SfnTuiApp(App[None]):
    # What every screen's header shows (see widgets/header.py, which watches them and
    # redraws itself). repaint=False: an App reactive repaints the whole screen by
    # default, and refreshed_at changes at every poll (a full frame every 2 s at idle).
    where: reactive[str] = reactive("starting…", repaint=False)
    refreshed_at: reactive[datetime | None] = reactive(None, repaint=False)
    failing: reactive[str] = reactive("", repaint=False)
    failing_since: reactive[datetime | None] = reactive(None, repaint=False)
    # the last failed poll, if failing; a poll that has not answered yet
    poll_failure: reactive[PollFailed | None] = reactive(None, repaint=False)
    poll_late: reactive[PollLate | None] = reactive(None, repaint=False)
    tasks_waiting: reactive[int] = reactive(0, repaint=False)
    read_only: reactive[bool] = reactive(False, repaint=False)

    TITLE = "sfn-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_sfn_commands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        # ? is typing in a dialog; F1 opens the help there too.
        Binding(
            "f1",
            "help_anywhere",
            "Help",
            show=False,
            priority=True,  # a dialog sees the app's priority keys only
            tooltip="Help, also in dialogs",
            id="app.help_anywhere",
        ),
        # The panes refresh themselves: r (forcing it now) is in the help, not the footer.
        Binding("r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("c", "chat", "Chat", tooltip="Open chat / tasks", id="app.chat"),
        Binding("n", "new_chat_run", "New ChatSFN run", id="app.new_chat_run"),
        Binding(
            "N",
            "new_approval_run",
            "New approval",
            key_display="N",
            tooltip="New approval run",
            show=False,
            id="app.new_approval_run",
        ),
        # Textual's own palette key, with an id so that a keymap can move it.
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
            id="app.command_palette",
        ),
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
        worked_activities: frozenset[str] | None = None,
        client_settings: ClientSettings | None = None,
        keymap: dict[str, str] | None = None,
        early_listing: EarlyListing | None = None,
        engine_child: EngineChild | None = None,
    ) -> None:
        super().__init__()
        self.user_keymap = dict(keymap or {})  # checked by tui/keymap.py before the app
        # Tiny terminals (see tui/workarounds.py); the large-document ones come with
        # the dashboard, after the first frame.
        workarounds.wrap_to_at_least_one_column()
        self.connection = connection
        self.poll_interval = poll_interval
        self.catalog_interval = catalog_interval
        self.clock = clock
        self.tz = tz
        self.seed_local = seed_local
        self.client_settings = client_settings  # timeouts and retries (tests: short ones)
        # The first listing, started at process start (aws/early_listing.py), if any.
        self.early_listing = early_listing
        # --local's engine, forked at process start (local/engine_child.py), if any.
        self.engine_child = engine_child
        self.set_reactive(SfnTuiApp.read_only, read_only)
        self.set_reactive(SfnTuiApp.where, connection.label)
        if worked_activities is None:
            worked_activities = LOCAL_WORKED_ACTIVITIES if connection.local_engine else frozenset()
        self.auto_worked = worked_activities
        self.client: StepFunctionsClient | None = None
        self.poller: Poller | None = None
        self.inbox: TaskInbox | None = None
        self.engine: LocalEngine | EngineChild | None = None
        self._last_inputs: LastInputs | None = None
        self._dashboard: MainScreen | None = None
        self._announced: set[str] = set()
        self.callback_machines: set[str] = set()  # followed for callbacks by the user's choice
        self._quitting = False
        self._shut_down = False
        self._signalled: int | None = None
        self._remove_signal_handlers: Callable[[], None] | None = None
        # Keys one at a time, in the order typed (see tui/key_order.py); those typed
        # before the dashboard is up are kept for it (see tui/launch_frame.py).
        self.keys = KeyOrder(self, super().on_event, refuse_paste=_paste_refusal)
        self.keys.hold()

    @property
    def dashboard(self) -> MainScreen:
        """The dashboard screen (made, with its module, when first needed: it is pushed
        once the launch frame is on the terminal)."""
        if self._dashboard is None:
            from sfn_tui.tui.screens.main import MainScreen

            self._dashboard = MainScreen()
        return self._dashboard

    @property
    def dashboard_mounted(self) -> bool:
        """The dashboard has replaced the launch frame (what a test's Pilot or the bench
        waits for before reading it)."""
        return self._dashboard is not None and self._dashboard.is_mounted

    @property
    def last_inputs(self) -> LastInputs:
        """The last input used to start each state machine (made when first needed:
        its module, with the validation rules, is not needed for the first frame)."""
        if self._last_inputs is None:
            from sfn_tui.core.validation import LastInputs

            self._last_inputs = LastInputs()
        return self._last_inputs

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, or on Linux the one that batches typed text (a paste in a
        terminal without bracketed paste; see tui/input_driver.py)."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver":
            from sfn_tui.tui.input_driver import OrderedInputDriver

            return OrderedInputDriver
        return driver

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, TypedKeys):
            await self.keys.arrived(TypedRun(event.text, event.time))
        elif isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            await self.keys.arrived(event)
        else:
            await super().on_event(event)

    def compose(self) -> ComposeResult:
        """The launch frame, on the default screen (see tui/launch_frame.py)."""
        yield LaunchFrame()

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.set_interval(RELEASE_EVERY, self.release_caches)
        self._remove_signal_handlers = exit_signals.install(
            asyncio.get_running_loop(), self.exit_signal
        )

    def exit_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP, SIGINT, SIGQUIT: quit as `q` does, without asking, and
        waiting at most SIGNAL_GRACE for open polls. A second signal exits at once."""
        name = exit_signals.describe(signum)
        if self._signalled is not None:
            log.warning("%s again: exiting now", name)
            self.exit(return_code=128 + signum)
            return
        self._signalled = signum
        log.warning("%s received: failing claimed tasks and quitting", name)
        if signum == signal.SIGHUP:
            exit_signals.detach_terminal()
        if self._quitting and self.inbox is not None:
            self.inbox.hurry(exit_signals.SIGNAL_GRACE)  # a quit is under way: speed it up
            return
        self.close_and_exit(grace=exit_signals.SIGNAL_GRACE, return_code=128 + signum)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is text, never markup: messages carry names, ARNs and
        errors from the service (`[/]` would break the toast, an ESC reach the terminal)."""
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def release_caches(self) -> None:
        """What Textual would keep of closed screens (see tui/workarounds.py)."""
        release_style_caches()
        release_closed_watchers(self)
        for screen in self.screen_stack:
            # A long-lived footer gathers data-binding watchers from every key it
            # recomposed, so every node is swept (a few hundred, every 30 s).
            release_closed_watchers(screen, *screen.walk_children())

    async def on_ready(self) -> None:
        """The launch frame is on the terminal: the dashboard replaces it, the keys
        typed meanwhile go to it, and the app connects (the AWS stack's import and
        client set-up block the loop for about 0.25 s, see bench/run.py)."""
        launch_gc.resume()  # paused by the command until now (see core/launch_gc.py)
        workarounds.install()  # the rest: large documents (see tui/workarounds.py)
        launch_screen = self.screen
        await self.push_screen(self.dashboard)
        self.keys.resume()
        self.connect()
        # Never seen again: its widget goes (it was once animated loading indicators,
        # drawing a whole-screen frame of the dashboard 20 times a second).
        await launch_screen.remove_children()

    # Workers ----------------------------------------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        """Start the local engine if asked, open the clients, then poll forever."""
        # Imported here, after the first paint: the AWS stack costs about half a second.
        from sfn_tui.aws.client import StepFunctionsClient
        from sfn_tui.core.inbox import TaskInbox
        from sfn_tui.core.poller import ExecutionsFetched, Poller

        if self.connection.local_engine and not self.connection.endpoint_url:
            self.where = "starting the local engine…"
            self.connection = self.connection.with_endpoint(await self._start_local_engine())
        listing = await self._take_early_listing()
        later_screens = import_later_screens()  # the first data is drawn by now, if it came
        self.client = StepFunctionsClient(self.connection, self.client_settings)
        await self.client.open()
        await asyncio.to_thread(later_screens.join)
        if self.engine_child is not None:
            # Forked at launch, it listened as soon as it could: the clients above were
            # opened while it seeded the demo, which the first listing must find.
            await asyncio.to_thread(self.engine_child.seeded)
        # What is alive now (Textual, botocore's service models, the clients: ~250,000
        # objects) lives as long as the app. Kept out of the cyclic GC, a full
        # collection while polling takes 46-70 ms instead of 120-180 ms (the longest
        # stalls bench/run.py saw were those collections, not drawing).
        gc.freeze()
        self.where = self.connection.label
        self.inbox = TaskInbox(
            self.client,
            on_change=self._inbox_changed,
            heartbeat_client=self.client.heartbeat_sender,
        )
        self._follow_callbacks()
        self.poller = Poller(
            self.client,
            interval=self.poll_interval,
            catalog_interval=self.catalog_interval,
            clock=self.clock,
        )
        if listing is not None:
            self.poller.catalog_listed()  # the next catalog in catalog_interval
            self.auto_work({a.arn: a.name for a in listing.activities})
        if self.dashboard.watched is not None:
            self.poller.watch(self.dashboard.watched.arn, self.dashboard.status_filter)
        frozen_with_data = False
        async for update in self.poller.run():
            self.dashboard.post_message(Polled(update))
            if not frozen_with_data and isinstance(update, ExecutionsFetched):
                # Once more when the first runs are drawn: the first pages, their rows
                # and the render caches stay as long as the dashboard. A full
                # collection while polling then walks ~47,000 objects, not ~60,000:
                # 18 ms instead of 51 (median; longest stall 25 ms, was 67;
                # bench/stalls.py). Done once, so what it keeps from the cyclic GC is
                # bounded by what is alive at that moment.
                frozen_with_data = True
                await self.dashboard.wait_for_refresh()
                gc.freeze()

    async def _take_early_listing(self) -> Listing | None:
        """Show the launch's early listing (aws/early_listing.py) if it came, and let
        that frame be drawn before the AWS stack's import blocks the loop. None: it
        did not apply or failed (said in the log only; the poller lists as before)."""
        early = self.early_listing
        if early is None:
            return None
        try:
            listing = await asyncio.to_thread(early.result)
        finally:
            self.early_listing = None
        if listing is None:
            return None
        from sfn_tui.core.poller import CatalogFetched, ExecutionsFetched

        at = self.clock()
        sent = 0.0  # at launch: before any change this app makes
        self.dashboard.post_message(
            Polled(CatalogFetched(listing.machines, listing.activities, at, sent))
        )
        if listing.executions is not None:
            # Shown only if it is the machine the dashboard watches once the catalog is in.
            arn, page = listing.executions
            self.dashboard.post_message(Polled(ExecutionsFetched(arn, page, None, at, sent)))
        await self.dashboard.wait_for_refresh()
        return listing

    async def _start_local_engine(self) -> str:
        if self.engine_child is not None:
            # Started at launch in its own process: wait until it listens.
            self.engine = self.engine_child
            return await asyncio.to_thread(self.engine_child.endpoint)
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
                self.failing = f"{error}"
                self.failing_since = self.clock()

    # Inbox ------------------------------------------------------------------------

    def _inbox_changed(self) -> None:
        self.post_message(InboxChanged())

    def on_inbox_changed(self, _: InboxChanged) -> None:
        inbox = self.inbox
        if inbox is None or not self.is_running:
            return  # closing down: the screens may be gone already, nothing to draw
        waiting = inbox.waiting()
        self.tasks_waiting = len(waiting)
        for screen in self.screens_up():
            if is_a(screen, "quit_prompt", "QuitPrompt"):
                screen.claimed_changed(len(inbox.claimed()))
        self._announced.intersection_update(item.id for item in inbox.tasks)
        for item in waiting:
            if item.id not in self._announced:
                self._announced.add(item.id)
                if not is_a(self.screen, "chat", "ChatScreen"):
                    self.notify(
                        f"New task #{item.id} from {item.source}: press c to answer.",
                        title="Task waiting",
                    )
        self.dashboard.show_inbox(inbox)
        for screen in self.screens_up():
            if is_a(screen, "chat", "ChatScreen"):
                screen.tasks_changed()

    def screens_up(self) -> list[Screen[object]]:
        """The stacked screens whose widgets exist. A pushed screen is on the stack at
        once but composed only at its mount, and its own on_mount draws what is current
        then: telling it earlier would query widgets that are not there yet."""
        return [screen for screen in self.screen_stack if screen.is_mounted]

    def auto_work(self, activities: dict[str, str]) -> None:
        """Work the default activities (by name) once they are listed."""
        if self.inbox is None or self.read_only:
            return
        for arn, name in activities.items():
            if name in self.auto_worked and arn not in self.inbox.worked:
                self.inbox.work(arn)
        self.dashboard.show_inbox(self.inbox)

    def toggle_work(self, activity_arn: str, name: str) -> None:
        if self.inbox is None:
            return
        if activity_arn in self.inbox.worked:
            self.inbox.unwork(activity_arn)
            self.notify(f"Stopped working {name}.")
        elif self.read_only:
            self.notify("Read-only mode: tasks are not claimed.", severity="warning")
            return
        else:
            self.inbox.work(activity_arn)
            self.notify(f"Working {name}: its tasks come to the chat pane (c).")
        self.dashboard.show_inbox(self.inbox)

    def action_toggle_work_selected(self) -> None:
        activity = self.dashboard.activities.selected
        if activity is None:
            self.notify("Select an activity in the Activities pane first.", severity="warning")
            return
        self.toggle_work(activity.arn, activity.name)

    def action_dashboard(self, method: str) -> None:
        """Run a dashboard operation by name (command palette entries)."""
        if method not in DASHBOARD_OPERATIONS:
            return
        if self.screen is not self.dashboard and is_a(self.screen, "chat", "ChatScreen"):
            self.pop_screen()
        getattr(self.dashboard, method)()

    def inbox_unwork(self, activity_arn: str) -> None:
        if self.inbox is not None and activity_arn in self.inbox.worked:
            self.inbox.unwork(activity_arn)

    # Actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.screen, ModalScreen) and action in LETTER_ACTIONS:
            return False  # a modal owns the keyboard: q, c, n, r, ? are typing there
        on_chat = is_a(self.screen, "chat", "ChatScreen")
        if action == "chat":
            return not on_chat
        if action in ("new_chat_run", "new_approval_run"):
            return not on_chat and not self.read_only
        return True

    def watch_machine(
        self,
        state_machine_arn: str | None,
        status: str | None = None,
        source: ExecutionSource | None = None,
    ) -> None:
        if self.poller is not None:
            self.poller.watch(state_machine_arn, status, source)
        self._follow_callbacks()

    def toggle_callbacks(self, machine_arn: str, name: str) -> None:
        """Follow (or stop following) a machine's runs for callbacks waiting on a person,
        besides the watched machine's."""
        if machine_arn in self.callback_machines:
            self.callback_machines.discard(machine_arn)
            self.notify(f"No longer following {name}'s runs for callbacks.")
        else:
            self.callback_machines.add(machine_arn)
            self.notify(
                f"Following {name}'s runs: those waiting on a person (.waitForTaskToken)"
                " come to the chat pane (c)."
            )
        self.dashboard.show_followed(self.callback_machines)
        self._follow_callbacks()

    def follow_callbacks_of(self, machine_arn: str) -> None:
        """Follow this machine's runs for callbacks (a guided run just set it up)."""
        self.callback_machines.add(machine_arn)
        self.dashboard.show_followed(self.callback_machines)
        self._follow_callbacks()

    def _follow_callbacks(self) -> None:
        if self.inbox is None:
            return
        followed = set(self.callback_machines)
        if self.dashboard.watched is not None:
            followed.add(self.dashboard.watched.arn)
        self.inbox.follow_callbacks(followed)

    def action_refresh(self) -> None:
        if self.poller is not None:
            self.poller.refresh()

    def action_chat(self, execution_arn: str | None = None) -> None:
        if is_a(self.screen, "chat", "ChatScreen"):
            return
        if execution_arn is None:
            execution = self.dashboard.executions.selected
            if self.dashboard.focused is self.dashboard.executions and execution is not None:
                execution_arn = execution.arn
        from sfn_tui.tui.screens.chat import ChatScreen

        self.push_screen(ChatScreen(execution_arn))

    def action_new_chat_run(self) -> None:
        if self.read_only:
            self.notify("Read-only mode: a new run cannot be started.", severity="warning")
            return
        if self.client is None:
            self.notify("Not connected yet.", severity="warning")
            return
        from sfn_tui.tui.screens.chat import ChatScreen
        from sfn_tui.tui.screens.guided_run import GuidedRunScreen

        def started(run: GuidedRun | None) -> None:
            if run is not None:
                self.guided_setup_shown(run)
                self.push_screen(ChatScreen(run.execution_arn, guided=run))

        self.push_screen(GuidedRunScreen(), started)

    def action_new_approval_run(self) -> None:
        if self.read_only:
            self.notify("Read-only mode: a new run cannot be started.", severity="warning")
            return
        if self.client is None:
            self.notify("Not connected yet.", severity="warning")
            return
        from sfn_tui.tui.screens.chat import ChatScreen
        from sfn_tui.tui.screens.guided_approval import GuidedApprovalScreen

        def started(run: GuidedRun | None) -> None:
            if run is not None:
                self.guided_setup_shown(run)
                self.push_screen(ChatScreen(run.execution_arn, guided=run))

        self.push_screen(GuidedApprovalScreen(), started)

    def guided_setup_shown(self, run: GuidedRun) -> None:
        """The machine and activity a guided run found or created: on the dashboard at
        once (the catalog is listed again too)."""
        from sfn_tui.aws.models import StateMachine

        detail = run.machine
        machine = StateMachine(detail.arn, detail.name, detail.type, detail.creation_date)
        activities = (run.activity,) if run.activity is not None else ()
        self.dashboard.resources_changed(machines=(machine,), activities=activities)

    def resources_gone(self, arns: tuple[str, ...]) -> None:
        """Machines or activities deleted by this app: gone from the dashboard at once."""
        self.dashboard.resources_changed(gone=arns)

    def action_help(self) -> None:
        """Every key of the app, grouped by where it applies; where the user is marked."""
        from sfn_tui.tui.key_catalog import catalog
        from sfn_tui.tui.screens.help import HelpScreen

        focused = self.screen.focused
        nodes = list(focused.ancestors_with_self) if focused is not None else [self.screen]
        here = {cls for node in (*nodes, self.screen, self) for cls in type(node).__mro__}
        self.push_screen(HelpScreen(catalog(self._keymap), here))

    def quit_now(self) -> None:
        """Second q while waiting for long-polls: stop waiting for them now (the quit
        still fails what they brought and closes the clients)."""
        if self.inbox is not None:
            self.inbox.hurry(0)
        else:
            self.exit()

    def action_help_anywhere(self) -> None:
        if is_a(self.screen, "help", "HelpScreen"):
            self.screen.dismiss()
        else:
            self.action_help()

    async def action_quit(self) -> None:
        if self._quitting:
            self.quit_now()
            return
        claimed = self.inbox.claimed() if self.inbox is not None else []
        if not claimed:
            self.close_and_exit()
            return

        from sfn_tui.tui.screens.quit_prompt import QuitPrompt

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.close_and_exit()

        self.push_screen(QuitPrompt(len(claimed)), confirmed)

    @work(exclusive=True, group="quit", exit_on_error=False)
    async def close_and_exit(self, grace: float | None = None, return_code: int = 0) -> None:
        self._quitting = True
        try:
            await self.shutdown(grace=grace)
        finally:
            self.exit(return_code=return_code)

    async def on_unmount(self) -> None:
        """However the app ends (q, Ctrl+Q, a test harness), leave nothing running."""
        if self._remove_signal_handlers is not None:
            self._remove_signal_handlers()
        await self.shutdown(quick=True)

    async def shutdown(self, quick: bool = False, grace: float | None = None) -> None:
        """Stop the poller and inbox, close the clients, shut the local engine down.
        Each step runs even if an earlier one failed (logged, never shown as a traceback).
        Idempotent; `quick` skips waiting for open long-polls, `grace` bounds it."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.early_listing is not None:
            self.early_listing.close()  # a listing still on its way: its child is ended
        if self.poller is not None:
            self.poller.stop()
        try:
            await self._close_inbox(quick, grace)
        except Exception:
            log.exception("Closing the task inbox failed")
        self.workers.cancel_group(self, "connect")
        try:
            if self.client is not None:
                await self.client.close()
        except Exception:
            log.exception("Closing the AWS clients failed")
        self.client = None
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await asyncio.to_thread(engine.stop)
        gc.unfreeze()  # what was frozen at connect may be collected again (tests, embedders)

    async def _close_inbox(self, quick: bool, grace: float | None = None) -> None:
        if self.inbox is not None:
            remote = self.engine is None and not quick
            if not remote:
                # The embedded engine stops with the app (or quitting cannot wait): its
                # open polls end with it.
                grace = LOCAL_QUIT_GRACE if grace is None else min(grace, LOCAL_QUIT_GRACE)
            elif grace is None:
                grace = REMOTE_QUIT_GRACE
            inbox = self.inbox
            if inbox.open_polls and grace > 5 and self.is_running:
                # A countdown of the wait, and why (screens/closing.py); q quits now.
                from sfn_tui.tui.screens.closing import ClosingScreen

                self.push_screen(
                    ClosingScreen(inbox.seconds_left, lambda: inbox.open_polls, self.quit_now)
                )
            summary = await inbox.shutdown(grace=grace)
            if summary.failed or summary.not_delivered:
                self.notify(summary.describe(), title="Tasks", timeout=5)


def _serves_the_screens(app: SfnTuiApp) -> AppServices:
    """Checked by mypy: the app is what screens expect of it (tui/app_services.py)."""
    return app
