"""Periodic reviews: R-n scheduled from chat, its minutes and its action items T-n.

This module owns what people do with reviews:

* ``read_schedule`` reads ``<title> [with @user …] <when> [report within N working days]
  [meeting within M working days] [in <Area/City>]`` (the time language is
  ``bot.domain.when``'s) in the scheduling person's zone, refusing what it cannot read;
* ``schedule_review`` puts R-n on record; ``cancel_review`` and ``skip_next`` change it;
* minutes are kept per occurrence, typed with ``/review minutes`` (internal) or replied in
  the thread of a reminder or prompt;
* action items T-n belong to a review, are due once and are marked done by a member.

What falls due over time (reminders, prompts, items due) is ``bot.workflows.review_reminders``.
A review in a Slack Connect channel is its parties' business: it is shown only where they
all speak (``Review.concerns``). Nothing here imports Slack.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.recurrence import ZH_NUMBER, Recurrence, cn_number, next_occurrence
from bot.domain.reviews import ActionItem, Minutes, Review, ReviewStatus
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.domain.text import person as person_token
from bot.domain.when import (
    EXAMPLES,
    When,
    _InThePast,
    format_occurrence,
    parse_when,
    split_title_and_when,
)
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import disputes as disputes_repo
from bot.store import reviews as repo
from bot.workflows import notices_by_kind as notices
from bot.workflows.capture import Message
from bot.workflows.parties import party_for_team

AGENDA = (
    "Review of service delivery against the agreement",
    "Key problems to negotiate",
    "Improvement plan for the next period",
)
"""The default agenda of every review, as the practice has it."""

TITLE_LIMIT = 150
MINUTES_LIMIT = 3000
ACTION_LIMIT = 500
THREAD_TEXT_LIMIT = 40_000
HORIZON = timedelta(days=731)
"""A review must have an occurrence within two years."""
DEFAULT_REPORT_WITHIN = 5
DEFAULT_MEETING_WITHIN = 10
MAX_DEADLINE = 23  # working days a month can have

# ------------------------------------------------------------------------------ reading


def _parse_number(text: str, prefix: str, what: str, example: str) -> int:
    raw = text.strip().upper().removeprefix(prefix).strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput(f"`{text.strip()[:40]}` is not {what} id. Write it like `{example}`.")
    return int(raw)


def parse_review_number(text: str) -> int:
    """`R-3`, `r3`, `R 3` or `3` → 3; anything else is refused with how to write it."""
    return _parse_number(text, "R", "a review", "R-3")


def parse_action_number(text: str) -> int:
    """`T-4`, `t4` or `4` → 4; anything else is refused with how to write it."""
    return _parse_number(text, "T", "an action item", "T-4")


def zone_named(name: str, *, from_profile: bool = False) -> ZoneInfo:
    """The IANA zone called ``name``; ``InvalidInput`` saying how to name one if unknown."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        shown = name.strip()[:60]
        if from_profile:
            raise InvalidInput(
                f"Your Slack profile's time zone “{shown}” is not one I know. Name the zone at "
                "the end instead, e.g. `… every Monday 9:30 in Asia/Shanghai`."
            ) from None
        raise InvalidInput(
            f"I don't know the time zone “{shown}”. Use an IANA name such as "
            "`Asia/Shanghai`, `Europe/Berlin` or `UTC`."
        ) from None


@dataclass(frozen=True)
class Schedule:
    """A reading of ``/review schedule`` text: ``head`` is what precedes the time (the title
    and any ``with @user …``), ``when`` the time read in the zone ``when.tz``."""

    head: str
    when: When
    report_within: int | None = None
    meeting_within: int | None = None


