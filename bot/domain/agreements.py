"""Typed records of 5W1H agreements: the terms of one version, the version, the agreement.

Kept apart from `bot/workflows/agreements.py` (the rules) so the store can read and write
them without importing the workflow that uses the store.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from bot.domain.marks import N_
from bot.domain.parties import Audience, Party
from bot.domain.records import Record


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        """The status as a reader sees it (an English msgid, translated where shown)."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    AgreementStatus.ACTIVE: N_("active"),
    AgreementStatus.REVOKED: N_("revoked"),
    AgreementStatus.EXPIRED: N_("expired"),
}


class Terms(Record):
    """What was agreed, the practice's 5W1H plus the authorisation and the validity."""

    what: str
    why: str
    who: str
    who_people: tuple[str, ...] = ()  # Slack user ids of the people authorised
    when: str
    where: str
    where_channel: str | None = None
    how: str
    authorization: str
    valid_until: date  # valid through this day, in the calendar's time zone


class AgreementVersion(Record):
    version: int
    terms: Terms
    created_by: str
    created_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_by is not None


class Agreement(Record):
    """A-n with its party and its current version."""

    id: int
    workspace_id: str
    number: int
    party: Party
    owner_id: str
    channel_id: str
    card_ts: str | None
    status: AgreementStatus
    created_at: datetime
    current: AgreementVersion
    revoke_reason: str | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None

    @property
    def ref(self) -> str:
        return f"A-{self.number}"

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def valid_until(self) -> date:
        return self.current.terms.valid_until

    def status_on(self, today: date) -> AgreementStatus:
        """The status as people should read it today: an active agreement whose last day has
        passed is expired, even in the minute before the expiry job records it."""
        if self.status is AgreementStatus.ACTIVE and self.valid_until < today:
            return AgreementStatus.EXPIRED
        return self.status

    def concerns(self, audience: Audience) -> bool:
        """Whether this agreement may be shown to that audience (isolation between parties)."""
        return audience.internal or (
            self.party.slack_team is not None and self.party.slack_team in audience.team_ids
        )
