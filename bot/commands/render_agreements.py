"""Block Kit for `/agreement`: the card, the record, the list and notices (the form is
`render_agreement_form.py`), in the reader's language.

Pure: records in, JSON out. Every text people typed is escaped for mrkdwn
(`bot/commands/mrkdwn.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
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
    local,
    md,
    mention,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.agreement_terms import FIELDS
from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion
from bot.workflows.agreements import AgreementPage, AgreementRecord

AGREEMENT_USAGE = N_("""\
*Agreements* — 5W1H information-sharing agreements with a party, acknowledged by its people.
• `/agreement new [what] [with @user …]` — draft one in a form: What, Why, Who, When, \
Where, How, the authorisation and how long it is valid
• `/agreement list [party]` — agreements, newest first (only you see it)
• `/agreement show A-n [v1]` — the terms in force, or an earlier version, and who acknowledged
• `/agreement edit A-n` — a new version in the form; it needs a new acknowledgment
• `/agreement revoke A-n &lt;reason&gt;` — withdraw it; it stays on the record
• `/agreement help` — this help
Ids work with or without the prefix: `A-3`, `a3`, `3`.""")  # mrkdwn

ACKNOWLEDGE_BUTTON = "agreement_acknowledge"
CARD_ACTIONS = "agreement_actions"


def button_value(agreement: Agreement) -> str:
    """What the Acknowledge button carries: the agreement and the version it shows."""
    return f"{agreement.ref}:v{agreement.version}"


def title_text(agreement: Agreement, *, language: Language) -> str:
    return language._("{ref} · Agreement with {party}").format(
        ref=agreement.ref, party=agreement.party.name
    )


# How a revocation reads, by what is known of it: (by whom, when, why).
REVOKED_LINES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): N_(":no_entry: *Revoked* by {who} on {when}: {reason}"),
    (True, True, False): N_(":no_entry: *Revoked* by {who} on {when}"),
    (True, False, True): N_(":no_entry: *Revoked* by {who}: {reason}"),
    (True, False, False): N_(":no_entry: *Revoked* by {who}"),
    (False, True, True): N_(":no_entry: *Revoked* on {when}: {reason}"),
    (False, True, False): N_(":no_entry: *Revoked* on {when}"),
    (False, False, True): N_(":no_entry: *Revoked*: {reason}"),
    (False, False, False): N_(":no_entry: *Revoked*"),
}


def status_line(agreement: Agreement, *, today: date, tz: ZoneInfo, language: Language) -> str:
    status = agreement.status_on(today)
    if status is AgreementStatus.REVOKED:
        who, when, reason = agreement.revoked_by, agreement.revoked_at, agreement.revoke_reason
        template = REVOKED_LINES[(bool(who), bool(when), bool(reason))]
        return md(
            language._(template),
            who=mention(who) if who else "",
            when=language.stamp(local(when, tz)) if when else "",
            reason=reason or "",
        )
    if status is AgreementStatus.EXPIRED:
        return language._(
            ":hourglass: *Expired* — it was valid until {day}. "
            "`/agreement edit {ref}` renews it with a new version."
        ).format(day=language.day_year(agreement.valid_until), ref=agreement.ref)
    left = (agreement.valid_until - today).days
    day = language.day_year(agreement.valid_until)
    if left <= 30:
        return language.ngettext(
            ":large_blue_circle: *Active* — valid until {day} ({n} day left)",
            ":large_blue_circle: *Active* — valid until {day} ({n} days left)",
            left,
        ).format(day=day, n=left)
    return language._(":large_blue_circle: *Active* — valid until {day}").format(day=day)


def acknowledgment_line(
    agreement: Agreement,
    version: AgreementVersion,
    *,
    today: date,
    tz: ZoneInfo,
    language: Language,
) -> str:
    if version.acknowledged_by and version.acknowledged_at:
        return md(
            language._(":white_check_mark: *Acknowledged* by {who} on {when} ({zone})"),
            who=mention(version.acknowledged_by),
            when=language.stamp(local(version.acknowledged_at, tz)),
            zone=tz.key,
        )
    if version.version != agreement.version:
        return language._("Not acknowledged before it was replaced.")
    if agreement.status_on(today) is not AgreementStatus.ACTIVE:
        return language._("Not acknowledged.")
    return md(
        language._(
            ":hourglass_flowing_sand: *Awaiting acknowledgment* by {party}'s "
            "people: one of them presses Acknowledge."
        ),
        party=agreement.party.name,
    )


def _terms_blocks(version: AgreementVersion, *, language: Language) -> Blocks:
    terms = version.terms
    who = escape(terms.who)
    if terms.who_people:
        people = Mrkdwn(language.listed(mention(u) for u in terms.who_people))
        who += Mrkdwn("\n") + md(language._("Authorised: {people}"), people=people)
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
    return [
        section(md("*{}*\n{}", language._(FIELDS[key][0]), text)) for key, text in shown.items()
    ]


def _card_text(agreement: Agreement, status: AgreementStatus, *, language: Language) -> str:
    """The card's notification text: its title, version and where it stands."""
    if status is AgreementStatus.REVOKED:
        template = language._("{title} — version {version}, revoked")
    elif status is AgreementStatus.EXPIRED:
        template = language._("{title} — version {version}, expired")
    elif agreement.current.acknowledged:
        template = language._("{title} — version {version}, acknowledged")
    else:
        template = language._("{title} — version {version}, awaiting acknowledgment")
    return template.format(
        title=title_text(agreement, language=language), version=agreement.version
    )