_ZONE_TAIL = re.compile(
    r"(?:\s+(?:in|tz)\s+|\s*[(（])(?P<tz>[A-Za-z][\w+\-]*(?:/[\w+\-]+){1,2}|UTC|GMT)\s*[)）]?\s*$",
    re.IGNORECASE,
)
_DEADLINE_TAIL = re.compile(
    r"(?:^|[\s,;，；]+)(?:and\s+|with\s+)?(?:the\s+)?"
    r"(?:(?P<what>(?:service\s+)?report|meeting)\s+within\s+(?P<n>\d{1,3})\s+"
    r"(?:working\s+|business\s+|work\s+)?days?|(?P<both>(?:the\s+)?(?:usual\s+|standard\s+)?deadlines))"
    r"\s*[,;.]?\s*$",
    re.IGNORECASE,
)
_MONTH_WORDS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_ZH_DATE = re.compile(rf"(?:(\d{{4}})年)?({ZH_NUMBER})月({ZH_NUMBER})[日号號]")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _check_date(year: int | None, month: int | None, day: int | None) -> None:
    if month is None or day is None or not 1 <= month <= 12:
        return
    last = month_calendar.monthrange(year or 2028, month)[1]  # 2028: a leap year
    if not 1 <= day <= last:
        raise InvalidInput(
            f"There is no {day} {_MONTH_NAMES[month - 1]}"
            + (f" {year}" if year else "")
            + ". Check the date, e.g. `Dec 3 at 14:30` or `12月3日下午2点半`."
        )


def check_dates(text: str) -> None:
    """Refuse impossible calendar dates (``Feb 30``, ``2月30日``) wherever they are written,
    rather than let a reader skip the month and take the day alone."""
    for m in _MONTH_DAY.finditer(text):
        _check_date(None, _MONTH_WORDS[m.group(1)[:3].lower()], int(m.group(2)))
    for m in _DAY_MONTH.finditer(text):
        _check_date(None, _MONTH_WORDS[m.group(2)[:3].lower()], int(m.group(1)))
    for m in _ISO_DATE.finditer(text):
        _check_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _ZH_DATE.finditer(text):
        year = int(m.group(1)) if m.group(1) else None
        _check_date(year, cn_number(m.group(2)), cn_number(m.group(3)))


def is_monthly(rule: Recurrence | None) -> bool:
    """Whether a rule repeats every month (working-day or calendar-day rules alike)."""
    if rule is None:
        return False
    if rule.period is not None:
        return rule.period == "month"
    return rule.rrule.startswith("FREQ=MONTHLY;") and "INTERVAL=" not in rule.rrule


def read_schedule(
    text: str,
    *,
    now: datetime,
    profile_tz: str | None,
    default_tz: str,
    calendar: WorkCalendar,
) -> Schedule:
    """Read ``/review schedule`` text said at ``now``.

    The time is read in the zone named at the end (``in Europe/Berlin``), else the person's
    Slack zone (``profile_tz``), else ``default_tz``. Trailing ``report within N working
    days`` / ``meeting within M working days`` (or ``with deadlines``: 5 and 10) set a
    monthly review's deadlines. Raises ``InvalidInput`` with examples for an unknown zone,
    an impossible date, a time that cannot be read or is past, a rule whose first occurrence
    is more than two years away, deadlines on a review that is not monthly, and a missing
    title.
    """
    rest = text.strip()
    if not rest:
        raise InvalidInput(
            "What should I schedule? Write it like "
            "`/review schedule Monthly service review with @their-rep every month on the "
            "10th working day at 10:00`."
        )
    zone_match = _ZONE_TAIL.search(rest)
    if zone_match is not None:
        name = zone_match.group("tz")
        tz = zone_named("UTC" if name.upper() in ("UTC", "GMT") else name)
        rest = rest[: zone_match.start()].rstrip()
    elif profile_tz:
        tz = zone_named(profile_tz, from_profile=True)
    else:
        tz = zone_named(default_tz)
    report_within: int | None = None
    meeting_within: int | None = None
    while (found := _DEADLINE_TAIL.search(rest)) is not None and found.start() > 0:
        if found.group("both"):
            report_within = report_within or DEFAULT_REPORT_WITHIN
            meeting_within = meeting_within or DEFAULT_MEETING_WITHIN
        else:
            days = int(found.group("n"))
            if not 1 <= days <= MAX_DEADLINE:
                raise InvalidInput(
                    f"A deadline is 1 to {MAX_DEADLINE} working days from the month's start, "
                    "e.g. `report within 5 working days`."
                )
            if found.group("what").lower().endswith("report"):
                report_within = days
            else:
                meeting_within = days
        rest = rest[: found.start()].rstrip(" ,;，；")
    check_dates(rest)
    try:
        head, when = split_title_and_when(rest, now=now, tz=tz, calendar=calendar)
    except ValueError:
        raise _never(rest) from None
    if when.at - now > HORIZON:
        raise _never(rest[len(head) :].strip(" ,:;-–—|") or rest, first=when)
    if (report_within or meeting_within) and not is_monthly(when.recurrence):
        raise InvalidInput(
            "Only a monthly review carries report and meeting deadlines, e.g. "
            "`every month on the 3rd working day report within 5 working days`."
        )
    return Schedule(head, when, report_within, meeting_within)


