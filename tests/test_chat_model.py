"""The conversation model: history events read as a chat (pure, hand-built events)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.chat import (
    ChatPrompt,
    Turn,
    chat_prompt,
    chat_reply,
    conversation_from_history,
    pretty_json,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
ACTIONS = ["song", "poem", "story", "done"]


class History:
    """Builds a history the way Step Functions numbers it."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def add(self, type: str, **details: Any) -> HistoryEvent:
        n = len(self.events) + 1
        event = HistoryEvent(n, n - 1, type, T0 + timedelta(seconds=n), details)
        self.events.append(event)
        return event

    def ask(self, message: str, actions: list[str] = ACTIONS) -> None:
        self.add("TaskStateEntered", name="GetInput")
        self.add(
            "ActivityScheduled",
            resource="arn:aws:states:us-east-1:123456789012:activity:ChatSFNActivity",
            input=json.dumps({"message": message, "actions": actions}),
        )
        self.add("ActivityStarted", workerName="sfn-tui@host:1")

    def reply(self, action: str) -> None:
        self.add("ActivitySucceeded", output=json.dumps({"action": action}))
        self.add("TaskStateExited", name="GetInput")


def said(turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for t in turns]


def test_full_chatsfn_conversation_in_order() -> None:
    h = History()
    h.add("ExecutionStarted", input=json.dumps({"name": "Ada"}))
    h.ask("Hello, Ada!")
    h.reply("song")
    h.ask("My song has no tune but you can still dance to it.")
    h.reply("done")
    h.add("ExecutionSucceeded", output=json.dumps({"message": "Thanks for chatting."}))

    turns = conversation_from_history(h.events)

    assert said(turns) == [
        ("workflow", "Hello, Ada!"),
        ("user", "song"),
        ("workflow", "My song has no tune but you can still dance to it."),
        ("user", "done"),
        ("workflow", "Thanks for chatting."),
    ]
    assert turns[0].actions == tuple(ACTIONS)
    assert turns[1].actions == ()
    assert turns[-1].actions == ()
    assert turns[0].at == h.events[2].timestamp


def test_events_out_of_order_are_sorted_by_id() -> None:
    h = History()
    h.ask("Hello, Bo!")
    h.reply("poem")
    turns = conversation_from_history(list(reversed(h.events)))
    assert said(turns) == [("workflow", "Hello, Bo!"), ("user", "poem")]


def test_generic_input_and_output_are_pretty_json() -> None:
    h = History()
    h.add("ActivityScheduled", input='{"order": 7, "items": ["a"]}')
    h.add("ActivitySucceeded", output='{"approved": true}')
    h.add("ExecutionSucceeded", output='{"approved": true}')

    turns = conversation_from_history(h.events)

    assert turns[0] == Turn(
        "workflow", json.dumps({"order": 7, "items": ["a"]}, indent=2), (), h.events[0].timestamp
    )
    assert turns[1].speaker == "user"
    assert json.loads(turns[1].text) == {"approved": True}
    assert turns[2].speaker == "system"
    assert turns[2].text.startswith("The run succeeded with output:")
    assert '"approved": true' in turns[2].text


def test_message_without_actions_is_still_a_workflow_turn() -> None:
    h = History()
    h.add("ActivityScheduled", input='{"message": "Approve?", "actions": "yes"}')
    turns = conversation_from_history(h.events)
    assert turns == [Turn("workflow", "Approve?", (), h.events[0].timestamp)]


def test_failed_and_timed_out_tasks_are_system_turns() -> None:
    h = History()
    h.ask("Hello, Cy!")
    h.add("ActivityFailed", error="Worker.Shutdown", cause="The operator closed it.")
    h.ask("Hello again")
    h.add("ActivityTimedOut", error="States.Timeout")
    h.add("ExecutionFailed", error="States.Timeout", cause="")

    turns = conversation_from_history(h.events)

    assert said(turns) == [
        ("workflow", "Hello, Cy!"),
        ("system", "The task was failed (Worker.Shutdown: The operator closed it.)"),
        ("workflow", "Hello again"),
        ("system", "The task timed out (States.Timeout)"),
        ("system", "The run failed (States.Timeout)"),
    ]


@pytest.mark.parametrize(
    ("event", "text"),
    [
        ("ExecutionAborted", "The run was stopped"),
        ("ExecutionTimedOut", "The run timed out"),
        ("ExecutionFailed", "The run failed"),
    ],
)
def test_run_endings_without_details(event: str, text: str) -> None:
    h = History()
    h.ask("Hello, Di!")
    h.add(event)
    assert said(conversation_from_history(h.events))[-1] == ("system", text)


def test_final_output_stands_in_when_history_lacks_it() -> None:
    h = History()
    h.ask("Hello, Ed!")
    h.reply("done")
    final = json.dumps({"message": "Thanks for chatting."})

    assert said(conversation_from_history(h.events, final_output=final))[-1] == (
        "workflow",
        "Thanks for chatting.",
    )
    # An ExecutionSucceeded without output (e.g. an endpoint that omits it) also uses it.
    h.add("ExecutionSucceeded")
    turns = conversation_from_history(h.events, final_output=final)
    assert said(turns)[-1] == ("workflow", "Thanks for chatting.")
    assert sum(t.text == "Thanks for chatting." for t in turns) == 1


def test_succeeded_without_any_output() -> None:
    h = History()
    h.add("ExecutionSucceeded")
    assert said(conversation_from_history(h.events)) == [("system", "The run succeeded.")]


def test_running_execution_has_no_ending() -> None:
    h = History()
    h.ask("Hello, Fi!")
    turns = conversation_from_history(h.events)
    assert said(turns) == [("workflow", "Hello, Fi!")]


def test_empty_history() -> None:
    assert conversation_from_history([]) == []


def test_chat_prompt_recognises_chatsfn_inputs() -> None:
    prompt = chat_prompt(json.dumps({"message": "Hello, Gus!", "actions": ACTIONS}))
    assert prompt == ChatPrompt("Hello, Gus!", tuple(ACTIONS))


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"message": "hi"}',
        '{"actions": ["a"]}',
        '{"message": 3, "actions": ["a"]}',
        '{"message": "hi", "actions": [1, 2]}',
        '{"message": "hi", "actions": "a"}',
    ],
)
def test_chat_prompt_is_none_for_other_inputs(raw: str) -> None:
    assert chat_prompt(raw) is None


def test_chat_reply_and_pretty_json() -> None:
    assert json.loads(chat_reply("story")) == {"action": "story"}
    assert pretty_json('{"a":1}') == '{\n  "a": 1\n}'
    assert pretty_json("plain text") == "plain text"
    assert pretty_json(None) == ""
    assert pretty_json('"é"') == '"é"'
