"""Block Kit for reviews: the confirmation, lists, the record, reminders, prompts and action
items. Pure: records in, JSON out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    button,
    channel_link,
    context,
    escape,
    link,
    md,
    mention,
    section,
    sections,
    truncate,
)
from bot.commands.words.language import Language
from bot.domain.parties import Audience
from bot.domain.reviews import ActionItem, Minutes, Review, ReviewStatus
from bot.domain.visibility import visible_parties
from bot.domain.when import format_occurrence
from bot.workflows.reviews import AGENDA

DONE_BUTTON = "review_action_done"
ACTION_BLOCK = "review_action"

REVIEW_USAGE = Mrkdwn("""\
*Reviews* — regular meetings with each customer, supplier and third party, reminded with an agenda.
• `/review schedule &lt;title&gt; [with @user …] &lt;when&gt;` — once or repeating, e.g. \
`every month on the 10th working day at 10:00`, `every Monday 9:30`, `quarterly`, \
`next Tuesday 3pm`, `下周二下午3点`, `每月第10个工作日上午10点`
    add `report within 5 working days` / `meeting within 10 working days` (or `with deadlines`) \
to a monthly review, and `in Europe/Berlin` to read the time in another zone than yours
• `/review list [all]` — the coming reviews, soonest first (only you see it)
• `/review show R-n` — the schedule, open action items and minutes
• `/review cancel R-n` · `/review skip R-n` — call it off, or skip its next occurrence only
• `/review minutes R-n &lt;text&gt;` — add to the minutes of its latest meeting (internal); \
or reply in the reminder's thread
• `/review action R-n @owner &lt;due&gt; &lt;text&gt;` — an action item T-n, e.g. \
`/review action R-3 @owner Dec 18 Send the corrected SLA report`
• `/review done T-n` — mark an action item done (its Done button does the same)
• `/review help` — this help
Reminders go to the review's channel a day before (the working day before, for working-day \
rules) and 15 minutes before; no time given means 10:00. Ids work with or without the prefix: \
`R-3`, `r3`, `3`.""")


def usage(language: Language, message: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(REVIEW_USAGE))
    return (message or "How to use /review"), blocks


def _zone(review: Review) -> ZoneInfo:
    return ZoneInfo(review.tz)


def when_text(review: Review) -> str:
    """`next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every …`, `once: …`, or its status."""
    if review.status is ReviewStatus.CANCELLED:
        return "cancelled"
    if review.next_at is None:
        if review.last_at is None:
            return "done"
        return f"done, last met {format_occurrence(review.last_at, _zone(review))}"
    at = format_occurrence(review.next_at, _zone(review))
    rule = review.rule_text
    return f"once: {at}" if rule is None else f"next: {at} · {rule}"


def people_text(review: Review) -> str:
    return Mrkdwn(", ").join(mention(u) for u in review.participants) or Mrkdwn("—")


def deadlines_text(review: Review) -> str | None:
    parts = []
    if review.report_within:
        parts.append(f"service report by the {_ordinal(review.report_within)} working day")
    if review.meeting_within:
        parts.append(f"meeting by the {_ordinal(review.meeting_within)} working day")
    return ("Each month: " + "; ".join(parts)) if parts else None


def late_text(occurrence: datetime, late: date, review: Review) -> str:
    local = occurrence.astimezone(_zone(review))
    assert review.meeting_within is not None
    return (
        f":warning: The meeting on {local:%a} {local.day} {local:%b} is after the month's "
        f"meeting deadline ({late:%a} {late.day} {late:%b}, the "
        f"{_ordinal(review.meeting_within)} working day)."
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def scheduled(review: Review, *, reading: str, late: date | None) -> tuple[str, Blocks]:
    """The answer to `/review schedule`: the reading back, so a misreading is seen."""
    text = f"{review.ref} · {review.title} · {reading}"
    lines: list[str] = [
        md(":calendar: *{} · {}* · {}", review.ref, review.title, reading),
        md("*In:* {} · *With:* {}", channel_link(review.channel_id), people_text(review)),
    ]
    deadlines = deadlines_text(review)
    if deadlines:
        lines.append(deadlines)
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review))
    blocks: Blocks = [
        section(Mrkdwn("\n").join(lines)),
        context(
            "Parley reminds the channel a day before and 15 minutes before, with the agenda",
            f"`/review skip {review.ref}` skips one, `/review cancel {review.ref}` calls it off",
        ),
    ]
    return text, blocks


