"""Block Kit for digests, `/digest` answers and the App Home. Pure: records in, JSON out.

Every word is the reader's (`language`): a channel's digest in the channel's language, a
person's digest, an answer and the Home in that person's.
"""

from __future__ import annotations

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
    local,
    md,
    mention,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.digests import DigestKind, Subscription
from bot.domain.disputes import Dispute
from bot.domain.parties import Audience
from bot.domain.visibility import visible_parties
from bot.workflows.digests_content import Digest, DigestEntry, DigestSection, SectionKey
from bot.workflows.digests_home import HomeContent
from bot.workflows.disputes import StageClock

# The disputes' renderers take the reader's Language; the digests and the Home are still
# English until their own part threads the reader's Language here (issue 16).

HOME_BLOCK_LIMIT = 100
TITLE_WIDTH = 80

DIGEST_USAGE = N_("""\
*Digests* — once a working day, what needs attention: overdue stages first, every open \
dispute with its clock, new replies from the parties, reviews, action items and agreements.
• `/digest subscribe [at HH:MM]` — this channel's digest at that time (default 09:00)
• `/digest unsubscribe` — stop this channel's digest
• `/digest now` — post this channel's digest now
• `/digest me at HH:MM` — your own digest by DM, in your Slack time zone · `/digest me off`
• `/digest help` — this help
Digests go out on working days only. An empty digest is not posted. \
In a shared channel the digest holds only what concerns that channel's parties.""")

ICONS = {
    SectionKey.OVERDUE: ":red_circle:",
    SectionKey.OPEN: ":large_blue_circle:",
    SectionKey.REPLIES: ":speech_balloon:",
    SectionKey.REVIEWS: ":calendar:",
    SectionKey.ACTIONS: ":ballot_box_with_check:",
    SectionKey.AGREEMENTS: ":page_facing_up:",
    SectionKey.COMPLAINTS: ":speaking_head_in_silhouette:",
    SectionKey.CONTRACTS: ":spiral_calendar_pad:",
    SectionKey.CONTRACTS_SHORT: ":warning:",
    SectionKey.SURVEYS: ":bar_chart:",
}

# What a line's date is (`DigestEntry.when_label`), each with its date in its place.
WHEN_WORDS = {
    "next": N_("next {when}"),
    "due": N_("due {when}"),
    "valid until": N_("valid until {when}"),
    "overdue since": N_("overdue since {when}"),
    "closes": N_("closes {when}"),
    "closed": N_("closed {when}"),
}


def _ref(ref: str, url: str | None) -> Mrkdwn:
    shown = md("*{}*", ref)
    return link(url, shown) if url else shown


def _title(title: str) -> Mrkdwn:
    return escape(truncate(title, TITLE_WIDTH))


def _listed(items: Sequence[str], language: Language) -> Mrkdwn:
    """Items in the reader's list (`, ` / `、`), each escaped unless it is markup already."""
    return Mrkdwn(language.patterns.separator).join(items)


def _when(when: datetime | date | None, tz: ZoneInfo, language: Language) -> str | None:
    if isinstance(when, datetime):
        return language.moment(local(when, tz))
    if isinstance(when, date):
        return language.day(when)
    return None


def dispute_line(
    dispute: Dispute,
    clock: StageClock,
    tz: ZoneInfo,
    audience: Audience,
    url: str | None,
    language: Language,
) -> str:
    """One compact line: ref (linked), title, stage and clock, the parties seen here, owner."""
    parts: list[str] = [md("{} {}", _ref(dispute.ref, url), _title(dispute.title))]
    parts.append(
        language._("{stage}, {clock}").format(
            stage=render_disputes.stage_text(dispute.stage, language),
            clock=render_disputes.clock_text(clock, tz, language),
        )
    )
    shown = visible_parties(dispute.parties, audience)
    if shown:
        parts.append(_listed([p.name for p in shown], language))
    parts.append(mention(dispute.owner_id))
    return Mrkdwn(" — ").join(parts)


