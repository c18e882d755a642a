"""Delivering what reviews owe Slack: reminders with the agenda in the review's channel, the
minutes prompt in the reminder's thread, action items' messages and their edits, and the DMs
of an item's due date and of the monthly service report.

A review in a Slack Connect channel is its parties' business: every post carries them in
``About(parties=…)`` and passes the door. Direct messages only ever go to members of the
workspace: an item owned by somebody of another organisation is reminded to the review's
owner, who can press Done for them.

Posts and edits in a channel are in the channel's language (an edit renders for its channel
again); direct messages in their person's (`bot/commands/readers.py`).
"""

from __future__ import annotations

from bot.commands import outgoing, render_reviews
from bot.commands.directory import UnknownUser
from bot.commands.dispute_meetings import agenda_for
from bot.commands.readers import channel_language, person_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import (
    ActionDue,
    ActionPosted,
    ActionRefresh,
    ReportDue,
    ReviewNotice,
    ReviewPrompt,
    ReviewReminder,
)
from bot.domain.parties import Person, is_external
from bot.domain.reviews import ActionItem, Review
from bot.workflows import review_reminders, reviews_actions

DELIVERERS = Deliverers()


async def _action(
    send: Sender, notice: ActionPosted | ActionRefresh | ActionDue
) -> tuple[ActionItem, Review | None]:
    """The action item a notice is about, and its review (None for a scorecard's improvement
    action), as they are now."""
    found = await reviews_actions.action_by_number(
        send.deps.store, workspace_id=notice.workspace_id, number=notice.action_number
    )
    if found is None:
        raise NothingToSend("the action item is gone")
    return found


async def _review(send: Sender, notice: ReviewNotice) -> Review:
    review = await reviews_actions.review_by_id(send.deps.store, review_id=notice.review_id)
    if review is None:
        raise NothingToSend("the review is gone")
    return review


@DELIVERERS.of(ReviewReminder)
async def remind(send: Sender, notice: ReviewReminder) -> None:
    """A reminder with the agenda, in the review's channel; its thread takes the minutes."""
    deps = send.deps
    review = await _review(send, notice)
    occurrence = notice.occurrence
    audience = await deps.directory.audience(review.channel_id, review.workspace_id)
    actions = await reviews_actions.counterpart_actions(
        deps.store, review=review, audience=audience
    )
    late = review_reminders.meeting_late(review, occurrence, deps.calendar)
    language = await channel_language(deps, review.channel_id, review.workspace_id)
    agenda = await agenda_for(deps, review, audience, language)
    text, blocks = render_reviews.reminder(
        review, occurrence, notice.reminder, actions, late=late, language=language, agenda=agenda
    )
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
        kind=notice.reminder,
    )


@DELIVERERS.of(ReviewPrompt)
async def prompt(send: Sender, notice: ReviewPrompt) -> None:
    """After a meeting: the minutes asked for in its reminder's thread (or, when no reminder
    went out, as a message of its own with the agenda)."""
    deps = send.deps
    review = await _review(send, notice)
    occurrence = notice.occurrence
    thread = await review_reminders.reminder_thread(
        deps.store, review=review, occurrence=occurrence
    )
    reminded = thread is not None
    actions = []
    channel = thread[0] if thread else review.channel_id
    language = await channel_language(deps, channel, review.workspace_id)
    agenda = None
    if not reminded:
        audience = await deps.directory.audience(review.channel_id, review.workspace_id)
        actions = await reviews_actions.counterpart_actions(
            deps.store, review=review, audience=audience
        )
        agenda = await agenda_for(deps, review, audience, language)
    text, blocks = render_reviews.prompt(
        review, occurrence, actions, reminded=reminded, language=language, agenda=agenda
    )
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


@DELIVERERS.of(ActionPosted)
async def post_action(send: Sender, notice: ActionPosted) -> None:
    """The new item in the review's channel (in its latest reminder's thread, if any)."""
    deps = send.deps
    item, review = await _action(send, notice)
    if review is None:
        raise NothingToSend("the action item has no review")
    thread = await review_reminders.latest_thread(deps.store, review=review)
    language = await channel_language(deps, review.channel_id, review.workspace_id)
    text, blocks = render_reviews.action_message(item, language)
    ts = await send.post(
        channel=review.channel_id,
        text=text,
        blocks=blocks,
        thread_ts=thread[1] if thread and thread[0] == review.channel_id else None,
        about=outgoing.About(parties=review.parties),
    )
    await reviews_actions.record_action_message(
        deps.store, item=item, channel_id=review.channel_id, ts=ts
    )


@DELIVERERS.of(ActionRefresh)
async def refresh_action(send: Sender, notice: ActionRefresh) -> None:
    """Edit the item's message in the review's channel (and the message whose Done button
    was pressed) to show it as it is now."""
    item, review = await _action(send, notice)
    targets = []
    if item.channel_id and item.message_ts:
        targets.append((item.channel_id, item.message_ts))
    if notice.pressed and notice.pressed not in targets:
        targets.append(notice.pressed)
    if not targets:
        raise NothingToSend("the item has no message yet")
    # A scorecard's improvement action is internal business (its DM, never a shared channel).
    about = outgoing.About(parties=review.parties) if review else outgoing.About(internal=True)
    for channel, ts in targets:
        language = await channel_language(send.deps, channel, item.workspace_id)
        text, blocks = render_reviews.action_message(item, language)
        await send.update(channel=channel, ts=ts, text=text, blocks=blocks, about=about)


@DELIVERERS.of(ActionDue)
async def action_due(send: Sender, notice: ActionDue) -> None:
    """An item's due date: its owner reminded by DM (the review's owner, for an item owned
    by somebody of another organisation). A scorecard's improvement action is its owner's
    (the scorecard's owner): a DM, like any item's."""
    deps = send.deps
    item, review = await _action(send, notice)
    if item.done_at is not None:
        raise NothingToSend("the action item is done")
    to = item.owner_id
    try:
        owner = await deps.directory.person(item.owner_id)
    except UnknownUser:
        owner = None
    reader = owner
    if owner is None or is_external(owner, item.workspace_id) or owner.is_bot:
        if review is None:
            # A scorecard's improvement action is its (internal) owner's: nobody else to tell.
            raise NothingToSend("the improvement action's owner cannot be told")
        to = review.owner_id
        reader = await _person_or_none(send, review.owner_id)
    permalink = None
    if item.channel_id and item.message_ts:
        permalink = await deps.directory.permalink(item.channel_id, item.message_ts)
    text, blocks = render_reviews.action_due(
        item,
        for_owner=to == item.owner_id,
        language=person_language(deps, reader),
        permalink=permalink,
    )
    await _dm(send, to, text, blocks)


@DELIVERERS.of(ReportDue)
async def report_due(send: Sender, notice: ReportDue) -> None:
    """The monthly service report's deadline, to the review's owner by DM."""
    review = await _review(send, notice)
    late = None
    if review.next_at is not None:
        late = review_reminders.meeting_late(review, review.next_at, send.deps.calendar)
    owner = await _person_or_none(send, review.owner_id)
    text, blocks = render_reviews.report_due(
        review, notice.deadline, late=late, language=person_language(send.deps, owner)
    )
    await _dm(send, review.owner_id, text, blocks)


async def _person_or_none(send: Sender, user_id: str) -> Person | None:
    try:
        return await send.deps.directory.person(user_id)
    except UnknownUser:
        return None


async def _dm(send: Sender, user_id: str, text: str, blocks: list[dict[str, object]]) -> None:
    """A direct message to a member of the workspace (never to another organisation's)."""
    channel = await send.dm(user_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
