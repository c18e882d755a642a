"""Block Kit for disputes: the card, lists, the record, the thread's lines and usage. Pure:
records in, JSON out (the shared builders are in `blocks.py`, the modals in
`render_dispute_forms.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

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
    plural,
    section,
    sections,
    short_date,
    stamp,
    truncate,
)
from bot.commands.words.language import Language
from bot.domain.clocks import describe_duration
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.ladder import Stage, Status
from bot.domain.parties import Audience, Party
from bot.domain.timeline import TimelineKind, announcement
from bot.domain.visibility import visible_events, visible_parties
from bot.workflows.disputes import DisputePage, ListScope, StageClock

DISPUTE_USAGE = Mrkdwn("""\
*Disputes* — one thread, one owner, one clock, climbing the agreed escalation ladder.
• `/dispute open &lt;title&gt; [with @user …]` — open a dispute in this channel
• `/dispute list [open|overdue|mine|all]` — disputes, newest first (only you see it)
• `/dispute show D-n` — stage, clock, parties and the latest on the record
• `/dispute escalate D-n &lt;reason&gt;` — the next stage of the agreed ladder
• `/dispute resolve D-n &lt;resolution&gt;` · `/dispute withdraw D-n &lt;reason&gt;`
• `/dispute reopen D-n &lt;reason&gt;` — a resolved or withdrawn dispute, back at its stage
• `/dispute add D-n @user|#channel …` — bring people (and parties) in, or link a thread
• `/dispute note D-n &lt;text&gt;` — an internal note, never shown to parties
• `/dispute help` — this help
Ids work with or without the prefix: `D-3`, `d3`, `3`.""")


def clock_text(clock: StageClock, tz: ZoneInfo) -> str:
    """`due Thu 26 Nov, 2 working days left`, `due today`, or `overdue by 1 working day`."""
    if clock.due_at is None:
        return "no time limit at this stage"
    left = clock.working_days_left
    if left is None:
        return f"was due {short_date(clock.due_at, tz)}"
    if left < 0:
        return f"overdue by {plural(-left, 'working day')} (was due {short_date(clock.due_at, tz)})"
    if left == 0:
        return f"due today, {local(clock.due_at, tz):%H:%M}"
    return f"due {short_date(clock.due_at, tz)}, {plural(left, 'working day')} left"


def stage_text(stage: Stage) -> str:
    return STAGE_TEXTS[stage]


STAGE_TEXTS = {stage: f"Stage {stage.number}/{len(Stage)} · {stage.label}" for stage in Stage}


def parties_text(parties: Sequence[Party], audience: Audience) -> str:
    shown = visible_parties(parties, audience)
    if not shown:
        return "none yet" if audience.internal or not parties else "—"
    return Mrkdwn(", ").join(f"{p.name} ({p.kind.value.replace('_', ' ')})" for p in shown)


def status_text(dispute: Dispute, clock: StageClock, tz: ZoneInfo) -> str:
    if dispute.status is Status.RESOLVED:
        return f":white_check_mark: Resolved at {stage_text(dispute.stage).lower()}"
    if dispute.status is Status.WITHDRAWN:
        return ":heavy_multiplication_x: Withdrawn"
    icon = ":red_circle:" if clock.overdue else ":large_blue_circle:"
    return f"{icon} {stage_text(dispute.stage)} — {clock_text(clock, tz)}"


def dispute_card(
    dispute: Dispute, *, clock: StageClock, tz: ZoneInfo, audience: Audience, linked: bool = False
) -> tuple[str, Blocks]:
    """The root message of the dispute's thread; edited in place whenever the dispute changes."""
    text = f"{dispute.ref} · {dispute.title} — {stage_text(dispute.stage)}"
    lines = [
        status_text(dispute, clock, tz),
        md("*Owner:* {}", mention(dispute.owner_id)),
        md("*Parties:* {}", parties_text(dispute.parties, audience)),
    ]
    if dispute.resolution:
        lines.append(md("*Resolution:* {}", dispute.resolution))
    blocks: Blocks = [
        header(f"{dispute.ref} · {dispute.title}"),
        section(Mrkdwn("\n").join(lines)),
        context(
            md(
                "Opened by {} {} ({})",
                mention(dispute.owner_id),
                stamp(dispute.opened_at, tz),
                tz.key,
            ),
            f":link: A linked thread of {dispute.ref}: replies here go on its record"
            if linked
            else "Reply in this thread: every reply goes on the record",
        ),
    ]
    if dispute.is_open:
        blocks.append(card_buttons(dispute))
    return text, blocks


