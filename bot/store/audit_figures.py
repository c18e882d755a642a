"""The figures of one supplier's record for one period, for its scorecard's dimensions.

Counted in SQL, or in one pass over rows bounded by the supplier's disputes in the period (its
first replies, its closed disputes) or by its people (membership events): never by loading the
dispute timeline's events. The scoring is `bot/domain/audit_scores.py`; the formulas are
written down in `docs/audits.md`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit_clock import clock_for
from bot.domain.audit_scores import Figures, microseconds
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import Contract, SupportHours
from bot.domain.ladder import Stage, Status
from bot.domain.surveys import CaseKind
from bot.store.disputes_timeline import current_replies
from bot.store.schema import (
    complaint_disputes,
    complaints,
    dispute_parties,
    disputes,
    timeline,
)
from bot.store.schema_audits import channel_memberships
from bot.store.schema_surveys import survey_ratings, survey_responses, surveys
from bot.store.types import UTCMicroseconds

#: The stages a dispute resolved in counts as solved before the company process.
EARLY_STAGES = (Stage.COORDINATION.value, Stage.MULTI_PARTY.value)


def _its_dispute(dispute_id: sa.ColumnElement[int], workspace_id: str, party_id: int) -> sa.Exists:
    """Whether the dispute `dispute_id` is one the supplier is a party to: one seek on
    dispute_parties' key per row asked about, not a list of all its disputes built first."""
    return (
        sa.select(dispute_parties.c.dispute_id)
        .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
        .where(
            dispute_parties.c.dispute_id == dispute_id,
            dispute_parties.c.party_id == party_id,
            disputes.c.workspace_id == workspace_id,
        )
        .exists()
    )


def _instant(column: sa.ColumnElement[datetime]) -> sa.ColumnElement[int]:
    """An instant read as whole microseconds since the epoch, for `audit_clock`."""
    return sa.type_coerce(column, UTCMicroseconds())


async def _first_replies(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int,
    start: datetime,
    end: datetime,
    contract: Contract | None,
    calendar: WorkCalendar,
) -> tuple[int, int, tuple[float, ...]]:
    rows = await conn.execute(
        sa.select(_instant(dispute_parties.c.added_at), _instant(dispute_parties.c.first_reply_at))
        .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
        .where(
            disputes.c.workspace_id == workspace_id,
            dispute_parties.c.party_id == party_id,
            dispute_parties.c.first_reply_at >= start,
            dispute_parties.c.first_reply_at < end,
        )
    )
    support = contract.terms.support_hours if contract is not None else SupportHours.ALWAYS
    agreed = contract.terms.response_hours if contract is not None else None
    hours, within = clock_for(calendar).first_replies(rows.all(), support, agreed)
    return len(hours), within, tuple(hours)


async def _closed(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int,
    start: datetime,
    end: datetime,
    contract: Contract | None,
    calendar: WorkCalendar,
) -> tuple[int, int, tuple[float, ...], tuple[int, ...]]:
    rows = await conn.execute(
        sa.select(
            disputes.c.status,
            disputes.c.stage,
            _instant(dispute_parties.c.added_at),
            _instant(disputes.c.closed_at),
        )
        .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
        .where(
            disputes.c.workspace_id == workspace_id,
            dispute_parties.c.party_id == party_id,
            disputes.c.status.in_([Status.RESOLVED.value, Status.WITHDRAWN.value]),
            disputes.c.closed_at >= start,
            disputes.c.closed_at < end,
        )
    )
    support = contract.terms.support_hours if contract is not None else SupportHours.ALWAYS
    closed, early, spans = 0, 0, []
    for status, stage, added_at, closed_at in rows.all():
        closed += 1
        if status == Status.RESOLVED.value:
            early += stage in EARLY_STAGES
            spans.append((added_at, closed_at))
    hours, days = clock_for(calendar).resolutions(spans, support)
    return closed, early, tuple(hours), tuple(max(0, d) for d in days)


