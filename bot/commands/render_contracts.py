"""Block Kit for `/contract` and the renewal DM: the usage, the list, one contract or service,
the margin check with each short term's figures, in the reader's language.

Pure: records in, JSON out. Names and references come from the config file and are escaped
like any typed text (`bot/commands/mrkdwn.py`).
"""

from __future__ import annotations

from bot.commands.blocks import MESSAGE_BLOCK_LIMIT, Blocks, Mrkdwn, context, md, section, sections
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.contracts import Contract, Service, Shortfall, SupportHours, Term, Terms
from bot.workflows.contracts import Overview

CONTRACT_USAGE = N_("""\
*Support contracts* — what suppliers signed with us, held to the customer SLAs they underpin.
• `/contract list` — every supplier's contract and every service with its SLA
• `/contract show &lt;supplier or service&gt;` — one contract or service, with its short terms
• `/contract check` — every term that does not beat its SLA by the margin, with both figures
• `/contract help` — this help
Contracts and services are set in the config file (`[parties."…".contract]`, `[services."…"]`).""")

SUPPORT_HOURS = {
    SupportHours.ALWAYS: N_("24x7"),
    SupportHours.OFFICE: N_("5x8 (office hours of working days)"),
}


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(CONTRACT_USAGE))))
    return (problem or language._("How to use /contract")), blocks


def figure(value: float) -> str:
    """A figure as typed: 4, 3.2, 99.95 (never 4.0)."""
    return f"{round(value, 4):g}"


def terms_line(terms: Terms, *, language: Language) -> str:
    return language._(
        "response {response} h, resolution {resolution} h, availability {availability} %, "
        "support {hours}"
    ).format(
        response=figure(terms.response_hours),
        resolution=figure(terms.resolution_hours),
        availability=figure(terms.availability),
        hours=language._(SUPPORT_HOURS[terms.support_hours]),
    )


def contract_line(contract: Contract, *, language: Language) -> Mrkdwn:
    return md(
        language._("*{party}* `{reference}`: {terms}; valid until {day}, owner {owner}"),
        party=contract.party,
        reference=contract.reference,
        terms=terms_line(contract.terms, language=language),
        day=language.day_year(contract.valid_until),
        owner=Mrkdwn(f"<@{contract.owner_id}>"),
    )


def service_line(service: Service, *, language: Language) -> Mrkdwn:
    suppliers = ", ".join(service.underpinned_by) or language._("nobody")
    return md(
        language._("*{service}* for {customer}: SLA {terms}; underpinned by {suppliers}"),
        service=service.name,
        customer=service.customer,
        terms=terms_line(service.sla, language=language),
        suppliers=suppliers,
    )


def shortfall_line(short: Shortfall, *, language: Language) -> Mrkdwn:
    """One short term with both figures, and the one the margin needs."""
    where = md(
        language._("*{supplier}* (`{reference}`) under *{service}*"),
        supplier=short.supplier,
        reference=short.reference,
        service=short.service,
    )
    if short.term is Term.SUPPORT_HOURS:
        assert isinstance(short.contract, SupportHours) and isinstance(short.sla, SupportHours)
        what = language._("support {contract} does not cover the SLA's {sla}").format(
            contract=language._(SUPPORT_HOURS[short.contract]),
            sla=language._(SUPPORT_HOURS[short.sla]),
        )
    else:
        assert not isinstance(short.contract, SupportHours)
        assert not isinstance(short.sla, SupportHours)
        assert not isinstance(short.needed, SupportHours)
        figures = {
            "contract": figure(short.contract),
            "sla": figure(short.sla),
            "needed": figure(short.needed),
        }
        if short.term is Term.RESPONSE:
            message = N_(
                "response {contract} h against the SLA's {sla} h: at most {needed} h needed"
            )
        elif short.term is Term.RESOLUTION:
            message = N_(
                "resolution {contract} h against the SLA's {sla} h: at most {needed} h needed"
            )
        else:
            message = N_(
                "availability {contract} % against the SLA's {sla} %: at least {needed} % needed"
            )
        what = language._(message).format(**figures)
    return md("• {}: {}", where, what)


def _margin(margin: float) -> str:
    return figure(margin * 100)