def list_line(review: Review, open_actions: int) -> str:
    parts: list[str] = [md("*{}* {}", review.ref, truncate(review.title, 80)), when_text(review)]
    parts.append(channel_link(review.channel_id))
    if open_actions:
        parts.append(f"{open_actions} open action item{'s' if open_actions != 1 else ''}")
    return "• " + Mrkdwn(" — ").join(parts)


def review_list(
    reviews: Sequence[Review], *, include_all: bool, open_actions: dict[int, int]
) -> tuple[str, Blocks]:
    if not reviews:
        message = (
            "No reviews yet."
            if include_all
            else "No reviews are scheduled. "
            "`/review schedule Monthly service review with @their-rep monthly` schedules one."
        )
        return message, [section(message)]
    title = f"{'All reviews' if include_all else 'Coming reviews'} ({len(reviews)})"
    lines = [list_line(r, open_actions.get(r.id, 0)) for r in reviews]
    blocks: Blocks = [section(md("*{}*", title)), *sections(lines)]
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def action_line(item: ActionItem, *, with_review: bool = False) -> str:
    due = item.due_at.astimezone(ZoneInfo(item.tz))
    when = f"{due:%a} {due.day} {due:%b} {due:%H:%M}"
    review = f" ({item.review_ref})" if with_review else ""
    if item.is_open:
        return md(
            "• *{}*{} {} — {}, due {}",
            item.ref,
            review,
            truncate(item.text, 200),
            mention(item.owner_id),
            when,
        )
    return md("• ~{}~{} {} — done", item.ref, review, truncate(item.text, 200))


def minutes_line(entry: Minutes, tz: ZoneInfo) -> str:
    at = entry.at.astimezone(tz)
    who = mention(entry.author_id) + (f" ({entry.party})" if entry.party else "")
    return md(
        "{:%a} {} {:%b} {:%H:%M} · {}: {}", at, at.day, at, at, who, truncate(entry.text, 400)
    )


