"""The figures of one supplier's record for one period, for its scorecard's dimensions.

Counted in SQL, or in one pass over rows bounded by the supplier's disputes in the period (its
first replies, its closed disputes) or by its people (membership events): never by loading the
dispute timeline's events. Each row's support hours and working days are counted over the
calendar's table of days (`bot/domain/audit_clock.py`), from instants read as whole
microseconds. The statements are written once (`Prepared`). The scoring is
`bot/domain/audit_scores.py`; the formulas are written down in `docs/audits.md`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audit_clock import clock_for
from bot.domain.audit_scores import Figures, microseconds
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import Contract, SupportHours
from bot.domain.ladder import Stage, Status
from bot.domain.surveys import CaseKind
from bot.store.disputes_timeline import current_replies
from bot.store.prepared import Prepared
from bot.store.schema import (
    complaint_disputes,
    complaints,
    dispute_parties,
    disputes,
    timeline,
)
from bot.store.schema_audits import channel_memberships
from bot.store.schema_surveys import survey_ratings, survey_responses, surveys
from bot.store.types import UTCDateTime, UTCMicroseconds

#: The stages a dispute resolved in counts as solved before the company process.
EARLY_STAGES = (Stage.COORDINATION.value, Stage.MULTI_PARTY.value)

# The parameters of every statement below: the workspace, the supplier and the period.
_WORKSPACE = sa.bindparam("workspace_id", type_=sa.String)
_PARTY = sa.bindparam("party_id", type_=sa.Integer)
_START = sa.bindparam("start", type_=UTCDateTime)
_END = sa.bindparam("end", type_=UTCDateTime)


def _instant(column: sa.ColumnElement[datetime]) -> sa.ColumnElement[Any]:
    """An instant read as whole microseconds since the epoch, for `audit_clock`."""
    return sa.type_coerce(column, UTCMicroseconds())


def _its_dispute(dispute_id: sa.ColumnElement[int]) -> sa.Exists:
    """Whether the dispute `dispute_id` is one the supplier is a party to: one seek on
    dispute_parties' key per row asked about, not a list of all its disputes built first."""
    return (
        sa.select(dispute_parties.c.dispute_id)
        .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
        .where(
            dispute_parties.c.dispute_id == dispute_id,
            dispute_parties.c.party_id == _PARTY,
            disputes.c.workspace_id == _WORKSPACE,
        )
        .exists()
    )


# Its first replies in the period: when it was brought in, and when it replied (from
# ix_dispute_parties_first_reply alone, and the dispute's workspace).
_FIRST_REPLIES = Prepared(
    sa.select(_instant(dispute_parties.c.added_at), _instant(dispute_parties.c.first_reply_at))
    .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
    .where(
        disputes.c.workspace_id == _WORKSPACE,
        dispute_parties.c.party_id == _PARTY,
        dispute_parties.c.first_reply_at >= _START,
        dispute_parties.c.first_reply_at < _END,
    )
)


def _if_resolved(column: sa.ColumnElement[datetime]) -> sa.ColumnElement[Any]:
    """The instant of a resolved dispute (none of a withdrawn one: it is only counted)."""
    return _instant(sa.case((disputes.c.status == Status.RESOLVED.value, column)))


# Its disputes closed in the period (ix_disputes_closed, then one seek on dispute_parties).
_CLOSED = Prepared(
    sa.select(
        disputes.c.status,
        disputes.c.stage,
        _if_resolved(dispute_parties.c.added_at),
        _if_resolved(disputes.c.closed_at),
    )
    .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
    .where(
        disputes.c.workspace_id == _WORKSPACE,
        dispute_parties.c.party_id == _PARTY,
        disputes.c.status.in_(sa.bindparam("closed", expanding=True, type_=sa.String)),
        disputes.c.closed_at >= _START,
        disputes.c.closed_at < _END,
    )
)
_CLOSED_STATUSES = [Status.RESOLVED.value, Status.WITHDRAWN.value]


def _answered() -> sa.Select[Any]:
    """Its people who replied for it in the period: a loose scan over ix_timeline_party_actor
    (each person who ever acted on the party's events, one seek apiece), then whether one of
    their replies (on its party as placed now) falls in the period; the first such reply
    settles it."""
    following = timeline.alias("following")
    actors = (
        sa.select(sa.func.min(timeline.c.actor_id).label("actor"))
        .where(timeline.c.party_id == _PARTY, timeline.c.actor_id.is_not(None))
        .cte("actors", recursive=True)
    )
    actors = actors.union_all(
        sa.select(
            sa.select(sa.func.min(following.c.actor_id))
            .where(following.c.party_id == _PARTY, following.c.actor_id > actors.c.actor)
            .scalar_subquery()
        ).where(actors.c.actor.is_not(None))
    )
    replied = (
        sa.select(timeline.c.id)
        .join(disputes, disputes.c.id == timeline.c.dispute_id)
        .where(
            timeline.c.party_id == _PARTY,
            timeline.c.actor_id == actors.c.actor,
            timeline.c.at >= _START,
            timeline.c.at < _END,
            current_replies(),  # each reply on its party as placed now
            disputes.c.workspace_id == _WORKSPACE,
        )
    )
    return sa.select(actors.c.actor).where(actors.c.actor.is_not(None), replied.exists())


