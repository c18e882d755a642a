"""The config file's contracts: `[contracts]` (the margin), a supplier's
`[parties."…".contract]` and `[services."…"]` with its SLA and who underpins it.

Each value is checked on its own line (`file:line: problem`); that a service names configured
parties, a customer as its customer and suppliers with contracts as its underpinning, is
checked by `check_services` once the whole file is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Final, Literal, Protocol

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator

from bot.config.checks import MAX_PARTY_NAME, UserId, problem, quote, show
from bot.domain.contracts import (
    Contract,
    Service,
    Shortfall,
    SupportHours,
    Term,
    Terms,
    shortfalls,
)
from bot.domain.names import lookalike_of, name_key

__all__ = [
    "MAX_HOURS",
    "ContractConfig",
    "ContractsConfig",
    "ServiceConfig",
    "ServiceName",
    "SlaConfig",
    "check_services",
    "contract_check",
    "contracts_of",
    "describe",
    "services_of",
]

#: The most hours a response or resolution term may be (a year).
MAX_HOURS: Final = 8760
MAX_REFERENCE: Final = 60


def _hours(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem(f"must be a number of hours (got {show(value)})")
    if not 0 < value <= MAX_HOURS:
        raise problem(f"must be more than 0 and at most {MAX_HOURS} hours (got {show(value)})")
    return float(value)


def _availability(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem(f"must be a number, the per cent of time available (got {show(value)})")
    if not 0 < value <= 100:
        raise problem(f"must be a per cent more than 0 and at most 100 (got {show(value)})")
    return float(value)


def _margin(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise problem(
            f"must be a number from 0 to less than 1, like 0.2 for 20 % (got {show(value)})"
        )
    return float(value)


def _support_hours(value: object) -> SupportHours:
    if isinstance(value, SupportHours):
        return value
    if not isinstance(value, str) or value not in {h.value for h in SupportHours}:
        raise problem(f'must be "24x7" or "5x8" (got {show(value)})')
    return SupportHours(value)


def _reference(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise problem(f"must be a non-empty string, the contract's reference (got {show(value)})")
    text = value.strip()
    if len(text) > MAX_REFERENCE:
        raise problem(f"must be at most {MAX_REFERENCE} characters (got {len(text)})")
    return text


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise problem(f"must be a date, like 2027-06-30 (got {show(value)})")
    return value


def _service_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or not name_key(stripped):
        raise problem("a service name must hold letters people can see")
    if len(stripped) > MAX_PARTY_NAME:
        raise problem(f"a service name must be at most {MAX_PARTY_NAME} characters")
    return stripped


def unique_services(value: object) -> object:
    """Refuse two services whose names people would read as one (`/contract show` finds a
    service by its name as people read it)."""
    if isinstance(value, Mapping):
        seen: list[str] = []
        for raw in value:
            if not isinstance(raw, str):
                continue
            first = lookalike_of(raw, seen)
            if first is not None:
                raise problem(
                    f"service {quote(raw)} is the same name as {quote(first)} as people read it",
                    at=("services", raw),
                )
            seen.append(raw)
    return value


ServiceName = Annotated[str, AfterValidator(_service_name)]
Hours = Annotated[float, BeforeValidator(_hours)]
Availability = Annotated[float, BeforeValidator(_availability)]
Margin = Annotated[float, BeforeValidator(_margin)]
Hours24 = Annotated[SupportHours, BeforeValidator(_support_hours)]
Reference = Annotated[str, BeforeValidator(_reference)]
Day = Annotated[dt.date, BeforeValidator(_day)]


class ContractsConfig(BaseModel):
    """`[contracts]`: how much a supplier's terms must beat the customer SLA they underpin."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    margin: Margin = 0.2


class SlaConfig(BaseModel):
    """A service's SLA with its customer (every term required)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    response_hours: Hours
    resolution_hours: Hours
    availability: Availability
    support_hours: Hours24

    @property
    def terms(self) -> Terms:
        return Terms(
            response_hours=self.response_hours,
            resolution_hours=self.resolution_hours,
            availability=self.availability,
            support_hours=self.support_hours,
        )


class ContractConfig(SlaConfig):
    """`[parties."…".contract]`: the support contract a supplier signed with us."""

    reference: Reference
    owner: UserId
    valid_until: Day


class ServiceConfig(BaseModel):
    """`[services."…"]`: a service we provide, its SLA, and the suppliers underpinning it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    customer: str
    sla: SlaConfig
    underpinned_by: tuple[str, ...] = ()

    @field_validator("underpinned_by", mode="before")
    @classmethod
    def _a_list_of_names(cls, value: object) -> object:
        if not isinstance(value, list | tuple):
            raise problem(f"must be an array of supplier names (got {show(value)})")
        for item in value:
            if not isinstance(item, str):
                raise problem(f"must be an array of supplier names (got {show(item)} in it)")
        return tuple(value)


