"""Block Kit for complaints: the card, lists, the record, the thread's lines, the escalation
notice, the overdue DM and usage. Pure: records in, JSON out."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    button,
    context,
    header,
    local,
    md,
    mention,
    plain,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.complaints import (
    Clock,
    ClosedBy,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
)
from bot.domain.lists import ListScope
from bot.workflows.complaints import ComplaintPage

COMPLAINT_USAGE = N_("""\
*Complaints* — a customer's complaint with an owner, two clocks and the customer's own word \
that it is resolved.
• `/complaint open &lt;what&gt; [with @user …]` — open one here (no text: a form)
• `/complaint list [open|overdue|mine|all]` — complaints, newest first (only you see it)
• `/complaint show C-n` — status, clocks and the record
• `/complaint resolve C-n &lt;resolution&gt;` — asks the customer to confirm in the thread
• `/complaint escalate C-n &lt;reason&gt;` — the complaints escalation channel is told
• `/complaint link C-n D-m` — the complaint was caused by that (supplier) dispute
• `/complaint help` — this help
Once it is closed, the customer's people who took part are asked in its thread how \
satisfied they are (1–5).
Ids work with or without the prefix: `C-3`, `c3`, `3`.""")

YES_BUTTON = "complaint_resolved_yes"
NO_BUTTON = "complaint_resolved_no"
ANSWER_ACTIONS = "complaint_answer"

EVENT_WORDS = {
    EventKind.OPENED: N_("opened the complaint"),
    EventKind.REPLY: N_("replied"),
    EventKind.EDITED: N_("edited a reply"),
    EventKind.DELETED: N_("deleted a reply"),
    EventKind.ANSWERED: N_("gave the first answer"),
    EventKind.OVERDUE: N_("a clock ran out"),
    EventKind.ESCALATED: N_("escalated"),
    EventKind.RESOLVED: N_("resolved"),
    EventKind.CONFIRMED: N_("confirmed it is resolved"),
    EventKind.NOT_RESOLVED: N_("said it is not resolved"),
    EventKind.CLOSED: N_("closed it after no answer"),
    EventKind.LINKED: N_("linked a dispute"),
}
# The events whose text is shown with them.
QUOTED = frozenset(
    {
        EventKind.OPENED,
        EventKind.REPLY,
        EventKind.EDITED,
        EventKind.RESOLVED,
        EventKind.LINKED,
        EventKind.ESCALATED,
    }
)
# What the customer's channel may read of the record: never our internal steps.
SHARED_KINDS = frozenset(
    {
        EventKind.OPENED,
        EventKind.REPLY,
        EventKind.EDITED,
        EventKind.DELETED,
        EventKind.RESOLVED,
        EventKind.CONFIRMED,
        EventKind.NOT_RESOLVED,
        EventKind.CLOSED,
    }
)


def clock_line(
    complaint: Complaint, clock: Clock, now: datetime, tz: ZoneInfo, language: Language
) -> str:
    """Where one clock stands: stopped, running until a day, or run out."""
    if clock is Clock.ANSWER:
        if complaint.first_answer_at is not None:
            return language._("First answer: given {when}").format(
                when=language.stamp(local(complaint.first_answer_at, tz))
            )
        if complaint.is_closed:
            return language._("First answer: none")
        due = language.stamp(local(complaint.answer_due_at, tz))
        if complaint.overdue(Clock.ANSWER, now):
            return language._(":red_circle: First answer: overdue, was due {when}").format(when=due)
        return language._("First answer: due {when}").format(when=due)
    due = language.stamp(local(complaint.resolve_due_at, tz))
    if complaint.status is ComplaintStatus.OPEN:
        if complaint.overdue(Clock.RESOLUTION, now):
            return language._(":red_circle: Resolution: overdue, was due {when}").format(when=due)
        return language._("Resolution: due {when}").format(when=due)
    assert complaint.resolved_at is not None
    return language._("Resolution: given {when}").format(
        when=language.stamp(local(complaint.resolved_at, tz))
    )


def status_text(complaint: Complaint, tz: ZoneInfo, language: Language) -> str:
    if complaint.status is ComplaintStatus.CLOSED:
        if complaint.closed_by is ClosedBy.SILENCE:
            return language._(":white_check_mark: Closed: no answer to the resolution")
        return language._(":white_check_mark: Closed: the customer confirmed it is resolved")
    if complaint.status is ComplaintStatus.RESOLVED:
        assert complaint.confirm_due_at is not None
        return language._(
            ":hourglass: Resolved, waiting for the customer to confirm (until {when})"
        ).format(when=language.stamp(local(complaint.confirm_due_at, tz)))
    return language._(":large_orange_circle: Open")


def _details(complaint: Complaint, now: datetime, tz: ZoneInfo, language: Language) -> list[str]:
    lines = [
        status_text(complaint, tz, language),
        md(language._("*Customer:* {party}"), party=complaint.party.name),
    ]
    if complaint.complainant_id:
        lines.append(
            md(language._("*Complainant:* {person}"), person=mention(complaint.complainant_id))
        )
    lines.append(md(language._("*Owner:* {owner}"), owner=mention(complaint.owner_id)))
    lines.append(clock_line(complaint, Clock.ANSWER, now, tz, language))
    lines.append(clock_line(complaint, Clock.RESOLUTION, now, tz, language))
    if complaint.resolution:
        lines.append(md(language._("*Resolution:* {text}"), text=complaint.resolution))
    return lines


def complaint_card(
    complaint: Complaint,
    *,
    now: datetime,
    tz: ZoneInfo,
    language: Language,
    internal: bool,
) -> tuple[str, Blocks]:
    """The root message of the complaint's thread; edited in place whenever it changes. In
    an internal channel it also shows what only we know (escalations, linked disputes)."""
    title = truncate(complaint.text, 120)
    text = f"{complaint.ref} · {title}"
    lines = _details(complaint, now, tz, language)
    if internal and complaint.escalations:
        lines.append(
            language.ngettext(
                ":arrow_up: Escalated {n} time",
                ":arrow_up: Escalated {n} times",
                complaint.escalations,
            ).format(n=complaint.escalations)
        )
    if internal and complaint.disputes:
        lines.append(
            language._("*Caused by:* {refs}").format(
                refs=language.listed(f"D-{n}" for n in complaint.disputes)
            )
        )
    blocks: Blocks = [
        header(text),
        section(Mrkdwn("\n").join(lines)),
        context(
            md(
                language._("Opened by {owner} {when}"),
                owner=mention(complaint.owner_id),
                when=language.stamp(local(complaint.opened_at, tz)),
            ),
            language._("Reply in this thread: every reply goes on the complaint's record"),
        ),
    ]
    return text, blocks


def event_line(event: ComplaintEvent, tz: ZoneInfo, language: Language) -> str:
    who = mention(event.actor_id) if event.actor_id else Mrkdwn("Parley")
    if event.party and event.kind in (EventKind.REPLY, EventKind.CONFIRMED, EventKind.NOT_RESOLVED):
        who = md("{} ({})", who, event.party)
    line = md(
        "{} · {} {}", language.stamp(local(event.at, tz)), who, language._(EVENT_WORDS[event.kind])
    )
    if event.text and event.kind in QUOTED:
        line += md(language._(": {text}"), text=truncate(event.text, 300))
    return line


def complaint_record(
    complaint: Complaint,
    events: list[ComplaintEvent],
    *,
    now: datetime,
    tz: ZoneInfo,
    internal: bool,
    language: Language,
) -> tuple[str, Blocks]:
    text, blocks = complaint_card(complaint, now=now, tz=tz, language=language, internal=internal)
    shown = [e for e in events if internal or e.kind in SHARED_KINDS]
    if shown:
        heading = md("*{}*", language._("The record"))
        lines = [event_line(e, tz, language) for e in shown[-20:]]
        blocks.extend(sections([heading, *lines]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


EMPTY_LIST = {
    ListScope.OPEN: N_("No open complaints."),
    ListScope.OVERDUE: N_("No complaint is overdue. :tada:"),
    ListScope.MINE: N_("You own no open complaint."),
    ListScope.ALL: N_("No complaints yet."),
}
LIST_TITLES = {
    ListScope.OPEN: N_("Open complaints ({n})"),
    ListScope.OVERDUE: N_("Overdue complaints ({n})"),
    ListScope.MINE: N_("Your open complaints ({n})"),
    ListScope.ALL: N_("All complaints ({n})"),
}


def list_line(complaint: Complaint, now: datetime, language: Language) -> str:
    late = complaint.overdue(Clock.ANSWER, now) or complaint.overdue(Clock.RESOLUTION, now)
    parts = [
        md("*{}* {}", complaint.ref, truncate(complaint.text, 80)),
        language._(complaint.status.label),
        md("{}", complaint.party.name),
        mention(complaint.owner_id),
    ]
    return (":red_circle: " if late else "• ") + Mrkdwn(" — ").join(parts)


def complaint_list(
    page: ComplaintPage, *, scope: ListScope, now: datetime, language: Language
) -> tuple[str, Blocks]:
    if not page.complaints:
        message = language._(EMPTY_LIST[scope])
        return message, [section(message)]
    title = language._(LIST_TITLES[scope]).format(n=page.total)
    lines = [list_line(c, now, language) for c in page.complaints]
    blocks: Blocks = [section(md("*{}*", title)), *sections(lines)]
    if page.total > len(page.complaints):
        more = page.total - len(page.complaints)
        blocks.append(
            context(
                language.ngettext(
                    "and {n} more — `/complaint show C-n` for one of them",
                    "and {n} more — `/complaint show C-n` for one of them",
                    more,
                ).format(n=more)
            )
        )
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def resolved_question(
    complaint: Complaint, *, text: str, actor_id: str, round_: int, language: Language
) -> tuple[str, Blocks]:
    """In the thread: the resolution, and the complainant's party asked to confirm it."""
    said = md(
        language._("{who} resolved {ref}: {text}"),
        who=mention(actor_id),
        ref=complaint.ref,
        text=text,
    )
    question = md(
        language._("*Is this resolved for you?* {party}, please answer with a button."),
        party=complaint.party.name,
    )
    value = f"{complaint.ref}:r{round_}"
    blocks: Blocks = [
        section(said),
        section(question),
        {
            "type": "actions",
            "block_id": ANSWER_ACTIONS,
            "elements": [
                button(language._("Yes, resolved"), YES_BUTTON, value, "primary"),
                button(language._("No, not resolved"), NO_BUTTON, value, "danger"),
            ],
        },
    ]
    return said, blocks


