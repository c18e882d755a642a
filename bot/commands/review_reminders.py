"""Telling people about their reviews over time: reminders with the agenda in the review's
channel, the minutes prompt in the reminder's thread, action items on their due date and the
monthly service report, each claimed once before it is owed (bot/commands/deliver_reviews.py
delivers them).
"""

from __future__ import annotations

from bot.commands.deps import Deps
from bot.domain import text
from bot.domain.marks import N_
from bot.domain.notices import ActionDue, ReportDue, ReviewPrompt, ReviewReminder
from bot.workflows import review_reminders
from bot.workflows.sends import owe_once


async def remind_reviews(deps: Deps) -> None:
    """Owe what fell due since the last look: reminders, minutes prompts, items due and
    report deadlines, each claimed once; then move held meetings on to their next
    occurrence. The outbox delivers them."""
    now = deps.clock.now()
    for reminder in await review_reminders.due_reminders(
        deps.store, now=now, calendar=deps.calendar
    ):
        review = reminder.review
        notice = ReviewReminder(
            workspace_id=review.workspace_id,
            review_id=review.id,
            occurrence=reminder.occurrence,
            reminder=reminder.kind,
            owner_id=review.owner_id,
            what=(
                N_("the day-before reminder of {ref} in {channel}")
                if reminder.kind == "day-before"
                else N_("the 15-minutes reminder of {ref} in {channel}")
            ),
            what_facts={"ref": review.ref, "channel": text.channel(review.channel_id)},
        )
        await owe_once(deps.store, notice, key=reminder.key, now=now)
    await review_reminders.hold_due(deps.store, now=now, calendar=deps.calendar)
    for prompt in await review_reminders.due_prompts(deps.store, now=now):
        review = prompt.review
        notice_of_prompt = ReviewPrompt(
            workspace_id=review.workspace_id,
            review_id=review.id,
            occurrence=prompt.occurrence,
            owner_id=review.owner_id,
            what=N_("the minutes prompt of {ref} in {channel}"),
            what_facts={"ref": review.ref, "channel": text.channel(review.channel_id)},
        )
        await owe_once(deps.store, notice_of_prompt, key=prompt.key, now=now)
    for due in await review_reminders.due_actions(deps.store, now=now):
        item_due = ActionDue(
            workspace_id=due.item.workspace_id,
            review_id=due.item.review_id,
            scorecard_id=due.item.scorecard_id,
            action_number=due.item.number,
        )
        await owe_once(deps.store, item_due, key=due.key, now=now)
    for report in await review_reminders.due_reports(deps.store, now=now, calendar=deps.calendar):
        report_due = ReportDue(
            workspace_id=report.review.workspace_id,
            review_id=report.review.id,
            deadline=report.deadline,
        )
        await owe_once(deps.store, report_due, key=report.key, now=now)