def _never(text: str, first: When | None = None) -> InvalidInput:
    later = ""
    if first is not None:
        later = f" (the first would be {format_occurrence(first.at, ZoneInfo(first.tz))})"
    return InvalidInput(
        f"“{text[:120]}” has no occurrence in the next two years{later}. Try "
        + ", ".join(f"`{e}`" for e in EXAMPLES[:-1])
        + f" or `{EXAMPLES[-1]}`."
    )


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read_due(text: str, *, now: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> tuple[When, str]:
    """Split ``<due> <text>`` of ``/review action``: the longest leading part that reads as a
    one-off time (``Dec 18``, ``next Friday 5pm``, ``下周五``), and the text after it.

    Raises ``InvalidInput`` when no leading part reads as a time, when it is a repeating
    time or in the past, and when no text follows.
    """
    whole = text.strip()
    check_dates(whole)
    ends: set[int] = set()
    for match in re.finditer(r"\S+", whole):
        ends.add(match.end())
        if match.start() > 80:
            break
    for i, char in enumerate(whole[:40]):
        if _CJK.match(char):
            ends.add(i + 1)
    example = "`/review action R-3 @owner Dec 18 Send the corrected SLA report`"
    for end in sorted(ends, reverse=True):
        candidate = whole[:end].rstrip(" :,;-–—|")
        if not candidate:
            continue
        try:
            when = parse_when(candidate, now=now, tz=tz, calendar=calendar)
        except _InThePast:
            raise
        except (InvalidInput, ValueError):
            continue
        if when.recurrence is not None:
            raise InvalidInput(
                "An action item is due once: give a date such as `Dec 18` or `下周五`, "
                f"e.g. {example}."
            )
        rest = whole[end:].strip().lstrip(":,;-–—| ").strip()
        if not rest:
            raise InvalidInput(f"What is to be done? Write it after the due date: {example}.")
        return when, rest
    raise InvalidInput(
        f"I couldn't read a due date at the start of “{whole[:80]}”. Write it like {example}."
    )


# ------------------------------------------------------------------------------ scheduling


async def schedule_review(
    store: Store,
    *,
    workspace_id: str,
    channel_id: str,
    shared_teams: Sequence[tuple[str, str | None]] | None,
    owner: Person,
    title: str,
    people: Sequence[Person],
    schedule: Schedule,
    config: ParleyConfig,
    now: datetime,
) -> Review:
    """Put R-n on record, owned by whoever scheduled it.

    ``shared_teams`` are the other organisations' (team id, name) of a Slack Connect channel
    (``None`` for an internal one): a review there is theirs, and only their people (or ours)
    can take part. Each external person brings in the party their team speaks for.
    """
    if is_external(owner, workspace_id):
        raise NotAllowed("Only members of the workspace that runs Parley can schedule reviews.")
    title = clean_line(
        title,
        what="title",
        limit=TITLE_LIMIT,
        example="`/review schedule Monthly service review with @their-rep every month on the "
        "10th working day at 10:00`",
    )
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput(f"@{bots[0].name} is a bot; only people take part in a review.")
    shared = {team for team, _ in shared_teams} if shared_teams is not None else None
    for person in people:
        if (
            shared is not None
            and is_external(person, workspace_id)
            and person.team_id not in shared
        ):
            raise InvalidInput(
                f"{person_token(person.user_id)} does not speak for this channel's organisation, "
                "so they can't take part in a review held here. Schedule it in an internal channel."
            )
    when = schedule.when
    if when.at <= now or when.at - now > HORIZON:
        raise InvalidInput("A review's first occurrence must be within the next two years.")
    async with store.write() as conn:
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="review")
        review_id = await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            title=title,
            channel_id=channel_id,
            owner_id=owner.user_id,
            tz=when.tz,
            recurrence=None if when.recurrence is None else when.recurrence.to_storage(),
            next_at=when.at,
            report_within=schedule.report_within,
            meeting_within=schedule.meeting_within,
            now=now,
        )
        involved: dict[int, Party] = {}
        for team_id, team_name in shared_teams or ():
            party = await _party(conn, workspace_id, team_id, team_name, config, now)
            involved.setdefault(party.id, party)
        seen: set[str] = set()
        for position, person in enumerate([owner, *people]):
            if person.user_id in seen:
                continue
            seen.add(person.user_id)
            party_id = None
            if is_external(person, workspace_id):
                party = await _party(
                    conn, workspace_id, person.team_id, person.team_name, config, now
                )
                involved.setdefault(party.id, party)
                party_id = party.id
            await repo.add_participant(
                conn,
                review_id=review_id,
                user_id=person.user_id,
                party_id=party_id,
                position=position,
            )
        for party_id in involved:
            await repo.add_party(conn, review_id=review_id, party_id=party_id)
        review = await repo.by_id(conn, review_id=review_id)
    assert review is not None
    return review


