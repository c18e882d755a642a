"""Block Kit for the meeting of a dispute (`/dispute meet`): the answer to the caller, the
line in the dispute's thread, and the dispute's summary that is the meeting's agenda (in its
reminders, its prompt and `/review show`). Pure: records in, JSON out; the reviews' own
messages are `render_reviews.py`."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.commands import render_disputes
from bot.commands.blocks import Blocks, Mrkdwn, channel_link, context, md, mention, section
from bot.commands.render_review_times import occurrence_text
from bot.commands.render_reviews import people_text, when_text
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.parties import Audience
from bot.domain.reviews import Review
from bot.domain.timeline import TimelineKind
from bot.domain.visibility import visible_events
from bot.workflows.disputes import StageClock

TITLE = N_("Meeting on {ref}: {title}")
"""A meeting's title, in the caller's words (the dispute's id and title filled in)."""
REPLIES_SHOWN = 5


def _when(review: Review, language: Language) -> str:
    at = review.next_at or review.last_at
    if at is None:
        return when_text(review, language)
    return occurrence_text(at, ZoneInfo(review.tz), language)


def called(
    dispute: Dispute, review: Review, *, reading: str, language: Language
) -> tuple[str, Blocks]:
    """The answer to `/dispute meet`: the time read back, so a misreading is seen, and who
    comes."""
    text = f"{review.ref} · {review.title} · {reading}"
    lines = [
        md(":calendar: *{} · {}* · {}", review.ref, review.title, reading),
        md(
            language._("*In:* {channel} · *With:* {people}"),
            channel=channel_link(review.channel_id),
            people=people_text(review, language),
        ),
    ]
    blocks: Blocks = [
        section(Mrkdwn("\n").join(lines)),
        context(
            language._(
                "Said in the thread of {ref}; reminded a day before and 15 minutes before, "
                "with the dispute's summary as the agenda. Minutes replied in the reminder's "
                "thread go on the record of {ref} too."
            ).format(ref=dispute.ref),
            language._("`/review cancel {ref}` calls it off").format(ref=review.ref),
        ),
    ]
    return text, blocks


def announcement(dispute: Dispute, review: Review, actor_id: str, language: Language) -> str:
    """The line in the dispute's home thread that a meeting was called."""
    return md(
        language._(
            ":calendar: {actor} called a meeting on {ref}: *{review}*, {when}. With: {people}. "
            "Reply in its reminder's thread to take the minutes; they go on this record too."
        ),
        actor=mention(actor_id),
        ref=dispute.ref,
        review=review.ref,
        when=_when(review, language),
        people=people_text(review, language),
    )


def agenda_lines(
    dispute: Dispute,
    events: Sequence[TimelineEvent],
    *,
    clock: StageClock,
    tz: ZoneInfo,
    audience: Audience,
    language: Language,
) -> list[str]:
    """The meeting's agenda: the dispute as this audience may see it now (title, stage and
    clock, parties) and its latest replies."""
    shown = visible_events(events, audience, dispute.parties)
    replies = [e for e in shown if e.kind is TimelineKind.REPLY][-REPLIES_SHOWN:]
    lines = [
        md(language._("*Agenda: {ref} · {title}*"), ref=dispute.ref, title=dispute.title),
        render_disputes.status_text(dispute, clock, tz, language),
        md(
            language._("*Parties:* {parties}"),
            parties=render_disputes.parties_text(dispute.parties, audience, language),
        ),
    ]
    if replies:
        lines.append(Mrkdwn(language._("*Latest replies*")))
        lines.extend(render_disputes.event_line(e, tz, language) for e in replies)
    else:
        lines.append(Mrkdwn(language._("*Latest replies:* none yet")))
    return lines
