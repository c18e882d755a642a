"""Reviews over time: occurrences held, reminders, minutes prompts, deadlines, items due.

What falls due is computed here from the records and ``now``; the caller claims each item's
``key`` with ``bot.workflows.sends.claim_send`` and sends it only if the claim is its own, so
a restart, a late tick or a second instance never sends anything twice, and what fell due
while Parley was down still goes out (late):

* reminders are due a day before each occurrence (the working day before, for rules that
  count working days) and ``LAST_CALL`` before it. A late reminder goes out as long as the
  meeting has not started; when the last call is due, the day-before reminder is not sent as
  well; a reminder due before the review was scheduled is never sent;
* once a meeting's time has come it is *held* (``hold_due``): ``last_at`` records it and
  ``next_at`` moves to the following occurrence that is not skipped, or the review is
  ``done`` when it happened once;
* ``MEETING_LENGTH`` after a held meeting, a prompt asks for the minutes in the reminder's
  thread (or, when no reminder went out, as a message of its own with the agenda);
* an action item (a review's, or a scorecard's improvement action) is reminded at
  ``REMINDER_TIME`` on its due date (or at its due time, if earlier), late if need be, until
  it is done;
* a monthly review's owner is reminded of the service report at ``REMINDER_TIME`` on the
  working day before the report deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.calendar import WorkCalendar
from bot.domain.notices import DisputeRefresh
from bot.domain.reviews import ActionItem, ReminderKind, Review, ReviewStatus
from bot.store import Store
from bot.store import reviews as repo
from bot.store import sends as sends_repo
from bot.workflows import notices
from bot.workflows.reviews import catch_up

MEETING_LENGTH = timedelta(hours=1)
"""How long after a meeting's time the minutes prompt goes out."""
LAST_CALL = timedelta(minutes=15)
PROMPT_WINDOW = timedelta(days=30)
"""A minutes prompt that fell due while Parley was down is still sent within this window."""
REMINDER_TIME = time(9, 0)
"""Local time of the report-deadline reminder and of an action item's due-date reminder."""

# ------------------------------------------------------------------------------ deadlines


def report_deadline(review: Review, year: int, month: int, calendar: WorkCalendar) -> date | None:
    """The day the month's service report is due (its ``report_within``-th working day)."""
    if review.report_within is None:
        return None
    return calendar.nth_working_day(year, month, review.report_within)


def meeting_deadline(review: Review, occurrence: datetime, calendar: WorkCalendar) -> date | None:
    """The last day the review meeting of ``occurrence``'s month should be held."""
    if review.meeting_within is None:
        return None
    local = occurrence.astimezone(ZoneInfo(review.tz)).date()
    return calendar.nth_working_day(local.year, local.month, review.meeting_within)


def meeting_late(review: Review, occurrence: datetime, calendar: WorkCalendar) -> date | None:
    """The deadline an occurrence misses, or ``None`` when it is on time (or has none)."""
    deadline = meeting_deadline(review, occurrence, calendar)
    local = occurrence.astimezone(ZoneInfo(review.tz)).date()
    return deadline if deadline is not None and local > deadline else None


# ------------------------------------------------------------------------------ reminders


def reminder_times(
    review: Review, occurrence: datetime, calendar: WorkCalendar
) -> dict[ReminderKind, datetime]:
    """When an occurrence's reminders are due: the same local time a day before (the working
    day before, for rules that count working days), and ``LAST_CALL`` before it."""
    tz = ZoneInfo(review.tz)
    local = occurrence.astimezone(tz)
    rule = review.rule
    if rule is not None and rule.working_day is not None:
        day = calendar.previous_working_day(local.date())
    else:
        day = local.date() - timedelta(days=1)
    before = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz).astimezone(UTC)
    return {"day-before": before, "15-minutes": occurrence - LAST_CALL}


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def reminder_key(review: Review, occurrence: datetime, kind: str) -> str:
    """The send key of one reminder (or ``minutes`` prompt) of one occurrence."""
    return f"review:{review.workspace_id}:{review.ref}:{_stamp(occurrence)}:{kind}"


