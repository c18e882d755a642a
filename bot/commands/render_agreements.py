"""Block Kit for `/agreement`: the card, the record, the list, the form and notices.

Pure: records in, JSON out. Every text people typed is escaped for mrkdwn
(`bot/commands/mrkdwn.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Blocks,
    Mrkdwn,
    button,
    channel_link,
    context,
    escape,
    header,
    link,
    md,
    mention,
    plain,
    plural,
    section,
    sections,
    stamp,
    truncate,
)
from bot.commands.words.language import Language
from bot.domain.agreement_terms import FIELDS
from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion
from bot.workflows.agreements import AgreementPage, AgreementRecord

AGREEMENT_USAGE = Mrkdwn("""\
*Agreements* — 5W1H information-sharing agreements with a party, acknowledged by its people.
• `/agreement new [what] [with @user …]` — draft one in a form: What, Why, Who, When, \
Where, How, the authorisation and how long it is valid
• `/agreement list [party]` — agreements, newest first (only you see it)
• `/agreement show A-n [v1]` — the terms in force, or an earlier version, and who acknowledged
• `/agreement edit A-n` — a new version in the form; it needs a new acknowledgment
• `/agreement revoke A-n &lt;reason&gt;` — withdraw it; it stays on the record
• `/agreement help` — this help
Ids work with or without the prefix: `A-3`, `a3`, `3`.""")

ACKNOWLEDGE_BUTTON = "agreement_acknowledge"
CARD_ACTIONS = "agreement_actions"
MODAL = "agreement_form"
# Blocks of the form: one per field, named like the fields of the domain's Draft.
PARTY_BLOCK = "party"
PEOPLE_BLOCK = "who_people"
CHANNEL_BLOCK = "where_channel"
DATE_BLOCK = "valid_until"
TEXT_INPUT = "value"
PARTY_INPUT = "party"
PEOPLE_INPUT = "people"
CHANNEL_INPUT = "channel"
DATE_INPUT = "date"
OPTION_TEXT_LIMIT = 75
OPTIONS_LIMIT = 100


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def button_value(agreement: Agreement) -> str:
    """What the Acknowledge button carries: the agreement and the version it shows."""
    return f"{agreement.ref}:v{agreement.version}"


def title_text(agreement: Agreement) -> str:
    return f"{agreement.ref} · Agreement with {agreement.party.name}"


def status_line(agreement: Agreement, *, today: date, tz: ZoneInfo) -> str:
    status = agreement.status_on(today)
    if status is AgreementStatus.REVOKED:
        when = f" on {stamp(agreement.revoked_at, tz)}" if agreement.revoked_at else ""
        who = md(" by {}", mention(agreement.revoked_by)) if agreement.revoked_by else ""
        reason = f": {agreement.revoke_reason}" if agreement.revoke_reason else ""
        return md(":no_entry: *Revoked*{}{}{}", who, when, reason)
    if status is AgreementStatus.EXPIRED:
        return (
            f":hourglass: *Expired* — it was valid until {day_text(agreement.valid_until)}. "
            f"`/agreement edit {agreement.ref}` renews it with a new version."
        )
    left = (agreement.valid_until - today).days
    soon = f" ({plural(left, 'day')} left)" if left <= 30 else ""
    return f":large_blue_circle: *Active* — valid until {day_text(agreement.valid_until)}{soon}"


def acknowledgment_line(
    agreement: Agreement, version: AgreementVersion, *, today: date, tz: ZoneInfo
) -> str:
    if version.acknowledged_by and version.acknowledged_at:
        return md(
            ":white_check_mark: *Acknowledged* by {} on {} ({})",
            mention(version.acknowledged_by),
            stamp(version.acknowledged_at, tz),
            tz.key,
        )
    if version.version != agreement.version:
        return "Not acknowledged before it was replaced."
    if agreement.status_on(today) is not AgreementStatus.ACTIVE:
        return "Not acknowledged."
    return md(
        ":hourglass_flowing_sand: *Awaiting acknowledgment* by {}'s "
        "people: one of them presses Acknowledge.",
        agreement.party.name,
    )


def _terms_blocks(version: AgreementVersion) -> Blocks:
    terms = version.terms
    who = escape(terms.who)
    if terms.who_people:
        who += Mrkdwn("\nAuthorised: ") + Mrkdwn(", ").join(mention(u) for u in terms.who_people)
    where = escape(terms.where)
    if terms.where_channel:
        where = md("{} · {}", channel_link(terms.where_channel), where)
    shown: dict[str, str] = {
        "what": terms.what,
        "why": terms.why,
        "who": who,
        "when": terms.when,
        "where": where,
        "how": terms.how,
        "authorization": terms.authorization,
    }
    return [section(md("*{}*\n{}", FIELDS[key][0], text)) for key, text in shown.items()]


def agreement_card(agreement: Agreement, *, today: date, tz: ZoneInfo) -> tuple[str, Blocks]:
    """The card in the counterparty's channel; edited in place on every change."""
    status = agreement.status_on(today)
    version = agreement.current
    acknowledged = "acknowledged" if version.acknowledged else "awaiting acknowledgment"
    text = (
        f"{title_text(agreement)} — version {agreement.version}, "
        f"{status.value if status is not AgreementStatus.ACTIVE else acknowledged}"
    )
    blocks: Blocks = [
        header(title_text(agreement)),
        section(
            md(
                "{}\n*Version* {} · *Owner* {}",
                status_line(agreement, today=today, tz=tz),
                agreement.version,
                mention(agreement.owner_id),
            )
        ),
        *_terms_blocks(version),
        section(acknowledgment_line(agreement, version, today=today, tz=tz)),
        context(
            md(
                "Version {} written by {} {} ({})",
                agreement.version,
                mention(version.created_by),
                stamp(version.created_at, tz),
                tz.key,
            ),
            f"`/agreement show {agreement.ref}`",
        ),
    ]
    if status is AgreementStatus.ACTIVE and not version.acknowledged:
        blocks.append(
            {
                "type": "actions",
                "block_id": CARD_ACTIONS,
                "elements": [
                    button("Acknowledge", ACKNOWLEDGE_BUTTON, button_value(agreement), "primary")
                ],
            }
        )
    return text, blocks