CARD_ACTIONS = "dispute_actions"
ESCALATE_BUTTON = "dispute_escalate"
RESOLVE_BUTTON = "dispute_resolve"
NOTE_BUTTON = "dispute_note"


def card_buttons(dispute: Dispute) -> dict[str, Any]:
    """The card's buttons; each does what its command does, with the same checks."""
    elements = []
    if dispute.stage is not Stage.LEGAL:
        elements.append(button("Escalate", ESCALATE_BUTTON, dispute.ref, "danger"))
    elements.append(button("Resolve", RESOLVE_BUTTON, dispute.ref, "primary"))
    elements.append(button("Add note", NOTE_BUTTON, dispute.ref))
    return {"type": "actions", "block_id": CARD_ACTIONS, "elements": elements}


def list_line(dispute: Dispute, clock: StageClock, tz: ZoneInfo, audience: Audience) -> str:
    parts: list[str] = [md("*{}* {}", dispute.ref, truncate(dispute.title, 80))]
    if dispute.is_open:
        parts.append(f"{stage_text(dispute.stage)}, {clock_text(clock, tz)}")
    else:
        parts.append(dispute.status.value)
    shown = visible_parties(dispute.parties, audience)
    if shown:
        parts.append(Mrkdwn(", ").join(p.name for p in shown))
    parts.append(mention(dispute.owner_id))
    return (":red_circle: " if clock.overdue else "• ") + Mrkdwn(" — ").join(parts)


EMPTY_LIST = {
    ListScope.OPEN: "No open disputes. Open one with `/dispute open <title> with @supplier`.",
    ListScope.OVERDUE: "Nothing is overdue. :tada:",
    ListScope.MINE: "You own or take part in no open dispute.",
    ListScope.ALL: "No disputes yet. Open one with `/dispute open <title> with @supplier`.",
}

LIST_TITLES = {
    ListScope.OPEN: "Open disputes",
    ListScope.OVERDUE: "Overdue disputes",
    ListScope.MINE: "Your open disputes",
    ListScope.ALL: "All disputes",
}


def dispute_list(
    page: DisputePage,
    *,
    scope: ListScope,
    clocks: dict[int, StageClock],
    tz: ZoneInfo,
    audience: Audience,
) -> tuple[str, Blocks]:
    if not page.disputes:
        message = EMPTY_LIST[scope]
        return message, [section(message)]
    title = f"{LIST_TITLES[scope]} ({page.total})"
    lines = [list_line(d, clocks[d.id], tz, audience) for d in page.disputes]
    blocks: Blocks = [section(md("*{}*", title)), *sections(lines)]
    if page.total > len(page.disputes):
        more = page.total - len(page.disputes)
        blocks.append(context(f"and {more} more — `/dispute show D-n` for one of them"))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def event_line(event: TimelineEvent, tz: ZoneInfo, *, with_text: bool = True) -> str:
    """One line of the record, in its kind's words; pass events through `visible_events`
    first for any audience but the company's own."""
    meaning = event.kind.meaning
    who = mention(event.actor_id) if event.actor_id else Mrkdwn("Parley")
    what = escape(meaning.words)
    if event.kind is TimelineKind.PARTY_ADDED and event.party:
        what = md("{} {}", what, event.party)
    elif event.party and meaning.message:
        who = md("{} ({})", who, event.party)
    line = md("{} · {} {}", stamp(event.at, tz), who, what)
    if with_text and event.text and meaning.quoted:
        line += md(": {}", truncate(event.text, 300))
    return line