def not_resolved_line(complaint: Complaint, actor_id: str, language: Language) -> str:
    return md(
        language._("{who} says {ref} is not resolved: it is open again, its clock running on."),
        who=mention(actor_id),
        ref=complaint.ref,
    )


def closed_line(
    complaint: Complaint, closed_by: ClosedBy, working_days: int, language: Language
) -> str:
    if closed_by is ClosedBy.SILENCE:
        return language.ngettext(
            "{ref} is closed: no answer to its resolution within {n} working day.",
            "{ref} is closed: no answer to its resolution within {n} working days.",
            working_days,
        ).format(ref=complaint.ref, n=working_days)
    return language._("{ref} is closed: the customer confirmed it is resolved. Thank you!").format(
        ref=complaint.ref
    )


def answered_note(complaint: Complaint, resolved: bool, language: Language) -> str:
    """What the person who pressed Yes or No is told."""
    if resolved:
        return language._("Thank you: {ref} is closed.").format(ref=complaint.ref)
    return language._("Thank you: {ref} is open again, its clock running on.").format(
        ref=complaint.ref
    )


def escalation_notice(
    complaint: Complaint, *, text: str, actor_id: str, tz: ZoneInfo, language: Language
) -> tuple[str, Blocks]:
    said = md(
        language._(":arrow_up: {who} escalated complaint {ref} of {party}: {reason}"),
        who=mention(actor_id),
        ref=complaint.ref,
        party=complaint.party.name,
        reason=text,
    )
    return said, [
        section(said),
        section(md(language._("*The complaint:* {text}"), text=truncate(complaint.text, 500))),
        context(md(language._("Owner: {owner}"), owner=mention(complaint.owner_id))),
    ]


