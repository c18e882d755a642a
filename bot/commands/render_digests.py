"""Block Kit for digests, `/digest` answers and the App Home. Pure: records in, JSON out."""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands import render_disputes
from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    context,
    escape,
    header,
    link,
    md,
    mention,
    section,
    sections,
    short_date,
    stamp,
    truncate,
)
from bot.commands.words.language import ENGLISH, Language
from bot.domain.digests import DigestKind, Subscription
from bot.domain.disputes import Dispute
from bot.domain.parties import Audience
from bot.domain.visibility import visible_parties
from bot.workflows.digests_content import Digest, DigestEntry, DigestSection, SectionKey
from bot.workflows.digests_home import HomeContent
from bot.workflows.disputes import StageClock

# The disputes' renderers take the reader's Language; the digests and the Home are still
# English until their own part threads the reader's Language here (issue 16).
_DISPUTE_WORDS = Language(ENGLISH, gettext.NullTranslations())

HOME_BLOCK_LIMIT = 100
TITLE_WIDTH = 80

DIGEST_USAGE = """\
*Digests* — once a working day, what needs attention: overdue stages first, every open \
dispute with its clock, new replies from the parties, reviews, action items and agreements.
• `/digest subscribe [at HH:MM]` — this channel's digest at that time (default 09:00)
• `/digest unsubscribe` — stop this channel's digest
• `/digest now` — post this channel's digest now
• `/digest me at HH:MM` — your own digest by DM, in your Slack time zone · `/digest me off`
• `/digest help` — this help
Digests go out on working days only. An empty digest is not posted. \
In a shared channel the digest holds only what concerns that channel's parties."""

ICONS = {
    SectionKey.OVERDUE: ":red_circle:",
    SectionKey.OPEN: ":large_blue_circle:",
    SectionKey.REPLIES: ":speech_balloon:",
    SectionKey.REVIEWS: ":calendar:",
    SectionKey.ACTIONS: ":ballot_box_with_check:",
    SectionKey.AGREEMENTS: ":page_facing_up:",
}


def _ref(ref: str, url: str | None) -> Mrkdwn:
    shown = md("*{}*", ref)
    return link(url, shown) if url else shown


def _title(title: str) -> Mrkdwn:
    return escape(truncate(title, TITLE_WIDTH))


def _when(when: datetime | date | None, tz: ZoneInfo) -> str | None:
    if isinstance(when, datetime):
        local = when.astimezone(tz)
        return f"{short_date(when, tz)} {local:%H:%M}"
    if isinstance(when, date):
        return f"{when:%a} {when.day} {when:%b}"
    return None


def dispute_line(
    dispute: Dispute, clock: StageClock, tz: ZoneInfo, audience: Audience, url: str | None
) -> str:
    """One compact line: ref (linked), title, stage and clock, the parties seen here, owner."""
    parts: list[str] = [md("{} {}", _ref(dispute.ref, url), _title(dispute.title))]
    parts.append(
        f"{render_disputes.stage_text(dispute.stage, _DISPUTE_WORDS)}, "
        f"{render_disputes.clock_text(clock, tz, _DISPUTE_WORDS)}"
    )
    shown = visible_parties(dispute.parties, audience)
    if shown:
        parts.append(Mrkdwn(", ").join(p.name for p in shown))
    parts.append(mention(dispute.owner_id))
    return Mrkdwn(" — ").join(parts)


def entry_line(
    key: SectionKey, entry: DigestEntry, tz: ZoneInfo, audience: Audience, url: str | None
) -> str:
    if key is SectionKey.REPLIES:
        who = Mrkdwn(", ").join(md("{} ({})", mention(r.user_id), r.party) for r in entry.repliers)
        return md("• {} {} — new replies from {}", _ref(entry.ref, url), _title(entry.title), who)
    if entry.dispute is not None and entry.clock is not None:
        return "• " + dispute_line(entry.dispute, entry.clock, tz, audience, url)
    when = _when(entry.when, tz)
    tail = f" — {entry.when_label} {when}".replace("  ", " ") if when else ""
    return md("• {} {}{}", _ref(entry.ref, url), _title(entry.title), tail)


def section_blocks(
    section: DigestSection,
    *,
    tz: ZoneInfo,
    audience: Audience,
    links: Mapping[tuple[str, str], str],
) -> Blocks:
    if not section.total:
        return []
    heading = md("{} *{}* ({})", ICONS.get(section.key, "•"), section.title, section.total)
    lines = [
        entry_line(section.key, e, tz, audience, links.get(e.link) if e.link else None)
        for e in section.entries
    ]
    blocks = sections([heading, *lines])
    if section.hidden:
        blocks.append(context(f"and {section.hidden} more — `{section.more}`"))
    return blocks