def review_record(
    review: Review,
    actions: Sequence[ActionItem],
    minutes: Sequence[Minutes],
    *,
    audience: Audience,
    late: date | None,
    latest: int = 10,
) -> tuple[str, Blocks]:
    """What `/review show` answers."""
    text = f"{review.ref} · {review.title} · {when_text(review)}"
    lines: list[str] = [
        md("*{} · {}*", review.ref, review.title),
        when_text(review),
        md("*In:* {} · *Owner:* {}", channel_link(review.channel_id), mention(review.owner_id)),
        md("*With:* {}", people_text(review)),
    ]
    shown = visible_parties(review.parties, audience)
    if shown:
        lines.append(Mrkdwn("*Parties:* ") + Mrkdwn(", ").join(p.name for p in shown))
    deadlines = deadlines_text(review)
    if deadlines:
        lines.append(deadlines)
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review))
    if review.skipped:
        skipped = ", ".join(
            format_occurrence(at, _zone(review)).rsplit(" (", 1)[0] for at in review.skipped[-5:]
        )
        lines.append(f"*Skipped:* {skipped}")
    blocks: Blocks = [section(Mrkdwn("\n").join(lines))]
    if actions:
        open_count = sum(1 for a in actions if a.is_open)
        heading = md("*Action items* ({} open of {})", open_count, len(actions))
        blocks.extend(sections([heading, *(action_line(a) for a in actions[:20])]))
    if minutes:
        recent = minutes[-latest:]
        heading = md("*Minutes* (latest {} of {})", len(recent), len(minutes))
        blocks.append({"type": "divider"})
        blocks.extend(sections([heading, *(minutes_line(m, _zone(review)) for m in recent)]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def agenda_lines() -> list[str]:
    return [Mrkdwn("*Agenda*"), *(f"{n}. {item}" for n, item in enumerate(AGENDA, start=1))]


def actions_block(actions: Sequence[ActionItem]) -> list[str]:
    if not actions:
        return [Mrkdwn("*Open action items:* none")]
    return [md("*Open action items* ({})", len(actions))] + [
        action_line(a, with_review=True) for a in actions[:15]
    ]


def reminder(
    review: Review,
    occurrence: datetime,
    kind: str,
    actions: Sequence[ActionItem],
    *,
    late: date | None,
) -> tuple[str, Blocks]:
    """A reminder in the review's channel: when, who, the agenda and the open action items."""
    at = format_occurrence(occurrence, _zone(review))
    if kind == "15-minutes":
        head = md(":alarm_clock: *{} · {}* starts in 15 minutes", review.ref, review.title)
        text = f"{review.ref} · {review.title} starts in 15 minutes ({at})"
    else:
        head = md(":calendar: *{} · {}* — next meeting", review.ref, review.title)
        text = f"{review.ref} · {review.title}: next meeting {at}"
    lines = [head, md("*When:* {}", at), md("*With:* {}", people_text(review))]
    if late is not None:
        lines.append(escape(late_text(occurrence, late, review)))
    blocks: Blocks = [
        section(Mrkdwn("\n").join(lines)),
        *sections([*agenda_lines(), "", *actions_block(actions)]),
        context("Reply in this thread to record the minutes of this meeting"),
    ]
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def prompt(
    review: Review, occurrence: datetime, actions: Sequence[ActionItem], *, reminded: bool
) -> tuple[str, Blocks]:
    """After the meeting: ask for the minutes (with the agenda when no reminder went out)."""
    at = format_occurrence(occurrence, _zone(review))
    text = f"Minutes of {review.ref} · {review.title} ({at})"
    line = md(
        ":memo: *{} · {}* met at {}. Reply in this "
        "thread with the minutes: what was agreed on service delivery, the problems, the "
        "improvement plan.",
        review.ref,
        review.title,
        at,
    )
    blocks: Blocks = [section(line)]
    if not reminded:
        blocks.extend(sections([*agenda_lines(), "", *actions_block(actions)]))
    blocks.append(context(f"Action items: `/review action {review.ref} @owner <due> <text>`"))
    return text, blocks


def action_message(item: ActionItem, review: Review) -> tuple[str, Blocks]:
    """The item as posted in the review's channel (and edited in place when it is done)."""
    due = item.due_at.astimezone(ZoneInfo(item.tz))
    when = format_occurrence(due, ZoneInfo(item.tz))
    text = f"{item.ref} · {item.text} — due {when}"
    if item.is_open:
        line = md(
            ":pushpin: *{}* from {}: {}\n*Owner:* {} · *Due:* {}",
            item.ref,
            review.ref,
            item.text,
            mention(item.owner_id),
            when,
        )
        return text, [section(line), done_buttons(item)]
    line = md(":white_check_mark: ~{}~ from {}: {}\nDone", item.ref, review.ref, item.text) + (
        md(" by {}", mention(item.done_by)) if item.done_by else ""
    )
    return f"{item.ref} done", [section(line)]


def done_buttons(item: ActionItem) -> dict[str, object]:
    return {
        "type": "actions",
        "block_id": ACTION_BLOCK,
        "elements": [button("Done", DONE_BUTTON, item.ref, "primary")],
    }


def action_due(
    item: ActionItem, review: Review, *, for_owner: bool, permalink: str | None = None
) -> tuple[str, Blocks]:
    """The due-date DM: to the owner, or to the review's owner for an item of another
    organisation's person (who cannot press Done)."""
    when = format_occurrence(item.due_at, ZoneInfo(item.tz))
    where = link(permalink, review.ref) if permalink else review.ref
    if for_owner:
        line = md(":hourglass: *{}* from {} is due {}: {}", item.ref, where, when, item.text)
    else:
        line = md(
            ":hourglass: *{}* from {}, owned by {}, is due {}: {}\n"
            "Mark it done when they have delivered.",
            item.ref,
            where,
            mention(item.owner_id),
            when,
            item.text,
        )
    return f"{item.ref} is due {when}", [section(line), done_buttons(item)]


def report_due(review: Review, deadline: date, *, late: date | None) -> tuple[str, Blocks]:
    """The owner's DM before the month's service-report deadline."""
    assert review.report_within is not None
    text = f"The service report for {review.ref} is due {deadline:%a} {deadline.day} {deadline:%b}"
    lines: list[str] = [
        md(
            ":page_facing_up: The service report for *{} · {}* is due by *{}*, the "
            "{} working day of the month.",
            review.ref,
            review.title,
            f"{deadline:%a} {deadline.day} {deadline:%b}",
            _ordinal(review.report_within),
        )
    ]
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review))
    return text, [section(Mrkdwn("\n").join(lines))]
