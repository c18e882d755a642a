"""Block Kit for disputes: the card, lists, the record, the thread's lines and usage. Pure:
records in, JSON out (the shared builders are in `blocks.py`, the modals in
`render_dispute_forms.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands import render_contracts, render_reviews
from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_LIMIT,
    Blocks,
    Mrkdwn,
    button,
    channel_link,
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
from bot.domain import chain
from bot.domain.clocks import duration_parts
from bot.domain.contracts import Contract
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.ladder import Stage, Status, read_overdue_text
from bot.domain.lists import ListScope
from bot.domain.names import name_key
from bot.domain.parties import Audience, Party, PartyKind
from bot.domain.reviews import Review
from bot.domain.timeline import TimelineKind, announcement
from bot.domain.visibility import visible_events, visible_parties
from bot.workflows.disputes import DisputePage, StageClock

DISPUTE_USAGE = N_("""\
*Disputes* — one thread, one owner, one clock, climbing the agreed escalation ladder.
• `/dispute open &lt;title&gt; [with @user …]` — open a dispute in this channel
• `/dispute list [open|overdue|mine|all]` — disputes, newest first (only you see it)
• `/dispute show D-n` — stage, clock, parties and the latest on the record
• `/dispute escalate D-n &lt;reason&gt;` — the next stage of the agreed ladder
• `/dispute resolve D-n &lt;resolution&gt;` · `/dispute withdraw D-n &lt;reason&gt;`
• `/dispute reopen D-n &lt;reason&gt;` — a resolved or withdrawn dispute, back at its stage
• `/dispute add D-n @user|#channel …` — bring people (and parties) in, or link a thread
• `/dispute note D-n &lt;text&gt;` — an internal note, never shown to parties
• `/dispute meet D-n &lt;when&gt; [with @user …]` — a meeting of everyone on it, once \
(e.g. `next Tuesday 3pm`, `下周二下午3点`), reminded with the dispute's summary as agenda; \
its minutes go on the record
• `/dispute dossier D-n` — the whole record as a file, in your DM (internal only)
• `/dispute help` — this help
Ids work with or without the prefix: `D-3`, `d3`, `3`.""")


def clock_text(clock: StageClock, tz: ZoneInfo, language: Language) -> str:
    """`due Thu 26 Nov, 2 working days left`, `due today`, or `overdue by 1 working day`."""
    if clock.due_at is None:
        return language._("no time limit at this stage")
    left = clock.working_days_left
    due = language.day(local(clock.due_at, tz))
    if left is None:
        return language._("was due {day}").format(day=due)
    if left < 0:
        return language.ngettext(
            "overdue by {n} working day (was due {day})",
            "overdue by {n} working days (was due {day})",
            -left,
        ).format(n=-left, day=due)
    if left == 0:
        return language._("due today, {time}").format(time=language.clock(local(clock.due_at, tz)))
    said = language.ngettext(
        "due {day}, {n} working day left", "due {day}, {n} working days left", left
    ).format(day=due, n=left)
    if not clock.holidays or clock.calendar is None:
        return said
    names = dict.fromkeys(
        name
        for day in clock.holidays
        if (name := clock.calendar.holiday_name(day, language.code)) is not None
    )
    if not names:
        return said
    return language._("{clock} ({holidays} in between)").format(
        clock=said, holidays=language.listed(names)
    )


def stage_text(stage: Stage, language: Language) -> str:
    """`Stage 2/4 · Multi-party`, in the reader's words."""
    return language._("Stage {number}/{total} · {stage}").format(
        number=stage.number, total=len(Stage), stage=language._(stage.label)
    )


PARTY_KINDS = {
    PartyKind.CUSTOMER: N_("customer"),
    PartyKind.SUPPLIER: N_("supplier"),
    PartyKind.THIRD_PARTY: N_("third party"),
}


def parties_text(parties: Sequence[Party], audience: Audience, language: Language) -> str:
    shown = visible_parties(parties, audience)
    if not shown:
        return language._("none yet") if audience.internal or not parties else "—"
    return Mrkdwn(language.patterns.separator).join(
        md(language._("{party} ({kind})"), party=p.name, kind=language._(PARTY_KINDS[p.kind]))
        for p in shown
    )