SUMMARY_WORDS = {
    SectionKey.OVERDUE: ("overdue", "overdue"),
    SectionKey.OPEN: ("open", "open"),
    SectionKey.REPLIES: ("with new replies", "with new replies"),
    SectionKey.REVIEWS: ("review coming up", "reviews coming up"),
    SectionKey.ACTIONS: ("action item due", "action items due"),
    SectionKey.AGREEMENTS: ("agreement expiring", "agreements expiring"),
}


def summary(digest: Digest) -> str:
    """`2 overdue, 5 open, 1 with new replies, 1 review coming up`."""
    counts = []
    for topic in digest.sections:
        if topic.total:
            one, many = SUMMARY_WORDS.get(topic.key, (topic.key.value, topic.key.value))
            counts.append(f"{topic.total} {one if topic.total == 1 else many}")
    return ", ".join(counts)


def digest_message(
    digest: Digest,
    *,
    personal: bool,
    tz: ZoneInfo,
    audience: Audience,
    links: Mapping[tuple[str, str], str],
    day: date,
    late_since: datetime | None = None,
) -> tuple[str, Blocks]:
    """The digest as one message that fits Block Kit's limits however much there is."""
    name = "Your daily digest" if personal else "Daily digest"
    title = f"{name} · {day:%a} {day.day} {day:%b}"
    text = f"{title}: {summary(digest)}"
    notes = [summary(digest)]
    if late_since is not None:
        notes.append(
            f"due {stamp(late_since, tz)} ({tz.key}); Parley was unavailable then, so it comes late"
        )
    blocks: Blocks = [header(title), context(*notes)]
    for topic in digest.sections:
        part = section_blocks(topic, tz=tz, audience=audience, links=links)
        if part:
            blocks.append({"type": "divider"})
            blocks.extend(part)
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        blocks = blocks[: MESSAGE_BLOCK_LIMIT - 1]
        blocks.append(context("The rest did not fit — `/dispute list` shows it all"))
    return text, blocks


def usage(
    language: Language, message: str | None = None, *, status: Sequence[str] = ()
) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(DIGEST_USAGE))
    if status:
        blocks.append(context(*status))
    return (message or "How to use /digest"), blocks


def subscription_status(sub: Subscription | None, kind: DigestKind) -> str:
    if kind is DigestKind.CHANNEL:
        if sub is None:
            return "This channel gets no digest"
        return f"This channel's digest: {sub.at_text} ({sub.zone}) on working days"
    if sub is None:
        return "You get no digest by DM"
    return f"Your digest by DM: {sub.at_text} ({sub.zone}) on working days"


def subscribed(sub: Subscription, before: Subscription | None, first_due: datetime) -> str:
    where = "This channel's" if sub.kind is DigestKind.CHANNEL else "Your"
    how = "" if sub.kind is DigestKind.CHANNEL else " by DM"
    if before is not None and before.at == sub.at and before.zone == sub.zone:
        head = f"{where} digest{how} already goes out at {sub.at_text} ({sub.zone})."
    elif before is not None:
        head = (
            f"{where} digest{how} now goes out at {sub.at_text} ({sub.zone}), not {before.at_text}."
        )
    else:
        head = f"{where} digest{how} will go out at {sub.at_text} ({sub.zone}) on working days."
    first = stamp(first_due, sub.tz)
    return f":white_check_mark: {head} The next one: {first}. An empty digest is not posted."


# -------------------------------------------------------------------------------- home


def home_dispute_buttons(dispute: Dispute) -> dict[str, Any]:
    """The card's buttons, under a block id of their own (ids are unique within a view)."""
    block = render_disputes.card_buttons(dispute, _DISPUTE_WORDS)
    return {**block, "block_id": f"home_{dispute.ref}"}


def home_view(content: HomeContent, *, tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The App Home: my open disputes and clocks (overdue first), then my reviews, action
    items and agreements awaiting acknowledgment; at most 100 blocks."""
    blocks: Blocks = [
        header("What needs you"),
        context(
            f"Updated {stamp(now, tz)} ({tz.key})",
            "`/dispute list mine` · `/digest me at 09:00` for a daily DM",
        ),
        {"type": "divider"},
    ]
    if content.disputes:
        blocks.append(section(md("*Your open disputes* ({})", content.total)))
        for dispute, clock in content.disputes:
            icon = ":red_circle:" if clock.overdue else ":large_blue_circle:"
            line = dispute_line(dispute, clock, tz, Audience(), None)
            blocks.append(section(md("{} {}", icon, line)))
            blocks.append(home_dispute_buttons(dispute))
        hidden = content.total - len(content.disputes)
        if hidden > 0:
            blocks.append(context(f"and {hidden} more — `/dispute list mine`"))
    else:
        blocks.append(section("You own or take part in no open dispute. :tada:"))
    for topic in content.extras:
        part = section_blocks(topic, tz=tz, audience=Audience(), links={})
        if part:
            blocks.append({"type": "divider"})
            blocks.extend(part)
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = blocks[: HOME_BLOCK_LIMIT - 1]
        blocks.append(context("The rest did not fit — `/dispute list mine` shows it all"))
    return {"type": "home", "blocks": blocks}
