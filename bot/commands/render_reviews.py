"""Block Kit for reviews: the confirmation, lists, the record, reminders, prompts and action
items, each in the reader's `Language`; and the reviews' times and rules in words (a rule
such as "every month on the 10th working day at 10:00" / "每月第10个工作日 10:00"). Pure:
records in, JSON out."""

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
    link,
    md,
    mention,
    section,
    sections,
    truncate,
)
from bot.commands.render_review_times import occurrence_text, ordinal, rule_text
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.parties import Audience
from bot.domain.reviews import ActionItem, Minutes, Review, ReviewStatus
from bot.domain.visibility import visible_parties
from bot.workflows.reviews import AGENDA

DONE_BUTTON = "review_action_done"
ACTION_BLOCK = "review_action"

REVIEW_USAGE = N_("""\
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
"""The usage, as trusted mrkdwn (translated with its escapes kept)."""


def usage(language: Language, message: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(Mrkdwn(language._(REVIEW_USAGE))))
    return (message or language._("How to use /review")), blocks


def _zone(review: Review) -> ZoneInfo:
    return ZoneInfo(review.tz)


def _review_rule(review: Review, language: Language) -> str | None:
    rule = review.rule
    return None if rule is None else rule_text(rule, language)


def when_text(review: Review, language: Language) -> str:
    """`next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every …`, `once: …`, or its status."""
    if review.status is ReviewStatus.CANCELLED:
        return language._("cancelled")
    if review.next_at is None:
        if review.last_at is None:
            return language._("done")
        last = occurrence_text(review.last_at, _zone(review), language)
        return language._("done, last met {at}").format(at=last)
    at = occurrence_text(review.next_at, _zone(review), language)
    rule = _review_rule(review, language)
    if rule is None:
        return language._("once: {at}").format(at=at)
    return language._("next: {at} · {rule}").format(at=at, rule=rule)


def people_text(review: Review, language: Language) -> str:
    return Mrkdwn(language.listed(mention(u) for u in review.participants)) or Mrkdwn("—")


def deadlines_text(review: Review, language: Language) -> str | None:
    report, meeting = review.report_within, review.meeting_within
    if report and meeting:
        return language._(
            "Each month: service report by the {report} working day; "
            "meeting by the {meeting} working day"
        ).format(report=ordinal(report, language), meeting=ordinal(meeting, language))
    if report:
        return language._("Each month: service report by the {report} working day").format(
            report=ordinal(report, language)
        )
    if meeting:
        return language._("Each month: meeting by the {meeting} working day").format(
            meeting=ordinal(meeting, language)
        )
    return None


def late_text(occurrence: datetime, late: date, review: Review, language: Language) -> str:
    assert review.meeting_within is not None
    return language._(
        ":warning: The meeting on {day} is after the month's meeting deadline "
        "({deadline}, the {nth} working day)."
    ).format(
        day=language.day(occurrence.astimezone(_zone(review))),
        deadline=language.day(late),
        nth=ordinal(review.meeting_within, language),
    )


# ------------------------------------------------------------------------------ answers


def scheduled(
    review: Review, *, reading: str, late: date | None, language: Language
) -> tuple[str, Blocks]:
    """The answer to `/review schedule`: the reading back, so a misreading is seen."""
    text = f"{review.ref} · {review.title} · {reading}"
    lines: list[str] = [
        md(":calendar: *{} · {}* · {}", review.ref, review.title, reading),
        md(
            language._("*In:* {channel} · *With:* {people}"),
            channel=channel_link(review.channel_id),
            people=people_text(review, language),
        ),
    ]
    deadlines = deadlines_text(review, language)
    if deadlines:
        lines.append(deadlines)
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review, language))
    blocks: Blocks = [
        section(Mrkdwn("\n").join(lines)),
        context(
            language._(
                "Parley reminds the channel a day before and 15 minutes before, with the agenda"
            ),
            language._(
                "`/review skip {ref}` skips one, `/review cancel {ref}` calls it off"
            ).format(ref=review.ref),
        ),
    ]
    return text, blocks


def list_line(review: Review, open_actions: int, language: Language) -> str:
    parts: list[str] = [
        md("*{}* {}", review.ref, truncate(review.title, 80)),
        when_text(review, language),
    ]
    parts.append(channel_link(review.channel_id))
    if open_actions:
        parts.append(
            language.ngettext("{n} open action item", "{n} open action items", open_actions).format(
                n=open_actions
            )
        )
    return "• " + Mrkdwn(" — ").join(parts)


def review_list(
    reviews: Sequence[Review],
    *,
    include_all: bool,
    open_actions: dict[int, int],
    language: Language,
) -> tuple[str, Blocks]:
    if not reviews:
        if include_all:
            message = language._("No reviews yet.")
        else:
            message = language._(
                "No reviews are scheduled. "
                "`/review schedule Monthly service review with @their-rep monthly` schedules one."
            )
        return message, [section(message)]
    if include_all:
        title = language._("All reviews ({n})").format(n=len(reviews))
    else:
        title = language._("Coming reviews ({n})").format(n=len(reviews))
    lines = [list_line(r, open_actions.get(r.id, 0), language) for r in reviews]
    blocks: Blocks = [section(md("*{}*", title)), *sections(lines)]
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def action_line(item: ActionItem, language: Language, *, with_review: bool = False) -> str:
    when = language.moment(item.due_at.astimezone(ZoneInfo(item.tz)))
    origin = item.origin_ref
    review = f" ({origin})" if with_review and origin else ""
    if item.is_open:
        return md(
            language._("• *{ref}*{review} {text} — {owner}, due {when}"),
            ref=item.ref,
            review=review,
            text=truncate(item.text, 200),
            owner=mention(item.owner_id),
            when=when,
        )
    return md(
        language._("• ~{ref}~{review} {text} — done"),
        ref=item.ref,
        review=review,
        text=truncate(item.text, 200),
    )


def minutes_line(entry: Minutes, tz: ZoneInfo, language: Language) -> str:
    at = language.moment(entry.at.astimezone(tz))
    who = mention(entry.author_id) + (f" ({entry.party})" if entry.party else "")
    return md("{} · {}: {}", at, who, truncate(entry.text, 400))


def review_record(
    review: Review,
    actions: Sequence[ActionItem],
    minutes: Sequence[Minutes],
    *,
    audience: Audience,
    late: date | None,
    language: Language,
    latest: int = 10,
    agenda: Sequence[str] | None = None,
) -> tuple[str, Blocks]:
    """What `/review show` answers; a dispute's meeting says which dispute it is for, and
    shows its ``agenda`` (the dispute's summary)."""
    when = when_text(review, language)
    text = f"{review.ref} · {review.title} · {when}"
    lines: list[str] = [
        md("*{} · {}*", review.ref, review.title),
        when,
        md(
            language._("*In:* {channel} · *Owner:* {owner}"),
            channel=channel_link(review.channel_id),
            owner=mention(review.owner_id),
        ),
        md(language._("*With:* {people}"), people=people_text(review, language)),
    ]
    shown = visible_parties(review.parties, audience)
    if shown:
        lines.append(
            md(language._("*Parties:* {parties}"), parties=language.listed(p.name for p in shown))
        )
    deadlines = deadlines_text(review, language)
    if deadlines:
        lines.append(deadlines)
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review, language))
    if review.skipped:
        skipped = language.listed(
            language.stamp(at.astimezone(_zone(review))) for at in review.skipped[-5:]
        )
        lines.append(language._("*Skipped:* {skipped}").format(skipped=skipped))
    if review.dispute_ref is not None:
        lines.append(
            md(
                language._("*For:* {ref} (its minutes go on the record of {ref} too)"),
                ref=review.dispute_ref,
            )
        )
    blocks: Blocks = [section(Mrkdwn("\n").join(lines))]
    if agenda:
        blocks.extend(sections(list(agenda)))
    if actions:
        open_count = sum(1 for a in actions if a.is_open)
        heading = md(
            language._("*Action items* ({open} open of {n})"), open=open_count, n=len(actions)
        )
        blocks.extend(sections([heading, *(action_line(a, language) for a in actions[:20])]))
    if minutes:
        recent = minutes[-latest:]
        heading = md(
            language._("*Minutes* (latest {shown} of {n})"), shown=len(recent), n=len(minutes)
        )
        blocks.append({"type": "divider"})
        blocks.extend(
            sections([heading, *(minutes_line(m, _zone(review), language) for m in recent)])
        )
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


