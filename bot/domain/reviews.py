"""Typed records of periodic reviews: the review (R-n), its minutes and its action items (T-n).

The store reads and writes them; the reviews workflow and the renderers work with them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from bot.domain.marks import N_
from bot.domain.parties import Audience, Party
from bot.domain.records import Record
from bot.domain.recurrence import Recurrence, describe

# Which reminder of a meeting: the day before, or a quarter of an hour before.
ReminderKind = Literal["day-before", "15-minutes"]


class ReviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DONE = "done"

    @property
    def label(self) -> str:
        """The status in words (English, marked for translation where it is shown)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ReviewStatus.SCHEDULED: N_("scheduled"),
    ReviewStatus.CANCELLED: N_("cancelled"),
    ReviewStatus.DONE: N_("done"),
}


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Review(Record):
    """A review meeting with a counterpart, once or recurring.

    ``recurrence`` is ``Recurrence.to_storage()`` text, ``None`` for a one-off. ``next_at`` is
    the coming occurrence (``None`` once cancelled or done); ``last_at`` the latest one held.
    ``report_within`` / ``meeting_within`` are the monthly service-report and meeting
    deadlines in working days from the month's start (monthly reviews only).
    """

    id: int
    workspace_id: str
    number: int
    title: str
    channel_id: str
    owner_id: str
    tz: str
    recurrence: str | None
    next_at: datetime | None
    last_at: datetime | None = None
    status: ReviewStatus
    report_within: int | None = None
    meeting_within: int | None = None
    created_at: datetime
    closed_at: datetime | None = None
    parties: tuple[Party, ...] = ()
    participants: tuple[str, ...] = ()
    skipped: tuple[datetime, ...] = ()
    # The dispute this one-off review is the meeting of (`/dispute meet`), by id and number.
    dispute_id: int | None = None
    dispute_number: int | None = None

    @property
    def ref(self) -> str:
        return f"R-{self.number}"

    @property
    def dispute_ref(self) -> str | None:
        """``D-3`` for the meeting of a dispute, ``None`` for any other review."""
        return None if self.dispute_number is None else f"D-{self.dispute_number}"

    @property
    def is_scheduled(self) -> bool:
        return self.status is ReviewStatus.SCHEDULED

    @property
    def rule(self) -> Recurrence | None:
        return None if self.recurrence is None else Recurrence.from_storage(self.recurrence)

    @property
    def rule_text(self) -> str | None:
        """The canonical English rule ("every Monday at 09:30"), ``None`` for a one-off: what
        the export carries. A person reads it in their language
        (`bot/commands/render_review_times.py: rule_text`)."""
        rule = self.rule
        return None if rule is None else describe(rule)

    def concerns(self, audience: Audience) -> bool:
        """Whether this review may be shown to that audience: internally always; in a shared
        channel only a review whose parties all speak from that channel."""
        if audience.internal:
            return True
        teams = {p.slack_team for p in self.parties}
        return bool(self.parties) and None not in teams and teams <= audience.team_ids


class ActionItem(Record):
    """T-n: something agreed in a review, owned by one person, due once; or (an improvement
    action) made on a band-D dimension of a published scorecard S-n, with no review."""

    id: int
    workspace_id: str
    number: int
    review_id: int | None = None
    review_number: int | None = None
    scorecard_id: int | None = None
    scorecard_number: int | None = None
    owner_id: str
    due_at: datetime
    tz: str
    text: str
    status: ActionStatus
    created_at: datetime
    created_by: str
    done_at: datetime | None = None
    done_by: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None

    @property
    def ref(self) -> str:
        return f"T-{self.number}"

    @property
    def review_ref(self) -> str | None:
        """``R-3`` for an item of a review, ``None`` for a scorecard's."""
        return None if self.review_number is None else f"R-{self.review_number}"

    @property
    def scorecard_ref(self) -> str | None:
        """``S-2`` for a scorecard's improvement action, ``None`` for a review's item."""
        return None if self.scorecard_number is None else f"S-{self.scorecard_number}"

    @property
    def origin_ref(self) -> str | None:
        """Where the item came from: its review (``R-3``) or its scorecard (``S-2``)."""
        return self.review_ref or self.scorecard_ref

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN


class Minutes(Record):
    """One entry of a meeting's minutes: typed with ``/review minutes`` or replied in a
    reminder's thread (then ``channel_id``/``message_ts`` say which message)."""

    review_id: int
    occurrence_at: datetime | None
    at: datetime
    author_id: str
    party: str | None = None
    text: str
    channel_id: str | None = None
    message_ts: str | None = None