@dataclass(frozen=True)
class Reminder:
    """A reminder of one occurrence, owed once under ``key``."""

    review: Review
    occurrence: datetime
    kind: ReminderKind
    key: str


async def _unclaimed(conn: AsyncConnection, key: str) -> bool:
    return not await sends_repo.claimed(conn, key=key)


async def due_reminders(store: Store, *, now: datetime, calendar: WorkCalendar) -> list[Reminder]:
    """Reminders due by ``now`` and not sent yet, for meetings that have not started.

    A reminder due before the review was scheduled is not sent; when the last call is due,
    the day-before reminder is not sent as well."""
    found: list[Reminder] = []
    async with store.read() as conn:
        for review in await repo.coming(conn, before=now + timedelta(days=45)):
            occurrence = review.next_at
            if occurrence is None or occurrence <= now:
                continue
            times = reminder_times(review, occurrence, calendar)
            kind: ReminderKind | None = None
            if times["15-minutes"] <= now:
                kind = "15-minutes" if times["15-minutes"] >= review.created_at else None
            elif times["day-before"] <= now and times["day-before"] >= review.created_at:
                kind = "day-before"
            if kind is None:
                continue
            key = reminder_key(review, occurrence, kind)
            if await _unclaimed(conn, key):
                found.append(Reminder(review, occurrence, kind, key))
    return found


async def hold_due(store: Store, *, now: datetime, calendar: WorkCalendar) -> list[Review]:
    """Move every review whose meeting time has come on to its next occurrence (or to done,
    for a one-off); each move happens once, whichever instance gets there first."""
    moved: list[Review] = []
    async with store.read() as conn:
        due = await repo.coming(conn, before=now + timedelta(microseconds=1))
    for review in due:
        held, coming = catch_up(review, now=now, calendar=calendar)
        if held is None or review.next_at is None:
            continue
        async with store.write() as conn:
            ok = await repo.move(
                conn,
                review_id=review.id,
                from_next_at=review.next_at,
                next_at=coming,
                last_at=held,
                status=ReviewStatus.SCHEDULED if coming is not None else ReviewStatus.DONE,
                now=now,
            )
            after = await repo.by_id(conn, review_id=review.id) if ok else None
            if after is not None and after.dispute_id is not None:
                # A dispute's meeting, held: its card shows it as it is now.
                refresh = DisputeRefresh(
                    workspace_id=after.workspace_id, dispute_id=after.dispute_id
                )
                await notices.owe(conn, refresh, now=now)
        if after is not None:
            moved.append(after)
    return moved


@dataclass(frozen=True)
class Prompt:
    """The request for a held meeting's minutes; ``thread`` is the reminder to answer under
    (``None``: no reminder went out, so the prompt carries the agenda itself)."""

    review: Review
    occurrence: datetime
    key: str
    thread: tuple[str, str] | None


async def due_prompts(store: Store, *, now: datetime) -> list[Prompt]:
    """Minutes prompts due by ``now`` (``MEETING_LENGTH`` after a held meeting) and not sent."""
    found: list[Prompt] = []
    async with store.read() as conn:
        for review in await repo.held_since(conn, since=now - PROMPT_WINDOW):
            occurrence = review.last_at
            if occurrence is None or review.status is ReviewStatus.CANCELLED:
                continue
            if now < occurrence + MEETING_LENGTH:
                continue
            key = reminder_key(review, occurrence, "minutes")
            if not await _unclaimed(conn, key):
                continue
            thread = await repo.latest_thread(conn, review_id=review.id, occurrence_at=occurrence)
            found.append(Prompt(review, occurrence, key, thread))
    return found