# ------------------------------------------------------------------------------ in the channel


def agenda_lines(language: Language) -> list[str]:
    return [
        Mrkdwn(language._("*Agenda*")),
        *(f"{n}. {language._(item)}" for n, item in enumerate(AGENDA, start=1)),
    ]


def actions_block(actions: Sequence[ActionItem], language: Language) -> list[str]:
    if not actions:
        return [Mrkdwn(language._("*Open action items:* none"))]
    return [md(language._("*Open action items* ({n})"), n=len(actions))] + [
        action_line(a, language, with_review=True) for a in actions[:15]
    ]


def reminder(
    review: Review,
    occurrence: datetime,
    kind: str,
    actions: Sequence[ActionItem],
    *,
    late: date | None,
    language: Language,
    agenda: Sequence[str] | None = None,
) -> tuple[str, Blocks]:
    """A reminder in the review's channel: when, who, the agenda and the open action items.
    ``agenda`` replaces the default one (a dispute's meeting: the dispute's summary)."""
    at = occurrence_text(occurrence, _zone(review), language)
    if kind == "15-minutes":
        head = md(
            language._(":alarm_clock: *{ref} · {title}* starts in 15 minutes"),
            ref=review.ref,
            title=review.title,
        )
        text = language._("{ref} · {title} starts in 15 minutes ({at})").format(
            ref=review.ref, title=review.title, at=at
        )
    else:
        head = md(
            language._(":calendar: *{ref} · {title}* — next meeting"),
            ref=review.ref,
            title=review.title,
        )
        text = language._("{ref} · {title}: next meeting {at}").format(
            ref=review.ref, title=review.title, at=at
        )
    lines = [
        head,
        md(language._("*When:* {at}"), at=at),
        md(language._("*With:* {people}"), people=people_text(review, language)),
    ]
    if late is not None:
        lines.append(md("{}", late_text(occurrence, late, review, language)))
    blocks: Blocks = [
        section(Mrkdwn("\n").join(lines)),
        *sections([*(agenda or agenda_lines(language)), "", *actions_block(actions, language)]),
        context(language._("Reply in this thread to record the minutes of this meeting")),
    ]
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def prompt(
    review: Review,
    occurrence: datetime,
    actions: Sequence[ActionItem],
    *,
    reminded: bool,
    language: Language,
    agenda: Sequence[str] | None = None,
) -> tuple[str, Blocks]:
    """After the meeting: ask for the minutes (with the agenda when no reminder went out)."""
    at = occurrence_text(occurrence, _zone(review), language)
    text = language._("Minutes of {ref} · {title} ({at})").format(
        ref=review.ref, title=review.title, at=at
    )
    line = md(
        language._(
            ":memo: *{ref} · {title}* met at {at}. Reply in this "
            "thread with the minutes: what was agreed on service delivery, the problems, the "
            "improvement plan."
        ),
        ref=review.ref,
        title=review.title,
        at=at,
    )
    blocks: Blocks = [section(line)]
    if not reminded:
        shown = agenda or agenda_lines(language)
        blocks.extend(sections([*shown, "", *actions_block(actions, language)]))
    blocks.append(
        context(
            language._("Action items: `/review action {ref} @owner <due> <text>`").format(
                ref=review.ref
            )
        )
    )
    return text, blocks