def agreement_record(record: AgreementRecord, *, today: date, tz: ZoneInfo) -> tuple[str, Blocks]:
    """`/agreement show`: the version asked for, its acknowledgment, and every version."""
    agreement, shown = record.agreement, record.shown
    current = shown.version == agreement.version
    which = f"version {shown.version}" + ("" if current else f" of {agreement.version}")
    text = f"{title_text(agreement)} — {which}"
    lines = [status_line(agreement, today=today, tz=tz)]
    if current:
        lines.append(md("*Version* {} · *Owner* {}", shown.version, mention(agreement.owner_id)))
    else:
        lines.append(
            f":page_with_curl: *Version {shown.version}*, replaced by version "
            f"{agreement.version} — `/agreement show {agreement.ref}` for the terms in force"
        )
        lines.append(f"*Valid until* {day_text(shown.terms.valid_until)}")
    blocks: Blocks = [
        header(title_text(agreement)),
        section(Mrkdwn("\n").join(lines)),
        *_terms_blocks(shown),
        section(acknowledgment_line(agreement, shown, today=today, tz=tz)),
    ]
    history = [version_line(agreement, v, tz=tz) for v in reversed(record.versions)]
    if len(history) > 1:
        blocks.append({"type": "divider"})
        blocks.extend(sections([md("*Versions* ({})", len(history)), *history]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


def version_line(agreement: Agreement, version: AgreementVersion, *, tz: ZoneInfo) -> str:
    ack = (
        md(
            "acknowledged by {} {}",
            mention(version.acknowledged_by),
            stamp(version.acknowledged_at, tz),
        )
        if version.acknowledged_by and version.acknowledged_at
        else "not acknowledged"
    )
    mark = " (current)" if version.version == agreement.version else ""
    return md(
        "• v{}{} · written by {} {} · valid until {} · {} — `/agreement show {} v{}`",
        version.version,
        mark,
        mention(version.created_by),
        stamp(version.created_at, tz),
        day_text(version.terms.valid_until),
        ack,
        agreement.ref,
        version.version,
    )


def list_line(agreement: Agreement, *, today: date) -> str:
    status = agreement.status_on(today)
    parts: list[str] = [
        md("*{}*", agreement.ref),
        agreement.party.name,
        f"v{agreement.version}",
        status.value,
    ]
    if status is AgreementStatus.ACTIVE:
        left = (agreement.valid_until - today).days
        parts.append(f"valid until {day_text(agreement.valid_until)}")
        parts.append(
            "acknowledged" if agreement.current.acknowledged else "awaiting acknowledgment"
        )
        if left <= 30:
            parts.append(f":warning: {plural(left, 'day')} left")
    elif status is AgreementStatus.EXPIRED:
        parts.append(f"was valid until {day_text(agreement.valid_until)}")
    icon = {
        AgreementStatus.ACTIVE: "• ",
        AgreementStatus.EXPIRED: ":hourglass: ",
        AgreementStatus.REVOKED: ":no_entry: ",
    }[status]
    what = truncate(agreement.current.terms.what, 80)
    return md("{}{} — {}", icon, Mrkdwn(" · ").join(parts), what)


def agreement_list(page: AgreementPage, *, today: date, internal: bool) -> tuple[str, Blocks]:
    if not page.agreements:
        if page.party is not None:
            message = f"No agreements with {page.party.name} yet."
        elif internal:
            message = "No agreements yet. Draft one with `/agreement new with @their-rep`."
        else:
            message = "No agreements with this channel's organisation yet."
        return message, [section(message)]
    title = f"Agreements with {page.party.name}" if page.party else "Agreements"
    title += f" ({page.total})"
    blocks: Blocks = [
        section(md("*{}*", title)),
        *sections(list_line(a, today=today) for a in page.agreements),
    ]
    if page.total > len(page.agreements):
        more = page.total - len(page.agreements)
        blocks.append(context(f"and {more} more — `/agreement show A-n` for one of them"))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def dispute_links(agreements: Sequence[Agreement]) -> Blocks:
    """For `/dispute show`: the agreements in force with the dispute's parties."""
    if not agreements:
        return []
    shown = [
        md(
            "*{}* with {} (v{}, valid until {}) — `/agreement show {}`",
            a.ref,
            a.party.name,
            a.version,
            day_text(a.valid_until),
            a.ref,
        )
        for a in agreements[:10]
    ]
    return [section(Mrkdwn("\n").join([Mrkdwn("*Agreements in force*"), *shown]))]


def new_version_line(agreement: Agreement) -> str:
    """In the card's thread: a new version is out and needs acknowledging."""
    return (
        f":memo: Version {agreement.version} of {agreement.ref} replaces version "
        f"{agreement.version - 1}. It needs a new acknowledgment by "
        f"{agreement.party.name}'s people: the card above shows it."
    )


def expiry_dm(agreement: Agreement, *, permalink: str | None) -> tuple[str, Blocks]:
    """The owner's DM on the day after the last valid day."""
    name = link(permalink, title_text(agreement)) if permalink else escape(title_text(agreement))
    text = f"{agreement.ref} expired"
    message = md(
        ":hourglass: {} has expired: version {} was valid until {}. `/agreement edit {}` "
        "renews it with a new version for the counterparty to acknowledge.",
        name,
        agreement.version,
        day_text(agreement.valid_until),
        agreement.ref,
    )
    return text, [section(message)]


def modal(
    private_metadata: str,
    *,
    parties: Sequence[tuple[str, str]] = (),
    selected: str | None = None,
    agreement: Agreement | None = None,
    people: Sequence[str] = (),
    what: str = "",
) -> dict[str, Any]:
    """The 5W1H form: new (a party to choose) or a new version of `agreement` (pre-filled)."""
    terms = agreement.current.terms if agreement else None
    blocks: Blocks = []
    if agreement is None:
        options = [
            {
                "text": {"type": "plain_text", "text": truncate(plain(label), OPTION_TEXT_LIMIT)},
                "value": value,
            }
            for value, label in parties[:OPTIONS_LIMIT]
        ]
        party_select: dict[str, Any] = {
            "type": "static_select",
            "action_id": PARTY_INPUT,
            "placeholder": {"type": "plain_text", "text": "Choose the party"},
            "options": options,
        }
        initial = next((o for o in options if o["value"] == selected), None)
        if initial is not None:
            party_select["initial_option"] = initial
        blocks.append(
            {
                "type": "input",
                "block_id": PARTY_BLOCK,
                "label": {"type": "plain_text", "text": "Party"},
                "hint": {
                    "type": "plain_text",
                    "text": "Required: the organisation the information is shared with. "
                    "Its people acknowledge the agreement.",
                },
                "element": party_select,
            }
        )
    else:
        blocks.append(
            context(
                md(
                    "With *{}*. Saving makes version {}, which needs a new acknowledgment.",
                    agreement.party.name,
                    agreement.version + 1,
                )
            )
        )

    def text_input(key: str, initial: str | None) -> dict[str, Any]:
        label, limit, hint = FIELDS[key]
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": TEXT_INPUT,
            "multiline": limit > 500,
            "max_length": limit,
        }
        if initial:
            element["initial_value"] = truncate(plain(initial), limit)
        return {
            "type": "input",
            "block_id": key,
            "label": {"type": "plain_text", "text": label},
            "hint": {
                "type": "plain_text",
                "text": f"Required, up to {limit:,} characters: {hint}.",
            },
            "element": element,
        }

    people_input: dict[str, Any] = {"type": "multi_users_select", "action_id": PEOPLE_INPUT}
    initial_people = list(terms.who_people) if terms else list(people)
    if initial_people:
        people_input["initial_users"] = initial_people
    channel_input: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": CHANNEL_INPUT,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if terms and terms.where_channel:
        channel_input["initial_conversation"] = terms.where_channel
    date_input: dict[str, Any] = {"type": "datepicker", "action_id": DATE_INPUT}
    if terms:
        date_input["initial_date"] = terms.valid_until.isoformat()
    blocks += [
        text_input("what", terms.what if terms else what),
        text_input("why", terms.why if terms else None),
        {
            "type": "input",
            "block_id": PEOPLE_BLOCK,
            "label": {"type": "plain_text", "text": "Who: people authorised"},
            "hint": {
                "type": "plain_text",
                "text": "Required: at least one person, of this workspace or of the party.",
            },
            "element": people_input,
        },
        text_input("who", terms.who if terms else None),
        text_input("when", terms.when if terms else None),
        {
            "type": "input",
            "block_id": CHANNEL_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Where: channel"},
            "hint": {
                "type": "plain_text",
                "text": "Optional: the Slack channel, if the information goes through one.",
            },
            "element": channel_input,
        },
        text_input("where", terms.where if terms else None),
        text_input("how", terms.how if terms else None),
        text_input("authorization", terms.authorization if terms else None),
        {
            "type": "input",
            "block_id": DATE_BLOCK,
            "label": {"type": "plain_text", "text": "Valid until"},
            "hint": {
                "type": "plain_text",
                "text": "Required: the last day it holds (today or later). It expires the "
                "day after, and its owner is told.",
            },
            "element": date_input,
        },
    ]
    title = f"Edit {agreement.ref}" if agreement else "New agreement"
    submit = f"Save version {agreement.version + 1}" if agreement else "Save and send"
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": truncate(title, 24)},
        "submit": {"type": "plain_text", "text": truncate(submit, 24)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(AGREEMENT_USAGE))
    return (problem or "How to use /agreement"), blocks
