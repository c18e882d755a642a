"""Supplier audits: `/audit open|rate|list|show|schedule|unschedule`, the scheduled drafts made
at the end of each period, and the shared channels' membership events staff stability counts.

A scorecard S-n is computed from the record of one supplier and one period (six dimensions,
`bot/domain/audit_scores.py`, from the figures of `bot/store/audit_figures.py`), weighted and
banded by the config's `[audits]`. Insiders only: the figures are the company's judgement of
the supplier. Publishing (internally and in the supplier's shared channel) is its own step.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain import audit_scores as scores
from bot.domain import audits as rules
from bot.domain.audits import (
    AuditSchedule,
    Dimension,
    DimensionScore,
    Recurrence,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
)
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import contract_named
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.notices import AuditDraftReady
from bot.domain.parties import Party, Person, internal_only
from bot.domain.reports import Period
from bot.store import Store, counters
from bot.store import audit_figures as figures_repo
from bot.store import audit_schedules as schedules_repo
from bot.store import audits as repo
from bot.store import memberships as memberships_repo
from bot.store import parties as parties_repo
from bot.workflows import notices

# Why an outsider is refused.
OUTSIDERS = "audit.outsiders"
LIST_LIMIT = 20


async def _dimensions(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party: Party,
    start: datetime,
    end: datetime,
    config: ParleyConfig,
    calendar: WorkCalendar,
    rating: int | None,
) -> list[DimensionScore]:
    """The six dimensions of `party` in [start, end), each with its weight from the config."""
    contract = contract_named(party.name, config.support_contracts.values())
    found = await figures_repo.figures(
        conn,
        workspace_id=workspace_id,
        party_id=party.id,
        start=start,
        end=end,
        contract=contract,
        calendar=calendar,
    )
    weights = config.audits.weights.by_dimension
    cooperation = rules.cooperation_score(rating)
    return [
        scores.responsiveness(found, contract, weights[Dimension.RESPONSIVENESS]),
        scores.problem_solving(found, weights[Dimension.PROBLEM_SOLVING]),
        scores.efficiency(found, contract, weights[Dimension.EFFICIENCY]),
        scores.staff_stability(found, weights[Dimension.STAFF_STABILITY]),
        scores.customer_feedback(found, weights[Dimension.CUSTOMER_FEEDBACK]),
        cooperation.model_copy(update={"weight": weights[Dimension.COOPERATION]}),
    ]


def _summed(
    dimensions: list[DimensionScore] | tuple[DimensionScore, ...], config: ParleyConfig
) -> tuple[float | None, rules.Band | None]:
    """The total over the dimensions with data (by the weights they carry) and its band."""
    weights = {d.dimension: d.weight for d in dimensions}
    total = rules.total(dimensions, weights)
    return total, rules.band(total, config.audits.bands.by_band)


async def _draft(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party: Party,
    start: datetime,
    end: datetime,
    owner_id: str,
    created_by: str | None,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
    schedule_id: int | None = None,
) -> int:
    dimensions = await _dimensions(
        conn,
        workspace_id=workspace_id,
        party=party,
        start=start,
        end=end,
        config=config,
        calendar=calendar,
        rating=None,
    )
    total, band = _summed(dimensions, config)
    number = await counters.next_number(conn, workspace_id=workspace_id, kind=repo.COUNTER_KIND)
    return await repo.insert(
        conn,
        workspace_id=workspace_id,
        number=number,
        party_id=party.id,
        period_start=start,
        period_end=end,
        owner_id=owner_id,
        now=now,
        created_by=created_by,
        dimensions=dimensions,
        total=total,
        band=band,
        schedule_id=schedule_id,
    )


async def _supplier(conn: AsyncConnection, *, workspace_id: str, name: str) -> Party:
    name = rules.supplier_name(name)
    party = await parties_repo.by_name(conn, workspace_id=workspace_id, name=name) if name else None
    return rules.check_supplier(party, name)


async def open_scorecard(
    store: Store,
    *,
    workspace_id: str,
    auditor: Person,
    text: str,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> Scorecard:
    """`/audit open <supplier> [last quarter|<from> to <to>]`: a draft scorecard of the supplier
    for the period (no period: last quarter), computed from the record; its owner is the
    auditor. The supplier must be a known supplier; the period must have begun."""
    internal_only(auditor, workspace_id, OUTSIDERS)
    asked = rules.split_supplier_and_period(text, today=calendar.local_date(now))
    start, end = asked.period.bounds(calendar.tz)
    async with store.write() as conn:
        party = await _supplier(conn, workspace_id=workspace_id, name=asked.party)
        scorecard_id = await _draft(
            conn,
            workspace_id=workspace_id,
            party=party,
            start=start,
            end=end,
            owner_id=auditor.user_id,
            created_by=auditor.user_id,
            config=config,
            calendar=calendar,
            now=now,
        )
        found = await repo.by_id(conn, scorecard_id=scorecard_id)
    assert found is not None
    return found


async def _card(conn: AsyncConnection, *, workspace_id: str, number: int) -> Scorecard:
    found = await repo.get(conn, workspace_id=workspace_id, number=number)
    if found is None:
        raise NotFound("audit.unknown", ref=f"S-{number}")
    return found


async def rate(
    store: Store,
    *,
    workspace_id: str,
    rater: Person,
    number: int,
    cooperation: object,
    notes: str | None,
    config: ParleyConfig,
    now: datetime,
    seen_version: int | None = None,
) -> Scorecard:
    """The auditor's form: the cooperation climate (1-5) and notes. Rating a published
    scorecard begins its next version (the published one is kept). `seen_version` is the
    version the form was opened on: a newer one begun meanwhile refuses the stale form."""
    internal_only(rater, workspace_id, OUTSIDERS)
    rating = rules.check_rating(cooperation)
    text = rules.check_notes(notes)
    async with store.write() as conn:
        card = await _card(conn, workspace_id=workspace_id, number=number)
        if seen_version is not None and card.version != seen_version:
            raise InvalidInput("audit.changed", ref=card.ref)
        version = card.version
        if card.status is ScorecardStatus.PUBLISHED:
            begun = await repo.new_version(conn, scorecard_id=card.id, version=version)
            if begun is None:
                raise InvalidInput("audit.changed", ref=card.ref)
            version = begun
        if not await repo.set_rating(
            conn,
            scorecard_id=card.id,
            version=version,
            cooperation=rating,
            notes=text,
            by=rater.user_id,
            now=now,
        ):
            raise InvalidInput("audit.changed", ref=card.ref)
        weight = config.audits.weights.by_dimension[Dimension.COOPERATION]
        climate = rules.cooperation_score(rating).model_copy(update={"weight": weight})
        others = [d for d in card.dimensions if d.dimension is not Dimension.COOPERATION]
        total, band = _summed([*others, climate], config)
        await repo.set_dimensions(
            conn,
            scorecard_id=card.id,
            version=version,
            dimensions=[climate],
            total=total,
            band=band,
        )
        found = await repo.by_id(conn, scorecard_id=card.id)
    assert found is not None
    return found


async def rating_of(store: Store, *, workspace_id: str, rater: Person, number: int) -> Scorecard:
    """The scorecard the rating form is for (checked before the form opens)."""
    internal_only(rater, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        return await _card(conn, workspace_id=workspace_id, number=number)


async def show(
    store: Store, *, workspace_id: str, asker: Person, number: int
) -> tuple[Scorecard, list[ScorecardVersion]]:
    """S-n as it is now, and its earlier published versions."""
    internal_only(asker, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        card = await _card(conn, workspace_id=workspace_id, number=number)
        return card, await repo.versions(conn, scorecard_id=card.id)


async def list_scorecards(
    store: Store, *, workspace_id: str, asker: Person, supplier: str
) -> tuple[list[Scorecard], int, Party | None, list[AuditSchedule]]:
    """`/audit list [supplier]`: the newest scorecards (of one supplier, or every one), how
    many there are, and the active schedules."""
    internal_only(asker, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        party = None
        if supplier:
            party = await _supplier(conn, workspace_id=workspace_id, name=supplier)
        page, count = await repo.find(
            conn,
            workspace_id=workspace_id,
            party_id=party.id if party is not None else None,
            limit=LIST_LIMIT,
        )
        planned = await schedules_repo.active(
            conn, workspace_id=workspace_id, party_id=party.id if party is not None else None
        )
    return page, count, party, planned


def _boundary(day: date, calendar: WorkCalendar) -> datetime:
    """The local midnight that begins `day`, in UTC."""
    return Period(start=day, end=day).bounds(calendar.tz)[0]


async def schedule(
    store: Store,
    *,
    workspace_id: str,
    asker: Person,
    text: str,
    calendar: WorkCalendar,
    now: datetime,
) -> AuditSchedule:
    """`/audit schedule <supplier> every quarter`: a draft at the end of each period, its owner
    (the asker) reminded once. One schedule per supplier: a new one replaces the old."""
    internal_only(asker, workspace_id, OUTSIDERS)
    name, recurrence = rules.split_supplier_and_recurrence(text)
    following = recurrence.period_after(recurrence.period_of(calendar.local_date(now)))
    async with store.write() as conn:
        party = await _supplier(conn, workspace_id=workspace_id, name=name)
        await schedules_repo.deactivate(conn, workspace_id=workspace_id, party_id=party.id)
        schedule_id = await schedules_repo.insert(
            conn,
            workspace_id=workspace_id,
            party_id=party.id,
            recurrence=recurrence.value,
            next_at=_boundary(following, calendar),
            owner_id=asker.user_id,
            now=now,
        )
        planned = await schedules_repo.active(conn, workspace_id=workspace_id, party_id=party.id)
    return next(s for s in planned if s.id == schedule_id)


async def unschedule(store: Store, *, workspace_id: str, asker: Person, text: str) -> Party:
    """`/audit unschedule <supplier>`: no more scheduled drafts of it."""
    internal_only(asker, workspace_id, OUTSIDERS)
    name = " ".join(text.split())
    async with store.write() as conn:
        party = await _supplier(conn, workspace_id=workspace_id, name=name)
        if not await schedules_repo.deactivate(conn, workspace_id=workspace_id, party_id=party.id):
            raise InvalidInput("audit.not_scheduled", name=party.name)
    return party


async def make_scheduled_drafts(
    store: Store, *, config: ParleyConfig, calendar: WorkCalendar, now: datetime
) -> list[int]:
    """The background job: each schedule whose period has ended gets its draft and its owner
    one reminder, exactly once across instances (the schedule moves on only from the time
    this instance read; the draft's schedule and period are unique; the DM is owed with
    both). The ids of the drafts made."""
    async with store.read() as conn:
        due = await schedules_repo.due(conn, now=now)
    made: list[int] = []
    for planned in due:
        recurrence = Recurrence(planned.recurrence)
        ends = calendar.local_date(planned.next_at)
        begins = recurrence.period_before(ends)
        start, end = _boundary(begins, calendar), planned.next_at
        following = _boundary(recurrence.period_after(ends), calendar)
        async with store.write() as conn:
            if not await schedules_repo.advance(
                conn, schedule_id=planned.id, was=planned.next_at, to=following
            ):
                continue  # another instance took this period
            if await schedules_repo.for_schedule(conn, schedule_id=planned.id, period_start=start):
                continue
            scorecard_id = await _draft(
                conn,
                workspace_id=planned.workspace_id,
                party=planned.party,
                start=start,
                end=end,
                owner_id=planned.owner_id,
                created_by=None,
                config=config,
                calendar=calendar,
                now=now,
                schedule_id=planned.id,
            )
            if await schedules_repo.claim_reminder(conn, scorecard_id=scorecard_id):
                ready = AuditDraftReady(
                    workspace_id=planned.workspace_id,
                    scorecard_id=scorecard_id,
                    owner_id=planned.owner_id,
                )
                await notices.owe(conn, ready, now=now, dedupe=f"audit.draft:{scorecard_id}")
        made.append(scorecard_id)
    return made


async def draft_of(store: Store, *, scorecard_id: int) -> Scorecard | None:
    """A scorecard by its id (for the reminder's deliverer)."""
    async with store.read() as conn:
        return await repo.by_id(conn, scorecard_id=scorecard_id)


# --------------------------------------------------------------------------------------------
# Membership of the shared channels (staff stability)


async def record_membership(
    store: Store,
    *,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    team_id: str | None,
    joined: bool,
    at: datetime,
    event_id: str,
) -> bool:
    """Record a `member_joined_channel` / `member_left_channel` as the event carries it, before
    the ack (placed on its party by Slack's record after it); False for a replayed event."""
    async with store.write() as conn:
        return await memberships_repo.record(
            conn,
            workspace_id=workspace_id,
            channel_id=channel_id,
            user_id=user_id,
            team_id=team_id,
            party_id=None,
            event=memberships_repo.MembershipEvent.JOINED
            if joined
            else memberships_repo.MembershipEvent.LEFT,
            at=at,
            event_id=event_id,
        )


async def place_membership(
    store: Store,
    *,
    workspace_id: str,
    event_id: str,
    person: Person,
    channel_teams: frozenset[str],
) -> int | None:
    """Place a recorded membership event by Slack's record of the person: kept, on their party,
    when they are a party's person in a channel shared with that party's team; else forgotten
    (only the shared channels' outside people count). The party's id, or None."""
    async with store.write() as conn:
        party = None
        if person.team_id != workspace_id and person.team_id in channel_teams:
            party = await parties_repo.by_team(
                conn, workspace_id=workspace_id, slack_team=person.team_id
            )
        if party is None:
            await memberships_repo.forget(conn, event_id=event_id)
            return None
        await memberships_repo.place(
            conn, event_id=event_id, party_id=party.id, team_id=person.team_id
        )
        return party.id