async def _people(
    conn: AsyncConnection, *, workspace_id: str, party_id: int, start: datetime, end: datetime
) -> tuple[int, int]:
    """Its people in the period (who answered for it, or sat in its shared channels) and how
    many of them had left its shared channels by the period's end."""
    # A loose scan over ix_timeline_party_actor: each person who ever acted on the party's
    # events, one seek apiece, then whether one of their replies (on its party as placed now)
    # falls in the period; the first such reply settles it.
    following = timeline.alias("following")
    actors = (
        sa.select(sa.func.min(timeline.c.actor_id).label("actor"))
        .where(timeline.c.party_id == party_id, timeline.c.actor_id.is_not(None))
        .cte("actors", recursive=True)
    )
    actors = actors.union_all(
        sa.select(
            sa.select(sa.func.min(following.c.actor_id))
            .where(following.c.party_id == party_id, following.c.actor_id > actors.c.actor)
            .scalar_subquery()
        ).where(actors.c.actor.is_not(None))
    )
    replied = (
        sa.select(timeline.c.id)
        .join(disputes, disputes.c.id == timeline.c.dispute_id)
        .where(
            timeline.c.party_id == party_id,
            timeline.c.actor_id == actors.c.actor,
            timeline.c.at >= start,
            timeline.c.at < end,
            current_replies(),  # each reply on its party as placed now
            disputes.c.workspace_id == workspace_id,
        )
    )
    answered = await conn.execute(
        sa.select(actors.c.actor).where(actors.c.actor.is_not(None), replied.exists())
    )
    people = {user for (user,) in answered}
    # Each person's membership events in its shared channels up to the period's end, in order:
    # bounded by its people, not by the record of its disputes.
    events = await conn.execute(
        sa.select(
            channel_memberships.c.user_id,
            channel_memberships.c.event,
            _instant(channel_memberships.c.at),
        )
        .where(
            channel_memberships.c.workspace_id == workspace_id,
            channel_memberships.c.party_id == party_id,
            channel_memberships.c.at < end,
        )
        .order_by(channel_memberships.c.at, channel_memberships.c.id)
    )
    last: dict[str, str] = {}
    sat: set[str] = set()
    begins = microseconds(start)
    for user, event, at in events.all():
        # In the channels during the period: an event in it, or joined before it.
        if at >= begins or event == "joined":
            sat.add(user)
        if at < begins and event == "left":
            sat.discard(user)
        last[user] = event
    people |= sat
    leavers = sum(1 for user in people if last.get(user) == "left")
    return len(people), leavers


async def _feedback(
    conn: AsyncConnection, *, workspace_id: str, party_id: int, start: datetime, end: datetime
) -> tuple[tuple[int, ...], int]:
    """The other parties' survey ratings on its disputes, and the complaints linked to them."""
    ratings = await conn.execute(
        sa.select(survey_ratings.c.rating)
        .join(survey_responses, survey_responses.c.id == survey_ratings.c.response_id)
        .join(surveys, surveys.c.id == survey_responses.c.survey_id)
        .where(
            surveys.c.workspace_id == workspace_id,
            surveys.c.case_kind == CaseKind.DISPUTE.value,
            _its_dispute(surveys.c.case_id, workspace_id, party_id),
            survey_responses.c.party_id != party_id,
            survey_responses.c.replaced_at.is_(None),
            survey_responses.c.at >= start,
            survey_responses.c.at < end,
        )
        .order_by(survey_ratings.c.response_id, survey_ratings.c.question)
    )
    linked = await conn.execute(
        sa.select(sa.func.count(sa.distinct(complaints.c.id)))
        .join(complaint_disputes, complaint_disputes.c.complaint_id == complaints.c.id)
        .where(
            complaints.c.workspace_id == workspace_id,
            _its_dispute(complaint_disputes.c.dispute_id, workspace_id, party_id),
            complaints.c.opened_at >= start,
            complaints.c.opened_at < end,
        )
    )
    return tuple(int(r) for (r,) in ratings), int(linked.scalar_one())


async def figures(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int,
    start: datetime,
    end: datetime,
    contract: Contract | None,
    calendar: WorkCalendar,
) -> Figures:
    """What the record holds of the supplier in [start, end)."""
    ws, party = workspace_id, party_id
    replies, within, reply_hours = await _first_replies(
        conn,
        workspace_id=ws,
        party_id=party,
        start=start,
        end=end,
        contract=contract,
        calendar=calendar,
    )
    closed, early, resolve_hours, resolve_days = await _closed(
        conn,
        workspace_id=ws,
        party_id=party,
        start=start,
        end=end,
        contract=contract,
        calendar=calendar,
    )
    people, leavers = await _people(conn, workspace_id=ws, party_id=party, start=start, end=end)
    ratings, linked = await _feedback(conn, workspace_id=ws, party_id=party, start=start, end=end)
    return Figures(
        first_replies=replies,
        replies_within=within,
        reply_hours=reply_hours,
        closed=closed,
        solved_early=early,
        resolve_hours=resolve_hours,
        resolve_working_days=resolve_days,
        people=people,
        leavers=leavers,
        ratings=ratings,
        complaints=linked,
    )
