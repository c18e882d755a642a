"""Periodic reviews: R-n scheduled from chat, changed, read, and listed for digests.

A review's topic is split in three, this module first:

* here: ``schedule_review`` puts R-n on record from a reading of ``/review schedule`` text;
  ``cancel_review`` and ``skip_next`` change it; ``get_review``, ``list_reviews`` and
  ``review_record`` read it as an audience may; ``catch_up`` and ``following`` walk its
  occurrences; what a digest or the Home lists of reviews and open action items;
* reading what people type (the schedule, due dates, R-n and T-n) is pure and lives in
  ``bot.domain.review_schedule``;
* minutes and action items T-n are ``bot.workflows.reviews_actions``.

What falls due over time (reminders, prompts, items due) is ``bot.workflows.review_reminders``,
and the export's shapes are ``bot.workflows.export``. A review in a Slack Connect channel is
its parties' business: it is shown only where they all speak (``Review.concerns``). Nothing
here imports Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.notices import DisputeRefresh
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.recurrence import next_occurrence
from bot.domain.review_schedule import HORIZON, Schedule
from bot.domain.reviews import ActionItem, Minutes, Review, ReviewStatus
from bot.domain.text import clean_line
from bot.domain.text import person as person_token
from bot.domain.when import When
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import reviews as repo
from bot.workflows import notices
from bot.workflows.parties import party_for_team

AGENDA = (
    N_("Review of service delivery against the agreement"),
    N_("Key problems to negotiate"),
    N_("Improvement plan for the next period"),
)
"""The default agenda of every review, as the practice has it."""

TITLE_LIMIT = 150

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
    internal_only(owner, workspace_id, "review.outsiders_schedule")
    title = clean_line(
        title, limit=TITLE_LIMIT, empty="review.title_empty", too_long="review.title_too_long"
    )
    check_people(people, workspace_id=workspace_id, shared_teams=shared_teams)
    when = schedule.when
    if when.at <= now or when.at - now > HORIZON:
        raise InvalidInput("review.beyond_horizon")
    async with store.write() as conn:
        return await put_on_record(
            conn,
            workspace_id=workspace_id,
            channel_id=channel_id,
            shared_teams=shared_teams,
            owner=owner,
            title=title,
            people=people,
            when=when,
            report_within=schedule.report_within,
            meeting_within=schedule.meeting_within,
            config=config,
            now=now,
        )


def check_people(
    people: Sequence[Person],
    *,
    workspace_id: str,
    shared_teams: Sequence[tuple[str, str | None]] | None,
) -> None:
    """Refuse a bot, and in a Slack Connect channel anybody of an organisation it is not
    shared with: only its parties' people (and ours) may take part in a review there."""
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("review.bot", name=bots[0].name)
    shared = {team for team, _ in shared_teams} if shared_teams is not None else None
    for person in people:
        if (
            shared is not None
            and is_external(person, workspace_id)
            and person.team_id not in shared
        ):
            raise InvalidInput("review.not_of_channel", person=person_token(person.user_id))


async def put_on_record(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    channel_id: str,
    shared_teams: Sequence[tuple[str, str | None]] | None,
    owner: Person,
    title: str,
    people: Sequence[Person],
    when: When,
    config: ParleyConfig,
    now: datetime,
    report_within: int | None = None,
    meeting_within: int | None = None,
    members: Sequence[tuple[str, Party | None]] = (),
    parties: Sequence[Party] = (),
    dispute_id: int | None = None,
) -> Review:
    """Insert R-n in the caller's transaction, checked already: its participants (the owner,
    ``people``, then ``members`` already placed with their party), the parties they and the
    channel's other organisations bring in, and ``parties`` besides; ``dispute_id`` makes it
    the meeting of that dispute."""
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
        report_within=report_within,
        meeting_within=meeting_within,
        now=now,
        dispute_id=dispute_id,
    )
    involved: dict[int, Party] = {}
    for team_id, team_name in shared_teams or ():
        party = await _party(conn, workspace_id, team_id, team_name, config, now)
        involved.setdefault(party.id, party)
    for party in parties:
        involved.setdefault(party.id, party)
    placed: list[tuple[str, Party | None]] = []
    for person in [owner, *people]:
        own: Party | None = None
        if is_external(person, workspace_id):
            own = await _party(conn, workspace_id, person.team_id, person.team_name, config, now)
        placed.append((person.user_id, own))
    seen: set[str] = set()
    for position, (user_id, maybe_party) in enumerate([*placed, *members]):
        if user_id in seen:
            continue
        seen.add(user_id)
        if maybe_party is not None:
            involved.setdefault(maybe_party.id, maybe_party)
        await repo.add_participant(
            conn,
            review_id=review_id,
            user_id=user_id,
            party_id=maybe_party.id if maybe_party else None,
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
OUTSIDERS = "review.outsiders"


async def _visible(
    conn: AsyncConnection, *, workspace_id: str, number: int, audience: Audience
) -> Review:
    review = await repo.get(conn, workspace_id=workspace_id, number=number)
    if review is None or not review.concerns(audience):
        if audience.internal:
            raise NotFound("review.not_found", number=number)
        raise NotFound("review.not_found_here", number=number)
    return review


async def get_review(store: Store, *, workspace_id: str, number: int, audience: Audience) -> Review:
    """R-n as this audience may see it; a review of other parties is as good as absent."""
    async with store.read() as conn:
        return await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)


