"""Value-added services V-n: logging what was done beyond the agreement for a customer,
answering the four checks, listing them.

A value-add logged from the command line has its four checks unanswered; the answer to the
command offers the form that answers them ("Answer the four checks"), which saves the whole
record again. A "no" is allowed: it is the practice's warning, kept and shown on the record.
Only our own people log or read value-adds; they are internal records, never posted in a
channel: a form that saves one tells whoever saved it by DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import valueadds as rules
from bot.domain.errors import FieldErrors, InvalidInput, NotFound
from bot.domain.notices import ValueAddSaved
from bot.domain.parties import Party, PartyKind, Person, internal_only
from bot.domain.valueadds import Checks, ValueAdd
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import parties as parties_repo
from bot.store import valueadds as repo
from bot.workflows import notices

LIST_LIMIT = 25

# Why an outsider is refused.
OUTSIDERS = "valueadd.outsiders"


@dataclass(frozen=True)
class Entry:
    """What a person gave for a value-add, as typed (the amounts still as text)."""

    what: str
    done_on: date
    cost: str = ""
    hours: str = ""
    checks: Checks = Checks()


@dataclass(frozen=True)
class ValueAddPage:
    valueadds: list[ValueAdd]
    total: int
    party: Party | None = None


def _read(entry: Entry, *, party: Party, today: date) -> tuple[str, int | None, int | None]:
    """The entry checked, every field's refusal at once (a form shows each on its field)."""
    problems: dict[str, InvalidInput] = {}
    what = cost = hours = None
    for name, read in (
        ("party", lambda: rules.require_customer(party)),
        ("what", lambda: rules.check_what(entry.what)),
        ("when", lambda: rules.check_day(entry.done_on, today=today)),
        ("cost", lambda: rules.parse_cost(entry.cost) if entry.cost.strip() else None),
        ("hours", lambda: rules.parse_hours(entry.hours) if entry.hours.strip() else None),
    ):
        try:
            value = read()
        except InvalidInput as exc:
            problems[name] = exc
            continue
        if name == "what":
            what = value
        elif name == "cost":
            cost = value
        elif name == "hours":
            hours = value
    if len(problems) == 1:
        raise next(iter(problems.values()))
    if problems:
        raise FieldErrors(problems)
    assert isinstance(what, str)
    assert cost is None or isinstance(cost, int)
    assert hours is None or isinstance(hours, int)
    return what, cost, hours


async def customers(store: Store, *, workspace_id: str) -> list[Party]:
    """The customer parties on record, by name (what the form offers)."""
    async with store.read() as conn:
        known = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
    return sorted(
        (p for p in known if p.kind is PartyKind.CUSTOMER), key=lambda p: p.name.casefold()
    )


async def known(store: Store, *, workspace_id: str) -> list[Party]:
    """Every party on record (a name typed is looked up among all, so a supplier's name is
    refused as a supplier rather than as unknown)."""
    async with store.read() as conn:
        return await parties_repo.in_workspace(conn, workspace_id=workspace_id)


async def log_valueadd(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    party: Party,
    entry: Entry,
    today: date,
    now: datetime,
    from_form: bool = False,
) -> ValueAdd:
    """Record V-n for a customer party. From the form, all four checks must be answered and
    the one who saved it is told by DM (a form closes without an answer of its own)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    what, cost, hours = _read(entry, party=party, today=today)
    if from_form:
        rules.require_answers(entry.checks)
    async with store.write() as conn:
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="valueadd")
        await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            party_id=party.id,
            what=what,
            done_on=entry.done_on,
            cost_cents=cost,
            hours_tenths=hours,
            checks=entry.checks,
            recorded_by=actor.user_id,
            now=now,
        )
        recorded = await repo.get(conn, workspace_id=workspace_id, number=number)
        assert recorded is not None
        if from_form:
            await notices.owe(conn, _saved(recorded, actor), now=now)
    return recorded


def _saved(valueadd: ValueAdd, actor: Person) -> ValueAddSaved:
    return ValueAddSaved(
        workspace_id=valueadd.workspace_id,
        valueadd_id=valueadd.id,
        valueadd_number=valueadd.number,
        user_id=actor.user_id,
    )


async def valueadd_by_number(store: Store, *, workspace_id: str, number: int) -> ValueAdd | None:
    """V-n as it is now (for a notice being delivered), or None."""
    async with store.read() as conn:
        return await repo.get(conn, workspace_id=workspace_id, number=number)


async def get_valueadd(store: Store, *, workspace_id: str, number: int, actor: Person) -> ValueAdd:
    """V-n, for one of ours."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.read() as conn:
        found = await repo.get(conn, workspace_id=workspace_id, number=number)
    if found is None:
        raise NotFound("valueadd.not_found", number=number)
    return found


async def answer_checks(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    party: Party,
    entry: Entry,
    today: date,
    now: datetime,
) -> ValueAdd:
    """Save V-n as the form gives it, with its four checks answered."""
    internal_only(actor, workspace_id, OUTSIDERS)
    what, cost, hours = _read(entry, party=party, today=today)
    rules.require_answers(entry.checks)
    async with store.write() as conn:
        current = await repo.get(conn, workspace_id=workspace_id, number=number)
        if current is None:
            raise NotFound("valueadd.not_found", number=number)
        await repo.update(
            conn,
            valueadd_id=current.id,
            party_id=party.id,
            what=what,
            done_on=entry.done_on,
            cost_cents=cost,
            hours_tenths=hours,
            checks=entry.checks,
            user_id=actor.user_id,
            now=now,
        )
        await notices.owe(conn, _saved(current, actor), now=now)
        saved = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert saved is not None
    return saved


async def list_valueadds(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    party_name: str = "",
    limit: int = LIST_LIMIT,
) -> ValueAddPage:
    """Newest first: all of them, or one party's."""
    internal_only(actor, workspace_id, OUTSIDERS)
    party_name = " ".join(party_name.split())
    async with store.read() as conn:
        party: Party | None = None
        if party_name:
            every = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
            party = rules.party_named(party_name, every)
        found, total = await repo.find(
            conn,
            workspace_id=workspace_id,
            party_id=party.id if party is not None else None,
            limit=limit,
        )
    return ValueAddPage(valueadds=found, total=total, party=party)
