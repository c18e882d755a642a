"""Supplier audits: scorecards `S-n`, six dimensions computed from the record of a period.

Each dimension scores 0-100 with the figure it came from (`facts`), or has no data (`score`
None): such a dimension says so and is left out of the total, never counted as zero. The
total is the weighted mean of the dimensions that have data (their weights renormalised);
the band is the highest whose lower bound the total reaches (`A`, `B`, `C`), else `D`.

Pure rules; the tables are `bot/store/schema_audits.py`, the figures `bot/store/audit_figures.py`,
and each formula is written down in `docs/audits.md`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.parties import Party, PartyKind
from bot.domain.records import Record
from bot.domain.reports import PartyAndPeriod, split_party_and_period

#: The auditor's cooperation ratings.
RATINGS: Final = (1, 2, 3, 4, 5)
NOTES_LIMIT: Final = 3000


class Dimension(StrEnum):
    """The six dimensions, in the contract's order (also the `[audits] weights` keys)."""

    RESPONSIVENESS = "responsiveness"
    PROBLEM_SOLVING = "problem_solving"
    EFFICIENCY = "efficiency"
    STAFF_STABILITY = "staff_stability"
    CUSTOMER_FEEDBACK = "customer_feedback"
    COOPERATION = "cooperation"

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self]


DIMENSION_LABELS: Final = {
    Dimension.RESPONSIVENESS: N_("Responsiveness"),
    Dimension.PROBLEM_SOLVING: N_("Problem-solving ability"),
    Dimension.EFFICIENCY: N_("Problem-solving efficiency"),
    Dimension.STAFF_STABILITY: N_("Staff stability"),
    Dimension.CUSTOMER_FEEDBACK: N_("Customer feedback"),
    Dimension.COOPERATION: N_("Cooperation climate"),
}


class Band(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class ScorecardStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: Final = {
    ScorecardStatus.DRAFT: N_("draft"),
    ScorecardStatus.PUBLISHED: N_("published"),
}


class PostAudience(StrEnum):
    """Who reads a scorecard's post: the company, or the supplier in its shared channel."""

    INTERNAL = "internal"
    PARTY = "party"


#: Facts are plain values (numbers, counts, refs) that the renderer puts into words.
FactValue = int | float | str | None


class DimensionScore(Record):
    """One dimension of one version: its score 0-100 (None = no data) and the figure behind it.

    `facts` carries the figure as named numbers (`{"within": 7, "replies": 9, "median_hours":
    1.5}`); `weight` is the weight it had in the total (the config's, when it was computed).
    """

    dimension: Dimension
    score: int | None
    facts: dict[str, FactValue] = {}
    weight: float = 0.0

    @property
    def has_data(self) -> bool:
        return self.score is not None


class Scorecard(Record):
    """S-n as recorded: its current version, with that version's dimensions."""

    id: int
    workspace_id: str
    number: int
    party: Party
    period_start: datetime
    period_end: datetime  # exclusive
    status: ScorecardStatus
    version: int
    owner_id: str
    created_at: datetime
    created_by: str | None = None  # None: made by its schedule
    rated_at: datetime | None = None
    rated_by: str | None = None
    cooperation: int | None = None
    notes: str | None = None
    total: float | None = None
    band: Band | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    schedule_id: int | None = None
    dimensions: tuple[DimensionScore, ...] = ()

    @property
    def ref(self) -> str:
        return f"S-{self.number}"

    @property
    def is_rated(self) -> bool:
        return self.cooperation is not None

    def score_of(self, dimension: Dimension) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.dimension == dimension), None)


class ScorecardVersion(Record):
    """An earlier version of a scorecard, as it was published."""

    scorecard_id: int
    version: int
    rated_at: datetime | None = None
    rated_by: str | None = None
    cooperation: int | None = None
    notes: str | None = None
    total: float | None = None
    band: Band | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    dimensions: tuple[DimensionScore, ...] = ()


class ScorecardPost(Record):
    scorecard_id: int
    version: int
    channel_id: str
    ts: str
    audience: PostAudience
    posted_at: datetime


class AuditSchedule(Record):
    """A supplier audited on a recurrence: `next_at` is the end of the next period to audit."""

    id: int
    workspace_id: str
    party: Party
    recurrence: str  # a stored rule (`bot/domain/recurrence.py`)
    next_at: datetime
    owner_id: str
    created_at: datetime
    active: bool = True


class Remark(Record):
    """A comment or an appeal on one version of a scorecard, by one of the supplier's people."""

    id: int
    scorecard_id: int
    version: int
    user_id: str
    party_id: int | None
    text: str
    created_at: datetime


def total(scores: Iterable[DimensionScore], weights: Mapping[Dimension, float]) -> float | None:
    """The weighted mean (0-100) of the dimensions with data, their weights renormalised over
    those dimensions alone; None when no dimension with data has any weight."""
    pairs = [(s.score, weights.get(s.dimension, 0.0)) for s in scores if s.score is not None]
    weight = sum(w for _, w in pairs)
    if weight <= 0:
        return None
    return round(sum(score * w for score, w in pairs) / weight, 1)


def band(value: float | None, bands: Mapping[Band, float]) -> Band | None:
    """The band of a total: the first of A, B, C whose lower bound it reaches, else D; None
    for no total."""
    if value is None:
        return None
    for name in (Band.A, Band.B, Band.C):
        if value >= bands[name]:
            return name
    return Band.D