async def list_reviews(
    store: Store,
    *,
    workspace_id: str,
    include_all: bool,
    audience: Audience,
    member: str | None = None,
) -> list[Review]:
    """The scheduled reviews, soonest first (``include_all``: cancelled and done ones after),
    as this audience may see them; only those `member` owns or takes part in, if given."""
    statuses = None if include_all else [ReviewStatus.SCHEDULED]
    async with store.read() as conn:
        found = await repo.find(conn, workspace_id=workspace_id, statuses=statuses, member=member)
    return [r for r in found if r.concerns(audience)]


async def open_action_counts(store: Store, *, reviews: Sequence[Review]) -> dict[int, int]:
    """How many open action items each of these reviews has (by review id)."""
    async with store.read() as conn:
        items = await repo.actions_of(conn, review_ids=[r.id for r in reviews], open_only=True)
    counts: dict[int, int] = {}
    for item in items:
        if item.review_id is not None:
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
            raise InvalidInput("review.already_closed", ref=review.ref, status=review.status)
        if not await repo.cancel(conn, review_id=review.id, now=now):
            raise InvalidInput("review.changed", ref=review.ref)
        if review.dispute_id is not None:
            # A dispute's meeting, called off: its card shows it as it is now.
            refresh = DisputeRefresh(workspace_id=review.workspace_id, dispute_id=review.dispute_id)
            await notices.owe(conn, refresh, now=now)
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
            raise InvalidInput("review.nothing_to_skip", ref=review.ref, status=review.status)
        if review.rule is None:
            raise InvalidInput("review.skip_once", ref=review.ref)
        held, coming = catch_up(review, now=now, calendar=calendar)
        if coming is None:
            raise InvalidInput("review.no_further", ref=review.ref)
        await repo.add_skip(
            conn, review_id=review.id, occurrence_at=coming, by=actor.user_id, now=now
        )
        review = review.model_copy(update={"skipped": (*review.skipped, coming)})
        after_skip = following(review, coming, calendar)
        if after_skip is None:
            zone = ZoneInfo(review.tz)
            raise InvalidInput(
                "review.none_after_skip",
                ref=review.ref,
                skipped=coming.astimezone(zone),
                zone=zone.key,
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
            raise InvalidInput("review.changed", ref=review.ref)
        after = await repo.by_id(conn, review_id=review.id)
    assert after is not None
    return after, coming


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


def _line(item: ActionItem, review: Review | None) -> ActionLine:
    """A review's item carries its review's parties; a scorecard's improvement action none
    (internal business: only an internal digest lists it)."""
    return ActionLine(
        ref=item.ref,
        text=item.text,
        due_at=item.due_at,
        review=item.origin_ref or "",
        owner_id=item.owner_id,
        parties=review.parties if review is not None else (),
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
    return [
        _line(i, reviews.get(i.review_id) if i.review_id is not None else None)
        for i in items
        if i.review_id in reviews or (i.review_id is None and i.scorecard_id is not None)
    ]


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
    """The open action items this person owns (of reviews and of scorecards), soonest due
    first."""
    if user_id is None:
        return []
    async with store.read() as conn:
        items = await repo.open_actions(conn, workspace_id=workspace_id, owner_id=user_id)
        # Only the reviews of these items, not every review the workspace ever held.
        wanted = sorted({i.review_id for i in items if i.review_id is not None})
        found = await repo.find(conn, workspace_id=workspace_id, ids=wanted) if wanted else []
    by_id = {r.id: r for r in found}
    return [
        _line(i, by_id.get(i.review_id) if i.review_id is not None else None)
        for i in items
        if i.review_id in by_id or (i.review_id is None and i.scorecard_id is not None)
    ]