def check(found: Overview, *, language: Language) -> tuple[str, Blocks]:
    """`/contract check`: every short term with both figures, or that all is well."""
    if not found.services:
        message = language._(
            'No service names the contracts that underpin it yet: add `[services."…"]` '
            "with its SLA and `underpinned_by` to the config file."
        )
        return message, [section(Mrkdwn(message))]
    if not found.shortfalls:
        message = language._(
            ":white_check_mark: Every underpinning contract beats its service's SLA by the "
            "{margin} % margin."
        ).format(margin=_margin(found.margin))
        return message, [section(message)]
    title = language.ngettext(
        ":warning: {n} contract term falls short of its SLA by the {margin} % margin",
        ":warning: {n} contract terms fall short of their SLA by the {margin} % margin",
        len(found.shortfalls),
    ).format(n=len(found.shortfalls), margin=_margin(found.margin))
    blocks: Blocks = [
        section(md("*{}*", title)),
        *sections(shortfall_line(s, language=language) for s in found.shortfalls),
        context(language._("Fix the contract before it is signed, or renegotiate the SLA.")),
    ]
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def contract_list(found: Overview, *, language: Language) -> tuple[str, Blocks]:
    """`/contract list`: the contracts, then the services with their SLAs."""
    if not found.contracts and not found.services:
        message = language._(
            'No contracts yet. Add a supplier\'s under `[parties."…".contract]` in the config file.'
        )
        return message, [section(Mrkdwn(message))]
    title = language.ngettext(
        "{n} support contract", "{n} support contracts", len(found.contracts)
    ).format(n=len(found.contracts))
    blocks: Blocks = [section(md("*{}*", title))]
    blocks += sections(contract_line(c, language=language) for c in found.contracts)
    if found.services:
        services = language.ngettext("{n} service", "{n} services", len(found.services)).format(
            n=len(found.services)
        )
        blocks.append(section(md("*{}*", services)))
        blocks += sections(service_line(s, language=language) for s in found.services)
    blocks.append(context(_verdict(found, language)))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def _verdict(found: Overview, language: Language) -> str:
    if not found.shortfalls:
        return language._("Every term beats its SLA by the margin.")
    return language.ngettext(
        "{n} term falls short: see `/contract check`.",
        "{n} terms fall short: see `/contract check`.",
        len(found.shortfalls),
    ).format(n=len(found.shortfalls))


def show(found: Overview, chosen: Contract | Service, *, language: Language) -> tuple[str, Blocks]:
    """`/contract show`: one contract (and the services it underpins) or one service (and
    its underpinning contracts), with its short terms."""
    if isinstance(chosen, Contract):
        title = md(language._("Contract {reference}"), reference=chosen.reference)
        blocks: Blocks = [
            section(md("*{}*", title)),
            section(contract_line(chosen, language=language)),
        ]
        underpins = [s for s in found.services if chosen.party in s.underpinned_by]
        if underpins:
            blocks.append(section(md("*{}*", language._("Underpins"))))
            blocks += sections(service_line(s, language=language) for s in underpins)
        short = found.short_of(chosen.party)
    else:
        title = md(language._("Service {service}"), service=chosen.name)
        blocks = [section(md("*{}*", title)), section(service_line(chosen, language=language))]
        signed = [c for c in found.contracts if c.party in chosen.underpinned_by]
        if signed:
            blocks += sections(contract_line(c, language=language) for c in signed)
        short = found.short_of(chosen.name)
    if short:
        blocks += sections(shortfall_line(s, language=language) for s in short)
    else:
        blocks.append(context(language._("Every term beats its SLA by the margin.")))
    return title, blocks[:MESSAGE_BLOCK_LIMIT]


def renewal(contract: Contract, days: int, *, language: Language) -> tuple[str, Blocks]:
    """The owner's renewal DM."""
    message = md(
        language.ngettext(
            ":spiral_calendar_pad: The support contract `{reference}` with *{party}* ends in "
            "{n} day, on {day}. Renew or renegotiate it in time.",
            ":spiral_calendar_pad: The support contract `{reference}` with *{party}* ends in "
            "{n} days, on {day}. Renew or renegotiate it in time.",
            days,
        ),
        reference=contract.reference,
        party=contract.party,
        n=days,
        day=language.day_year(contract.valid_until),
    )
    return message, [
        section(message),
        context(
            md(
                language._("Its terms: {terms}"),
                terms=terms_line(contract.terms, language=language),
            )
        ),
    ]


def dispute_terms(contracts: list[Contract], *, language: Language) -> list[Mrkdwn]:
    """The lines a dispute's card and `/dispute show` give each supplier's contract."""
    return [
        md(
            language._(
                ":page_facing_up: {party}: contract `{reference}`, response {response} h, "
                "resolution {resolution} h ({hours})"
            ),
            party=c.party,
            reference=c.reference,
            response=figure(c.terms.response_hours),
            resolution=figure(c.terms.resolution_hours),
            hours=language._(SUPPORT_HOURS[c.terms.support_hours]),
        )
        for c in contracts
    ]
