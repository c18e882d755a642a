"""Complaints: opening one for a customer party, finding them, and the steps of its life
(resolve, the party's answer, escalate, link to the dispute that caused it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain import complaints as rules
from bot.domain import lists
from bot.domain.calendar import WorkCalendar
from bot.domain.complaints import (
    ClosedBy,
    Complaint,
    ComplaintEvent,
    EventKind,
)
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.lists import ListScope
from bot.domain.marks import N_, Words
from bot.domain.notices import (
    ComplaintCard,
    ComplaintClosed,
    ComplaintLine,
    ComplaintRefresh,
    ComplaintTell,
    DisputeRefresh,
)
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.text import clean_line
from bot.store import Store
from bot.store import complaints as repo
from bot.store import counters as counters_repo
from bot.store import disputes as disputes_repo
from bot.store import parties as parties_repo
from bot.workflows import notices, survey_cases
from bot.workflows.parties import party_for_team

TEXT_LIMIT = 2000
REASON_LIMIT = 2000
LIST_LIMIT = 25
# Why an outsider is refused, and what they may do instead.
OUTSIDERS = "complaint.outsiders"


@dataclass(frozen=True)
class ComplaintPage:
    complaints: list[Complaint]
    total: int


def parse_scope(text: str) -> ListScope:
    """The list asked for (`open` when none is named)."""
    return lists.parse_scope(text, "complaint.bad_scope")


async def _whose(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    people: Sequence[Person],
    party_id: int | None,
    channel_teams: frozenset[str] | None,
    config: ParleyConfig,
    now: datetime,
) -> tuple[Party, str | None]:
    """The complaint's party and complainant: the team of the outside person named, else the
    party picked in the form, else the party of the shared channel it is opened in."""
    outsiders = [p for p in people if is_external(p, workspace_id)]
    if len({p.team_id for p in outsiders}) > 1:
        raise InvalidInput("complaint.one_party", field="people")
    complainant = outsiders[0] if outsiders else None
    party: Party | None = None
    if complainant is not None:
        party = await party_for_team(
            conn,
            workspace_id=workspace_id,
            team_id=complainant.team_id,
            team_name=complainant.team_name,
            config=config,
            now=now,
        )
        if party_id is not None and party.id != party_id:
            raise InvalidInput("complaint.complainant_elsewhere", field="people")
    elif party_id is not None:
        party = (await parties_repo.by_ids(conn, ids=[party_id])).get(party_id)
        if party is None:
            raise InvalidInput("complaint.no_party", field="party")
    elif channel_teams is not None and len(channel_teams) == 1:
        (team,) = channel_teams
        party = await party_for_team(
            conn, workspace_id=workspace_id, team_id=team, team_name=None, config=config, now=now
        )
    if party is None:
        raise InvalidInput("complaint.whose", field="people")
    rules.check_customer(party)
    if channel_teams is not None and party.slack_team not in channel_teams:
        # A shared channel only ever shows its own party's complaints.
        raise InvalidInput("complaint.other_party_here", field="people")
    return party, complainant.user_id if complainant else None


async def open_complaint(
    store: Store,
    *,
    workspace_id: str,
    channel_id: str,
    owner: Person,
    text: str,
    people: Sequence[Person],
    channel_teams: frozenset[str] | None,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
    party_id: int | None = None,
) -> Complaint:
    """Open C-n for a customer party, owned by whoever opened it, with both clocks running.

    `channel_teams` are the other organisations of a shared channel (None for an internal
    one); `party_id` is the party picked in the form, if any.
    """
    internal_only(owner, workspace_id, OUTSIDERS)
    text = clean_line(
        text, limit=TEXT_LIMIT, empty="complaint.text_empty", too_long="complaint.text_too_long"
    )
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("complaint.bot", field="people", name=bots[0].name)
    async with store.write() as conn:
        party, complainant_id = await _whose(
            conn,
            workspace_id=workspace_id,
            people=people,
            party_id=party_id,
            channel_teams=channel_teams,
            config=config,
            now=now,
        )
        respond, resolve = config.complaint_limits(party.name)
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="complaint")
        complaint_id = await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            text=text,
            party_id=party.id,
            complainant_id=complainant_id,
            owner_id=owner.user_id,
            channel_id=channel_id,
            now=now,
            answer_due_at=calendar.add_working_days(now, respond),
            resolve_due_at=calendar.add_working_days(now, resolve),
        )
        await repo.add_event(
            conn,
            complaint_id=complaint_id,
            kind=EventKind.OPENED,
            at=now,
            actor_id=owner.user_id,
            party_id=party.id,
            text=text,
        )
        await notices.owe(
            conn,
            ComplaintCard(
                workspace_id=workspace_id,
                complaint_id=complaint_id,
                owner_id=owner.user_id,
                what=N_("the card of C-{number}"),
                what_facts={"number": str(number)},
            ),
            now=now,
        )
        complaint = await repo.get_by_id(conn, complaint_id=complaint_id)
    assert complaint is not None
    return complaint


async def complaint_by_id(store: Store, *, complaint_id: int) -> Complaint | None:
    """The complaint as it is now (for a notice being delivered), or None if it is gone."""
    async with store.read() as conn:
        return await repo.get_by_id(conn, complaint_id=complaint_id)


async def record_card(store: Store, *, complaint: Complaint, ts: str) -> Complaint:
    """Remember the message that is the complaint's card and thread."""
    async with store.write() as conn:
        await repo.set_root(conn, complaint_id=complaint.id, ts=ts)
    return complaint.model_copy(update={"root_ts": ts})