def agreement_card(
    agreement: Agreement, *, today: date, tz: ZoneInfo, language: Language
) -> tuple[str, Blocks]:
    """The card in the counterparty's channel; edited in place on every change."""
    status = agreement.status_on(today)
    version = agreement.current
    blocks: Blocks = [
        header(title_text(agreement, language=language)),
        section(
            md(
                "{}\n{}",
                status_line(agreement, today=today, tz=tz, language=language),
                md(
                    language._("*Version* {version} · *Owner* {owner}"),
                    version=agreement.version,
                    owner=mention(agreement.owner_id),
                ),
            )
        ),
        *_terms_blocks(version, language=language),
        section(acknowledgment_line(agreement, version, today=today, tz=tz, language=language)),
        context(
            md(
                language._("Version {version} written by {author} {when} ({zone})"),
                version=agreement.version,
                author=mention(version.created_by),
                when=language.stamp(local(version.created_at, tz)),
                zone=tz.key,
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
                    button(
                        language._("Acknowledge"),
                        ACKNOWLEDGE_BUTTON,
                        button_value(agreement),
                        "primary",
                    )
                ],
            }
        )
    return _card_text(agreement, status, language=language), blocks


def agreement_record(
    record: AgreementRecord, *, today: date, tz: ZoneInfo, language: Language
) -> tuple[str, Blocks]:
    """`/agreement show`: the version asked for, its acknowledgment, and every version."""
    agreement, shown = record.agreement, record.shown
    current = shown.version == agreement.version
    title = title_text(agreement, language=language)
    if current:
        text = language._("{title} — version {version}").format(title=title, version=shown.version)
    else:
        text = language._("{title} — version {version} of {last}").format(
            title=title, version=shown.version, last=agreement.version
        )
    lines = [status_line(agreement, today=today, tz=tz, language=language)]
    if current:
        lines.append(
            md(
                language._("*Version* {version} · *Owner* {owner}"),
                version=shown.version,
                owner=mention(agreement.owner_id),
            )
        )
    else:
        lines.append(
            language._(
                ":page_with_curl: *Version {version}*, replaced by version "
                "{last} — `/agreement show {ref}` for the terms in force"
            ).format(version=shown.version, last=agreement.version, ref=agreement.ref)
        )
        lines.append(
            language._("*Valid until* {day}").format(day=language.day_year(shown.terms.valid_until))
        )
    blocks: Blocks = [
        header(title),
        section(Mrkdwn("\n").join(lines)),
        *_terms_blocks(shown, language=language),
        section(acknowledgment_line(agreement, shown, today=today, tz=tz, language=language)),
    ]
    history = [
        version_line(agreement, v, tz=tz, language=language) for v in reversed(record.versions)
    ]
    if len(history) > 1:
        blocks.append({"type": "divider"})
        blocks.extend(sections([md(language._("*Versions* ({n})"), n=len(history)), *history]))
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


# A version's line in the record, by whether it is the current one and acknowledged.
VERSION_LINES: dict[tuple[bool, bool], str] = {
    (True, True): N_(
        "• v{version} (current) · written by {author} {written} · valid until {day} · "
        "acknowledged by {who} {when} — `/agreement show {ref} v{version}`"
    ),
    (True, False): N_(
        "• v{version} (current) · written by {author} {written} · valid until {day} · "
        "not acknowledged — `/agreement show {ref} v{version}`"
    ),
    (False, True): N_(
        "• v{version} · written by {author} {written} · valid until {day} · "
        "acknowledged by {who} {when} — `/agreement show {ref} v{version}`"
    ),
    (False, False): N_(
        "• v{version} · written by {author} {written} · valid until {day} · "
        "not acknowledged — `/agreement show {ref} v{version}`"
    ),
}