_ANSWERED = Prepared(_answered())

# Each person's membership events in its shared channels up to the period's end, in order:
# bounded by its people, not by the record of its disputes.
_MEMBERSHIP_EVENTS = Prepared(
    sa.select(
        channel_memberships.c.user_id,
        channel_memberships.c.event,
        _instant(channel_memberships.c.at),
    )
    .where(
        channel_memberships.c.workspace_id == _WORKSPACE,
        channel_memberships.c.party_id == _PARTY,
        channel_memberships.c.at < _END,
    )
    .order_by(channel_memberships.c.at, channel_memberships.c.id)
)

# The other parties' current survey ratings on its disputes, answered in the period.
_RATINGS = Prepared(
    sa.select(survey_ratings.c.rating)
    .join(survey_responses, survey_responses.c.id == survey_ratings.c.response_id)
    .join(surveys, surveys.c.id == survey_responses.c.survey_id)
    .where(
        surveys.c.workspace_id == _WORKSPACE,
        surveys.c.case_kind == CaseKind.DISPUTE.value,
        _its_dispute(surveys.c.case_id),
        survey_responses.c.party_id != _PARTY,
        survey_responses.c.replaced_at.is_(None),
        survey_responses.c.at >= _START,
        survey_responses.c.at < _END,
    )
    .order_by(survey_ratings.c.response_id, survey_ratings.c.question)
)

# The complaints opened in the period linked to its disputes.
_LINKED = Prepared(
    sa.select(sa.func.count(sa.distinct(complaints.c.id)))
    .join(complaint_disputes, complaint_disputes.c.complaint_id == complaints.c.id)
    .where(
        complaints.c.workspace_id == _WORKSPACE,
        _its_dispute(complaint_disputes.c.dispute_id),
        complaints.c.opened_at >= _START,
        complaints.c.opened_at < _END,
    )
)


def _first_replies(
    rows: list[tuple[Any, ...]], contract: Contract | None, calendar: WorkCalendar
) -> tuple[int, int, tuple[float, ...]]:
    support = contract.terms.support_hours if contract is not None else SupportHours.ALWAYS
    agreed = contract.terms.response_hours if contract is not None else None
    hours, within = clock_for(calendar).first_replies(rows, support, agreed)
    return len(hours), within, tuple(hours)


def _closed(
    rows: list[tuple[Any, ...]], contract: Contract | None, calendar: WorkCalendar
) -> tuple[int, int, tuple[float, ...], tuple[int, ...]]:
    support = contract.terms.support_hours if contract is not None else SupportHours.ALWAYS
    early, spans = 0, []
    for status, stage, added_at, closed_at in rows:
        if status == Status.RESOLVED.value:
            early += stage in EARLY_STAGES
            spans.append((added_at, closed_at))
    hours, days = clock_for(calendar).resolutions(spans, support)
    return len(rows), early, tuple(hours), tuple(max(0, d) for d in days)


def _people(
    answered: list[tuple[Any, ...]], events: list[tuple[Any, ...]], start: datetime
) -> tuple[int, int]:
    """Its people in the period (who answered for it, or sat in its shared channels) and how
    many of them had left its shared channels by the period's end."""
    people = {user for (user,) in answered}
    last: dict[str, str] = {}
    sat: set[str] = set()
    begins = microseconds(start)
    for user, event, at in events:
        # In the channels during the period: an event in it, or joined before it.
        if at >= begins or event == "joined":
            sat.add(user)
        if at < begins and event == "left":
            sat.discard(user)
        last[user] = event
    people |= sat
    leavers = sum(1 for user in people if last.get(user) == "left")
    return len(people), leavers


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
    params = {"workspace_id": workspace_id, "party_id": party_id, "start": start, "end": end}
    replies, within, reply_hours = _first_replies(
        await _FIRST_REPLIES.rows(conn, params), contract, calendar
    )
    closed, early, resolve_hours, resolve_days = _closed(
        await _CLOSED.rows(conn, {**params, "closed": _CLOSED_STATUSES}), contract, calendar
    )
    people, leavers = _people(
        await _ANSWERED.rows(conn, params), await _MEMBERSHIP_EVENTS.rows(conn, params), start
    )
    ratings = tuple(int(r) for (r,) in await _RATINGS.rows(conn, params))
    linked = int(await _LINKED.scalar(conn, params))
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