async def _party(
    conn: AsyncConnection,
    workspace_id: str,
    team_id: str,
    team_name: str | None,
    config: ParleyConfig,
    now: datetime,
) -> Party:
    return await party_for_team(
        conn,
        workspace_id=workspace_id,
        team_id=team_id,
        team_name=team_name,
        config=config,
        now=now,
    )


# Why an outsider is refused, and what they may do instead.
OUTSIDERS = (
    "Only members of the workspace that runs Parley can change a review. "
    "To add to the minutes, reply in the reminder's thread."
)


async def _visible(
    conn: AsyncConnection, *, workspace_id: str, number: int, audience: Audience
) -> Review:
    review = await repo.get(conn, workspace_id=workspace_id, number=number)
    if review is None or not review.concerns(audience):
        where = "" if audience.internal else " in this channel"
        raise NotFound(f"There is no review R-{number}{where}. `/review list all` lists them.")
    return review


async def get_review(store: Store, *, workspace_id: str, number: int, audience: Audience) -> Review:
    """R-n as this audience may see it; a review of other parties is as good as absent."""
    async with store.read() as conn:
        return await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)


async def list_reviews(
    store: Store, *, workspace_id: str, include_all: bool, audience: Audience
) -> list[Review]:
    """The scheduled reviews, soonest first (``include_all``: cancelled and done ones after),
    as this audience may see them."""
    statuses = None if include_all else [ReviewStatus.SCHEDULED]
    async with store.read() as conn:
        found = await repo.find(conn, workspace_id=workspace_id, statuses=statuses)
    return [r for r in found if r.concerns(audience)]


async def open_action_counts(store: Store, *, reviews: Sequence[Review]) -> dict[int, int]:
    """How many open action items each of these reviews has (by review id)."""
    async with store.read() as conn:
        items = await repo.actions_of(conn, review_ids=[r.id for r in reviews], open_only=True)
    counts: dict[int, int] = {}
    for item in items:
        counts[item.review_id] = counts.get(item.review_id, 0) + 1
    return counts


@dataclass(frozen=True)
class ReviewRecord:
    """What ``/review show`` shows: the review, its open action items, and its minutes."""

    review: Review
    actions: list[ActionItem]
    minutes: list[Minutes]