def response_lines(
    dispute: Dispute, events: Sequence[TimelineEvent], audience: Audience
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
            lines.append(f"{party.name}: no reply yet")
            continue
        wall = describe_duration(first.response_wall_seconds)
        working = describe_duration(first.response_working_seconds or 0, in_days=False)
        lines.append(f"{party.name}: first reply after {wall} ({working} in office hours)")
    return lines


def dispute_record(
    dispute: Dispute,
    events: Sequence[TimelineEvent],
    *,
    clock: StageClock,
    tz: ZoneInfo,
    audience: Audience,
    latest: int = 10,
) -> tuple[str, Blocks]:
    """What `/dispute show` answers: the card's facts plus the latest on the record."""
    text, blocks = dispute_card(dispute, clock=clock, tz=tz, audience=audience)
    shown = visible_events(events, audience, dispute.parties)
    clocks = response_lines(dispute, events, audience)
    if clocks:
        blocks.extend(sections([Mrkdwn("*Response clocks*"), *clocks]))
    recent = shown[-latest:]
    lines = [event_line(e, tz) for e in recent]
    if lines:
        blocks.append({"type": "divider"})
        heading = md("*Latest on the record* ({} of {})", len(recent), len(shown))
        blocks.extend(sections([heading, *lines]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def usage(language: Language, message: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(DISPUTE_USAGE))
    return (message or "How to use /dispute"), blocks


def change_summary(dispute: Dispute, kind: TimelineKind) -> str:
    """The ephemeral confirmation for the person who moved the dispute."""
    words = announcement(kind).summary.format(stage=stage_text(dispute.stage))
    return f"{dispute.ref} {words}."


# The icon before each announced kind's line in the thread (tests check every one has one).
THREAD_ICONS: dict[TimelineKind, Mrkdwn] = {
    TimelineKind.ESCALATED: Mrkdwn(":arrow_up:"),
    TimelineKind.RESOLVED: Mrkdwn(":white_check_mark:"),
    TimelineKind.WITHDRAWN: Mrkdwn(":heavy_multiplication_x:"),
    TimelineKind.REOPENED: Mrkdwn(":leftwards_arrow_with_hook:"),
}


def change_line(dispute: Dispute, kind: TimelineKind, text: str, actor_id: str) -> str:
    """The line in the dispute's thread that records a move for everyone in it, in the
    kind's own words (a kind the thread never announces is refused, not misworded)."""
    words = escape(announcement(kind).line).format(
        actor=mention(actor_id), stage=md("*{}*", stage_text(dispute.stage))
    )
    head = md("{} {}", THREAD_ICONS[kind], words)
    return truncate(md("{}: {}", head, text), SECTION_LIMIT)


def escalation_notice(
    dispute: Dispute, reason: str, actor_id: str, *, tz: ZoneInfo
) -> tuple[str, Blocks]:
    """For the dispute-process or legal channel: internal, so every party is named."""
    text = f"{dispute.ref} · {dispute.title} entered {dispute.stage.label.lower()}"
    lines: list[str] = [
        md("*{} · {}* entered *{}*", dispute.ref, dispute.title, stage_text(dispute.stage)),
        md("Escalated by {}: {}", mention(actor_id), reason),
        md(
            "*Owner:* {} · *Parties:* {}",
            mention(dispute.owner_id),
            parties_text(dispute.parties, Audience()),
        ),
        md("Opened {} in {}", stamp(dispute.opened_at, tz), channel_link(dispute.channel_id)),
    ]
    if dispute.legal_hold:
        lines.append(":lock: The record is under legal hold.")
    return text, [section(Mrkdwn("\n").join(lines))]


def overdue_line(dispute: Dispute, working_days: int, tz: ZoneInfo) -> str:
    """The thread's line: the fact only (a shared thread never sees internal suggestions)."""
    due = f" (was due {stamp(dispute.stage_due_at, tz)})" if dispute.stage_due_at else ""
    return (
        f":alarm_clock: *{stage_text(dispute.stage)}* is overdue by "
        f"{plural(working_days, 'working day')}{due}."
    )


def overdue_dm(
    dispute: Dispute,
    working_days: int,
    *,
    tz: ZoneInfo,
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
    text = f"{dispute.ref} is overdue"
    lines: list[str]
    if escalated:
        lines = [
            md(
                ":alarm_clock: {} ran out of time and was escalated automatically to "
                "*{}*, as the company's config asks.",
                name,
                stage_text(dispute.stage),
            )
        ]
        return text, [section(Mrkdwn("\n").join(lines))]
    lines = [
        md(
            ":alarm_clock: {} is overdue at *{}* by {}.",
            name,
            stage_text(dispute.stage),
            plural(working_days, "working day"),
        )
    ]
    blocks: Blocks = []
    following = [s for s in Stage if s.number == dispute.stage.number + 1]
    if following and (following[0] is not Stage.LEGAL or owner_is_approver):
        lines.append(f"Escalate it to *{stage_text(following[0])}*?")
        blocks = [
            section(Mrkdwn("\n").join(lines)),
            {
                "type": "actions",
                "block_id": CARD_ACTIONS,
                "elements": [button("Escalate", ESCALATE_BUTTON, dispute.ref, "danger")],
            },
        ]
        return text, blocks
    if following:
        lines.append("The next stage is legal: ask an approver to escalate it, or resolve it.")
    return text, [section(Mrkdwn("\n").join(lines))]
