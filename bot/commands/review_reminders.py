"""Telling people about their reviews over time: reminders with the agenda in the review's
channel, the minutes prompt in the reminder's thread, action items on their due date and the
monthly service report, each claimed once before it is sent.

A review in a Slack Connect channel is its parties' business: every post carries them in
``About(parties=…)`` and passes the door. Direct messages only ever go to members of the
workspace: an item owned by somebody of another organisation is reminded to the review's
owner, who can press Done for them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from bot.commands import outgoing, render_reviews
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.sending import NothingToSend, Sender
from bot.domain import text
from bot.domain.parties import is_external
from bot.domain.reviews import ActionItem, Review
from bot.workflows import notices, review_reminders, reviews_actions
from bot.workflows.sends import owe_once

log = logging.getLogger(__name__)


async def remind_reviews(deps: Deps) -> None:
    """Owe what fell due since the last look: reminders, minutes prompts, items due and
    report deadlines, each claimed once; then move held meetings on to their next
    occurrence. The outbox delivers them (the deliverers below)."""
    now = deps.clock.now()

    async def owe(key: str, kind: str, review: Review, **payload: Any) -> None:
        await owe_once(
            deps.store,
            key=key,
            kind=kind,
            workspace_id=review.workspace_id,
            lane=notices.review_lane(review.id),
            now=now,
            **payload,
        )

    for reminder in await review_reminders.due_reminders(
        deps.store, now=now, calendar=deps.calendar
    ):
        review = reminder.review
        await owe(
            reminder.key,
            notices.REVIEW_REMINDER,
            review,
            review_id=review.id,
            occurrence=reminder.occurrence.isoformat(),
            reminder=reminder.kind,
            owner_id=review.owner_id,
            what=f"the {reminder.kind} reminder of {review.ref} in "
            f"{text.channel(review.channel_id)}",
        )
    await review_reminders.hold_due(deps.store, now=now, calendar=deps.calendar)
    for prompt in await review_reminders.due_prompts(deps.store, now=now):
        review = prompt.review
        await owe(
            prompt.key,
            notices.REVIEW_PROMPT,
            review,
            review_id=review.id,
            occurrence=prompt.occurrence.isoformat(),
            owner_id=review.owner_id,
            what=f"the minutes prompt of {review.ref} in {text.channel(review.channel_id)}",
        )
    for due in await review_reminders.due_actions(deps.store, now=now):
        await owe(due.key, notices.ACTION_DUE, due.review, action_number=due.item.number)
    for report in await review_reminders.due_reports(deps.store, now=now, calendar=deps.calendar):
        await owe(
            report.key,
            notices.REPORT_DUE,
            report.review,
            review_id=report.review.id,
            deadline=report.deadline.isoformat(),
        )


async def action_of(send: Sender) -> tuple[ActionItem, Review]:
    """The action item a notice is about, and its review, as they are now."""
    found = await reviews_actions.action_by_number(
        send.deps.store, workspace_id=send.item.workspace_id, number=send.payload["action_number"]
    )
    if found is None:
        raise NothingToSend("the action item is gone")
    return found


async def _review(send: Sender) -> Review:
    review = await reviews_actions.review_by_id(
        send.deps.store, review_id=send.payload["review_id"]
    )
    if review is None:
        raise NothingToSend("the review is gone")
    return review


async def remind(send: Sender) -> None:
    """A reminder with the agenda, in the review's channel; its thread takes the minutes."""
    deps = send.deps
    review = await _review(send)
    occurrence = datetime.fromisoformat(send.payload["occurrence"])
    kind = send.payload["reminder"]
    audience = await deps.directory.audience(review.channel_id, review.workspace_id)
    actions = await reviews_actions.counterpart_actions(
        deps.store, review=review, audience=audience
    )
    late = review_reminders.meeting_late(review, occurrence, deps.calendar)
    text, blocks = render_reviews.reminder(review, occurrence, kind, actions, late=late)
    ts = await send.post(
        channel=review.channel_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=review.parties),
    )
    await review_reminders.remember_thread(
        deps.store,
        review=review,
        occurrence=occurrence,
        channel_id=review.channel_id,
        ts=ts,
        kind=kind,
    )


async def prompt(send: Sender) -> None:
    """After a meeting: the minutes asked for in its reminder's thread (or, when no reminder
    went out, as a message of its own with the agenda)."""
    deps = send.deps
    review = await _review(send)
    occurrence = datetime.fromisoformat(send.payload["occurrence"])
    thread = await review_reminders.reminder_thread(
        deps.store, review=review, occurrence=occurrence
    )
    reminded = thread is not None
    actions = []
    if not reminded:
        audience = await deps.directory.audience(review.channel_id, review.workspace_id)
        actions = await reviews_actions.counterpart_actions(
            deps.store, review=review, audience=audience
        )
    text, blocks = render_reviews.prompt(review, occurrence, actions, reminded=reminded)
    channel = thread[0] if thread else review.channel_id
    ts = await send.post(
        channel=channel,
        text=text,
        blocks=blocks,
        thread_ts=thread[1] if thread else None,
        about=outgoing.About(parties=review.parties),
    )
    if not reminded:
        await review_reminders.remember_thread(
            deps.store,
            review=review,
            occurrence=occurrence,
            channel_id=channel,
            ts=ts,
            kind="prompt",
        )


async def action_due(send: Sender) -> None:
    """An item's due date: its owner reminded by DM (the review's owner, for an item owned
    by somebody of another organisation)."""
    deps = send.deps
    item, review = await action_of(send)
    if item.done_at is not None:
        raise NothingToSend("the action item is done")
    to = item.owner_id
    try:
        owner = await deps.directory.person(item.owner_id)
    except UnknownUser:
        owner = None
    if owner is None or is_external(owner, item.workspace_id) or owner.is_bot:
        to = review.owner_id
    permalink = None
    if item.channel_id and item.message_ts:
        permalink = await deps.directory.permalink(item.channel_id, item.message_ts)
    text, blocks = render_reviews.action_due(
        item, review, for_owner=to == item.owner_id, permalink=permalink
    )
    await _dm(send, to, text, blocks)


async def report_due(send: Sender) -> None:
    """The monthly service report's deadline, to the review's owner by DM."""
    review = await _review(send)
    deadline = date.fromisoformat(send.payload["deadline"])
    late = None
    if review.next_at is not None:
        late = review_reminders.meeting_late(review, review.next_at, send.deps.calendar)
    text, blocks = render_reviews.report_due(review, deadline, late=late)
    await _dm(send, review.owner_id, text, blocks)


async def _dm(send: Sender, user_id: str, text: str, blocks: list[dict[str, object]]) -> None:
    """A direct message to a member of the workspace (never to another organisation's)."""
    channel = await send.dm(user_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))


DELIVERERS = {
    notices.REVIEW_REMINDER: remind,
    notices.REVIEW_PROMPT: prompt,
    notices.ACTION_DUE: action_due,
    notices.REPORT_DUE: report_due,
}