class _Party(Protocol):
    @property
    def kind(self) -> Literal["customer", "supplier", "third_party"]: ...

    @property
    def contract(self) -> ContractConfig | None: ...


class _Config(Protocol):
    @property
    def customer_services(self) -> list[Service]: ...

    @property
    def support_contracts(self) -> dict[str, Contract]: ...

    @property
    def contracts(self) -> ContractsConfig: ...


def check_services(parties: Mapping[str, _Party], services: Mapping[str, ServiceConfig]) -> None:
    """Refuse a contract on a party that is no supplier, and a service whose customer or
    underpinning suppliers are not configured parties of the right kind with a contract."""
    for name, party in parties.items():
        if party.contract is not None and party.kind != "supplier":
            raise problem(
                f"{quote(name)} is a {party.kind}: a support contract is a supplier's "
                "(a customer's terms are the sla of a [services] entry)",
                at=("parties", name, "contract"),
            )
    for service, entry in services.items():
        customer = parties.get(entry.customer)
        if customer is None:
            raise problem(
                f"unknown party {quote(entry.customer)}: name a party of [parties]",
                at=("services", service, "customer"),
            )
        if customer.kind != "customer":
            raise problem(
                f"{quote(entry.customer)} is a {customer.kind}, not a customer",
                at=("services", service, "customer"),
            )
        for index, supplier in enumerate(entry.underpinned_by):
            at: tuple[str | int, ...] = ("services", service, "underpinned_by", index)
            found = parties.get(supplier)
            if found is None:
                raise problem(f"unknown party {quote(supplier)}: name a party of [parties]", at=at)
            if found.kind != "supplier":
                raise problem(
                    f"{quote(supplier)} is a {found.kind}, not a supplier: only a supplier's "
                    "contract can underpin a service",
                    at=at,
                )
            if found.contract is None:
                raise problem(
                    f"{quote(supplier)} has no contract: add "
                    f"[parties.{quote(supplier)}.contract] to compare it with the SLA",
                    at=at,
                )


def contracts_of(parties: Mapping[str, _Party]) -> dict[str, Contract]:
    """The configured contracts by supplier name."""
    out: dict[str, Contract] = {}
    for name, party in parties.items():
        signed = party.contract
        if signed is not None:
            out[name] = Contract(
                party=name,
                reference=signed.reference,
                owner_id=signed.owner,
                terms=signed.terms,
                valid_until=signed.valid_until,
            )
    return out


def services_of(services: Mapping[str, ServiceConfig]) -> list[Service]:
    """The configured services, in file order."""
    return [
        Service(
            name=name,
            customer=entry.customer,
            sla=entry.sla.terms,
            underpinned_by=entry.underpinned_by,
        )
        for name, entry in services.items()
    ]


def _figure(value: float | SupportHours) -> str:
    return value.value if isinstance(value, SupportHours) else f"{round(value, 4):g}"


def describe(short: Shortfall, margin: float) -> str:
    """One short term in a line of English for `parley config check` and the start-up log
    (people in Slack read `/contract check` in their own language)."""
    where = f"{quote(short.supplier)} ({short.reference}) under {quote(short.service)}"
    has, sla, need = _figure(short.contract), _figure(short.sla), _figure(short.needed)
    per_cent = _figure(margin * 100)
    if short.term is Term.SUPPORT_HOURS:
        return f"{where}: support {has} does not cover the SLA's {sla}"
    if short.term is Term.AVAILABILITY:
        what, unit, bound = "availability", " %", "at least"
    else:
        what = "response" if short.term is Term.RESPONSE else "resolution"
        unit, bound = " h", "at most"
    return (
        f"{where}: {what} {has}{unit} against the SLA's {sla}{unit}: "
        f"{bound} {need}{unit} needed with the {per_cent} % margin"
    )


def contract_check(config: _Config) -> list[str]:
    """Every short term of the config's contracts, a line each (see `describe`)."""
    short = shortfalls(config.customer_services, config.support_contracts, config.contracts.margin)
    return [describe(s, config.contracts.margin) for s in short]
