"""What each kind of timeline event means: its words, and who may see it.

Every kind is declared here, once, with its meaning beside it. The meaning is an allow-list:
a kind is private and its text is hidden from an outside party unless it says otherwise, so a
kind added without a word about who may see it is kept from shared channels, never shown to
them. The stored value of each kind is what the database and the export hold; never change one.
`bot/domain/visibility.py` applies the meaning for an audience; renderers only word it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from bot.domain.marks import N_


@dataclass(frozen=True)
class Announcement:
    """How the dispute's thread announces a move of this kind, for everyone in it.

    `line` may name `{actor}` and `{stage}` (the stage the dispute is at after the move);
    `summary` follows the dispute's id in the mover's own confirmation and may name `{stage}`.
    """

    line: str
    summary: str


@dataclass(frozen=True)
class Meaning:
    """What a kind of event means. Only `words` must be given; the rest defaults to the side
    that shows an outside party nothing."""

    # The record's line after who did it: "<@U1> replied".
    words: str
    # Never shown outside the company (a note). A kind must say it is not.
    private: bool = True
    # Whether its text may be shown to an outside party that sees the event: a reply's yes,
    # an escalation's reason (written internally) no.
    text_shared: bool = False
    # A Slack message in one of the dispute's threads: a shared channel sees only the ones
    # written in that very channel.
    message: bool = False
    # Whether the record's line quotes the text (an opening's text is the title on the card).
    quoted: bool = True
    # What the thread says when the move is announced; None for a kind it never announces.
    announced: Announcement | None = None


class KindWithMeaning(StrEnum):
    """A StrEnum whose members carry their meaning: `NAME = "stored value", Meaning(...)`.

    A member written without a meaning does not import. (`meaning` has a default only so that
    a lookup by stored value, `TimelineKind("reply")`, type-checks: that goes to the lookup.)"""

    _value_: str
    meaning: Meaning

    def __new__(cls, value: str, meaning: Meaning | None = None) -> Self:
        if meaning is None:
            raise TypeError(f"timeline kind {value!r} is declared without its meaning")
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class TimelineKind(KindWithMeaning):
    """Every kind of event on a dispute's record, with what it means."""

    OPENED = (
        "opened",
        Meaning(N_("opened the dispute"), private=False, text_shared=True, quoted=False),
    )
    PARTY_ADDED = "party_added", Meaning(N_("brought in"), private=False)
    REPLY = "reply", Meaning(N_("replied"), private=False, text_shared=True, message=True)
    EDITED = "edited", Meaning(N_("edited a reply"), private=False, text_shared=True, message=True)
    DELETED = (
        "deleted",
        Meaning(N_("deleted a reply"), private=False, text_shared=True, message=True),
    )
    # Slack's record, asked after the ack, put a recorded reply on another party (or on none):
    # appended beside the reply, which is never rewritten; readers take the latest placement.
    # Its actor is the reply's author (digests count it as the reply it places).
    PLACED = "placed", Meaning(N_("had a reply placed on their party by Slack's record"))
    ESCALATED = (
        "escalated",
        Meaning(
            N_("escalated"),
            private=False,
            announced=Announcement(
                N_("Escalated to {stage} by {actor}"), N_("escalated to {stage}")
            ),
        ),
    )
    NOTE = "note", Meaning(N_("added an internal note"))
    THREAD_LINKED = "thread_linked", Meaning(N_("linked a thread"), private=False)
    OVERDUE = "overdue", Meaning(N_("stage overdue"), private=False)
    RESOLVED = (
        "resolved",
        Meaning(
            N_("resolved"),
            private=False,
            announced=Announcement(N_("Resolved by {actor}"), N_("resolved")),
        ),
    )
    WITHDRAWN = (
        "withdrawn",
        Meaning(
            N_("withdrew"),
            private=False,
            announced=Announcement(N_("Withdrawn by {actor}"), N_("withdrawn")),
        ),
    )
    # The reason is written for the company, as an escalation's is: parties see the move only.
    REOPENED = (
        "reopened",
        Meaning(
            N_("reopened the dispute"),
            private=False,
            announced=Announcement(
                N_("Reopened at {stage} by {actor}"), N_("reopened at {stage}, with a fresh clock")
            ),
        ),
    )

    # `/dispute meet`: the text is the meeting's R-n and title, which the parties see anyway.
    MEETING_SCHEDULED = (
        "meeting_scheduled",
        Meaning(N_("called a meeting"), private=False, text_shared=True),
    )
    # The meeting's minutes, copied onto the dispute's record. Seen outside as the review's
    # minutes are: a reply in a reminder's thread only in that very channel (and only the
    # author's own party's), minutes typed with `/review minutes` (no message) never.
    MEETING_MINUTES = (
        "meeting_minutes",
        Meaning(
            N_("added to the minutes of a meeting"), private=False, text_shared=True, message=True
        ),
    )

    # A party's first reply came later than its support contract's response time, counted in
    # the contract's support hours; internal (the text is the contract's reference and term).
    FIRST_REPLY_LATE = (
        "first_reply_late",
        Meaning(N_("replied first later than their contract's response time")),
    )


def announcement(kind: TimelineKind) -> Announcement:
    """How the thread announces a move of this kind; a kind it never announces is refused
    rather than worded as some other kind."""
    if kind.meaning.announced is None:
        raise ValueError(f"the thread never announces a {kind.value} event")
    return kind.meaning.announced