def cooperation_score(rating: int | None) -> DimensionScore:
    """The cooperation climate from the auditor's rating: 1 → 0, 5 → 100; unrated, no data."""
    if rating is None:
        return DimensionScore(dimension=Dimension.COOPERATION, score=None)
    return DimensionScore(
        dimension=Dimension.COOPERATION, score=(rating - 1) * 25, facts={"rating": rating}
    )


def ratio_score(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole per cent; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)  # half up


# --- the steps' rules ---------------------------------------------------------------------------


def check_rating(value: object) -> int:
    """The auditor's cooperation rating: a whole number from 1 to 5."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or int(text) not in RATINGS:
        raise InvalidInput("audit.bad_rating", field="cooperation", rating=text[:20])
    return int(text)


def check_notes(text: str | None) -> str | None:
    """The auditor's notes, as typed (None when empty)."""
    if text is None or not text.strip():
        return None
    if len(text) > NOTES_LIMIT:
        raise InvalidInput("audit.notes_too_long", field="notes", limit=NOTES_LIMIT)
    return text.strip()


def supplier_name(text: str) -> str:
    """A supplier's name as typed, its spaces collapsed and any quotes around it dropped."""
    return " ".join(text.split()).strip("\"'“”‘’「」『』 ")


def check_supplier(party: Party | None, name: str) -> Party:
    """The party an audit is of: a known supplier (never a customer or a third party)."""
    if not name:
        raise InvalidInput("audit.which")
    if party is None:
        raise NotFound("audit.no_supplier", name=name[:80])
    if party.kind is not PartyKind.SUPPLIER:
        raise InvalidInput("audit.not_supplier", name=party.name)
    return party


def check_publishable(card: Scorecard) -> None:
    """A draft is published only once the auditor has rated it (cooperation 1-5)."""
    if card.status is ScorecardStatus.PUBLISHED:
        raise InvalidInput("audit.already_published", ref=card.ref, version=card.version)
    if card.cooperation is None:
        raise InvalidInput("audit.not_rated", ref=card.ref)


class Recurrence(StrEnum):
    """How often a scheduled audit comes round: a draft at the end of each period."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    def period_after(self, first: date) -> date:
        """The first day of the period after the one that begins on `first`."""
        months = {Recurrence.MONTH: 1, Recurrence.QUARTER: 3, Recurrence.YEAR: 12}[self]
        index = first.year * 12 + first.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)

    def period_of(self, day: date) -> date:
        """The first day of the period `day` is in."""
        if self is Recurrence.MONTH:
            return date(day.year, day.month, 1)
        if self is Recurrence.QUARTER:
            return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return date(day.year, 1, 1)

    def period_before(self, first: date) -> date:
        """The first day of the period before the one that begins on `first`."""
        return self.period_of(first - timedelta(days=1))


_EVERY: Final = {
    "every month": Recurrence.MONTH,
    "monthly": Recurrence.MONTH,
    "每月": Recurrence.MONTH,
    "每个月": Recurrence.MONTH,
    "every quarter": Recurrence.QUARTER,
    "quarterly": Recurrence.QUARTER,
    "每季度": Recurrence.QUARTER,
    "每个季度": Recurrence.QUARTER,
    "每季": Recurrence.QUARTER,
    "every year": Recurrence.YEAR,
    "yearly": Recurrence.YEAR,
    "annually": Recurrence.YEAR,
    "每年": Recurrence.YEAR,
}
# English words need a space before them; Chinese has no word boundaries ("华东网络每季度").
_EVERY_TAIL: Final = re.compile(
    r"(?:(?:^|\s)("
    + "|".join(sorted((re.escape(k) for k in _EVERY if k.isascii()), key=len, reverse=True))
    + r")|("
    + "|".join(sorted((re.escape(k) for k in _EVERY if not k.isascii()), key=len, reverse=True))
    + r"))$",
    re.IGNORECASE,
)
#: The Chinese period words a supplier's name may run straight into ("华东网络上季度").
_CHINESE_PERIOD_TAIL: Final = re.compile(
    r"(?<=\S)(上一季度|上个季度|上季度|上季|本季度|这个季度|这季度|本季|下个季度|下季度|今年|本年度|本年|去年|上一年|明年)$"
)


def split_supplier_and_recurrence(text: str) -> tuple[str, Recurrence]:
    """`"Acme Networks" every quarter` → ("Acme Networks", QUARTER); no recurrence: refused."""
    text = " ".join(text.split())
    found = _EVERY_TAIL.search(text)
    if found is None:
        raise InvalidInput("audit.bad_recurrence", text=text[-40:])
    word = found.group(1) or found.group(2)
    return text[: found.start()].strip(), _EVERY[word.lower()]


def split_supplier_and_period(text: str, *, today: date) -> PartyAndPeriod:
    """`Acme last quarter`, `Acme 2026-07-01 to 2026-09-30`, `Acme 上季度`; no period: last
    quarter. A period that has not begun, or ends before it begins, is refused (the report's
    words, `report.future` / `report.inverted`)."""
    text = _CHINESE_PERIOD_TAIL.sub(r" \1", " ".join(text.split()))
    asked = split_party_and_period(text, today=today)
    if asked.party == " ".join(text.split()):  # no period was named
        return split_party_and_period(f"{asked.party} last quarter", today=today)
    return asked