def status_text(dispute: Dispute, clock: StageClock, tz: ZoneInfo, language: Language) -> str:
    if dispute.status is Status.RESOLVED:
        return language._(":white_check_mark: Resolved at {stage}").format(
            stage=stage_text(dispute.stage, language).lower()
        )
    if dispute.status is Status.WITHDRAWN:
        return language._(":heavy_multiplication_x: Withdrawn")
    icon = ":red_circle:" if clock.overdue else ":large_blue_circle:"
    return f"{icon} {stage_text(dispute.stage, language)} — {clock_text(clock, tz, language)}"


def dispute_card(
    dispute: Dispute,
    *,
    clock: StageClock,
    tz: ZoneInfo,
    audience: Audience,
    language: Language,
    linked: bool = False,
    meetings: Sequence[Review] = (),
    complaints: Sequence[str] = (),
    contracts: Sequence[Contract] = (),
) -> tuple[str, Blocks]:
    """The root message of the dispute's thread; edited in place whenever the dispute changes.
    ``meetings`` are those called on it (`/dispute meet`) that this audience may see;
    ``complaints`` the refs of the customers' complaints it caused that this audience may
    see; ``contracts`` its supplier parties' support contracts (each shown only where its
    party is)."""
    text = f"{dispute.ref} · {dispute.title} — {stage_text(dispute.stage, language)}"
    lines = [
        status_text(dispute, clock, tz, language),
        md(language._("*Owner:* {owner}"), owner=mention(dispute.owner_id)),
        md(
            language._("*Parties:* {parties}"),
            parties=parties_text(dispute.parties, audience, language),
        ),
    ]
    seen = {name_key(p.name) for p in visible_parties(dispute.parties, audience)}
    signed = [c for c in contracts if name_key(c.party) in seen]
    lines.extend(render_contracts.dispute_terms(signed, language=language))
    if dispute.resolution:
        lines.append(md(language._("*Resolution:* {resolution}"), resolution=dispute.resolution))
    if meetings:
        lines.append(meetings_text(meetings, language))
    if complaints:
        lines.append(
            md(language._("*Complaints it caused:* {refs}"), refs=language.listed(complaints))
        )
    blocks: Blocks = [
        header(f"{dispute.ref} · {dispute.title}"),
        section(Mrkdwn("\n").join(lines)),
        context(
            md(
                language._("Opened by {owner} {when} ({zone})"),
                owner=mention(dispute.owner_id),
                when=language.stamp(local(dispute.opened_at, tz)),
                zone=tz.key,
            ),
            language._(":link: A linked thread of {ref}: replies here go on its record").format(
                ref=dispute.ref
            )
            if linked
            else language._("Reply in this thread: every reply goes on the record"),
        ),
    ]
    if dispute.is_open:
        blocks.append(card_buttons(dispute, language))
    return text, blocks


def meetings_text(meetings: Sequence[Review], language: Language, *, shown: int = 5) -> str:
    """`*Meetings:* R-4 once: Tue 1 Dec 2026 15:00 (Asia/Shanghai)` — the latest few."""
    said = Mrkdwn("; ").join(
        md("{} {}", m.ref, render_reviews.when_text(m, language)) for m in meetings[-shown:]
    )
    return md(language._("*Meetings:* {meetings}"), meetings=said)


CARD_ACTIONS = "dispute_actions"
ESCALATE_BUTTON = "dispute_escalate"
RESOLVE_BUTTON = "dispute_resolve"
NOTE_BUTTON = "dispute_note"


def card_buttons(dispute: Dispute, language: Language) -> dict[str, Any]:
    """The card's buttons; each does what its command does, with the same checks."""
    elements = []
    if dispute.stage is not Stage.LEGAL:
        elements.append(button(language._("Escalate"), ESCALATE_BUTTON, dispute.ref, "danger"))
    elements.append(button(language._("Resolve"), RESOLVE_BUTTON, dispute.ref, "primary"))
    elements.append(button(language._("Add note"), NOTE_BUTTON, dispute.ref))
    return {"type": "actions", "block_id": CARD_ACTIONS, "elements": elements}


