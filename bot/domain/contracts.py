"""Support contracts and the customer SLAs they underpin: the margin check, renewals and
the contracted response time.

A supplier's support contract must beat the SLA of every service it underpins by the
company's margin (`[contracts] margin`): response and resolution hours at most the SLA's
× (1 − margin), allowed downtime (100 − availability) at most the SLA's × (1 − margin), and
support hours that cover the SLA's. A term that falls short is a `Shortfall` with both
figures and the figure it needed: a business problem to fix, never a config error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput
from bot.domain.names import look_alike, name_key

__all__ = [
    "OFFICE_CLOSES",
    "OFFICE_OPENS",
    "RENEWAL_DAYS",
    "Contract",
    "Service",
    "Shortfall",
    "SupportHours",
    "Term",
    "Terms",
    "contract_named",
    "expiring",
    "find",
    "renewal_due",
    "response_due",
    "shortfalls",
]

#: Days before `valid_until` a contract's owner is told, once each.
RENEWAL_DAYS: Final = (90, 30, 7)
#: The internal digest lists contracts expiring within this many days.
DIGEST_DAYS: Final = 30
#: Office hours of a working day, for "5x8" support (in the company's time zone).
OFFICE_OPENS: Final = time(9, 0)
OFFICE_CLOSES: Final = time(17, 0)
#: Floating-point slack when comparing figures that were typed as decimals.
_EPSILON: Final = 1e-9


class SupportHours(StrEnum):
    """When a party answers: every hour of every day, or office hours of working days."""

    ALWAYS = "24x7"
    OFFICE = "5x8"

    def covers(self, other: SupportHours) -> bool:
        """Whether these support hours include every hour of `other`."""
        return self is SupportHours.ALWAYS or other is SupportHours.OFFICE


class Term(StrEnum):
    """The four terms compared between a contract and an SLA."""

    RESPONSE = "response_hours"
    RESOLUTION = "resolution_hours"
    AVAILABILITY = "availability"
    SUPPORT_HOURS = "support_hours"


@dataclass(frozen=True)
class Terms:
    """What was promised: hours to respond and to resolve (counted in the support hours),
    availability in per cent, and the support hours."""

    response_hours: float
    resolution_hours: float
    availability: float
    support_hours: SupportHours


@dataclass(frozen=True)
class Contract:
    """The support contract a supplier party signed with us."""

    party: str
    reference: str
    owner_id: str
    terms: Terms
    valid_until: date


@dataclass(frozen=True)
class Service:
    """A service we provide a customer, its SLA, and the suppliers whose contracts underpin it."""

    name: str
    customer: str
    sla: Terms
    underpinned_by: tuple[str, ...]


@dataclass(frozen=True)
class Shortfall:
    """One contract term that does not beat the SLA it underpins by the margin. Figures are
    hours (response, resolution), per cent (availability) or support hours."""

    service: str
    customer: str
    supplier: str
    reference: str
    term: Term
    contract: float | SupportHours
    sla: float | SupportHours
    needed: float | SupportHours


def _short_terms(service: Service, contract: Contract, margin: float) -> Iterable[Shortfall]:
    sla, has = service.sla, contract.terms
    keep = 1 - margin

    def short(
        term: Term,
        mine: float | SupportHours,
        theirs: float | SupportHours,
        need: float | SupportHours,
    ) -> Shortfall:
        return Shortfall(
            service=service.name,
            customer=service.customer,
            supplier=contract.party,
            reference=contract.reference,
            term=term,
            contract=mine,
            sla=theirs,
            needed=need,
        )

    for term, mine, theirs in (
        (Term.RESPONSE, has.response_hours, sla.response_hours),
        (Term.RESOLUTION, has.resolution_hours, sla.resolution_hours),
    ):
        need = theirs * keep
        if mine > need + _EPSILON:
            yield short(term, mine, theirs, round(need, 6))
    allowed = (100 - sla.availability) * keep
    if 100 - has.availability > allowed + _EPSILON:
        yield short(Term.AVAILABILITY, has.availability, sla.availability, round(100 - allowed, 6))
    if not has.support_hours.covers(sla.support_hours):
        yield short(Term.SUPPORT_HOURS, has.support_hours, sla.support_hours, sla.support_hours)


def shortfalls(
    services: Sequence[Service], contracts: Mapping[str, Contract], margin: float
) -> list[Shortfall]:
    """Every term of every underpinning contract that falls short of its service's SLA by
    the margin, service by service in the order given, suppliers in the order named. A
    supplier without a contract is the config's problem, refused when it is read."""
    found: list[Shortfall] = []
    for service in services:
        for supplier in service.underpinned_by:
            contract = contracts.get(supplier)
            if contract is not None:
                found.extend(_short_terms(service, contract, margin))
    return found


def renewal_due(valid_until: date, today: date) -> int | None:
    """The renewal notice due today: the smallest of `RENEWAL_DAYS` that is at least the days
    left (one missed while Parley was down is not sent late beside a nearer one); None when
    more than 90 days are left or the contract has ended."""
    left = (valid_until - today).days
    if left < 0:
        return None
    due = [days for days in RENEWAL_DAYS if left <= days]
    return min(due) if due else None


def expiring(
    contracts: Iterable[Contract], today: date, within: int = DIGEST_DAYS
) -> list[Contract]:
    """The contracts that end within `within` days of `today` (not those already ended),
    soonest first."""
    soon = [c for c in contracts if 0 <= (c.valid_until - today).days <= within]
    return sorted(soon, key=lambda c: (c.valid_until, name_key(c.party)))


def response_due(
    started: datetime, hours: float, support: SupportHours, calendar: WorkCalendar
) -> datetime:
    """When a reply is due `hours` after `started`, counted in the support hours: wall time
    for 24x7, office hours (`OFFICE_OPENS`-`OFFICE_CLOSES` in the calendar's zone) of
    working days for 5x8. The result is in UTC."""
    if support is SupportHours.ALWAYS:
        return (started + timedelta(hours=hours)).astimezone(UTC)
    left = timedelta(hours=hours)
    local = started.astimezone(calendar.tz)
    day = local.date()
    at = local.time()
    while True:
        if calendar.is_working_day(day):
            opens = datetime.combine(day, OFFICE_OPENS, tzinfo=calendar.tz)
            closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=calendar.tz)
            begin = max(opens, datetime.combine(day, at, tzinfo=calendar.tz))
            if begin < closes:
                if begin + left <= closes:
                    return (begin + left).astimezone(UTC)
                left -= closes - begin
        day += timedelta(days=1)
        at = time(0, 0)


def find(
    name: str, contracts: Iterable[Contract], services: Iterable[Service]
) -> Contract | Service:
    """The contract of the party, or the service, called `name` as people read it; a name
    that is neither is refused."""
    key = name_key(name)
    for contract in contracts:
        if look_alike(contract.party, name) or name_key(contract.reference) == key:
            return contract
    for service in services:
        if look_alike(service.name, name):
            return service
    raise InvalidInput("contract.unknown", name=name)


def contract_named(party: str, contracts: Iterable[Contract]) -> Contract | None:
    """The contract of `party` (a party's name as recorded), if it has one."""
    return next((c for c in contracts if look_alike(c.party, party)), None)