def entry_line(
    key: SectionKey,
    entry: DigestEntry,
    tz: ZoneInfo,
    audience: Audience,
    url: str | None,
    language: Language,
) -> str:
    ref, title = _ref(entry.ref, url), _title(entry.title)
    if key is SectionKey.REPLIES:
        who = _listed(
            [
                md(language._("{who} ({party})"), who=mention(r.user_id), party=r.party)
                for r in entry.repliers
            ],
            language,
        )
        return md(
            language._("• {ref} {title} — new replies from {who}"), ref=ref, title=title, who=who
        )
    if entry.dispute is not None and entry.clock is not None:
        return "• " + dispute_line(entry.dispute, entry.clock, tz, audience, url, language)
    when = _when(entry.when, tz, language)
    if when is None:
        return md("• {} {}", ref, title)
    words = WHEN_WORDS.get(entry.when_label)
    said = language._(words).format(when=when) if words else when
    if entry.answers is not None:  # a survey's: how many answered, never what
        count = language.ngettext("{n} answer", "{n} answers", entry.answers)
        return md("• {} {} — {}, {}", ref, title, said, count.format(n=entry.answers))
    return md("• {} {} — {}", ref, title, said)


def section_blocks(
    section: DigestSection,
    *,
    tz: ZoneInfo,
    audience: Audience,
    links: Mapping[tuple[str, str], str],
    language: Language,
) -> Blocks:
    if not section.total:
        return []
    title = language._(section.title) if section.title else ""  # "" is the catalog's header
    heading = md("{} *{}* ({})", ICONS.get(section.key, "•"), title, section.total)
    lines = [
        entry_line(section.key, e, tz, audience, links.get(e.link) if e.link else None, language)
        for e in section.entries
    ]
    blocks = sections([heading, *lines])
    if section.hidden:
        blocks.append(_more(section.hidden, section.more, language))
    return blocks


def _more(n: int, where: str, language: Language) -> dict[str, Any]:
    return context(language._("and {n} more — `{more}`").format(n=n, more=where))


def _count(key: SectionKey, n: int, language: Language) -> str:
    """One section's count in words: `2 overdue`, `1 review coming up`."""
    if key is SectionKey.OVERDUE:
        said = language.ngettext("{n} overdue", "{n} overdue", n)
    elif key is SectionKey.OPEN:
        said = language.ngettext("{n} open", "{n} open", n)
    elif key is SectionKey.REPLIES:
        said = language.ngettext("{n} with new replies", "{n} with new replies", n)
    elif key is SectionKey.REVIEWS:
        said = language.ngettext("{n} review coming up", "{n} reviews coming up", n)
    elif key is SectionKey.ACTIONS:
        said = language.ngettext("{n} action item due", "{n} action items due", n)
    elif key is SectionKey.COMPLAINTS:
        said = language.ngettext("{n} open complaint", "{n} open complaints", n)
    elif key is SectionKey.CONTRACTS:
        said = language.ngettext("{n} contract ending", "{n} contracts ending", n)
    elif key is SectionKey.CONTRACTS_SHORT:
        said = language.ngettext(
            "{n} contract short of its SLA", "{n} contracts short of their SLA", n
        )
    elif key is SectionKey.SURVEYS:
        said = language.ngettext("{n} survey", "{n} surveys", n)
    else:
        said = language.ngettext("{n} agreement expiring", "{n} agreements expiring", n)
    return said.format(n=n)


def summary(digest: Digest, language: Language) -> str:
    """`2 overdue, 5 open, 1 with new replies, 1 review coming up`."""
    return language.listed(
        _count(topic.key, topic.total, language) for topic in digest.sections if topic.total
    )


def digest_message(
    digest: Digest,
    *,
    personal: bool,
    tz: ZoneInfo,
    audience: Audience,
    links: Mapping[tuple[str, str], str],
    day: date,
    language: Language,
    late_since: datetime | None = None,
) -> tuple[str, Blocks]:
    """The digest as one message that fits Block Kit's limits however much there is."""
    shown_day = language.day(day)
    title = (
        language._("Your daily digest · {day}").format(day=shown_day)
        if personal
        else language._("Daily digest · {day}").format(day=shown_day)
    )
    counts = summary(digest, language)
    text = language._("{title}: {summary}").format(title=title, summary=counts)
    notes = [counts]
    if late_since is not None:
        notes.append(
            language._("due {when} ({zone}); Parley was unavailable then, so it comes late").format(
                when=language.stamp(local(late_since, tz)), zone=tz.key
            )
        )
    blocks: Blocks = [header(title), context(*notes)]
    for topic in digest.sections:
        part = section_blocks(topic, tz=tz, audience=audience, links=links, language=language)
        if part:
            blocks.append({"type": "divider"})
            blocks.extend(part)
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        blocks = blocks[: MESSAGE_BLOCK_LIMIT - 1]
        blocks.append(context(language._("The rest did not fit — `/dispute list` shows it all")))
    return text, blocks