def version_line(
    agreement: Agreement, version: AgreementVersion, *, tz: ZoneInfo, language: Language
) -> str:
    who, when = version.acknowledged_by, version.acknowledged_at
    template = VERSION_LINES[(version.version == agreement.version, bool(who and when))]
    facts: dict[str, object] = {
        "version": version.version,
        "author": mention(version.created_by),
        "written": language.stamp(local(version.created_at, tz)),
        "day": language.day_year(version.terms.valid_until),
        "ref": agreement.ref,
    }
    if who and when:
        facts.update(who=mention(who), when=language.stamp(local(when, tz)))
    return md(language._(template), **facts)


def list_line(agreement: Agreement, *, today: date, language: Language) -> str:
    status = agreement.status_on(today)
    parts: list[str] = [
        md("*{}*", agreement.ref),
        agreement.party.name,
        f"v{agreement.version}",
        language._(status.label),
    ]
    if status is AgreementStatus.ACTIVE:
        left = (agreement.valid_until - today).days
        day = language.day_year(agreement.valid_until)
        parts.append(language._("valid until {day}").format(day=day))
        parts.append(
            language._("acknowledged")
            if agreement.current.acknowledged
            else language._("awaiting acknowledgment")
        )
        if left <= 30:
            parts.append(
                language.ngettext(":warning: {n} day left", ":warning: {n} days left", left).format(
                    n=left
                )
            )
    elif status is AgreementStatus.EXPIRED:
        day = language.day_year(agreement.valid_until)
        parts.append(language._("was valid until {day}").format(day=day))
    icon = {
        AgreementStatus.ACTIVE: "• ",
        AgreementStatus.EXPIRED: ":hourglass: ",
        AgreementStatus.REVOKED: ":no_entry: ",
    }[status]
    what = truncate(agreement.current.terms.what, 80)
    return md("{}{} — {}", icon, Mrkdwn(" · ").join(parts), what)


def agreement_list(
    page: AgreementPage, *, today: date, internal: bool, language: Language
) -> tuple[str, Blocks]:
    if not page.agreements:
        if page.party is not None:
            message = language._("No agreements with {party} yet.").format(party=page.party.name)
        elif internal:
            message = language._(
                "No agreements yet. Draft one with `/agreement new with @their-rep`."
            )
        else:
            message = language._("No agreements with this channel's organisation yet.")
        return message, [section(message)]
    if page.party:
        title = language._("Agreements with {party} ({total})").format(
            party=page.party.name, total=page.total
        )
    else:
        title = language._("Agreements ({total})").format(total=page.total)
    blocks: Blocks = [
        section(md("*{}*", title)),
        *sections(list_line(a, today=today, language=language) for a in page.agreements),
    ]
    if page.total > len(page.agreements):
        more = page.total - len(page.agreements)
        blocks.append(
            context(
                language._("and {more} more — `/agreement show A-n` for one of them").format(
                    more=more
                )
            )
        )
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def dispute_links(agreements: Sequence[Agreement], *, language: Language) -> Blocks:
    """For `/dispute show`: the agreements in force with the dispute's parties."""
    if not agreements:
        return []
    shown = [
        md(
            language._(
                "*{ref}* with {party} (v{version}, valid until {day}) — `/agreement show {ref}`"
            ),
            ref=a.ref,
            party=a.party.name,
            version=a.version,
            day=language.day_year(a.valid_until),
        )
        for a in agreements[:10]
    ]
    heading = Mrkdwn(language._("*Agreements in force*"))
    return [section(Mrkdwn("\n").join([heading, *shown]))]


def new_version_line(agreement: Agreement, *, language: Language) -> str:
    """In the card's thread: a new version is out and needs acknowledging."""
    return language._(
        ":memo: Version {version} of {ref} replaces version {previous}. It needs a new "
        "acknowledgment by {party}'s people: the card above shows it."
    ).format(
        version=agreement.version,
        ref=agreement.ref,
        previous=agreement.version - 1,
        party=agreement.party.name,
    )


def expiry_dm(
    agreement: Agreement, *, permalink: str | None, language: Language
) -> tuple[str, Blocks]:
    """The owner's DM on the day after the last valid day."""
    title = title_text(agreement, language=language)
    name = link(permalink, title) if permalink else escape(title)
    text = language._("{ref} expired").format(ref=agreement.ref)
    message = md(
        language._(
            ":hourglass: {name} has expired: version {version} was valid until {day}. "
            "`/agreement edit {ref}` renews it with a new version for the counterparty to "
            "acknowledge."
        ),
        name=name,
        version=agreement.version,
        day=language.day_year(agreement.valid_until),
        ref=agreement.ref,
    )
    return text, [section(message)]


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(AGREEMENT_USAGE))))
    return (problem or language._("How to use /agreement")), blocks
