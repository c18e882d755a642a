"""Block Kit for `/party`: the list, one party, a change and usage. Pure: records in, JSON out."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.blocks import (
    Blocks,
    Mrkdwn,
    context,
    md,
    plural,
    section,
    sections,
    truncate,
)
from bot.commands.words.language import Language
from bot.domain.parties import Audience, Party, PartyKind
from bot.workflows.party_admin import Origin, PartyChange, PartyDetails, PartyEntry

# Lines in one answer; the rest are counted, not shown.
LIST_LIMIT = 100

PARTY_USAGE = Mrkdwn("""\
*Parties* — the organisations Parley knows: customers, suppliers and third parties.
• `/party list` — every party with its kind, Slack team and open disputes (only you see it)
• `/party show &lt;name&gt;` — one party: kind, Slack team, where it comes from, open disputes
• `/party set &lt;name&gt; kind customer|supplier|third_party` — re-kind a discovered party
• `/party rename &lt;old&gt; to &lt;new&gt;` — rename a discovered party
• `/party help` — this help
Names work in any case and may contain spaces: `/party show example supplier ltd`. \
Parties defined in Parley's config file are changed there.""")

ORIGIN_WORDS = {
    Origin.CONFIG: "Parley's config file",
    Origin.DISCOVERED: "discovered from its Slack team",
}


def kind_text(kind: PartyKind) -> str:
    return kind.value.replace("_", " ")


def team_text(party: Party) -> str:
    return f"`{party.slack_team}`" if party.slack_team else "no Slack team"


def entry_line(entry: PartyEntry) -> str:
    party = entry.party
    parts: list[str] = [md("*{}*", party.name), kind_text(party.kind), team_text(party)]
    if entry.origin is Origin.CONFIG:
        parts.append("config")
    disputes = (
        plural(entry.open_disputes, "open dispute") if entry.open_disputes else "no open disputes"
    )
    return md("• {} — {}", Mrkdwn(" · ").join(parts), disputes)


def party_list(entries: Sequence[PartyEntry], *, audience: Audience) -> tuple[str, Blocks]:
    """`/party list`: by name; in a shared channel only that channel's parties."""
    if not entries:
        message = (
            "Parley knows no parties yet. They come from the config file, or appear when "
            "somebody from another Slack team joins a dispute."
            if audience.internal
            else "No party of this channel is on record yet."
        )
        return message, [section(message)]
    title = (
        f"Parties ({len(entries)})"
        if audience.internal
        else (f"Parties in this channel ({len(entries)})")
    )
    shown = [entry_line(e) for e in entries[:LIST_LIMIT]]
    blocks: Blocks = [section(md("*{}*", title)), *sections(shown)]
    if len(entries) > LIST_LIMIT:
        blocks.append(context(f"and {len(entries) - LIST_LIMIT} more — `/party show <name>`"))
    blocks.append(context("`/party show <name>` for one party · `/party help`"))
    return title, blocks


def party_record(details: PartyDetails) -> tuple[str, Blocks]:
    """`/party show`: the party's facts and its newest open disputes."""
    party = details.party
    text = f"{party.name} — {kind_text(party.kind)}"
    facts: list[str] = [
        md("*{}*", party.name),
        f"*Kind:* {kind_text(party.kind)}",
        f"*Slack team:* {team_text(party)}",
        f"*From:* {ORIGIN_WORDS[details.origin]}",
    ]
    blocks: Blocks = [section(Mrkdwn("\n").join(facts))]
    if not details.open_disputes:
        blocks.append(section("No open disputes."))
    else:
        heading = md("*Open disputes* ({})", details.open_total)
        if details.open_total > len(details.open_disputes):
            heading = md(
                "*Open disputes* (newest {} of {})", len(details.open_disputes), details.open_total
            )
        lines = [md("• *{}* {}", d.ref, truncate(d.title, 120)) for d in details.open_disputes]
        blocks.extend(sections([heading, *lines]))
    if details.origin is Origin.CONFIG:
        blocks.append(context("Its name and kind are set in Parley's config file."))
    else:
        blocks.append(
            context(
                f"`/party rename {party.name} to <new name>` · "
                f"`/party set {party.name} kind <kind>`"
            )
        )
    return text, blocks


def party_changed(change: PartyChange) -> tuple[str, Blocks]:
    """The confirmation for whoever made the change."""
    before, after = change.before, change.after
    if change.kind == "renamed":
        message = md("Renamed {} to *{}*.", before.name, after.name)
    else:
        message = md(
            "{} is now a *{}* (was a {}).",
            after.name,
            kind_text(after.kind),
            kind_text(before.kind),
        )
    if len(change.disputes) == 1:
        message += f" Updating the card of {change.disputes[0].ref}."
    elif change.disputes:
        message += f" Updating the cards of its {len(change.disputes)} open disputes."
    return message, [section(message)]


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(PARTY_USAGE))
    return (problem or "How to use /party"), blocks
