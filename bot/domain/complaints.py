"""A customer's complaint `C-n`: its record, its lifecycle and the events on its record.

A complaint belongs to one customer party. It is `open` until an insider resolves it; the
complainant's party is then asked to confirm: Yes closes it, No opens it again with its
clock running on, and silence for the confirmation window closes it too.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput
from bot.domain.marks import N_
from bot.domain.parties import Audience, Party, PartyKind
from bot.domain.records import Record


class ComplaintStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # waiting for the complainant's party to confirm
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ComplaintStatus.OPEN: N_("open"),
    ComplaintStatus.RESOLVED: N_("resolved, waiting for confirmation"),
    ComplaintStatus.CLOSED: N_("closed"),
}


class ClosedBy(StrEnum):
    CONFIRMED = "confirmed"
    SILENCE = "silence"


class Clock(StrEnum):
    """A complaint's two clocks, in working days from when it was opened."""

    ANSWER = "answer"
    RESOLUTION = "resolution"


class EventKind(StrEnum):
    OPENED = "opened"
    REPLY = "reply"
    EDITED = "edited"
    DELETED = "deleted"
    ANSWERED = "answered"  # the first answer of ours: the answer clock stops
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    NOT_RESOLVED = "not_resolved"
    CLOSED = "closed"  # by silence
    LINKED = "linked"


class ComplaintEvent(Record):
    """One event on a complaint's record."""

    kind: EventKind
    at: datetime
    actor_id: str | None = None
    party: str | None = None
    text: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None


class Complaint(Record):
    id: int
    workspace_id: str
    number: int
    text: str
    party: Party
    complainant_id: str | None
    owner_id: str
    channel_id: str
    root_ts: str | None
    status: ComplaintStatus
    opened_at: datetime
    answer_due_at: datetime
    resolve_due_at: datetime
    first_answer_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    round: int = 0  # how many times it was resolved: the confirmation buttons name theirs
    confirm_due_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: ClosedBy | None = None
    escalations: int = 0
    disputes: tuple[int, ...] = ()  # the numbers of the disputes that caused it

    @property
    def ref(self) -> str:
        return f"C-{self.number}"

    @property
    def is_closed(self) -> bool:
        return self.status is ComplaintStatus.CLOSED

    def concerns(self, audience: Audience) -> bool:
        """Whether this complaint may be shown to that audience (isolation between parties)."""
        if audience.internal:
            return True
        return self.party.slack_team is not None and self.party.slack_team in audience.team_ids

    def overdue(self, clock: Clock, now: datetime) -> bool:
        """Whether that clock ran out without being stopped."""
        if self.is_closed:
            return False
        if clock is Clock.ANSWER:
            return self.first_answer_at is None and self.answer_due_at < now
        return self.status is ComplaintStatus.OPEN and self.resolve_due_at < now


def close_days(calendar: WorkCalendar, opened_at: datetime, closed_at: datetime) -> int:
    """The working days a complaint took to close, as the satisfaction report counts them:
    whole working days from its opening to its closing, never below 0. Kept in its row when
    it closes (`complaints.close_days`)."""
    return max(0, calendar.working_days_between(opened_at, closed_at))


def parse_number(text: str) -> int:
    """`C-3`, `c3`, `C 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("C").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("complaint.bad_id", text=text.strip()[:40])
    return int(raw)


def check_customer(party: Party) -> None:
    """A complaint is a customer's: a supplier or third party cannot be its party."""
    if party.kind is not PartyKind.CUSTOMER:
        raise InvalidInput(
            "complaint.not_customer", field="party", name=party.name, kind=party.kind
        )


def check_resolvable(complaint: Complaint) -> None:
    if complaint.status is ComplaintStatus.RESOLVED:
        raise InvalidInput("complaint.waiting", ref=complaint.ref)
    if complaint.is_closed:
        raise InvalidInput("complaint.closed", ref=complaint.ref)


def check_open(complaint: Complaint) -> None:
    if complaint.is_closed:
        raise InvalidInput("complaint.closed", ref=complaint.ref)


def check_answerable(complaint: Complaint, round_: int) -> None:
    """The confirmation buttons answer the resolution they were posted with, once."""
    if complaint.status is not ComplaintStatus.RESOLVED or round_ != complaint.round:
        raise InvalidInput("complaint.answered", ref=complaint.ref)
