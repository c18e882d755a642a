"""Contracts over time: the margin check people ask for, the renewal DMs owed once each, the
contracts the internal digest lists, and a party's first reply marked late against its
contract.

The contracts and services are the config's (`bot/config/contracts.py`); what happens to them
over time (a renewal told, a reply marked late) is on the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain import contracts as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import Contract, Service, Shortfall, SupportHours
from bot.domain.errors import InvalidInput
from bot.domain.names import look_alike
from bot.domain.notices import ContractRenewal
from bot.domain.parties import Party
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import contracts as repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows.sends import owe_once

__all__ = [
    "Overview",
    "after_first_reply",
    "contract_documents",
    "contract_row",
    "expiring",
    "look_up",
    "mark_late_reply",
    "overview",
    "owe_renewals",
    "renewal_key",
    "terms_of_parties",
]


QUOTES = "\"'“”‘’「」"


@dataclass(frozen=True)
class Overview:
    """Every contract and service of the config, and the terms that fall short."""

    contracts: list[Contract]
    services: list[Service]
    margin: float
    shortfalls: list[Shortfall]

    def short_of(self, name: str) -> list[Shortfall]:
        """The shortfalls of the contract of `name`, or of the service `name`."""
        return [s for s in self.shortfalls if name in (s.supplier, s.service)]


def overview(config: ParleyConfig) -> Overview:
    """The config's contracts and services, checked against each other by the margin."""
    contracts = config.support_contracts
    services = config.customer_services
    margin = config.contracts.margin
    return Overview(
        contracts=list(contracts.values()),
        services=services,
        margin=margin,
        shortfalls=rules.shortfalls(services, contracts, margin),
    )


def look_up(config: ParleyConfig, name: str) -> Contract | Service:
    """The contract of the party, or the service, that `name` names; nothing named is refused."""
    name = name.strip().strip(QUOTES).strip()
    if not name:
        raise InvalidInput("contract.which")
    return rules.find(name, config.support_contracts.values(), config.customer_services)


def expiring(config: ParleyConfig, today: date) -> list[Contract]:
    """The contracts ending within 30 days of `today`, for the internal digest."""
    return rules.expiring(config.support_contracts.values(), today)


def renewal_key(workspace_id: str, contract: Contract, days: int) -> str:
    """The once-only key of a renewal DM: the contract (its reference and end) and the
    threshold, so a contract renewed to a new end is told again."""
    return (
        f"contract-renewal:{workspace_id}:{contract.reference[:60]}:"
        f"{contract.valid_until.isoformat()}:{days}"
    )


async def owe_renewals(
    store: Store, *, workspace_id: str, config: ParleyConfig, today: date, now: datetime
) -> list[ContractRenewal]:
    """Owe each contract's renewal DM that fell due (90, 30 or 7 days before it ends), once
    each across restarts; the ones owed now."""
    owed: list[ContractRenewal] = []
    for contract in config.support_contracts.values():
        days = rules.renewal_due(contract.valid_until, today)
        if days is None:
            continue
        notice = ContractRenewal(
            workspace_id=workspace_id,
            party=contract.party,
            reference=contract.reference,
            valid_until=contract.valid_until,
            days=days,
            owner_id=contract.owner_id,
        )
        if await owe_once(store, notice, key=renewal_key(workspace_id, contract, days), now=now):
            owed.append(notice)
    return owed


def terms_of_parties(config: ParleyConfig, parties: Iterable[Party]) -> list[Contract]:
    """The support contracts of the parties on a dispute, in the parties' order."""
    contracts = config.support_contracts.values()
    found = (rules.contract_named(party.name, contracts) for party in parties)
    return [contract for contract in found if contract is not None]


def mark_text(contract: Contract) -> str:
    """The late mark's text: the contract's reference and response term, in no language."""
    terms = contract.terms
    return f"{contract.reference} · {terms.response_hours:g} h · {terms.support_hours.value}"


