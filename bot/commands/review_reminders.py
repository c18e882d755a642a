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
from collections.abc import Awaitable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing, render_reviews
from bot.commands.directory import UnknownUser
from bot.deps import Deps
from bot.workflows import review_reminders, reviews
from bot.workflows.models import Person
from bot.workflows.parties import is_external
from bot.workflows.sends import claim_send

log = logging.getLogger(__name__)


async def remind_reviews(deps: Deps, client: AsyncWebClient, parley: Person) -> None:
    """Send what fell due since the last look: reminders, minutes prompts, items due and
    report deadlines; then move held meetings on to their next occurrence."""
    now = deps.clock.now()
    for reminder in await review_reminders.due_reminders(
        deps.store, now=now, calendar=deps.calendar
    ):
        if await claim_send(deps.store, key=reminder.key, now=now):
            await _safely(_remind(deps, client, reminder), reminder.key)
    await review_reminders.hold_due(deps.store, now=now, calendar=deps.calendar)
    for prompt in await review_reminders.due_prompts(deps.store, now=now):
        if await claim_send(deps.store, key=prompt.key, now=now):
            await _safely(_prompt(deps, client, prompt), prompt.key)
    for due in await review_reminders.due_actions(deps.store, now=now):
        if await claim_send(deps.store, key=due.key, now=now):
            await _safely(_action_due(deps, client, due), due.key)
    for report in await review_reminders.due_reports(deps.store, now=now, calendar=deps.calendar):
        if await claim_send(deps.store, key=report.key, now=now):
            await _safely(_report_due(deps, client, report), report.key)


async def _safely(sending: Awaitable[None], key: str) -> None:
    """One message's failure (Slack refusing it) never stops the others."""
    try:
        await sending
    except SlackApiError as exc:
        log.warning("sending %s failed: %s", key, exc.response.get("error"))


async def _remind(deps: Deps, client: AsyncWebClient, reminder: review_reminders.Reminder) -> None:
    review = reminder.review
    audience = await deps.directory.audience(review.channel_id, review.workspace_id)
    actions = await reviews.counterpart_actions(deps.store, review=review, audience=audience)
    late = review_reminders.meeting_late(review, reminder.occurrence, deps.calendar)
    text, blocks = render_reviews.reminder(
        review, reminder.occurrence, reminder.kind, actions, late=late
    )
    ts = await outgoing.post(
        deps,
        client,
        channel=review.channel_id,
        workspace_id=review.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=review.parties),
    )
    if ts is not None:
        await review_reminders.remember_thread(
            deps.store,
            review=review,
            occurrence=reminder.occurrence,
            channel_id=review.channel_id,
            ts=ts,
            kind=reminder.kind,
        )


async def _prompt(deps: Deps, client: AsyncWebClient, prompt: review_reminders.Prompt) -> None:
    review = prompt.review
    reminded = prompt.thread is not None
    actions = []
    if not reminded:
        audience = await deps.directory.audience(review.channel_id, review.workspace_id)
        actions = await reviews.counterpart_actions(deps.store, review=review, audience=audience)
    text, blocks = render_reviews.prompt(review, prompt.occurrence, actions, reminded=reminded)
    channel = prompt.thread[0] if prompt.thread else review.channel_id
    ts = await outgoing.post(
        deps,
        client,
        channel=channel,
        workspace_id=review.workspace_id,
        text=text,
        blocks=blocks,
        thread_ts=prompt.thread[1] if prompt.thread else None,
        about=outgoing.About(parties=review.parties),
    )
    if ts is not None and not reminded:
        await review_reminders.remember_thread(
            deps.store,
            review=review,
            occurrence=prompt.occurrence,
            channel_id=channel,
            ts=ts,
            kind="prompt",
        )


async def _action_due(deps: Deps, client: AsyncWebClient, due: review_reminders.ActionDue) -> None:
    item, review = due.item, due.review
    to = item.owner_id
    try:
        owner = await deps.directory.person(item.owner_id)
    except UnknownUser:
        owner = None
    if owner is None or is_external(owner, item.workspace_id) or owner.is_bot:
        to = review.owner_id
    permalink = None
    if item.channel_id and item.message_ts:
        permalink = await _permalink(client, item.channel_id, item.message_ts)
    text, blocks = render_reviews.action_due(
        item, review, for_owner=to == item.owner_id, permalink=permalink
    )
    await _dm(deps, client, to, review.workspace_id, text, blocks)


async def _report_due(
    deps: Deps, client: AsyncWebClient, report: review_reminders.ReportDue
) -> None:
    review = report.review
    late = None
    if review.next_at is not None:
        late = review_reminders.meeting_late(review, review.next_at, deps.calendar)
    text, blocks = render_reviews.report_due(review, report.deadline, late=late)
    await _dm(deps, client, review.owner_id, review.workspace_id, text, blocks)


async def _dm(
    deps: Deps,
    client: AsyncWebClient,
    user_id: str,
    workspace_id: str,
    text: str,
    blocks: list[dict[str, object]],
) -> None:
    """A direct message to a member of the workspace (never to another organisation's)."""
    opened = await client.conversations_open(users=user_id)
    await outgoing.post(
        deps,
        client,
        channel=str(opened["channel"]["id"]),
        workspace_id=workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )


async def _permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    try:
        return str((await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"])
    except SlackApiError:
        return None