def list_line(
    dispute: Dispute, clock: StageClock, tz: ZoneInfo, audience: Audience, language: Language
) -> str:
    parts: list[str] = [md("*{}* {}", dispute.ref, truncate(dispute.title, 80))]
    if dispute.is_open:
        parts.append(
            language._("{stage}, {clock}").format(
                stage=stage_text(dispute.stage, language), clock=clock_text(clock, tz, language)
            )
        )
    else:
        parts.append(language._(dispute.status.label))
    shown = visible_parties(dispute.parties, audience)
    if shown:
        parts.append(Mrkdwn(language.patterns.separator).join(p.name for p in shown))
    parts.append(mention(dispute.owner_id))
    return (":red_circle: " if clock.overdue else "• ") + Mrkdwn(" — ").join(parts)


EMPTY_LIST = {
    ListScope.OPEN: N_("No open disputes. Open one with `/dispute open <title> with @supplier`."),
    ListScope.OVERDUE: N_("Nothing is overdue. :tada:"),
    ListScope.MINE: N_("You own or take part in no open dispute."),
    ListScope.ALL: N_("No disputes yet. Open one with `/dispute open <title> with @supplier`."),
}

LIST_TITLES = {
    ListScope.OPEN: N_("Open disputes ({n})"),
    ListScope.OVERDUE: N_("Overdue disputes ({n})"),
    ListScope.MINE: N_("Your open disputes ({n})"),
    ListScope.ALL: N_("All disputes ({n})"),
}


def dispute_list(
    page: DisputePage,
    *,
    scope: ListScope,
    clocks: dict[int, StageClock],
    tz: ZoneInfo,
    audience: Audience,
    language: Language,
) -> tuple[str, Blocks]:
    if not page.disputes:
        message = language._(EMPTY_LIST[scope])
        return message, [section(message)]
    title = language._(LIST_TITLES[scope]).format(n=page.total)
    lines = [list_line(d, clocks[d.id], tz, audience, language) for d in page.disputes]
    blocks: Blocks = [section(md("*{}*", title)), *sections(lines)]
    if page.total > len(page.disputes):
        more = page.total - len(page.disputes)
        blocks.append(
            context(
                language.ngettext(
                    "and {n} more — `/dispute show D-n` for one of them",
                    "and {n} more — `/dispute show D-n` for one of them",
                    more,
                ).format(n=more)
            )
        )
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def event_line(
    event: TimelineEvent, tz: ZoneInfo, language: Language, *, with_text: bool = True
) -> str:
    """One line of the record, in its kind's words; pass events through `visible_events`
    first for any audience but the company's own."""
    meaning = event.kind.meaning
    who = mention(event.actor_id) if event.actor_id else Mrkdwn("Parley")
    what = escape(language._(meaning.words))
    if event.kind is TimelineKind.PARTY_ADDED and event.party:
        what = md("{} {}", what, event.party)
    elif event.party and meaning.message:
        who = md("{} ({})", who, event.party)
    line = md("{} · {} {}", language.stamp(local(event.at, tz)), who, what)
    if with_text and event.text and meaning.quoted:
        said = truncate(record_words(event.text, language), 300)
        line += md(language._(": {text}"), text=said)
    return line


def record_words(text: str, language: Language) -> str:
    """A text of the record as the reader reads it: Parley's own (a stage that ran out, an
    automatic escalation) in their words; what a person wrote, as they wrote it."""
    found = read_overdue_text(text)
    if found is None:
        return text
    overdue = language.ngettext(
        "{stage} overdue by {n} working day",
        "{stage} overdue by {n} working days",
        found.working_days,
    ).format(stage=language._(found.stage.label), n=found.working_days)
    if not found.automatic:
        return overdue
    return language._("{overdue}: escalated automatically, as the company's config asks").format(
        overdue=overdue
    )


