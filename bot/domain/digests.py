"""Digest subscriptions as the domain sees them: who gets a daily digest, when, and where."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.records import Record


class DigestKind(StrEnum):
    """A channel's digest is posted in the channel; a person's comes by DM."""

    CHANNEL = "channel"
    PERSON = "person"


class Subscription(Record):
    """One channel's or person's daily digest, with the scheduler's state for it."""

    id: int
    workspace_id: str
    kind: DigestKind
    target: str  # the channel's id, or the person's user id
    at: time  # local wall-clock time in `zone`
    zone: str
    subscribed_by: str
    subscribed_at: datetime
    active: bool = True
    last_due_at: datetime | None = None  # the period last handled (posted or found empty)
    last_sent_at: datetime | None = None  # when the last digest went out
    lease_key: str | None = None  # the send in flight or failing
    lease_until: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def at_text(self) -> str:
        return f"{self.at:%H:%M}"