async def get_complaint(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> Complaint:
    """C-n as this audience may see it; another party's complaint is as good as absent."""
    async with store.read() as conn:
        complaint = await repo.get(conn, workspace_id=workspace_id, number=number)
    if complaint is None or not complaint.concerns(audience):
        raise NotFound("complaint.not_found", number=number)
    return complaint


async def complaint_record(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> tuple[Complaint, list[ComplaintEvent]]:
    """The complaint and its record, oldest first."""
    complaint = await get_complaint(
        store, workspace_id=workspace_id, number=number, audience=audience
    )
    async with store.read() as conn:
        events = await repo.events(conn, complaint_id=complaint.id)
    return complaint, events


async def list_complaints(
    store: Store,
    *,
    workspace_id: str,
    scope: ListScope,
    user_id: str,
    audience: Audience,
    now: datetime,
    limit: int = LIST_LIMIT,
) -> ComplaintPage:
    """Newest first: not yet closed (`open`), with a clock run out (`overdue`), open ones the
    person owns (`mine`), or `all`; in a shared channel only that channel's party's."""
    async with store.read() as conn:
        found, total = await repo.find(
            conn,
            workspace_id=workspace_id,
            open_only=scope is not ListScope.ALL,
            owner=user_id if scope is ListScope.MINE else None,
            overdue_at=now if scope is ListScope.OVERDUE else None,
            party_teams=None if audience.internal else audience.team_ids,
            limit=limit,
        )
    return ComplaintPage(complaints=found, total=total)


async def newest_open(
    store: Store,
    *,
    workspace_id: str,
    owner: str | None,
    audience: Audience,
    now: datetime,
    newest: int,
    limit: int,
) -> tuple[list[tuple[Complaint, bool]], int]:
    """Of the `newest` complaints not closed (the `owner`'s, if given; in a shared channel
    only that channel's party's), at most `limit`: those with a clock run out first, each
    with whether it is late; and how many of the `newest` there are (a digest's lines)."""
    async with store.read() as conn:
        return await repo.newest_open(
            conn,
            workspace_id=workspace_id,
            owner=owner,
            party_teams=None if audience.internal else audience.team_ids,
            now=now,
            newest=newest,
            limit=limit,
        )


async def _existing(conn: AsyncConnection, *, workspace_id: str, number: int) -> Complaint:
    complaint = await repo.get(conn, workspace_id=workspace_id, number=number)
    if complaint is None:
        raise NotFound("complaint.not_found", number=number)
    return complaint


async def _line(
    conn: AsyncConnection,
    complaint: Complaint,
    event: EventKind,
    text: str,
    actor_id: str,
    now: datetime,
    round_: int = 0,
) -> None:
    await notices.owe(
        conn,
        ComplaintLine(
            workspace_id=complaint.workspace_id,
            complaint_id=complaint.id,
            event=event,
            text=text,
            actor_id=actor_id,
            round=round_,
            owner_id=complaint.owner_id,
            what=N_("the line in the thread of {ref}"),
            what_facts={"ref": complaint.ref},
        ),
        now=now,
    )
    await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)


async def resolve(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    text: str,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> Complaint:
    """Resolve C-n: the complainant's party is asked in its thread whether it is resolved for
    them, and has `confirm_within` working days to answer before silence closes it. A
    resolution said in the thread is an answer of ours: it stops an answer clock still
    running."""
    internal_only(actor, workspace_id, OUTSIDERS)
    text = clean_line(
        text,
        limit=REASON_LIMIT,
        empty="complaint.resolution_empty",
        too_long="complaint.resolution_too_long",
    )
    async with store.write() as conn:
        complaint = await _existing(conn, workspace_id=workspace_id, number=number)
        rules.check_resolvable(complaint)
        due = calendar.add_working_days(now, config.complaints.confirm_within)
        if not await repo.resolve(
            conn,
            complaint_id=complaint.id,
            round_=complaint.round,
            resolution=text,
            now=now,
            confirm_due_at=due,
        ):
            raise InvalidInput("complaint.changed", ref=complaint.ref)
        await repo.add_event(
            conn,
            complaint_id=complaint.id,
            kind=EventKind.RESOLVED,
            at=now,
            actor_id=actor.user_id,
            text=text,
        )
        if await repo.set_first_answer(conn, complaint_id=complaint.id, at=now):
            await repo.add_event(
                conn,
                complaint_id=complaint.id,
                kind=EventKind.ANSWERED,
                at=now,
                actor_id=actor.user_id,
            )
        await _line(
            conn, complaint, EventKind.RESOLVED, text, actor.user_id, now, complaint.round + 1
        )
        after = await repo.get_by_id(conn, complaint_id=complaint.id)
    assert after is not None
    return after


async def answer(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    round_: int,
    resolved: bool,
    actor: Person,
    now: datetime,
    calendar: WorkCalendar,
    asking: survey_cases.Asking | None = None,
) -> Complaint:
    """The complainant's party answers "Is this resolved for you?": Yes closes C-n (its
    working days to close counted by `calendar`), No opens it again with its resolution clock
    running on. Only a person of the complaint's party may answer, once per resolution."""
    async with store.read() as conn:
        complaint = await repo.get(conn, workspace_id=workspace_id, number=number)
    if complaint is None:
        raise NotFound("complaint.not_found", number=number)
    if not is_external(actor, workspace_id):
        raise NotAllowed(
            "complaint.insider_confirming", ref=complaint.ref, party=complaint.party.name
        )
    if actor.team_id != complaint.party.slack_team:
        # Another party's complaint: told exactly what a missing one tells, nothing more.
        raise NotFound("complaint.not_found", number=number)
    rules.check_answerable(complaint, round_)
    async with store.write() as conn:
        if not await repo.answer(
            conn,
            complaint_id=complaint.id,
            round_=round_,
            resolved=resolved,
            now=now,
            close_days=rules.close_days(calendar, complaint.opened_at, now),
        ):
            raise InvalidInput("complaint.answered", ref=complaint.ref)
        kind = EventKind.CONFIRMED if resolved else EventKind.NOT_RESOLVED
        await repo.add_event(
            conn,
            complaint_id=complaint.id,
            kind=kind,
            at=now,
            actor_id=actor.user_id,
            party_id=complaint.party.id,
        )
        if resolved:
            await close_owed(conn, complaint, ClosedBy.CONFIRMED, now, asking=asking)
        else:
            await _line(conn, complaint, kind, "", actor.user_id, now)
        after = await repo.get_by_id(conn, complaint_id=complaint.id)
    assert after is not None
    return after


async def close_owed(
    conn: AsyncConnection,
    complaint: Complaint,
    closed_by: ClosedBy,
    now: datetime,
    working_days: int = 0,
    *,
    asking: survey_cases.Asking | None,
) -> None:
    """What a closed complaint owes, in the caller's transaction: one `ComplaintClosed`
    (said in its thread), the card's edit, and the customer's case survey after it (if
    `[surveys] after` has complaints; `asking` None: none). The one place a complaint's close
    is owed."""
    await notices.owe(
        conn,
        ComplaintClosed(
            workspace_id=complaint.workspace_id,
            complaint_id=complaint.id,
            closed_by=closed_by,
            working_days=working_days,
        ),
        now=now,
        dedupe=f"complaint-closed:{complaint.id}:{complaint.round}",
    )
    await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)
    await survey_cases.after_complaint(conn, complaint, asking, now)


ESCALATE_EXAMPLE = Words(N_("`/complaint escalate C-3 The customer's CIO called`"))


async def escalate(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    text: str,
    config: ParleyConfig,
    now: datetime,
) -> Complaint:
    """Escalate C-n with a reason: on its record, on its card, and the complaints escalation
    channel told (an internal post)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    text = clean_line(
        text,
        limit=REASON_LIMIT,
        empty="complaint.reason_empty",
        too_long="complaint.reason_too_long",
        example=ESCALATE_EXAMPLE,
    )
    async with store.write() as conn:
        complaint = await _existing(conn, workspace_id=workspace_id, number=number)
        rules.check_open(complaint)
        if not await repo.count_escalation(conn, complaint_id=complaint.id):
            raise InvalidInput("complaint.changed", ref=complaint.ref)
        await repo.add_event(
            conn,
            complaint_id=complaint.id,
            kind=EventKind.ESCALATED,
            at=now,
            actor_id=actor.user_id,
            text=text,
        )
        await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)
        if config.channels.complaints:
            await notices.owe(
                conn,
                ComplaintTell(
                    workspace_id=workspace_id,
                    complaint_id=complaint.id,
                    channel_id=config.channels.complaints,
                    text=text,
                    actor_id=actor.user_id,
                    owner_id=actor.user_id,
                    what=N_("the escalation notice of {ref}"),
                    what_facts={"ref": complaint.ref},
                ),
                now=now,
            )
        after = await repo.get_by_id(conn, complaint_id=complaint.id)
    assert after is not None
    return after


async def link(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    dispute_number: int,
    actor: Person,
    now: datetime,
) -> Complaint:
    """C-n was caused by D-m: shown on both records."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        complaint = await _existing(conn, workspace_id=workspace_id, number=number)
        dispute = await disputes_repo.get(conn, workspace_id=workspace_id, number=dispute_number)
        if dispute is None:
            raise NotFound("complaint.no_dispute", number=dispute_number)
        if not await repo.link_dispute(
            conn, complaint_id=complaint.id, dispute_id=dispute.id, user_id=actor.user_id, now=now
        ):
            raise InvalidInput("complaint.linked_already", ref=complaint.ref, dispute=dispute.ref)
        await repo.add_event(
            conn,
            complaint_id=complaint.id,
            kind=EventKind.LINKED,
            at=now,
            actor_id=actor.user_id,
            text=dispute.ref,
        )
        await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)
        await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
        after = await repo.get_by_id(conn, complaint_id=complaint.id)
    assert after is not None
    return after


async def of_dispute(store: Store, *, dispute_id: int, audience: Audience) -> list[str]:
    """The refs of the complaints that dispute caused, as this audience may see them."""
    async with store.read() as conn:
        found = await repo.of_dispute(conn, dispute_id=dispute_id)
        teams = {}
        if not audience.internal and found:
            teams = await parties_repo.by_ids(conn, ids={p for _, p in found})
    if audience.internal:
        return [f"C-{n}" for n, _ in found]
    return [
        f"C-{n}"
        for n, p in found
        if p in teams
        and teams[p].slack_team is not None
        and teams[p].slack_team in audience.team_ids
    ]