def overdue_dm(complaint: Complaint, clock: Clock, language: Language) -> tuple[str, Blocks]:
    if clock is Clock.ANSWER:
        said = language._(
            ":red_circle: {ref} of {party} has had no first answer in time. Reply in its thread."
        )
    else:
        said = language._(
            ":red_circle: {ref} of {party} is past its resolution time. "
            "Resolve it with `/complaint resolve {ref} <resolution>`, or escalate it."
        )
    text = md(said, ref=complaint.ref, party=complaint.party.name)
    return text, [section(text), context(md("{}", truncate(complaint.text, 300)))]


def opened_note(complaint: Complaint, language: Language) -> str:
    return md(
        language._("{ref} is open for {party}; its card is posted here."),
        ref=complaint.ref,
        party=complaint.party.name,
    )


def usage(language: Language, message: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if message:
        blocks.append(section(md(":warning: {}", message)))
    blocks.append(section(Mrkdwn(language._(COMPLAINT_USAGE))))
    return (message or language._("How to use /complaint")), blocks


OPEN_MODAL = "complaint_open"
PARTY_BLOCK = "party"
TEXT_BLOCK = "what"
PEOPLE_BLOCK = "complainant"
OPTIONS_LIMIT = 100


def open_modal(
    private_metadata: str,
    *,
    language: Language,
    parties: list[tuple[str, str]],
    selected: str | None = None,
    complainant: str | None = None,
    what: str = "",
    source: str | None = None,
) -> dict[str, Any]:
    """The form that opens a complaint: the customer, what they complain of, who complains."""
    party: dict[str, Any] = {
        "type": "static_select",
        "action_id": "party",
        "placeholder": {"type": "plain_text", "text": language._("The customer")},
        "options": [
            {"text": {"type": "plain_text", "text": truncate(plain(name), 75)}, "value": value}
            for value, name in parties[:OPTIONS_LIMIT]
        ],
    }
    chosen = [o for o in party["options"] if o["value"] == selected]
    if chosen:
        party["initial_option"] = chosen[0]
    text: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 2000,
    }
    if what:
        text["initial_value"] = what[:2000]
    person: dict[str, Any] = {"type": "users_select", "action_id": "person"}
    if complainant:
        person["initial_user"] = complainant
    blocks: Blocks = []
    if source:
        blocks.append(context(source))
    if parties:
        blocks.append(
            {
                "type": "input",
                "block_id": PARTY_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": language._("Customer")},
                "hint": {
                    "type": "plain_text",
                    "text": language._("Leave it empty when the complainant is of the customer."),
                },
                "element": party,
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": TEXT_BLOCK,
            "label": {"type": "plain_text", "text": language._("What is the complaint?")},
            "element": text,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": PEOPLE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": language._("Complainant")},
            "element": person,
        }
    )
    return {
        "type": "modal",
        "callback_id": OPEN_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": truncate(language._("New complaint"), 24)},
        "submit": {"type": "plain_text", "text": language._("Open")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }
