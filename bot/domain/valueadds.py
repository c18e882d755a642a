"""Value-added services `V-n`: something done beyond the agreement for a customer party.

What was done, on which day, what it cost and how many hours it took, and the practice's
four checks, each answered yes or no: it does not affect the agreed services; it fits the
customer's real need; its cost is within what was accepted; we can build on it. A "no" is
allowed and kept on the record; a check logged from the command line is unanswered (None)
until the form answers it.

Amounts are exact: a cost in cents (up to 2 decimals) and hours in tenths (up to 1).
Pure rules and reading of what people type; the workflow is `bot/workflows/valueadds.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.names import name_key
from bot.domain.parties import Party, PartyKind
from bot.domain.records import Record
from bot.domain.text import clean_line

WHAT_LIMIT = 3000
MAX_COST_CENTS = 1_000_000_000  # 10,000,000.00: beyond that it is no value-add but a contract
MAX_HOURS_TENTHS = 100_000  # 10,000 hours
# A name is at most this many words when read off the start of `/valueadd log`.
NAME_WORDS = 8

# The four checks of the practice, by key, each with the question the form asks and the
# label the record shows (English msgids, translated where shown).
CHECKS: dict[str, tuple[str, str]] = {
    "keeps_agreed_services": (
        N_("Does it leave the agreed services unaffected?"),
        N_("agreed services unaffected"),
    ),
    "fits_real_need": (
        N_("Does it fit the customer's real need?"),
        N_("fits the real need"),
    ),
    "cost_within_accepted": (
        N_("Is its cost within what was accepted?"),
        N_("cost within what was accepted"),
    ),
    "can_build_on": (
        N_("Can we build on it?"),
        N_("we can build on it"),
    ),
}


class Checks(Record):
    """The four checks: True (yes), False (no) or None (not answered yet)."""

    keeps_agreed_services: bool | None = None
    fits_real_need: bool | None = None
    cost_within_accepted: bool | None = None
    can_build_on: bool | None = None

    def answers(self) -> dict[str, bool | None]:
        return {key: getattr(self, key) for key in CHECKS}

    @property
    def answered(self) -> bool:
        return all(answer is not None for answer in self.answers().values())


class ValueAdd(Record):
    """V-n as recorded."""

    id: int
    workspace_id: str
    number: int
    party: Party
    what: str
    done_on: date
    cost_cents: int | None = None
    hours_tenths: int | None = None
    checks: Checks = Checks()
    recorded_by: str
    recorded_at: datetime
    checks_by: str | None = None  # who answered the four checks last, and when
    checks_at: datetime | None = None

    @property
    def ref(self) -> str:
        return f"V-{self.number}"

    @property
    def cost(self) -> Decimal | None:
        return None if self.cost_cents is None else Decimal(self.cost_cents).scaleb(-2)

    @property
    def hours(self) -> Decimal | None:
        return None if self.hours_tenths is None else Decimal(self.hours_tenths).scaleb(-1)


def parse_number(text: str) -> int:
    """`V-3`, `v3`, `V 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("V").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("valueadd.bad_id", text=text.strip()[:40])
    return int(raw)


_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _digits(text: str) -> tuple[str, str] | None:
    """`1,200.5` → ("1200", "5"); None unless it is a plain decimal number (ASCII digits)."""
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    found = _NUMBER.fullmatch(text)
    if found is None:
        return None
    return found.group(1), found.group(2) or ""


def parse_cost(text: str) -> int:
    """A cost as typed (`1200`, `1,200.50`) → cents; at most 2 decimals, not negative, at
    most 10,000,000."""
    typed = text.strip()
    shown = typed[:40]
    if typed.startswith("-") and _digits(typed[1:].strip()) is not None:
        raise InvalidInput("valueadd.cost_negative", field="cost", text=shown)
    found = _digits(typed)
    if found is None:
        raise InvalidInput("valueadd.cost_not_number", field="cost", text=shown)
    whole, fraction = found
    if len(fraction) > 2:
        raise InvalidInput("valueadd.cost_decimals", field="cost", text=shown)
    cents = int(whole) * 100 + int(fraction.ljust(2, "0") or "0")
    if cents > MAX_COST_CENTS:
        raise InvalidInput("valueadd.cost_too_high", field="cost", text=shown)
    return cents


def parse_hours(text: str) -> int:
    """Hours as typed (`3`, `2.5`) → tenths; at most 1 decimal, not negative, at most 10,000."""
    typed = text.strip()
    shown = typed[:40]
    if typed.startswith("-") and _digits(typed[1:].strip()) is not None:
        raise InvalidInput("valueadd.hours_negative", field="hours", text=shown)
    found = _digits(typed)
    if found is None:
        raise InvalidInput("valueadd.hours_not_number", field="hours", text=shown)
    whole, fraction = found
    if len(fraction) > 1:
        raise InvalidInput("valueadd.hours_decimals", field="hours", text=shown)
    tenths = int(whole) * 10 + int(fraction or "0")
    if tenths > MAX_HOURS_TENTHS:
        raise InvalidInput("valueadd.hours_too_high", field="hours", text=shown)
    return tenths


def check_what(text: str) -> str:
    """What was done, as one clean line of at most WHAT_LIMIT characters."""
    try:
        return clean_line(
            text, limit=WHAT_LIMIT, empty="valueadd.what_empty", too_long="valueadd.what_too_long"
        )
    except InvalidInput as exc:
        exc.field = "what"
        raise


def check_day(day: date, *, today: date) -> date:
    """The day it was done: not after today."""
    if day > today:
        raise InvalidInput("valueadd.when_future", field="when", day=day)
    return day


def require_answers(checks: Checks) -> Checks:
    """The form answers each of the four checks, yes or no."""
    for key, answer in checks.answers().items():
        if answer is None:
            raise InvalidInput("valueadd.check_unanswered", field=key)
    return checks


def require_customer(party: Party) -> Party:
    """A value-added service is for a customer: a supplier or a third party is refused."""
    if party.kind is not PartyKind.CUSTOMER:
        raise InvalidInput("valueadd.not_customer", field="party", name=party.name, kind=party.kind)
    return party


_AMOUNT_TAIL = re.compile(r"(?i)(?:^|\s+)(cost|hours)\s+(\S+)\s*$")


def split_amounts(text: str) -> tuple[str, str | None, str | None]:
    """`Dashboard cost 1200 hours 6` → ("Dashboard", "1200", "6"): a final `cost <amount>`
    and `hours <n>`, in either order, each once."""
    cost: str | None = None
    hours: str | None = None
    rest = text.strip()
    while True:
        found = _AMOUNT_TAIL.search(rest)
        if found is None:
            break
        word = found.group(1).lower()
        if (word == "cost" and cost is not None) or (word == "hours" and hours is not None):
            break
        if word == "cost":
            cost = found.group(2)
        else:
            hours = found.group(2)
        rest = rest[: found.start()].strip()
    return rest, cost, hours


def party_at_start(
    text: str, parties: Sequence[Party], *, read: Callable[[str], str] = str
) -> tuple[Party, str]:
    """The party whose name the text starts with (longest name first; a name may be in
    quotes) and the rest of the text as it was. Names compared as people read them
    (`names.name_key`), after `read` (how the adapter reads a name out of its text)."""
    text = text.strip()
    if not text:
        raise InvalidInput("valueadd.which_log")
    by_key = {name_key(p.name): p for p in parties}
    quoted = re.match(r"[\"“”'‘’「『](.+?)[\"“”'‘’」』]\s*", text)
    if quoted:
        name = read(quoted.group(1))
        party = by_key.get(name_key(name))
        if party is None:
            raise NotFound("valueadd.no_party", name=name[:80])
        return party, text[quoted.end() :].strip()
    words = text.split()
    for n in range(min(NAME_WORDS, len(words)), 0, -1):
        party = by_key.get(name_key(read(" ".join(words[:n]))))
        if party is not None:
            return party, " ".join(words[n:])
    # A name written without a space after it, as Chinese is (`华为服务器迁移`).
    for party in sorted(parties, key=lambda p: len(p.name), reverse=True):
        size = len(party.name)
        if len(text) > size and name_key(read(text[:size])) == name_key(party.name):
            return party, text[size:].strip()
    raise NotFound("valueadd.no_party", name=read(words[0])[:80])


def party_named(name: str, parties: Sequence[Party]) -> Party:
    """The party of that name (for `/valueadd list <party>` and the form's typed name)."""
    wanted = name_key(name)
    party = next((p for p in parties if name_key(p.name) == wanted), None)
    if party is None:
        raise NotFound("valueadd.no_party", name=name.strip()[:80])
    return party
