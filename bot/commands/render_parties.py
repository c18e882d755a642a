"""Block Kit for `/party`: the list, one party, a change and usage. Pure: records in, JSON out.

Every word is the reader's (`language`): the caller's, since `/party` only answers ephemerally.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.blocks import (
    Blocks,
    Mrkdwn,
    context,
    md,
    section,
    sections,
    truncate,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.parties import Audience, Party, PartyKind
from bot.workflows.party_admin import Origin, PartyChange, PartyDetails, PartyEntry

# Lines in one answer; the rest are counted, not shown.
LIST_LIMIT = 100

PARTY_USAGE = N_("""\
*Parties* — the organisations Parley knows: customers, suppliers and third parties.
• `/party list` — every party with its kind, Slack team and open disputes (only you see it)
• `/party show &lt;name&gt;` — one party: kind, Slack team, where it comes from, open disputes
• `/party set &lt;name&gt; kind customer|supplier|third_party` — re-kind a discovered party
• `/party rename &lt;old&gt; to &lt;new&gt;` — rename a discovered party
• `/party help` — this help
Names work in any case and may contain spaces: `/party show example supplier ltd`. \
Parties defined in Parley's config file are changed there.""")

ORIGIN_WORDS = {
    Origin.CONFIG: N_("Parley's config file"),
    Origin.DISCOVERED: N_("discovered from its Slack team"),
}


def kind_text(kind: PartyKind, language: Language) -> str:
    return language._(kind.label)


def team_text(party: Party, language: Language) -> str:
    return f"`{party.slack_team}`" if party.slack_team else language._("no Slack team")


def entry_line(entry: PartyEntry, language: Language) -> str:
    party = entry.party
    parts: list[str] = [
        md("*{}*", party.name),
        kind_text(party.kind, language),
        team_text(party, language),
    ]
    if entry.origin is Origin.CONFIG:
        parts.append(language._("config"))
    n = entry.open_disputes
    disputes = (
        language.ngettext("{n} open dispute", "{n} open disputes", n).format(n=n)
        if n
        else language._("no open disputes")
    )
    return md("• {} — {}", Mrkdwn(" · ").join(parts), disputes)


def party_list(
    entries: Sequence[PartyEntry], *, audience: Audience, language: Language
) -> tuple[str, Blocks]:
    """`/party list`: by name; in a shared channel only that channel's parties."""
    if not entries:
        message = (
            language._(
                "Parley knows no parties yet. They come from the config file, or appear when "
                "somebody from another Slack team joins a dispute."
            )
            if audience.internal
            else language._("No party of this channel is on record yet.")
        )
        return message, [section(message)]
    title = (
        language._("Parties ({n})").format(n=len(entries))
        if audience.internal
        else language._("Parties in this channel ({n})").format(n=len(entries))
    )
    entries = sorted(entries, key=lambda e: language.sort_key(e.party.name))
    shown = [entry_line(e, language) for e in entries[:LIST_LIMIT]]
    blocks: Blocks = [section(md("*{}*", title)), *sections(shown)]
    if len(entries) > LIST_LIMIT:
        blocks.append(
            context(
                language._("and {n} more — `/party show <name>`").format(
                    n=len(entries) - LIST_LIMIT
                )
            )
        )
    blocks.append(context(language._("`/party show <name>` for one party · `/party help`")))
    return title, blocks


def party_record(details: PartyDetails, language: Language) -> tuple[str, Blocks]:
    """`/party show`: the party's facts and its newest open disputes."""
    party = details.party
    kind = kind_text(party.kind, language)
    text = language._("{name} — {kind}").format(name=party.name, kind=kind)
    facts: list[str] = [
        md("*{}*", party.name),
        md(language._("*Kind:* {kind}"), kind=kind),
        md(language._("*Slack team:* {team}"), team=team_text(party, language)),
        md(language._("*From:* {origin}"), origin=language._(ORIGIN_WORDS[details.origin])),
    ]
    blocks: Blocks = [section(Mrkdwn("\n").join(facts))]
    if not details.open_disputes:
        blocks.append(section(language._("No open disputes.")))
    else:
        heading = md(language._("*Open disputes* ({n})"), n=details.open_total)
        if details.open_total > len(details.open_disputes):
            heading = md(
                language._("*Open disputes* (newest {shown} of {total})"),
                shown=len(details.open_disputes),
                total=details.open_total,
            )
        lines = [md("• *{}* {}", d.ref, truncate(d.title, 120)) for d in details.open_disputes]
        blocks.extend(sections([heading, *lines]))
    if details.origin is Origin.CONFIG:
        blocks.append(context(language._("Its name and kind are set in Parley's config file.")))
    else:
        blocks.append(
            context(
                language._(
                    "`/party rename {name} to <new name>` · `/party set {name} kind <kind>`"
                ).format(name=party.name)
            )
        )
    return text, blocks


def party_changed(change: PartyChange, language: Language) -> tuple[str, Blocks]:
    """The confirmation for whoever made the change."""
    before, after = change.before, change.after
    if change.kind == "renamed":
        message = md(language._("Renamed {old} to *{new}*."), old=before.name, new=after.name)
    else:
        message = md(
            language._("{name} is now a *{kind}* (was a {before})."),
            name=after.name,
            kind=kind_text(after.kind, language),
            before=kind_text(before.kind, language),
        )
    if len(change.disputes) == 1:
        message += language._(" Updating the card of {ref}.").format(ref=change.disputes[0].ref)
    elif change.disputes:
        n = len(change.disputes)
        message += language.ngettext(
            " Updating the card of its {n} open dispute.",
            " Updating the cards of its {n} open disputes.",
            n,
        ).format(n=n)
    return message, [section(message)]


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(PARTY_USAGE))))
    return (problem or language._("How to use /party")), blocks
