"""The one parse of a Slack `message` event both thread captures read (pure: dicts in)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands.messages import MessageEvent, Posted
from bot.domain.parties import Person
from bot.workflows.capture import Message

PARLEY = "U0PARLEY"


def body(event: dict[str, Any], event_id: str | None = "Ev1") -> dict[str, Any]:
    envelope: dict[str, Any] = {"type": "event_callback", "event": {"type": "message", **event}}
    if event_id:
        envelope["event_id"] = event_id
    return envelope


def reply(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "C0ACME",
        "user": "U0RAJ",
        "ts": "1700000100.000200",
        "thread_ts": "1700000000.000100",
        "text": "We &amp; they",
        **fields,
    }


def parsed(event: dict[str, Any], event_id: str | None = "Ev1") -> MessageEvent:
    found = MessageEvent.of(body(event, event_id))
    assert found is not None
    return found


def test_only_message_callbacks_are_parsed() -> None:
    assert MessageEvent.of({"type": "url_verification"}) is None
    assert MessageEvent.of({"type": "event_callback", "event": {"type": "app_mention"}}) is None
    assert MessageEvent.of({"type": "event_callback", "event": "message"}) is None


def test_a_reply_in_a_thread_is_the_domain_s_message() -> None:
    event = parsed(reply())
    assert event.is_person_posting(PARLEY)
    assert not event.is_text_edit(PARLEY) and not event.is_person_deleting(PARLEY)
    assert event.in_thread(event.posted) == Message(
        event_id="Ev1",
        channel_id="C0ACME",
        thread_ts="1700000000.000100",
        ts="1700000100.000200",
        author_id="U0RAJ",
        text="We & they",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"bot_id": "B0OTHER"},
        {"user": PARLEY},
        {"subtype": "bot_message"},
        {"subtype": "channel_join"},
    ],
)
def test_bots_parley_and_slack_s_own_subtypes_are_not_a_person_posting(
    fields: dict[str, Any],
) -> None:
    assert not parsed(reply(**fields)).is_person_posting(PARLEY)


@pytest.mark.parametrize("subtype", ["thread_broadcast", "file_share", "me_message"])
def test_the_subtypes_people_post(subtype: str) -> None:
    assert parsed(reply(subtype=subtype)).is_person_posting(PARLEY)


@pytest.mark.parametrize(
    "fields",
    [
        {"thread_ts": None},  # top level
        {"ts": "1700000000.000100"},  # a thread's root
        {"user": None},
        {"channel": None},
        {"ts": "not-a-ts"},
    ],
)
def test_what_is_not_a_reply_in_a_thread(fields: dict[str, Any]) -> None:
    event = parsed(reply(**fields))
    assert event.in_thread(event.posted) is None


def test_without_an_event_id_the_key_names_the_message_and_the_caller_s_word() -> None:
    event = parsed(reply(subtype="thread_broadcast"), event_id=None)
    found = event.in_thread(event.posted, key="thread_broadcast")
    assert found is not None
    assert found.event_id == "C0ACME:1700000100.000200:thread_broadcast"
    plain = event.in_thread(event.posted)
    assert plain is not None and plain.event_id == "C0ACME:1700000100.000200:reply"


def test_an_edit_counts_only_when_a_person_changed_the_text() -> None:
    before = {k: v for k, v in reply().items() if k != "channel"}
    changed = parsed(
        {
            "channel": "C0ACME",
            "subtype": "message_changed",
            "message": {**before, "text": "We and they"},
            "previous_message": before,
        }
    )
    assert changed.is_text_edit(PARLEY)
    assert changed.previous.text == "We & they"
    found = changed.in_thread(changed.edited)
    assert found is not None and found.text == "We and they"
    unfurl = parsed(
        {
            "channel": "C0ACME",
            "subtype": "message_changed",
            "message": before,
            "previous_message": before,
        }
    )
    assert not unfurl.is_text_edit(PARLEY)
    by_bot = parsed(
        {
            "channel": "C0ACME",
            "subtype": "message_changed",
            "message": {**before, "bot_id": "B0OTHER", "text": "new"},
            "previous_message": before,
        }
    )
    assert not by_bot.is_text_edit(PARLEY)
    assert not changed.is_person_posting(PARLEY)


def test_a_deletion_names_its_message_by_deleted_ts_when_the_old_one_has_none() -> None:
    before = {k: v for k, v in reply().items() if k not in ("channel", "ts")}
    event = parsed(
        {
            "channel": "C0ACME",
            "subtype": "message_deleted",
            "deleted_ts": "1700000100.000200",
            "previous_message": before,
        }
    )
    assert event.is_person_deleting(PARLEY)
    assert event.in_thread(event.previous) is None
    found = event.in_thread(event.previous, ts=event.deleted_ts)
    assert found is not None and found.ts == "1700000100.000200"


def test_the_event_places_its_author_by_the_team_it_carries() -> None:
    assert Posted.of(reply(user_team="T0ACME", source_team="T0OTHER")).author_by_event() == (
        Person(user_id="U0RAJ", team_id="T0ACME", name="U0RAJ")
    )
    assert Posted.of(reply(source_team="T0ACME")).author_by_event() == Person(
        user_id="U0RAJ", team_id="T0ACME", name="U0RAJ"
    )
    assert Posted.of(reply()).author_by_event() is None
    assert Posted.of(reply(user_team="T" * 33)).author_by_event() is None
