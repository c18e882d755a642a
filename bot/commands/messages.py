"""A Slack `message` event, parsed once for every capture that reads one.

Dispute threads (`threads.py`) and review minutes (`reviews.py`) both record people's
messages in threads. The facts of the event, and the rules of which messages are a person's
(not a bot's, not Parley's own, of a subtype a person posts), an edit that changed the text,
or a deletion, live here; each capture decides what it records. The event's shape was
checked at the HTTP edge (`bot/envelopes.py: MessageEvent`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.commands.parsing import plain_text
from bot.domain.parties import Person
from bot.workflows.capture import Message

# Subtypes of a message a person posts; every other subtype is Slack's or an app's.
HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})

# A team id longer than this is not one Slack sent: the event places nobody with it.
_TEAM_ID_LIMIT = 32


@dataclass(frozen=True)
class Posted:
    """One message as the event carries it: the event itself, or an edit's new or old."""

    ts: str
    thread_ts: str
    user_id: str
    bot_id: str
    subtype: str | None
    # Slack's text as it was sent (escaped markup), None when it sent none: an edit is told
    # from an unfurl by comparing these.
    raw_text: str | None
    # The team Slack sent with the message (`user_team`, else `source_team`), if any.
    team_id: str | None

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> Posted:
        return cls(
            ts=str(fields.get("ts") or ""),
            thread_ts=str(fields.get("thread_ts") or ""),
            user_id=str(fields.get("user") or ""),
            bot_id=str(fields.get("bot_id") or ""),
            subtype=fields.get("subtype"),
            raw_text=fields.get("text"),
            team_id=_team_of(fields),
        )

    def by_bot(self, bot_user_id: str | None) -> bool:
        """Posted by an app or a bot, Parley included: never a person's message."""
        return bool(
            self.bot_id
            or self.subtype == "bot_message"
            or (bot_user_id and self.user_id == bot_user_id)
        )

    @property
    def text(self) -> str:
        """What the person typed, as plain text (see `parsing.plain_text`)."""
        return plain_text(str(self.raw_text or ""))

    def author_by_event(self) -> Person | None:
        """The author as the event itself places them, or None when it sent no team.
        No Web API call: the captures run before the ack."""
        if self.team_id is None:
            return None
        return Person(user_id=self.user_id, team_id=self.team_id, name=self.user_id)


def _team_of(fields: Mapping[str, Any]) -> str | None:
    for key in ("user_team", "source_team"):
        team = fields.get(key)
        if isinstance(team, str) and 0 < len(team) <= _TEAM_ID_LIMIT:
            return team
    return None


@dataclass(frozen=True)
class MessageEvent:
    """A `message` event of the Events API: the message itself, and for an edit or a
    deletion the message it is about."""

    event_id: str  # the envelope's, "" when it has none
    channel_id: str
    subtype: str | None
    posted: Posted  # the event itself
    edited: Posted  # `message`, an edit's new version (empty for any other subtype)
    previous: Posted  # `previous_message`, as it was before an edit or a deletion
    deleted_ts: str

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> MessageEvent | None:
        """The message event an Events API body carries; None for any other body."""
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict) or event.get("type") != "message":
            return None
        return cls(
            event_id=str(body.get("event_id") or ""),
            channel_id=str(event.get("channel") or ""),
            subtype=event.get("subtype"),
            posted=Posted.of(event),
            edited=Posted.of(event.get("message") or {}),
            previous=Posted.of(event.get("previous_message") or {}),
            deleted_ts=str(event.get("deleted_ts") or ""),
        )

    @property
    def is_edit(self) -> bool:
        return self.subtype == "message_changed"

    @property
    def is_deletion(self) -> bool:
        return self.subtype == "message_deleted"

    def is_person_posting(self, bot_user_id: str | None) -> bool:
        """A new message a person posted (a reply, a broadcast, a file, a /me)."""
        return self.subtype in HUMAN_SUBTYPES and not self.posted.by_bot(bot_user_id)

    def is_text_edit(self, bot_user_id: str | None) -> bool:
        """A person changed the text of a message: unfurls and attachment changes also arrive
        as edits, with the text as it was."""
        return (
            self.is_edit
            and not self.edited.by_bot(bot_user_id)
            and self.edited.raw_text != self.previous.raw_text
        )

    def is_person_deleting(self, bot_user_id: str | None) -> bool:
        """A person's message was deleted."""
        return self.is_deletion and not self.previous.by_bot(bot_user_id)

    def in_thread(self, posted: Posted, *, ts: str = "", key: str = "reply") -> Message | None:
        """The domain's view of `posted` as a reply in a thread; None for anything that is not
        one (top level, no author, a ts that is not Slack's). `ts` stands in when `posted`
        has none; `key` names the event in the key made when the envelope has no id."""
        ts = posted.ts or ts
        if not (self.channel_id and ts and posted.thread_ts and posted.user_id):
            return None
        if posted.thread_ts == ts:
            return None  # top-level messages are not replies to anything Parley keeps
        try:
            float(ts)
        except ValueError:
            return None
        event_id = self.event_id or f"{self.channel_id}:{ts}:{key}"
        return Message(
            event_id=event_id[:64],
            channel_id=self.channel_id,
            thread_ts=posted.thread_ts,
            ts=ts,
            author_id=posted.user_id,
            text=posted.text,
        )
