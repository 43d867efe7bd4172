"""The chat pane: claimed activity tasks, the conversation of their run, and the reply.

ChatSFN-shaped tasks (`{"message", "actions"}`) are answered by picking an action
(number keys, or arrows and Enter); any other task with typed JSON, validated before
sending. Past turns come from the execution's history, so reopening shows it all.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual import _time, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from sfn_tui.aws.errors import NotFound, SfnError
from sfn_tui.aws.models import (
    TERMINAL_STATUSES,
    Activity,
    HistoryEvent,
    Role,
    StateMachineDetail,
)
from sfn_tui.core.callbacks import open_callbacks
from sfn_tui.core.chat import chat_prompt, chat_reply, conversation_from_history
from sfn_tui.core.inbox import InboxTask, InvalidReply, NotAnswerable, TaskStatus
from sfn_tui.core.queue_tokens import reads_from_queue
from sfn_tui.core.validation import MAX_PAYLOAD_BYTES
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import duration, plain, status_text, visible
from sfn_tui.tui.key_order import typed_at
from sfn_tui.tui.paste_limits import LimitedTextArea
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.fail_task import FailTaskScreen
from sfn_tui.tui.screens.queue_token import QueuePick, QueueTokenScreen
from sfn_tui.tui.widgets.answer_list import AnswerList, option_id, parse_option_id
from sfn_tui.tui.widgets.conversation import ConversationView
from sfn_tui.tui.widgets.footer import SteadyFooter
from sfn_tui.tui.widgets.header import StatusHeader
from sfn_tui.tui.widgets.task_list import TaskList

HISTORY_INTERVAL = 1.0
HISTORY_INTERVAL_WAITING = 5.0  # while the run waits for this operator's answer


@dataclass(frozen=True, slots=True)
class GuidedRun:
    """What the ChatSFN guided run set up, for the final clean-up."""

    machine: StateMachineDetail
    activity: Activity | None  # ChatSFN's activity (the approval run has none)
    role: Role
    role_owned: bool  # the role found or created by name, not one the user picked
    execution_arn: str
    queue_url: str | None = None  # the approval run's callback queue


class ChatScreen(Screen[None]):
    # Nothing is focused until there is something to answer (then the answer widget),
    # or the user moves the focus: see `show_reply`.
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("escape", "back", "Dashboard", id="chat.back"),
        Binding("ctrl+s", "send_json", "Send JSON", id="chat.send"),
        Binding("ctrl+f", "fail_task", "Fail task", id="chat.fail"),
        Binding("ctrl+r", "retry", "Retry send", id="chat.retry"),
        Binding(
            "ctrl+o",
            "token_from_queue",
            "Token from queue",
            tooltip="Read a waiting callback's token from the SQS queue it was sent to",
            id="chat.queue",
        ),
        Binding(
            "ctrl+d",
            "cleanup",
            "Clean up",
            tooltip="Delete what the guided run set up (asks first)",
            id="chat.cleanup",
        ),
        *[
            Binding(str(n), f"choose({n - 1})", f"Action {n}", show=False, id=f"chat.choose{n}")
            for n in range(1, 10)
        ],
    ]

    def __init__(self, execution_arn: str | None = None, guided: GuidedRun | None = None) -> None:
        super().__init__()
        self.execution_arn = execution_arn
        self.guided = guided
        self.task_id: str | None = None
        self.execution_status = ""
        self.execution_output: str | None = None
        self._status_arn: str | None = None  # the run execution_status/output belong to
        self.cleaned_up = False
        self._shown_task: str | None = None  # the task the reply area shows
        self._shown_at = 0.0  # when it was put there (Textual's clock, as key events')
        self._history_asked = 0.0  # monotonic time of the last history request

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(tz=self.sfn_app.tz)
        with Horizontal(id="chat-layout"):
            with Vertical(id="chat-side"):
                yield TaskList(id="task-list")
            with Vertical(id="chat-main"):
                yield Static(id="chat-title")
                yield ConversationView(tz=self.sfn_app.tz, id="conversation")
                with Vertical(id="reply"):
                    yield Static(id="reply-status")
                    yield AnswerList(id="actions")
                    yield LimitedTextArea(
                        "{}",
                        id="json-reply",
                        show_line_numbers=True,
                        max_bytes=MAX_PAYLOAD_BYTES,
                        limit_name="AWS's limit for a task's output",
                    )
                    yield Static(id="reply-error", classes="inline-error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#chat-side").border_title = "Tasks"
        self.query_one("#chat-main").border_title = "Conversation"
        inbox = self.sfn_app.inbox
        if inbox is not None and self.execution_arn is not None:
            inbox.hint_execution(self.execution_arn)  # its tasks are placed without a scan
        self.tasks_changed()
        self._focus_reply()
        self.set_interval(HISTORY_INTERVAL, self._history_tick)
        self.load_history()

    def _history_tick(self) -> None:
        """Reload the run's history once a second, but only every few seconds while the
        run waits for this operator's answer (or the answer is on its way): it cannot
        move on then, and each reload is
        two calls (a stop or timeout from elsewhere still shows within seconds; the
        inbox's own events reload at once)."""
        item = self.current_task
        waiting_on_us = (
            item is not None
            and item.status in (TaskStatus.WAITING, TaskStatus.SENDING)
            and item.execution_arn == self.execution_arn
        )
        since = time.monotonic() - self._history_asked
        if waiting_on_us and since < HISTORY_INTERVAL_WAITING:
            return
        self.load_history()

    # State ------------------------------------------------------------------------

    @property
    def current_task(self) -> InboxTask | None:
        inbox = self.sfn_app.inbox
        if inbox is None or self.task_id is None:
            return None
        try:
            return inbox.get(self.task_id)
        except KeyError:
            return None

    def tasks_changed(self) -> None:
        """The inbox changed: redraw the task list and the reply area.

        Nothing here moves the focus or the task list's cursor: only the user's keys do.
        The reply area moves on to a new task only when it showed none, or the one it
        showed has closed (the run's next message after an answer); an answer typed
        before that switch is refused (see `_answerable`)."""
        inbox = self.sfn_app.inbox
        tasks = list(inbox.tasks) if inbox is not None else []
        if self.execution_arn is None and self.task_id is None:
            first_open = next((t for t in tasks if t.is_open), None)
            if first_open is not None:
                self.task_id = first_open.id
                self.execution_arn = first_open.execution_arn
        current = self.current_task
        if self.execution_arn is not None and (current is None or not current.is_open):
            newest = [t for t in tasks if t.execution_arn == self.execution_arn and t.is_open]
            if newest:
                self.task_id = newest[-1].id
        if current is not None and current.execution_arn and self.execution_arn is None:
            self.execution_arn = current.execution_arn
        self.query_one("#task-list", TaskList).show(tasks, self.task_id)
        self._show_known_history()
        self.show_reply()
        shown = self.current_task
        if shown is None or shown.status is not TaskStatus.SENDING:
            # An answer in flight has changed nothing in the run yet: its history is
            # read once the answer is delivered (a read now only slows the answer).
            self.load_history()

    def _show_known_history(self) -> None:
        """Draw the conversation from the history the inbox just read to place a task
        of this run (one round trip sooner than `load_history`, which then refreshes it)."""
        inbox, arn = self.sfn_app.inbox, self.execution_arn
        if inbox is None or arn is None:
            return
        events = inbox.histories.get(arn)
        if events and self.execution_status not in TERMINAL_STATUSES:
            turns = conversation_from_history(events, secrets=inbox.tokens_of(arn))
            shown = self.query_one("#conversation", ConversationView).turns
            if len(turns) > len(shown):
                self.query_one("#conversation", ConversationView).show(turns)

    @on(OptionList.OptionSelected, "#task-list")
    def task_picked(self, event: OptionList.OptionSelected) -> None:
        task_id = event.option.id
        if task_id is None:
            return
        self.task_id = task_id
        current = self.current_task
        if current is not None:
            self.execution_arn = current.execution_arn
        inbox = self.sfn_app.inbox
        tasks = list(inbox.tasks) if inbox is not None else []
        self.query_one("#task-list", TaskList).show(tasks, self.task_id)
        self.show_reply()
        self._focus_reply()  # the user picked this task: the answer is next
        self.load_history()

    # Reply area -------------------------------------------------------------------

    def show_reply(self) -> None:
        status = self.query_one("#reply-status", Static)
        actions = self.query_one("#actions", AnswerList)
        editor = self.query_one("#json-reply", TextArea)
        error = self.query_one("#reply-error", Static)
        item = self.current_task
        prompt = chat_prompt(item.input) if item is not None else None
        answerable = item is not None and item.status in (
            TaskStatus.WAITING,
            TaskStatus.SEND_FAILED,
        )
        read_only = self.sfn_app.read_only
        reply_had_focus = self.focused in (actions, editor)
        actions.display = bool(prompt and answerable and not read_only)
        editor.display = bool(item is not None and prompt is None and answerable and not read_only)
        if self._shown_task != self.task_id:
            error.update("")
            if item is not None:
                editor.text = item.draft if item.draft is not None else "{}"
            actions.clear_options()
            if item is not None and prompt is not None:
                for n, action in enumerate(prompt.actions, start=1):
                    label = Text(f"{n}  {visible(action)}")
                    actions.add_option(Option(label, id=option_id(item.id, n - 1)))
                actions.highlighted = 0
            self._shown_task = self.task_id
            self._shown_at = _time.get_time()
            if self.sfn_app.inbox is not None and not read_only:
                self.sfn_app.inbox.attend(self.task_id)  # heartbeats for a callback shown
        line = self._status_line(item, prompt is not None)
        if status.content != line:  # an update is a layout of the whole screen
            status.update(line)
        if self.focused is None or (reply_had_focus and not self.focused.display):
            # Focus nowhere yet, or on a reply widget the new task does not use: the
            # widget that answers it takes it (focus the user put elsewhere stays).
            self._focus_reply()
        self.refresh_bindings()

    def _focus_reply(self) -> None:
        """Focus what answers the task shown (the user's key asked for it)."""
        actions = self.query_one("#actions", AnswerList)
        editor = self.query_one("#json-reply", TextArea)
        if actions.display:
            actions.focus()
        elif editor.display:
            editor.focus()

    @on(TextArea.Changed, "#json-reply")
    def draft_typed(self, event: TextArea.Changed) -> None:
        """Keep the reply with its task: leaving the pane or looking at another task
        must not lose it."""
        item = self.current_task
        if item is not None and item.id == self._shown_task and item.is_open:
            item.draft = event.text_area.text

    def _status_line(self, item: InboxTask | None, is_chat: bool) -> Text:
        if self.sfn_app.read_only:
            return Text("Read-only mode: tasks are shown, not answered.", style="yellow")
        if item is None:
            if self.execution_status in TERMINAL_STATUSES:
                return self._run_ended_line()
            if self.execution_arn:
                return Text("Waiting for the workflow's next message…", style="dim")
            return Text("No task waiting. Tasks arrive here from worked activities.", style="dim")
        if item.status is TaskStatus.WAITING and not item.task.token:
            why = item.callback.why_no_token if item.callback is not None else ""
            # `why` names the service API from the history (the endpoint's words).
            line = Text(
                f"This callback is waiting, but cannot be answered from here. {visible(why)}"
            )
            if reads_from_queue(item.callback):
                line.append(" Ctrl+O reads the token from the queue.", style="bold")
            return line
        if item.status is TaskStatus.WAITING:
            line = Text()
            if item.callback is not None:
                waited = duration((self.sfn_app.clock() - item.received_at).total_seconds())
                line.append(
                    f"{visible(item.callback.state_name)} waits for a callback"
                    f" ({item.callback.service}), for {waited}. ",
                    style="cyan",
                )
            if is_chat:
                line.append(
                    "Pick an answer: number keys, or ↑ ↓ and Enter.  Ctrl+F fails the task."
                )
            else:
                line.append(
                    "The task's input is above. Type a JSON reply: Ctrl+S sends it,"
                    " Ctrl+F fails the task."
                )
            return line
        if item.status is TaskStatus.SENDING:
            return Text("Sending…", style="bold")
        if item.status is TaskStatus.SEND_FAILED:
            return Text(
                f"⚠ The answer was not delivered: {visible(item.last_error)}\n"
                "Your answer is kept: Ctrl+R sends it again.",
                style="bold red",
            )
        if item.status is TaskStatus.EXPIRED:
            return Text(
                f"This task can no longer be answered: {visible(item.reason)}", style="yellow"
            )
        if self.execution_status in TERMINAL_STATUSES:
            return self._run_ended_line()
        return Text("Answered. Waiting for the workflow…", style="green")

    def _run_ended_line(self) -> Text:
        line = Text("The run ended: ")
        line.append_text(status_text(self.execution_status))
        if self.execution_output is not None:
            line.append("  output: ")
            line.append_text(plain(self.execution_output))
        if self.guided is not None and not self.cleaned_up and not self.sfn_app.read_only:
            what = "the activity" if self.guided.activity is not None else "the queue"
            line.append(f"\nCtrl+D cleans up: deletes the state machine, {what} and the role.")
        return line

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current_task
        open_task = (
            item is not None
            and item.status in (TaskStatus.WAITING, TaskStatus.SEND_FAILED)
            and bool(item.task.token)  # a callback whose token is unknown cannot be answered
        )
        if self.sfn_app.read_only and action in (
            "send_json",
            "fail_task",
            "retry",
            "choose",
            "cleanup",
            "token_from_queue",
        ):
            return False
        if action == "token_from_queue":
            return (
                item is not None
                and item.status is TaskStatus.WAITING
                and reads_from_queue(item.callback)
            )
        if action == "send_json":
            return open_task and item is not None and chat_prompt(item.input) is None
        if action == "fail_task":
            return open_task
        if action == "retry":
            return item is not None and item.status is TaskStatus.SEND_FAILED
        if action == "cleanup":
            return (
                self.guided is not None
                and not self.cleaned_up
                and self.execution_status in TERMINAL_STATUSES
            )
        if action == "choose":
            # Offered while a task's actions are on screen, even one that has just
            # closed: the key then says why nothing was sent.
            prompt = chat_prompt(item.input) if item is not None else None
            index = int(cast(int, parameters[0])) if parameters else 0
            return prompt is not None and index < len(prompt.actions)
        return True

    # Actions ----------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        inbox = self.sfn_app.inbox
        if inbox is not None:
            inbox.attend(None)  # nobody is answering a callback now: no more heartbeats

    def action_choose(self, index: int) -> None:
        """A number key: answer the task whose actions are on screen."""
        if self._shown_task is not None:
            self._answer_with_action(self._shown_task, index, typed_at(self.app))

    @on(OptionList.OptionSelected, "#actions")
    def action_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        picked = parse_option_id(event.option.id)
        if picked is not None:
            pressed_at = self.query_one("#actions", AnswerList).pressed_at
            self._answer_with_action(*picked, pressed_at)

    def _answer_with_action(self, task_id: str, index: int, pressed_at: float | None) -> None:
        item = self._answerable(task_id, pressed_at)
        prompt = chat_prompt(item.input) if item is not None else None
        if item is None or prompt is None or index >= len(prompt.actions):
            return
        self.send(item.id, chat_reply(prompt.actions[index]))

    def _answerable(self, task_id: str, pressed_at: float | None) -> InboxTask | None:
        """The task a key answers, if it may: the one on screen when the key was typed,
        still open. Otherwise nothing is sent, and the user is told why."""
        inbox = self.sfn_app.inbox
        try:
            item = inbox.get(task_id) if inbox is not None else None
        except KeyError:
            item = None
        if item is None or task_id != self._shown_task:
            self.notify("That task is no longer on screen; nothing was sent.", severity="warning")
            return None
        if pressed_at is not None and pressed_at < self._shown_at:
            self.notify(
                f"Task #{item.id} appeared after you pressed the key; nothing was sent."
                " Press it again to answer this task.",
                severity="warning",
            )
            return None
        if item.status is TaskStatus.SENDING:
            self.notify(f"Task #{item.id} is being answered already.", severity="warning")
            return None
        if not item.is_open:
            why = item.reason or f"it is {item.status.value.lower()}"
            self.notify(f"Task #{item.id} can no longer be answered: {why}", severity="warning")
            return None
        return item

    def action_send_json(self) -> None:
        if self._shown_task is None:
            return
        item = self._answerable(self._shown_task, typed_at(self.app))
        if item is not None:
            self.send(item.id, self.query_one("#json-reply", TextArea).text)

    def action_retry(self) -> None:
        item = self.current_task
        if item is not None:
            self.retry(item.id)

    def action_fail_task(self) -> None:
        if self._shown_task is None:
            return
        item = self._answerable(self._shown_task, typed_at(self.app))
        if item is None:
            return
        task_id = item.id

        def failed(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.fail(task_id, *answer)

        self.app.push_screen(FailTaskScreen(), failed)

    def action_token_from_queue(self) -> None:
        item, inbox, client = self.current_task, self.sfn_app.inbox, self.sfn_app.client
        if item is None or item.callback is None or inbox is None or client is None:
            return
        task_id = item.id

        def picked(pick: QueuePick | None) -> None:
            if pick is None:
                return
            try:
                inbox.adopt_token(task_id, pick.token, pick.hold.settle)
            except (KeyError, NotAnswerable) as error:
                self.app.run_worker(pick.hold.settle(False))  # the message goes back
                self.notify(str(error), severity="warning")
                return
            self.notify("Token read from the queue: the task can be answered.")

        self.app.push_screen(QueueTokenScreen(item.callback, client), picked)

    def action_cleanup(self) -> None:
        if self.guided is not None:
            self.notify("Checking which state machines use the role and the activity…")
            self.confirm_cleanup()

    # Workers ----------------------------------------------------------------------

    @work(group="chat-send", exit_on_error=False)
    async def send(self, task_id: str, output: str) -> None:
        inbox = self.sfn_app.inbox
        error = self.query_one("#reply-error", Static)
        if inbox is None:
            return
        try:
            item = await inbox.answer(task_id, output)
        except InvalidReply as problem:
            error.update(Text(f"Not sent: {visible(problem)}", style="bold red"))
            return
        except NotAnswerable as problem:
            self.notify(str(problem), severity="warning")
            return
        error.update("")
        self._after_send(item)

    @work(group="chat-send", exit_on_error=False)
    async def retry(self, task_id: str) -> None:
        inbox = self.sfn_app.inbox
        if inbox is None:
            return
        try:
            item = await inbox.retry(task_id)
        except NotAnswerable as problem:
            self.notify(str(problem), severity="warning")
            return
        self._after_send(item)

    @work(group="chat-send", exit_on_error=False)
    async def fail(self, task_id: str, error_name: str, cause: str) -> None:
        inbox = self.sfn_app.inbox
        if inbox is None:
            return
        try:
            item = await inbox.fail(task_id, error_name, cause)
        except (InvalidReply, NotAnswerable) as problem:
            self.notify(str(problem), severity="error")
            return
        self._after_send(item)

    def _after_send(self, item: InboxTask) -> None:
        if item.status in (TaskStatus.ANSWERED, TaskStatus.FAILED) and self.sfn_app.poll_failure:
            self.sfn_app.action_refresh()  # the endpoint answers again: refresh now
        if item.status is TaskStatus.SEND_FAILED:
            self.notify(
                f"Not delivered: {item.last_error}. Ctrl+R retries.", severity="error", timeout=10
            )
        elif item.status is TaskStatus.EXPIRED:
            self.notify(item.reason or "This task expired.", severity="warning", timeout=10)
        self.tasks_changed()

    @work(exclusive=True, group="chat-history", exit_on_error=False)
    async def load_history(self) -> None:
        client = self.sfn_app.client
        arn = self.execution_arn
        if client is None or arn is None:
            self.query_one("#conversation", ConversationView).show(
                [], "The conversation appears once the task's run is found."
            )
            return
        if (
            self.execution_status in TERMINAL_STATUSES
            and self._status_arn == arn
            and self.query_one("#conversation", ConversationView).turns
        ):
            return  # finished: nothing more will happen
        self._history_asked = time.monotonic()
        try:
            # Both at once: this is on the path from an answer to the next message.
            detail, events = await asyncio.gather(
                client.describe_execution(arn), client.get_execution_history(arn)
            )
        except NotFound:
            self.query_one("#reply-error", Static).update(
                Text(
                    "This run is not on the endpoint any more (was the endpoint restarted,"
                    " or its state machine deleted?).",
                    style="yellow",
                )
            )
            return
        except SfnError as error:
            self.query_one("#reply-error", Static).update(Text(visible(error), style="red"))
            return
        if arn != self.execution_arn:
            return
        execution = detail.execution
        self._status_arn = arn
        self.execution_status = execution.status
        self.execution_output = detail.output
        title = Text()
        title.append_text(plain(execution.name))
        title.append("  ")
        title.append_text(status_text(execution.status))
        if detail.error:
            title.append("  ")
            title.append_text(plain(f"{detail.error}: {detail.cause or ''}"))
        chat_title = self.query_one("#chat-title", Static)
        if chat_title.content != title:  # an update is a layout of the whole screen
            chat_title.update(title)
        inbox = self.sfn_app.inbox
        secrets = inbox.tokens_of(arn) if inbox is not None else []
        turns = conversation_from_history(events, final_output=detail.output, secrets=secrets)
        self.query_one("#conversation", ConversationView).show(turns)
        self._find_callbacks(arn, events)
        self.show_reply()

    def _find_callbacks(self, arn: str, events: list[HistoryEvent]) -> None:
        """The history shows this run waiting on a callback the inbox has not listed
        yet: follow its machine and have the run read now (its message is on screen;
        its answer should be too)."""
        inbox = self.sfn_app.inbox
        if inbox is None or any(t.is_open for t in inbox.for_execution(arn)):
            return
        if open_callbacks(arn, events) and ":execution:" in arn:
            machine = arn.rsplit(":", 1)[0].replace(":execution:", ":stateMachine:")
            self.sfn_app.follow_callbacks_of(machine)
            inbox.hint_callbacks(arn)

    @work(exclusive=True, group="chat-cleanup", exit_on_error=False)
    async def confirm_cleanup(self) -> None:
        """Ask first, naming what is kept because another state machine uses it."""
        from sfn_tui.core.chatsfn import plan_cleanup

        guided, client = self.guided, self.sfn_app.client
        if guided is None or client is None:
            return
        plan = await plan_cleanup(
            client,
            guided.machine.arn,
            guided.activity.arn if guided.activity is not None else None,
            guided.role.name if guided.role_owned else None,
            guided.queue_url,
        )
        body = plan.confirmation()
        if not guided.role_owned:
            body += f"\nThe role {guided.role.name} you picked is kept."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.cleanup()

        title = f"Clean up {guided.machine.name}"
        self.app.push_screen(ConfirmScreen(title, body, confirm=plan.confirm_label()), confirmed)

    @work(exclusive=True, group="chat-cleanup", exit_on_error=False)
    async def cleanup(self) -> None:
        from sfn_tui.core.chatsfn import cleanup

        guided, client = self.guided, self.sfn_app.client
        if guided is None or client is None:
            return
        activity = guided.activity.arn if guided.activity is not None else None
        steps = await cleanup(
            client,
            guided.machine.arn,
            activity,
            guided.role.name if guided.role_owned else None,
            guided.queue_url,
        )
        self.cleaned_up = all(step.ok for step in steps)
        if activity and not any(step.what == "activity" and step.kept for step in steps):
            self.sfn_app.inbox_unwork(activity)
        for step in steps:
            severity: SeverityLevel = (
                "error" if not step.ok else "warning" if step.kept else "information"
            )
            self.notify(step.message, severity=severity, timeout=10)
        if not guided.role_owned:
            self.notify(
                f"Kept the role {guided.role.name}: you picked it, sfn-tui did not make it."
            )
        arns = {"state machine": guided.machine.arn, "activity": activity}
        gone = tuple(
            arn
            for step in steps
            if step.ok and not step.kept and (arn := arns.get(step.what)) is not None
        )
        self.sfn_app.resources_gone(gone)  # gone from the dashboard at once
        self.show_reply()
