"""A review's minutes and its action items T-n.

Minutes are kept per occurrence, typed with ``/review minutes`` (internal) or replied in the
thread of a reminder or prompt. Action items belong to a review, are due once and are marked
done by a member. R-n itself (scheduling, changing, reading) is ``bot.workflows.reviews``;
what falls due over time is ``bot.workflows.review_reminders``. Nothing here imports Slack.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.notices import ActionPosted, ActionRefresh
from bot.domain.parties import Audience, Person, internal_only, is_external
from bot.domain.reviews import ActionItem, Review, ReviewStatus
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.domain.text import person as person_token
from bot.domain.timeline import TimelineKind
from bot.domain.when import When
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import reviews as repo
from bot.workflows import notices
from bot.workflows.capture import Message
from bot.workflows.reviews import OUTSIDERS, _party, _visible

MINUTES_LIMIT = 3000
ACTION_LIMIT = 500
THREAD_TEXT_LIMIT = 40_000

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
        limit=MINUTES_LIMIT,
        empty="review.minutes_empty",
        too_long="review.minutes_too_long",
    )
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        occurrence = current_occurrence(review, now)
        if occurrence is None:
            if review.next_at:
                zone = ZoneInfo(review.tz)
                raise InvalidInput(
                    "review.not_met_next",
                    ref=review.ref,
                    next=review.next_at.astimezone(zone),
                    zone=zone.key,
                )
            raise InvalidInput("review.not_met", ref=review.ref)
        await repo.add_minutes(
            conn,
            review_id=review.id,
            occurrence_at=occurrence,
            at=now,
            author_id=author.user_id,
            party_id=None,
            text=text,
        )
        await _on_dispute(conn, review, at=now, author_id=author.user_id, party_id=None, text=text)
    return review, occurrence


async def _on_dispute(
    conn: AsyncConnection,
    review: Review,
    *,
    at: datetime,
    author_id: str,
    party_id: int | None,
    text: str,
    message: tuple[str, str] | None = None,
) -> None:
    """The minutes of a dispute's meeting go on the dispute's record too, in the same
    transaction (typed ones with no message: a shared channel never sees them)."""
    if review.dispute_id is None:
        return
    await timeline_repo.add_event(
        conn,
        dispute_id=review.dispute_id,
        kind=TimelineKind.MEETING_MINUTES,
        at=at,
        actor_id=author_id,
        party_id=party_id,
        text=f"{review.ref} · {text}",
        message=message,
    )


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
        if not await timeline_repo.see_event(conn, event_id=event_id, now=now):
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
        await _on_dispute(
            conn,
            review,
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
        raise InvalidInput("review.owner_bot", name=owner.name)
    if when.recurrence is not None or when.at <= now:
        raise InvalidInput("review.due_once")
    text = clean_line(
        text, limit=ACTION_LIMIT, empty="review.action_empty", too_long="review.action_too_long"
    )
    async with store.write() as conn:
        review = await _visible(conn, workspace_id=workspace_id, number=number, audience=audience)
        if review.status is ReviewStatus.CANCELLED:
            raise InvalidInput("review.cancelled_no_actions", ref=review.ref)
        if is_external(owner, workspace_id) and owner.team_id not in {
            p.slack_team for p in review.parties
        }:
            raise InvalidInput(
                "review.owner_not_of_party", person=person_token(owner.user_id), ref=review.ref
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
            ActionPosted(
                workspace_id=workspace_id,
                review_id=review.id,
                action_number=item.number,
                owner_id=actor.user_id,
                what=N_("the message of {ref} in {channel}"),
                what_facts={"ref": item.ref, "channel": channel_token(review.channel_id)},
            ),
            now=now,
        )
    return item, review


async def _item_review(
    conn: AsyncConnection, *, workspace_id: str, number: int
) -> tuple[ActionItem | None, Review | None]:
    """T-n and the review it came from (None for a scorecard's improvement action)."""
    item = await repo.get_action(conn, workspace_id=workspace_id, number=number)
    if item is None or item.review_id is None:
        return item, None
    review = await repo.by_id(conn, review_id=item.review_id)
    return (item, review) if review is not None else (None, None)


def _reachable(item: ActionItem | None, review: Review | None, audience: Audience) -> bool:
    """Whether T-n may be reached from here: a review's item where its review may be shown; a
    scorecard's improvement action (internal business) only from an internal channel."""
    if item is None:
        return False
    if review is None:
        return item.scorecard_id is not None and audience.internal
    return review.concerns(audience)


async def complete_action(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    audience: Audience,
    now: datetime,
    pressed: tuple[str, str] | None = None,
) -> tuple[ActionItem, Review | None]:
    """Mark T-n done (`pressed`: the message whose Done button did it, edited too).

    Any member of the workspace may (the owner usually does); people of other organisations
    may not, even when the item is theirs. From a shared channel only that channel's
    parties' items can be reached."""
    internal_only(actor, workspace_id, "review.outsiders_done")
    async with store.write() as conn:
        item, review = await _item_review(conn, workspace_id=workspace_id, number=number)
        if item is None or not _reachable(item, review, audience):
            if audience.internal:
                raise NotFound("review.action_not_found", number=number)
            raise NotFound("review.action_not_found_here", number=number)
        if not await repo.complete_action(conn, action_id=item.id, by=actor.user_id, now=now):
            if item.done_by:
                raise InvalidInput(
                    "review.already_done_by", ref=item.ref, person=person_token(item.done_by)
                )
            raise InvalidInput("review.already_done", ref=item.ref)
        after = await repo.get_action(conn, workspace_id=workspace_id, number=number)
        await notices.owe(
            conn,
            ActionRefresh(
                workspace_id=workspace_id,
                review_id=item.review_id,
                scorecard_id=item.scorecard_id,
                action_number=number,
                pressed=pressed,
            ),
            now=now,
        )
    assert after is not None
    return after, review


async def action_by_number(
    store: Store, *, workspace_id: str, number: int
) -> tuple[ActionItem, Review | None] | None:
    """T-n and its review (None for a scorecard's improvement action) as they are now (for a
    notice being delivered), or None."""
    async with store.read() as conn:
        item, review = await _item_review(conn, workspace_id=workspace_id, number=number)
    return None if item is None else (item, review)


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