async def remember_thread(
    store: Store, *, review: Review, occurrence: datetime, channel_id: str, ts: str, kind: str
) -> None:
    """Record a reminder or prompt message: replies in its thread are that meeting's minutes."""
    async with store.write() as conn:
        await repo.add_thread(
            conn,
            review_id=review.id,
            channel_id=channel_id,
            ts=ts,
            occurrence_at=occurrence,
            kind=kind,
        )


async def reminder_thread(
    store: Store, *, review: Review, occurrence: datetime
) -> tuple[str, str] | None:
    """(channel, ts) of the latest reminder of one occurrence, if one went out."""
    async with store.read() as conn:
        return await repo.latest_thread(conn, review_id=review.id, occurrence_at=occurrence)


async def latest_thread(store: Store, *, review: Review) -> tuple[str, str] | None:
    """(channel, ts) of the review's latest reminder or prompt, if any."""
    async with store.read() as conn:
        return await repo.latest_thread(conn, review_id=review.id)


def action_reminder_at(item: ActionItem) -> datetime:
    """When an item is reminded: ``REMINDER_TIME`` on its due date (in the zone it was
    given in), or its due time when that is earlier."""
    tz = ZoneInfo(item.tz)
    local = item.due_at.astimezone(tz)
    morning = datetime.combine(local.date(), REMINDER_TIME, tzinfo=tz).astimezone(UTC)
    return min(morning, item.due_at)


def action_key(item: ActionItem) -> str:
    """The send key of an item's due-date reminder."""
    return f"action:{item.workspace_id}:{item.ref}:{_stamp(item.due_at)}:due"


@dataclass(frozen=True)
class ActionDue:
    """An open item whose due-date reminder is owed once under ``key``."""

    item: ActionItem
    review: Review | None  # None: a scorecard's improvement action
    key: str


async def due_actions(store: Store, *, now: datetime) -> list[ActionDue]:
    """Open action items whose due-date reminder is due by ``now`` and not sent yet (late
    ones too). An item its owner created after that moment is not reminded."""
    found: list[ActionDue] = []
    async with store.read() as conn:
        for item in await repo.open_actions_due(conn, before=now + timedelta(days=1)):
            at = action_reminder_at(item)
            if at > now or (at < item.created_at and item.owner_id == item.created_by):
                continue
            key = action_key(item)
            if not await _unclaimed(conn, key):
                continue
            if item.review_id is None:
                if item.scorecard_id is not None:
                    found.append(ActionDue(item, None, key))
                continue
            review = await repo.by_id(conn, review_id=item.review_id)
            if review is not None:
                found.append(ActionDue(item, review, key))
    return found


@dataclass(frozen=True)
class ReportDue:
    """A month's service-report reminder for the review's owner, owed once under ``key``."""

    review: Review
    deadline: date
    key: str


async def due_reports(store: Store, *, now: datetime, calendar: WorkCalendar) -> list[ReportDue]:
    """Service-report reminders for the owner, due at ``REMINDER_TIME`` on the working day
    before the month's report deadline, until the deadline's day is over."""
    found: list[ReportDue] = []
    async with store.read() as conn:
        for review in await repo.with_report_deadline(conn):
            tz = ZoneInfo(review.tz)
            today = now.astimezone(tz).date()
            months = [(today.year, today.month)]
            months.append(
                (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            )
            for year, month in months:
                deadline = report_deadline(review, year, month, calendar)
                if deadline is None:
                    continue
                remind = datetime.combine(
                    calendar.previous_working_day(deadline), REMINDER_TIME, tzinfo=tz
                )
                over = datetime.combine(deadline + timedelta(days=1), time(0, 0), tzinfo=tz)
                if not (remind <= now < over) or remind < review.created_at:
                    continue
                key = f"review:{review.workspace_id}:{review.ref}:report:{year:04d}-{month:02d}"
                if await _unclaimed(conn, key):
                    found.append(ReportDue(review, deadline, key))
    return found