def usage(
    language: Language, message: str | None = None, *, status: Sequence[str] = ()
) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(language._(DIGEST_USAGE)))
    if status:
        blocks.append(context(*status))
    return (message or language._("How to use /digest")), blocks


def subscription_status(sub: Subscription | None, kind: DigestKind, language: Language) -> str:
    if kind is DigestKind.CHANNEL:
        if sub is None:
            return language._("This channel gets no digest")
        return language._("This channel's digest: {at} ({zone}) on working days").format(
            at=sub.at_text, zone=sub.zone
        )
    if sub is None:
        return language._("You get no digest by DM")
    return language._("Your digest by DM: {at} ({zone}) on working days").format(
        at=sub.at_text, zone=sub.zone
    )


def _subscribed_head(sub: Subscription, before: Subscription | None, language: Language) -> str:
    """What changed, in one sentence for each kind of digest and each kind of change."""
    channel = sub.kind is DigestKind.CHANNEL
    if before is not None and before.at == sub.at and before.zone == sub.zone:
        said = (
            language._("This channel's digest already goes out at {at} ({zone}).")
            if channel
            else language._("Your digest by DM already goes out at {at} ({zone}).")
        )
    elif before is not None:
        said = (
            language._("This channel's digest now goes out at {at} ({zone}), not {before}.")
            if channel
            else language._("Your digest by DM now goes out at {at} ({zone}), not {before}.")
        )
    else:
        said = (
            language._("This channel's digest will go out at {at} ({zone}) on working days.")
            if channel
            else language._("Your digest by DM will go out at {at} ({zone}) on working days.")
        )
    return said.format(
        at=sub.at_text, zone=sub.zone, before=before.at_text if before is not None else ""
    )


def subscribed(
    sub: Subscription, before: Subscription | None, first_due: datetime, language: Language
) -> str:
    return language._(
        ":white_check_mark: {head} The next one: {first}. An empty digest is not posted."
    ).format(
        head=_subscribed_head(sub, before, language),
        first=language.stamp(local(first_due, sub.tz)),
    )


# -------------------------------------------------------------------------------- home


def home_dispute_buttons(dispute: Dispute, language: Language) -> dict[str, Any]:
    """The card's buttons, under a block id of their own (ids are unique within a view)."""
    block = render_disputes.card_buttons(dispute, language)
    return {**block, "block_id": f"home_{dispute.ref}"}


def home_view(
    content: HomeContent, *, tz: ZoneInfo, now: datetime, language: Language
) -> dict[str, Any]:
    """The App Home: my open disputes and clocks (overdue first), then my reviews, action
    items and agreements awaiting acknowledgment; at most 100 blocks."""
    blocks: Blocks = [
        header(language._("What needs you")),
        context(
            language._("Updated {when} ({zone})").format(
                when=language.stamp(local(now, tz)), zone=tz.key
            ),
            language._("`/dispute list mine` · `/digest me at 09:00` for a daily DM"),
        ),
        {"type": "divider"},
    ]
    if content.disputes:
        blocks.append(section(md(language._("*Your open disputes* ({n})"), n=content.total)))
        for dispute, clock in content.disputes:
            icon = ":red_circle:" if clock.overdue else ":large_blue_circle:"
            line = dispute_line(dispute, clock, tz, Audience(), None, language)
            blocks.append(section(md("{} {}", icon, line)))
            blocks.append(home_dispute_buttons(dispute, language))
        hidden = content.total - len(content.disputes)
        if hidden > 0:
            blocks.append(_more(hidden, "/dispute list mine", language))
    else:
        blocks.append(section(language._("You own or take part in no open dispute. :tada:")))
    for topic in content.extras:
        part = section_blocks(topic, tz=tz, audience=Audience(), links={}, language=language)
        if part:
            blocks.append({"type": "divider"})
            blocks.extend(part)
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = blocks[: HOME_BLOCK_LIMIT - 1]
        blocks.append(
            context(language._("The rest did not fit — `/dispute list mine` shows it all"))
        )
    return {"type": "home", "blocks": blocks}