async def mark_late_reply(
    conn: AsyncConnection,
    *,
    dispute_id: int,
    party: Party,
    brought_in: datetime,
    replied_at: datetime,
    config: ParleyConfig,
    calendar: WorkCalendar,
) -> bool:
    """Mark `party`'s first reply late on the dispute's record when it came after its
    contract's response time from `brought_in` (in the contract's support hours); True if it
    was marked. A party without a contract is never late."""
    contract = rules.contract_named(party.name, config.support_contracts.values())
    if contract is None:
        return False
    terms = contract.terms
    due = rules.response_due(brought_in, terms.response_hours, terms.support_hours, calendar)
    if replied_at <= due:
        return False
    await timeline_repo.add_event(
        conn,
        dispute_id=dispute_id,
        kind=TimelineKind.FIRST_REPLY_LATE,
        at=replied_at,
        actor_id=None,
        party_id=party.id,
        text=mark_text(contract),
    )
    return True


async def after_first_reply(
    conn: AsyncConnection,
    dispute_id: int,
    party: Party | None,
    joined: tuple[datetime, datetime | None] | None,
    response: tuple[int, int] | None,
    at: datetime,
    config: ParleyConfig,
    calendar: WorkCalendar,
) -> bool:
    """Capture's one call after it records a reply: when it was a party's first (`response`
    is set), mark it late if its contract says so."""
    if party is None or joined is None or response is None:
        return False
    return await mark_late_reply(
        conn,
        dispute_id=dispute_id,
        party=party,
        brought_in=joined[0],
        replied_at=at,
        config=config,
        calendar=calendar,
    )


def _figure(value: float | SupportHours) -> float | str:
    return value.value if isinstance(value, SupportHours) else value


async def contract_documents(store: Store, config: ParleyConfig | None) -> list[dict[str, Any]]:
    """Each configured contract in the export's shape: its terms, the services it
    underpins, each short term with both figures, and its parties' first replies marked
    late on the record (keys and codes, in no language)."""
    if config is None:
        return []
    found = overview(config)
    async with store.read() as conn:
        marks = await repo.late_replies(conn)
    documents: list[dict[str, Any]] = []
    for contract in found.contracts:
        terms = contract.terms
        documents.append(
            {
                "party": contract.party,
                "reference": contract.reference,
                "owner": contract.owner_id,
                "response_hours": terms.response_hours,
                "resolution_hours": terms.resolution_hours,
                "availability": terms.availability,
                "support_hours": terms.support_hours.value,
                "valid_until": contract.valid_until.isoformat(),
                "underpins": [s.name for s in found.services if contract.party in s.underpinned_by],
                "short_terms": [
                    {
                        "service": short.service,
                        "term": short.term.value,
                        "contract": _figure(short.contract),
                        "sla": _figure(short.sla),
                        "needed": _figure(short.needed),
                    }
                    for short in found.short_of(contract.party)
                ],
                "late_first_replies": [
                    {
                        "dispute": f"D-{mark.dispute_number}",
                        "at": mark.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                        "text": mark.text,
                    }
                    for mark in marks
                    if look_alike(mark.party, contract.party)
                ],
            }
        )
    return documents


CONTRACT_COLUMNS = [
    "party",
    "reference",
    "owner",
    "response_hours",
    "resolution_hours",
    "availability",
    "support_hours",
    "valid_until",
    "underpins",
    "short_terms",
    "late_first_replies",
]


def contract_row(document: dict[str, Any]) -> dict[str, Any]:
    """A contract's CSV row: each short term as `service: term contract/sla (needed)`, and
    the late first replies as their disputes' ids."""
    return {
        **document,
        "short_terms": [
            f"{s['service']}: {s['term']} {s['contract']}/{s['sla']} (needed {s['needed']})"
            for s in document["short_terms"]
        ],
        "late_first_replies": [m["dispute"] for m in document["late_first_replies"]],
    }