def action_message(item: ActionItem, language: Language) -> tuple[str, Blocks]:
    """The item as posted in the review's channel (and edited in place when it is done): it
    says where it came from, its review (R-3) or its scorecard (S-2)."""
    origin = item.origin_ref or ""
    when = occurrence_text(item.due_at, ZoneInfo(item.tz), language)
    text = language._("{ref} · {text} — due {when}").format(ref=item.ref, text=item.text, when=when)
    if item.is_open:
        line = md(
            language._(":pushpin: *{ref}* from {review}: {text}\n*Owner:* {owner} · *Due:* {when}"),
            ref=item.ref,
            review=origin,
            text=item.text,
            owner=mention(item.owner_id),
            when=when,
        )
        return text, [section(line), done_buttons(item, language)]
    if item.done_by:
        line = md(
            language._(":white_check_mark: ~{ref}~ from {review}: {text}\nDone by {person}"),
            ref=item.ref,
            review=origin,
            text=item.text,
            person=mention(item.done_by),
        )
    else:
        line = md(
            language._(":white_check_mark: ~{ref}~ from {review}: {text}\nDone"),
            ref=item.ref,
            review=origin,
            text=item.text,
        )
    return language._("{ref} done").format(ref=item.ref), [section(line)]


def done_buttons(item: ActionItem, language: Language) -> dict[str, object]:
    return {
        "type": "actions",
        "block_id": ACTION_BLOCK,
        "elements": [button(language._("Done"), DONE_BUTTON, item.ref, "primary")],
    }


# ------------------------------------------------------------------------------ direct messages


def action_due(
    item: ActionItem,
    *,
    for_owner: bool,
    language: Language,
    permalink: str | None = None,
) -> tuple[str, Blocks]:
    """The due-date DM: to the owner, or to the review's owner for an item of another
    organisation's person (who cannot press Done). It names the item's review (R-3) or
    scorecard (S-2)."""
    when = occurrence_text(item.due_at, ZoneInfo(item.tz), language)
    origin = item.origin_ref or ""
    where = link(permalink, origin) if permalink else origin
    if for_owner:
        line = md(
            language._(":hourglass: *{ref}* from {review} is due {when}: {text}"),
            ref=item.ref,
            review=where,
            when=when,
            text=item.text,
        )
    else:
        line = md(
            language._(
                ":hourglass: *{ref}* from {review}, owned by {owner}, is due {when}: {text}\n"
                "Mark it done when they have delivered."
            ),
            ref=item.ref,
            review=where,
            owner=mention(item.owner_id),
            when=when,
            text=item.text,
        )
    text = language._("{ref} is due {when}").format(ref=item.ref, when=when)
    return text, [section(line), done_buttons(item, language)]


def report_due(
    review: Review, deadline: date, *, late: date | None, language: Language
) -> tuple[str, Blocks]:
    """The owner's DM before the month's service-report deadline."""
    assert review.report_within is not None
    day = language.day(deadline)
    text = language._("The service report for {ref} is due {day}").format(ref=review.ref, day=day)
    lines: list[str] = [
        md(
            language._(
                ":page_facing_up: The service report for *{ref} · {title}* is due by *{day}*, "
                "the {nth} working day of the month."
            ),
            ref=review.ref,
            title=review.title,
            day=day,
            nth=ordinal(review.report_within, language),
        )
    ]
    if late is not None and review.next_at is not None:
        lines.append(late_text(review.next_at, late, review, language))
    return text, [section(Mrkdwn("\n").join(lines))]
