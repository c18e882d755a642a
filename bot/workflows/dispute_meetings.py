"""The meeting of a dispute: `/dispute meet D-n <when> [with @user …]` calls a one-off review
R-n of the dispute, in the dispute's channel.

The meeting is a review like any other (reminded, held, its minutes taken in the reminder's
thread: ``bot.workflows.reviews``, ``review_reminders`` and ``reviews_actions``), linked to
the dispute by ``reviews.dispute_id``. What this module adds: who is invited (everyone on
the dispute, as far as the channel may see them, and the people named), the dispute's own
record of it (``meeting_scheduled`` here; the minutes as ``meeting_minutes`` where they are
taken), the line in the dispute's thread, and the dispute's summary its reminders carry as
the agenda. Nothing here imports Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import ParleyConfig
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.notices import DisputeMeeting, DisputeRefresh
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.review_schedule import HORIZON
from bot.domain.reviews import Review
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.domain.text import person as person_token
from bot.domain.timeline import TimelineKind
from bot.domain.when import When
from bot.store import Store
from bot.store import dispute_meetings as meetings_repo
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import reviews as reviews_repo
from bot.workflows import notices
from bot.workflows.reviews import TITLE_LIMIT, put_on_record

# Why an outsider is refused: the disputes' own words (they may reply in its thread).
OUTSIDERS = "dispute.outsiders"


async def call_meeting(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    asked_in: Audience,
    title_words: str,
    when: When,
    people: Sequence[Person],
    shared_teams: Sequence[tuple[str, str | None]] | None,
    config: ParleyConfig,
    now: datetime,
) -> tuple[Dispute, Review]:
    """Call a meeting on D-n at ``when``: a one-off review R-n in the dispute's channel.

    ``title_words`` is the title in the caller's words, with ``{ref}`` and ``{title}`` for
    the dispute's. ``shared_teams`` are the other organisations of the dispute's channel
    (``None`` when it is internal): there only their people and ours are invited, and a
    person named of any other organisation is refused. Invited: the owner of the meeting,
    the people named, and everyone on the dispute the channel may see. A closed dispute
    meets no more (reopen it first). Asked in a shared channel (``asked_in``), only a dispute
    of that channel's parties is found, and only in its own channel may it be called there.
    The dispute's record gets ``meeting_scheduled``, its thread a line, its card the meeting.
    """
    internal_only(actor, workspace_id, OUTSIDERS)
    if when.recurrence is not None:
        raise InvalidInput("dispute.meeting_once")
    if when.at <= now or when.at - now > HORIZON:
        raise InvalidInput("dispute.meeting_past")
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("dispute.bot", field="people", name=bots[0].name)
    shared = None if shared_teams is None else {team for team, _ in shared_teams}
    for person in people:
        if (
            shared is not None
            and is_external(person, workspace_id)
            and person.team_id not in shared
        ):
            raise InvalidInput(
                "dispute.meeting_not_of_channel", person=person_token(person.user_id)
            )
    async with store.write() as conn:
        dispute = await disputes_repo.get(conn, workspace_id=workspace_id, number=number)
        if dispute is None or not dispute.concerns(asked_in):
            if asked_in.internal:
                raise NotFound("dispute.not_found", number=number)
            raise NotFound("dispute.not_found_here", number=number)
        if not asked_in.internal and asked_in.channel_id != dispute.channel_id:
            raise InvalidInput(
                "dispute.meeting_from_here",
                ref=dispute.ref,
                channel=channel_token(dispute.channel_id),
            )
        if not dispute.is_open:
            raise InvalidInput("dispute.closed_no_meeting", ref=dispute.ref, status=dispute.status)
        title = clean_line(
            title_words.format(ref=dispute.ref, title=dispute.title),
            limit=TITLE_LIMIT,
            empty="review.title_empty",
            too_long="review.title_too_long",
        )
        known = {p.id: p for p in dispute.parties}
        members: list[tuple[str, Party | None]] = []
        for user_id, party_id in await meetings_repo.members(conn, dispute_id=dispute.id):
            party = known.get(party_id) if party_id is not None else None
            if party_id is not None and party is None:
                continue  # a party no longer on the dispute
            if shared is not None and party is not None and party.slack_team not in shared:
                continue  # another party's people are never named where this one reads
            members.append((user_id, party))
        owner = (dispute.owner_id, None)
        review = await put_on_record(
            conn,
            workspace_id=workspace_id,
            channel_id=dispute.channel_id,
            shared_teams=shared_teams,
            owner=actor,
            title=title,
            people=people,
            when=when,
            config=config,
            now=now,
            members=[owner, *members],
            parties=dispute.parties if shared is None else (),
            dispute_id=dispute.id,
        )
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind=TimelineKind.MEETING_SCHEDULED,
            at=now,
            actor_id=actor.user_id,
            text=f"{review.ref} · {review.title}",
        )
        await notices.owe(
            conn,
            DisputeMeeting(
                workspace_id=workspace_id,
                dispute_id=dispute.id,
                review_id=review.id,
                owner_id=actor.user_id,
                what=N_("the meeting {ref} in the thread of {dispute}"),
                what_facts={"ref": review.ref, "dispute": dispute.ref},
            ),
            now=now,
        )
        await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
    return dispute, review


async def meetings_of(store: Store, *, dispute: Dispute, audience: Audience) -> list[Review]:
    """The meetings called on the dispute that this audience may see, oldest first."""
    async with store.read() as conn:
        found = await reviews_repo.of_disputes(conn, dispute_ids=[dispute.id])
    return [r for r in found if r.concerns(audience)]


@dataclass(frozen=True)
class Agenda:
    """What a meeting of a dispute discusses: the dispute as it is now, and its record."""

    dispute: Dispute
    events: list[TimelineEvent]


async def agenda_of(store: Store, *, review: Review) -> Agenda | None:
    """The dispute a meeting is of, with its record (``None`` for any other review); the
    caller shows it through ``visible_events`` for its audience."""
    if review.dispute_id is None:
        return None
    async with store.read() as conn:
        dispute = await disputes_repo.get_by_id(conn, dispute_id=review.dispute_id)
        if dispute is None:
            return None
        events = await timeline_repo.events(conn, dispute_id=dispute.id)
    return Agenda(dispute, events)


async def meeting_of(
    store: Store, *, dispute_id: int, review_id: int
) -> tuple[Dispute, Review] | None:
    """The dispute and its meeting as they are now (for a notice being delivered), or None."""
    async with store.read() as conn:
        dispute = await disputes_repo.get_by_id(conn, dispute_id=dispute_id)
        review = await reviews_repo.by_id(conn, review_id=review_id)
    if dispute is None or review is None or review.dispute_id != dispute.id:
        return None
    return dispute, review