def duration_text(seconds: int, language: Language, *, in_days: bool = True) -> str:
    """`3 d 4 h`, `5 h 20 min`, `12 min` or `under a minute` (office hours: `44 h`)."""
    days, hours, minutes = duration_parts(seconds, in_days=in_days)
    if days:
        if hours:
            return language._("{days} d {hours} h").format(days=days, hours=hours)
        return language._("{days} d").format(days=days)
    if hours:
        if minutes:
            return language._("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
        return language._("{hours} h").format(hours=hours)
    if minutes:
        return language._("{minutes} min").format(minutes=minutes)
    return language._("under a minute")


def response_lines(
    dispute: Dispute, events: Sequence[TimelineEvent], audience: Audience, language: Language
) -> list[str]:
    """Each visible party's first-response clock, or that it has not replied yet."""
    timed = {
        e.party: e
        for e in events
        if e.kind is TimelineKind.REPLY and e.response_wall_seconds is not None
    }
    lines = []
    for party in visible_parties(dispute.parties, audience):
        first = timed.get(party.name)
        if first is None or first.response_wall_seconds is None:
            lines.append(language._("{party}: no reply yet").format(party=party.name))
            continue
        lines.append(
            language._("{party}: first reply after {wall} ({working} in office hours)").format(
                party=party.name,
                wall=duration_text(first.response_wall_seconds, language),
                working=duration_text(first.response_working_seconds or 0, language, in_days=False),
            )
        )
    return lines


def dispute_record(
    dispute: Dispute,
    events: Sequence[TimelineEvent],
    *,
    clock: StageClock,
    tz: ZoneInfo,
    audience: Audience,
    language: Language,
    latest: int = 10,
    meetings: Sequence[Review] = (),
    complaints: Sequence[str] = (),
    contracts: Sequence[Contract] = (),
) -> tuple[str, Blocks]:
    """What `/dispute show` answers: the card's facts plus the latest on the record."""
    text, blocks = dispute_card(
        dispute,
        clock=clock,
        tz=tz,
        audience=audience,
        language=language,
        meetings=meetings,
        complaints=complaints,
        contracts=contracts,
    )
    if audience.internal and dispute.chain_head:
        blocks.append(chain_line(dispute, language))
    shown = visible_events(events, audience, dispute.parties)
    clocks = response_lines(dispute, events, audience, language)
    if clocks:
        blocks.extend(sections([Mrkdwn(language._("*Response clocks*")), *clocks]))
    recent = shown[-latest:]
    lines = [event_line(e, tz, language) for e in recent]
    if lines:
        blocks.append({"type": "divider"})
        heading = md(
            language._("*Latest on the record* ({shown} of {total})"),
            shown=len(recent),
            total=len(shown),
        )
        blocks.extend(sections([heading, *lines]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def chain_line(dispute: Dispute, language: Language) -> dict[str, Any]:
    """The record chain's last hash, for the company's own readers: its first digits to
    compare by eye, and the whole of it, which `parley verify` and the export show too. (A
    party is not shown it: it could check it against nothing it has, and its changing
    would tell a party that internal events it cannot see were added.)"""
    head = dispute.chain_head or ""
    return context(
        md(
            language._(
                "Record chain: `{short}…` (full hash `{full}`; "
                "`parley verify --dispute {ref}` checks it)"
            ),
            short=chain.short(head),
            full=head,
            ref=dispute.ref,
        )
    )


def usage(language: Language, message: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(Mrkdwn(language._(DISPUTE_USAGE))))
    return (message or language._("How to use /dispute")), blocks


def change_summary(dispute: Dispute, kind: TimelineKind, language: Language) -> str:
    """The ephemeral confirmation for the person who moved the dispute."""
    words = language._(announcement(kind).summary).format(stage=stage_text(dispute.stage, language))
    return language._("{ref} {summary}.").format(ref=dispute.ref, summary=words)


# The icon before each announced kind's line in the thread (tests check every one has one).
THREAD_ICONS: dict[TimelineKind, Mrkdwn] = {
    TimelineKind.ESCALATED: Mrkdwn(":arrow_up:"),
    TimelineKind.RESOLVED: Mrkdwn(":white_check_mark:"),
    TimelineKind.WITHDRAWN: Mrkdwn(":heavy_multiplication_x:"),
    TimelineKind.REOPENED: Mrkdwn(":leftwards_arrow_with_hook:"),
}


def change_line(
    dispute: Dispute, kind: TimelineKind, text: str, actor_id: str, language: Language
) -> str:
    """The line in the dispute's thread that records a move for everyone in it, in the
    kind's own words (a kind the thread never announces is refused, not misworded)."""
    words = escape(language._(announcement(kind).line)).format(
        actor=mention(actor_id), stage=md("*{}*", stage_text(dispute.stage, language))
    )
    head = md("{} {}", THREAD_ICONS[kind], words)
    return truncate(md("{}: {}", head, record_words(text, language)), SECTION_LIMIT)


def escalation_notice(
    dispute: Dispute, reason: str, actor_id: str, *, tz: ZoneInfo, language: Language
) -> tuple[str, Blocks]:
    """For the dispute-process or legal channel: internal, so every party is named."""
    text = language._("{ref} · {title} entered {stage}").format(
        ref=dispute.ref, title=dispute.title, stage=language._(dispute.stage.label).lower()
    )
    lines: list[str] = [
        md(
            language._("*{ref} · {title}* entered *{stage}*"),
            ref=dispute.ref,
            title=dispute.title,
            stage=stage_text(dispute.stage, language),
        ),
        md(
            language._("Escalated by {actor}: {reason}"),
            actor=mention(actor_id),
            reason=record_words(reason, language),
        ),
        md(
            language._("*Owner:* {owner} · *Parties:* {parties}"),
            owner=mention(dispute.owner_id),
            parties=parties_text(dispute.parties, Audience(), language),
        ),
        md(
            language._("Opened {when} in {channel}"),
            when=language.stamp(local(dispute.opened_at, tz)),
            channel=channel_link(dispute.channel_id),
        ),
    ]
    if dispute.legal_hold:
        lines.append(language._(":lock: The record is under legal hold."))
    return text, [section(Mrkdwn("\n").join(lines))]


def overdue_line(dispute: Dispute, working_days: int, tz: ZoneInfo, language: Language) -> str:
    """The thread's line: the fact only (a shared thread never sees internal suggestions)."""
    stage = stage_text(dispute.stage, language)
    if dispute.stage_due_at:
        return language.ngettext(
            ":alarm_clock: *{stage}* is overdue by {n} working day (was due {when}).",
            ":alarm_clock: *{stage}* is overdue by {n} working days (was due {when}).",
            working_days,
        ).format(stage=stage, n=working_days, when=language.stamp(local(dispute.stage_due_at, tz)))
    return language.ngettext(
        ":alarm_clock: *{stage}* is overdue by {n} working day.",
        ":alarm_clock: *{stage}* is overdue by {n} working days.",
        working_days,
    ).format(stage=stage, n=working_days)


def overdue_dm(
    dispute: Dispute,
    working_days: int,
    *,
    tz: ZoneInfo,
    language: Language,
    escalated: bool,
    permalink: str | None,
    owner_is_approver: bool,
) -> tuple[str, Blocks]:
    """The owner's DM: what ran out, and the suggestion to escalate (or that Parley did)."""
    name = (
        link(permalink, f"{dispute.ref} · {dispute.title}")
        if permalink
        else escape(f"{dispute.ref} · {dispute.title}")
    )
    text = language._("{ref} is overdue").format(ref=dispute.ref)
    stage = stage_text(dispute.stage, language)
    lines: list[str]
    if escalated:
        lines = [
            md(
                language._(
                    ":alarm_clock: {dispute} ran out of time and was escalated automatically to "
                    "*{stage}*, as the company's config asks."
                ),
                dispute=name,
                stage=stage,
            )
        ]
        return text, [section(Mrkdwn("\n").join(lines))]
    lines = [
        md(
            language.ngettext(
                ":alarm_clock: {dispute} is overdue at *{stage}* by {n} working day.",
                ":alarm_clock: {dispute} is overdue at *{stage}* by {n} working days.",
                working_days,
            ),
            dispute=name,
            stage=stage,
            n=working_days,
        )
    ]
    blocks: Blocks = []
    following = [s for s in Stage if s.number == dispute.stage.number + 1]
    if following and (following[0] is not Stage.LEGAL or owner_is_approver):
        lines.append(
            language._("Escalate it to *{stage}*?").format(stage=stage_text(following[0], language))
        )
        blocks = [
            section(Mrkdwn("\n").join(lines)),
            {
                "type": "actions",
                "block_id": CARD_ACTIONS,
                "elements": [
                    button(language._("Escalate"), ESCALATE_BUTTON, dispute.ref, "danger")
                ],
            },
        ]
        return text, blocks
    if following:
        lines.append(
            language._("The next stage is legal: ask an approver to escalate it, or resolve it.")
        )
    return text, [section(Mrkdwn("\n").join(lines))]