async def review_record(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> ReviewRecord:
    """R-n with its action items (open first) and the minutes this audience may read."""
    async with store.read() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        actions = await repo.actions_of(conn, review_ids=[review.id])
        minutes = await repo.minutes(conn, review_id=review.id)
    actions.sort(key=lambda a: (not a.is_open, a.due_at, a.number))
    return ReviewRecord(review, actions, visible_minutes(minutes, audience))


def visible_minutes(minutes: Sequence[Minutes], audience: Audience) -> list[Minutes]:
    """Minutes a channel may read: all internally; in a shared channel only what was written
    in that very channel (minutes typed elsewhere may hold internal remarks)."""
    if audience.internal:
        return list(minutes)
    return [m for m in minutes if m.channel_id is not None and m.channel_id == audience.channel_id]


def following(review: Review, after: datetime, calendar: WorkCalendar) -> datetime | None:
    """The review's first occurrence strictly after ``after`` that is not skipped (``None``
    for a one-off, or a rule with no further occurrence)."""
    rule = review.rule
    if rule is None:
        return None
    tz = ZoneInfo(review.tz)
    skipped = set(review.skipped)
    at = after
    for _ in range(1000):
        try:
            at = next_occurrence(rule, after=at, tz=tz, calendar=calendar)
        except ValueError:
            return None
        if at not in skipped:
            return at
    return None


def catch_up(
    review: Review, *, now: datetime, calendar: WorkCalendar
) -> tuple[datetime | None, datetime | None]:
    """(the latest occurrence held by ``now``, the coming one) from the stored ``next_at``;
    the first is ``None`` when nothing was held since, the second when nothing comes."""
    if review.next_at is None or review.next_at > now:
        return None, review.next_at
    held: datetime = review.next_at
    coming = following(review, held, calendar)
    while coming is not None and coming <= now:
        held, coming = coming, following(review, coming, calendar)
    return held, coming


async def cancel_review(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    audience: Audience,
    now: datetime,
) -> Review:
    """Cancel R-n: no more reminders; its minutes and action items stay on record."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        if not review.is_scheduled:
            raise InvalidInput(f"{review.ref} is already {review.status.value}.")
        if not await repo.cancel(conn, review_id=review.id, now=now):
            raise InvalidInput(f"{review.ref} changed a moment ago. Look again and retry.")
        after = await repo.by_id(conn, review_id=review.id)
    assert after is not None
    return after


async def skip_next(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    audience: Audience,
    calendar: WorkCalendar,
    now: datetime,
) -> tuple[Review, datetime]:
    """Skip R-n's next occurrence only; the one after it becomes the next. Returns the
    review after the change and the occurrence skipped."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        if not review.is_scheduled or review.next_at is None:
            raise InvalidInput(f"{review.ref} is {review.status.value}; there is nothing to skip.")
        if review.rule is None:
            raise InvalidInput(
                f"{review.ref} happens once; to call it off, `/review cancel {review.ref}`."
            )
        held, coming = catch_up(review, now=now, calendar=calendar)
        if coming is None:
            raise InvalidInput(f"{review.ref} has no further occurrence to skip.")
        await repo.add_skip(
            conn, review_id=review.id, occurrence_at=coming, by=actor.user_id, now=now
        )
        review = review.model_copy(update={"skipped": (*review.skipped, coming)})
        after_skip = following(review, coming, calendar)
        if after_skip is None:
            skipped = format_occurrence(coming, ZoneInfo(review.tz))
            raise InvalidInput(
                f"{review.ref} has no occurrence after {skipped}; "
                f"cancel it instead: `/review cancel {review.ref}`."
            )
        assert review.next_at is not None
        moved = await repo.move(
            conn,
            review_id=review.id,
            from_next_at=review.next_at,
            next_at=after_skip,
            last_at=held,
            status=ReviewStatus.SCHEDULED,
            now=now,
        )
        if not moved:
            raise InvalidInput(f"{review.ref} changed a moment ago. Look again and retry.")
        after = await repo.by_id(conn, review_id=review.id)
    assert after is not None
    return after, coming


# ------------------------------------------------------------------------------ minutes


def current_occurrence(review: Review, now: datetime) -> datetime | None:
    """The occurrence minutes recorded at ``now`` belong to: the latest one whose time has
    come (``None`` before the first meeting)."""
    if review.next_at is not None and review.next_at <= now:
        return review.next_at
    return review.last_at


async def record_minutes(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    audience: Audience,
    author: Person,
    text: str,
    now: datetime,
) -> tuple[Review, datetime]:
    """Add to the minutes of R-n's latest meeting; returns the review and that occurrence.

    Refused before the first meeting's time. Minutes typed with the command are internal:
    they are exported and shown in internal channels, never in a shared one."""
    internal_only(author, workspace_id, OUTSIDERS)
    text = clean_line(
        text,
        what="minutes",
        limit=MINUTES_LIMIT,
        example="`/review minutes R-3 Agreed a credit for the March outage`",
    )
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        occurrence = current_occurrence(review, now)
        if occurrence is None:
            coming = (
                f" (next: {format_occurrence(review.next_at, ZoneInfo(review.tz))})"
                if review.next_at
                else ""
            )
            raise InvalidInput(
                f"{review.ref} has not met yet{coming}. Record the minutes after the meeting."
            )
        await repo.add_minutes(
            conn,
            review_id=review.id,
            occurrence_at=occurrence,
            at=now,
            author_id=author.user_id,
            party_id=None,
            text=text,
        )
    return review, occurrence


async def thread_review(
    store: Store, *, channel_id: str, thread_ts: str
) -> tuple[Review, datetime] | None:
    """The review and occurrence a reminder's (or prompt's) thread belongs to, if any."""
    async with store.read() as conn:
        return await repo.for_thread(conn, channel_id=channel_id, thread_ts=thread_ts)


async def record_thread_minutes(
    store: Store,
    *,
    workspace_id: str,
    message: Message,
    author: Person | None,
    config: ParleyConfig,
    now: datetime,
) -> bool:
    """A reply in a reminder's thread goes into that occurrence's minutes, once per Slack
    event and message; False if it was already there or is not a review thread's."""
    text = message.text.strip()
    if not text:
        return False
    async with store.write() as conn:
        found = await repo.for_thread(
            conn, channel_id=message.channel_id, thread_ts=message.thread_ts
        )
        if found is None:
            return False
        event_id = f"review:{message.event_id}"[:64]
        if not await disputes_repo.see_event(conn, event_id=event_id, now=now):
            return False
        if await repo.minutes_recorded(conn, channel_id=message.channel_id, ts=message.ts):
            return False
        review, occurrence = found
        party_id = None
        if author is not None and is_external(author, workspace_id):
            party = await _party(conn, workspace_id, author.team_id, author.team_name, config, now)
            party_id = party.id
        await repo.add_minutes(
            conn,
            review_id=review.id,
            occurrence_at=occurrence,
            at=message.at,
            author_id=message.author_id,
            party_id=party_id,
            text=text[:THREAD_TEXT_LIMIT],
            message=(message.channel_id, message.ts),
        )
    return True


# ------------------------------------------------------------------------------ actions


async def add_action(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    audience: Audience,
    actor: Person,
    owner: Person,
    when: When,
    text: str,
    now: datetime,
) -> tuple[ActionItem, Review]:
    """T-n from R-n: owned by ``owner``, due once at ``when`` (read in ``when.tz``)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    if owner.is_bot:
        raise InvalidInput(f"@{owner.name} is a bot; an action item needs a person to own it.")
    if when.recurrence is not None or when.at <= now:
        raise InvalidInput("An action item is due once, at a time to come.")
    text = clean_line(
        text,
        what="action item",
        limit=ACTION_LIMIT,
        example="`/review action R-3 @owner Dec 18 Send the corrected SLA report`",
    )
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        if review.status is ReviewStatus.CANCELLED:
            raise InvalidInput(f"{review.ref} is cancelled; it takes no action items.")
        if is_external(owner, workspace_id) and owner.team_id not in {
            p.slack_team for p in review.parties
        }:
            raise InvalidInput(
                f"{person_token(owner.user_id)} does not speak for a party of {review.ref}. "
                "Give the item to one of its participants."
            )
        item_number = await counters_repo.next_number(
            conn, workspace_id=workspace_id, kind="action"
        )
        await repo.insert_action(
            conn,
            workspace_id=workspace_id,
            number=item_number,
            review_id=review.id,
            owner_id=owner.user_id,
            due_at=when.at,
            tz=when.tz,
            text=text,
            created_by=actor.user_id,
            now=now,
        )
        item = await repo.get_action(conn, workspace_id=workspace_id, number=item_number)
        assert item is not None
        await notices.owe(
            conn,
            kind=notices.ACTION_POSTED,
            workspace_id=workspace_id,
            lane=notices.review_lane(review.id),
            now=now,
            action_number=item.number,
            owner_id=actor.user_id,
            what=f"the message of {item.ref} in {channel_token(review.channel_id)}",
        )
    return item, review


async def action_with_review(
    store: Store, *, workspace_id: str, number: int
) -> tuple[ActionItem, Review]:
    """T-n and the review it came from."""
    async with store.read() as conn:
        item = await repo.get_action(conn, workspace_id=workspace_id, number=number)
        review = None if item is None else await repo.by_id(conn, review_id=item.review_id)
    if item is None or review is None:
        raise NotFound(f"There is no action item T-{number}.")
    return item, review


async def complete_action(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    audience: Audience,
    now: datetime,
    pressed: tuple[str, str] | None = None,
) -> tuple[ActionItem, Review]:
    """Mark T-n done (`pressed`: the message whose Done button did it, edited too).

    Any member of the workspace may (the owner usually does); people of other organisations
    may not, even when the item is theirs. From a shared channel only that channel's
    parties' items can be reached."""
    if is_external(actor, workspace_id):
        raise NotAllowed(
            "Only members of the workspace that runs Parley can mark action items done. "
            "Tell the review's owner in its thread."
        )
    async with store.write() as conn:
        item = await repo.get_action(conn, workspace_id=workspace_id, number=number)
        review = None if item is None else await repo.by_id(conn, review_id=item.review_id)
        if item is None or review is None or not review.concerns(audience):
            where = "" if audience.internal else " in this channel"
            raise NotFound(f"There is no action item T-{number}{where}.")
        if not await repo.complete_action(conn, action_id=item.id, by=actor.user_id, now=now):
            who = f" by {person_token(item.done_by)}" if item.done_by else ""
            raise InvalidInput(f"{item.ref} is already done{who}.")
        after = await repo.get_action(conn, workspace_id=workspace_id, number=number)
        await notices.owe(
            conn,
            kind=notices.ACTION_REFRESH,
            workspace_id=workspace_id,
            lane=notices.review_lane(review.id),
            now=now,
            action_number=number,
            pressed=list(pressed) if pressed else None,
        )
    assert after is not None
    return after, review


async def action_by_number(
    store: Store, *, workspace_id: str, number: int
) -> tuple[ActionItem, Review] | None:
    """T-n and its review as they are now (for a notice being delivered), or None."""
    async with store.read() as conn:
        item = await repo.get_action(conn, workspace_id=workspace_id, number=number)
        review = None if item is None else await repo.by_id(conn, review_id=item.review_id)
    return (item, review) if item is not None and review is not None else None


async def review_by_id(store: Store, *, review_id: int) -> Review | None:
    """R-n as it is now (for a notice being delivered), or None."""
    async with store.read() as conn:
        return await repo.by_id(conn, review_id=review_id)


async def record_action_message(
    store: Store, *, item: ActionItem, channel_id: str, ts: str
) -> None:
    """Remember the item's message in the review's channel, to edit it when it is done."""
    async with store.write() as conn:
        await repo.set_action_message(conn, action_id=item.id, channel_id=channel_id, ts=ts)


async def counterpart_actions(
    store: Store, *, review: Review, audience: Audience
) -> list[ActionItem]:
    """The open action items of the review's counterpart: those of every review with one of
    its parties (or, for a review with no party, its own), as the audience may see them."""
    async with store.read() as conn:
        everything = await repo.find(conn, workspace_id=review.workspace_id)
        mine = {p.id for p in review.parties}
        related = [
            r
            for r in everything
            if (r.id == review.id or (mine and mine & {p.id for p in r.parties}))
            and r.concerns(audience)
        ]
        return await repo.actions_of(conn, review_ids=[r.id for r in related], open_only=True)


# ------------------------------------------------------------------------------ digests


@dataclass(frozen=True)
class ActionLine:
    """An open action item as a digest or Home tab lists it, with its review's parties (so
    a shared channel's digest shows only its own) and the message it was posted as."""

    ref: str
    text: str
    due_at: datetime
    review: str
    owner_id: str
    parties: tuple[Party, ...]
    channel_id: str | None
    ts: str | None


def _line(item: ActionItem, review: Review) -> ActionLine:
    return ActionLine(
        ref=item.ref,
        text=item.text,
        due_at=item.due_at,
        review=review.ref,
        owner_id=item.owner_id,
        parties=review.parties,
        channel_id=item.channel_id,
        ts=item.message_ts,
    )


async def due_within(
    store: Store, *, workspace_id: str, now: datetime, until: datetime
) -> list[Review]:
    """Scheduled reviews meeting between ``now`` and ``until``, soonest first (for digests)."""
    async with store.read() as conn:
        found = await repo.find(conn, workspace_id=workspace_id, statuses=[ReviewStatus.SCHEDULED])
    return [r for r in found if r.next_at is not None and now <= r.next_at <= until]


async def actions_due_within(
    store: Store, *, workspace_id: str, now: datetime, until: datetime
) -> list[ActionLine]:
    """Open action items due by ``until``, overdue ones included: an item is listed in
    digests until it is done."""
    async with store.read() as conn:
        items = [
            i
            for i in await repo.open_actions_due(conn, before=until)
            if i.workspace_id == workspace_id
        ]
        reviews = {
            r.id: r
            for r in await repo.find(conn, workspace_id=workspace_id)
            if r.id in {i.review_id for i in items}
        }
    return [_line(i, reviews[i.review_id]) for i in items if i.review_id in reviews]


async def upcoming_for(
    store: Store, *, workspace_id: str, user_id: str | None, now: datetime
) -> list[Review]:
    """The scheduled reviews this person owns or takes part in, soonest first."""
    async with store.read() as conn:
        found = await repo.find(conn, workspace_id=workspace_id, statuses=[ReviewStatus.SCHEDULED])
    return [
        r
        for r in found
        if r.next_at is not None and r.next_at > now and user_id in (r.owner_id, *r.participants)
    ]


async def open_actions_for(
    store: Store, *, workspace_id: str, user_id: str | None
) -> list[ActionLine]:
    """The open action items this person owns, soonest due first."""
    async with store.read() as conn:
        found = await repo.find(conn, workspace_id=workspace_id)
        items = await repo.actions_of(conn, review_ids=[r.id for r in found], open_only=True)
    by_id = {r.id: r for r in found}
    return [_line(i, by_id[i.review_id]) for i in items if i.owner_id == user_id]


# ------------------------------------------------------------------------------ export


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def review_document(review: Review) -> dict[str, Any]:
    """A review in the contract's export shape."""
    return {
        "id": review.ref,
        "title": review.title,
        "channel": review.channel_id,
        "participants": list(review.participants),
        "recurrence": review.rule_text,
        "next_at": _iso(review.next_at),
        "status": review.status.value,
    }


def action_document(item: ActionItem) -> dict[str, Any]:
    """An action item in the contract's export shape."""
    return {
        "id": item.ref,
        "review": item.review_ref,
        "owner": item.owner_id,
        "due_at": _iso(item.due_at),
        "text": item.text,
        "status": item.status.value,
    }


async def export_reviews(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every review and action item, in the contract's export shapes (times ISO 8601, UTC)."""
    async with store.read() as conn:
        found, items = await repo.everything(conn)
    return [review_document(r) for r in found], [action_document(i) for i in items]
