"""What a digest says: its sections, each from a small provider, built only from what Parley
recorded (never from Slack's history).

Overdue stages first, then every other open dispute with its stage and clock, then disputes
whose parties replied since the last digest (and who), then reviews in the next working days,
action items due and agreements expiring (`DIGEST_SOURCES`, read from the reviews and
agreements workflows). An internal channel sees the workspace's open business, a shared
channel only what concerns its parties, a person what they own or take part in. Each section
shows at most `SECTION_LIMIT` lines and says how many more there are; only the lines shown get
a thread to link to. When a digest is due and how it is owed once is `bot.workflows.digests`;
the Home's content is `bot.workflows.digests_home`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import contracts as contract_rules
from bot.domain.agreements import Agreement, AgreementStatus
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import Contract, Shortfall
from bot.domain.disputes import Dispute
from bot.domain.ladder import Status
from bot.domain.marks import N_
from bot.domain.parties import Audience, Party
from bot.domain.reviews import Review
from bot.domain.visibility import visible_parties
from bot.store import Store
from bot.store import digests as repo
from bot.store import disputes as disputes_repo
from bot.store import parties as parties_repo
from bot.workflows import agreements, digests_complaints, digests_surveys, reviews
from bot.workflows.digests import SECTION_LIMIT, upcoming_until
from bot.workflows.disputes import StageClock, stage_clock

AGREEMENT_DAYS = 30
HOME_AGREEMENTS = 100


class SectionKey(StrEnum):
    OVERDUE = "overdue"
    OPEN = "open"
    REPLIES = "replies"
    REVIEWS = "reviews"
    ACTIONS = "actions"
    AGREEMENTS = "agreements"
    COMPLAINTS = "complaints"
    CONTRACTS = "contracts"
    CONTRACTS_SHORT = "contracts_short"
    SURVEYS = "surveys"


@dataclass(frozen=True)
class Replier:
    """Somebody of a party who replied since the last digest."""

    user_id: str
    party: str


@dataclass(frozen=True)
class DigestEntry:
    """One line of a digest: a dispute (with its clock), or a review, action or agreement."""

    ref: str
    title: str
    dispute: Dispute | None = None
    clock: StageClock | None = None
    repliers: tuple[Replier, ...] = ()
    when: datetime | date | None = None
    when_label: str = ""  # what `when` is: "next", "due", "valid until" (worded by the renderer)
    link: tuple[str, str] | None = None  # (channel, ts) of a thread this reader can open
    answers: int | None = None  # a survey's: how many answered so far


@dataclass(frozen=True)
class DigestSection:
    key: SectionKey
    title: str  # an English msgid (`N_`): the renderer says it in the reader's language
    entries: tuple[DigestEntry, ...]  # those shown
    total: int
    more: str  # where the rest are, e.g. "/dispute list overdue"

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.entries))


@dataclass(frozen=True)
class Digest:
    sections: tuple[DigestSection, ...]

    @property
    def empty(self) -> bool:
        return not any(s.total for s in self.sections)

    @property
    def disputes(self) -> list[Dispute]:
        """Every dispute shown, once: what the message is about, for the isolation check."""
        seen: dict[int, Dispute] = {}
        for section in self.sections:
            for entry in section.entries:
                if entry.dispute is not None:
                    seen.setdefault(entry.dispute.id, entry.dispute)
        return list(seen.values())

    def section(self, key: SectionKey) -> DigestSection | None:
        return next((s for s in self.sections if s.key is key), None)


@dataclass(frozen=True)
class DigestRequest:
    """Whose digest, for which audience, and the period its "new replies" cover."""

    workspace_id: str
    audience: Audience
    now: datetime
    since: datetime
    calendar: WorkCalendar
    member: str | None = None  # a person's digest: what they own or take part in
    limit: int = SECTION_LIMIT
    contracts: tuple[Contract, ...] = ()  # the config's support contracts
    shortfalls: tuple[Shortfall, ...] = ()  # their terms short of the SLAs they underpin


def _due_order(pair: tuple[Dispute, StageClock]) -> tuple[int, datetime, int]:
    return _due_key(pair[0])


def _due_key(dispute: Dispute) -> tuple[int, datetime, int]:
    due = dispute.stage_due_at
    far = datetime.max.replace(tzinfo=UTC)
    return (0 if due is not None else 1, due or far, -dispute.number)


def _section(
    key: SectionKey, title: str, entries: Sequence[DigestEntry], more: str, limit: int
) -> DigestSection:
    return DigestSection(
        key=key, title=title, entries=tuple(entries[:limit]), total=len(entries), more=more
    )


def dispute_sections(
    disputes: Sequence[Dispute],
    *,
    now: datetime,
    calendar: WorkCalendar,
    personal: bool,
    limit: int = SECTION_LIMIT,
    totals: tuple[int, int] | None = None,
) -> list[DigestSection]:
    """Overdue stages first (longest overdue first), then every other open dispute by its
    deadline (soonest first; those without a limit last): one line each. `totals` are the
    (overdue, other) counts when `disputes` is only the page shown."""
    ordered = sorted((d for d in disputes if d.is_open), key=_due_key)
    late = [d for d in ordered if d.stage_due_at is not None and d.stage_due_at < now]
    rest = [d for d in ordered if d.stage_due_at is None or d.stage_due_at >= now]

    def entries(found: Sequence[Dispute]) -> list[DigestEntry]:
        # Clocks (working-day arithmetic) only for the lines shown; the rest are counted.
        return [
            DigestEntry(
                d.ref,
                d.title,
                dispute=d,
                clock=stage_clock(d, now=now, calendar=calendar) if i < limit else None,
            )
            for i, d in enumerate(found)
        ]

    overdue, running = entries(late), entries(rest)
    mine = " mine" if personal else ""
    sections = [
        _section(
            SectionKey.OVERDUE,
            N_("Overdue"),
            overdue,
            "/dispute list overdue" if not personal else "/dispute list mine",
            limit,
        ),
        _section(SectionKey.OPEN, N_("Open disputes"), running, f"/dispute list{mine}", limit),
    ]
    if totals is not None:
        sections = [
            replace(section, total=max(total, len(section.entries)))
            for section, total in zip(sections, totals, strict=True)
        ]
    return sections


async def replies_section(
    store: Store, request: DigestRequest, known: dict[int, Dispute]
) -> DigestSection:
    """Disputes whose parties replied since the last digest, latest first, with who replied.

    A shared channel hears only of its own parties' replies. Only the lines shown are
    loaded (found, ordered and counted in SQL); `known` are disputes already loaded.
    """
    team_ids = None if request.audience.internal else request.audience.team_ids
    async with store.read() as conn:
        shown, total = await repo.replied_disputes(
            conn,
            workspace_id=request.workspace_id,
            since=request.since,
            until=request.now,
            member=request.member,
            team_ids=team_ids,
            limit=request.limit,
        )
        who = await repo.repliers(
            conn, dispute_ids=shown, since=request.since, until=request.now, team_ids=team_ids
        )
        party_names = await parties_repo.by_ids(
            conn, ids=[p for found in who.values() for _, p in found]
        )
        missing = [i for i in shown if i not in known]
        loaded = {d.id: d for d in await disputes_repo.by_ids(conn, ids=missing)}
    found = {**known, **loaded}
    entries = []
    for dispute_id in shown:
        dispute = found.get(dispute_id)
        # Who may see what was narrowed in SQL; isolation is checked once more on the record.
        if dispute is None or not dispute.concerns(request.audience):
            continue
        repliers = tuple(
            dict.fromkeys(
                Replier(user_id=user_id, party=party_names[party_id].name)
                for user_id, party_id in who.get(dispute_id, [])
                if party_id in party_names
            )
        )
        entries.append(DigestEntry(dispute.ref, dispute.title, dispute=dispute, repliers=repliers))
    return DigestSection(
        key=SectionKey.REPLIES,
        title=N_("New replies since the last digest"),
        entries=tuple(entries),
        total=max(total, len(entries)),
        more="/dispute show D-n",
    )


def thread_for(
    threads: Sequence[tuple[str, str, str]], audience: Audience
) -> tuple[str, str] | None:
    """The thread a reader of this audience can open: the home thread internally; in a
    shared channel only the dispute's thread in that very channel."""
    if audience.internal:
        home = [(c, ts) for c, ts, kind in threads if kind == "home"]
        return home[0] if home else ((threads[0][0], threads[0][1]) if threads else None)
    here = [(c, ts) for c, ts, _ in threads if c == audience.channel_id]
    return here[0] if here else None


async def _with_links(store: Store, sections: list[DigestSection], audience: Audience) -> Digest:
    shown = [e.dispute.id for s in sections for e in s.entries if e.dispute is not None]
    async with store.read() as conn:
        threads = await repo.threads_of(conn, dispute_ids=shown)
    linked = []
    for section in sections:
        entries = tuple(
            DigestEntry(
                e.ref,
                e.title,
                dispute=e.dispute,
                clock=e.clock,
                repliers=e.repliers,
                when=e.when,
                when_label=e.when_label,
                answers=e.answers,
                link=thread_for(threads.get(e.dispute.id, []), audience)
                if e.dispute is not None
                else e.link,
            )
            for e in section.entries
        )
        linked.append(
            DigestSection(
                key=section.key,
                title=section.title,
                entries=entries,
                total=section.total,
                more=section.more,
            )
        )
    return Digest(sections=tuple(linked))


async def build_digest(store: Store, request: DigestRequest) -> Digest:
    """The digest for one channel or person, from what Parley recorded.

    Sections in order: overdue, open disputes, new replies since `request.since`, then
    reviews, action items and agreements (`DIGEST_SOURCES`). Each
    shows at most `request.limit` lines; every shown dispute line carries the thread this
    audience can open.
    """
    # Only the lines shown are loaded (ordered by deadline in SQL); the rest are counted. The
    # others are those due later, then those without a deadline: two ranges of an index.
    team_ids = None if request.audience.internal else request.audience.team_ids
    pages: dict[str, tuple[list[Dispute], int]] = {}
    async with store.read() as conn:
        for name, limit, split in (
            ("late", request.limit, {"due_before": request.now}),
            ("later", request.limit, {"due_from": request.now}),
            ("undated", None, {"undated": True}),
        ):
            pages[name] = await disputes_repo.find(
                conn,
                workspace_id=request.workspace_id,
                statuses=[Status.OPEN],
                member=request.member,
                team_ids=team_ids,
                # The undated fill the page the later leave (none if full: only counted).
                limit=request.limit - len(pages["later"][0]) if limit is None else limit,
                by_due=True,
                **split,
            )
    disputes = [d for found, _ in pages.values() for d in found if d.concerns(request.audience)]
    sections = dispute_sections(
        disputes,
        now=request.now,
        calendar=request.calendar,
        personal=request.member is not None,
        limit=request.limit,
        totals=(pages["late"][1], pages["later"][1] + pages["undated"][1]),
    )
    sections.append(await replies_section(store, request, {d.id: d for d in disputes}))
    window = Window(
        workspace_id=request.workspace_id,
        audience=request.audience,
        member=request.member,
        now=request.now,
        until=upcoming_until(request.now, request.calendar),
        tz=request.calendar.tz,
        contracts=request.contracts,
        shortfalls=request.shortfalls,
    )
    for source in DIGEST_SOURCES:
        sections.append(await feature_section(store, source, window, request.limit))
    return await _with_links(store, sections, request.audience)


# ----------------------------------------------------------------- reviews and agreements


@dataclass(frozen=True)
class Window:
    """Whose sections of reviews, action items and agreements, and the window they cover."""

    workspace_id: str
    audience: Audience
    member: str | None  # a person's digest or Home: only what they own or take part in
    now: datetime
    until: datetime
    tz: ZoneInfo
    contracts: tuple[Contract, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    limit: int = SECTION_LIMIT  # the lines a section shows (`feature_section` sets it)


@dataclass(frozen=True)
class Line:
    """A review, action item or agreement as a digest or Home lists it, with whom it concerns
    (its parties and people), so that the section shows each audience only its own."""

    entry: DigestEntry
    parties: tuple[Party, ...]
    people: tuple[str, ...]


@dataclass(frozen=True)
class Counted:
    """A source's lines as far as its section shows them (`Window.limit`), with how many
    there are in all: a source that counts in SQL rather than listing every line. Its
    lines are already narrowed to the window's audience and person."""

    lines: list[Line]
    total: int


def shown_to(line: Line, window: Window) -> bool:
    """Isolation, whatever the source: a shared channel sees only its parties' lines (a line
    with no party is not seen there), a person only what they own or take part in."""
    if window.member is not None and window.member not in line.people:
        return False
    return window.audience.internal or bool(visible_parties(line.parties, window.audience))


def _review_line(review: Review) -> Line:
    entry = DigestEntry(review.ref, review.title, when=review.next_at, when_label="next")
    return Line(entry, review.parties, (review.owner_id, *review.participants))


def _action_line(item: reviews.ActionLine) -> Line:
    link = (item.channel_id, item.ts) if item.channel_id and item.ts else None
    entry = DigestEntry(item.ref, item.text, when=item.due_at, when_label="due", link=link)
    return Line(entry, item.parties, (item.owner_id,))


def _agreement_line(agreement: Agreement) -> Line:
    link = (agreement.channel_id, agreement.card_ts) if agreement.card_ts else None
    entry = DigestEntry(
        agreement.ref,
        agreement.current.terms.what,
        when=agreement.valid_until,
        when_label="valid until",
        link=link,
    )
    return Line(entry, (agreement.party,), (agreement.owner_id,))


async def reviews_before_until(store: Store, window: Window) -> list[Line]:
    """Scheduled reviews the audience may see whose next occurrence is before `until`."""
    found = await reviews.list_reviews(
        store, workspace_id=window.workspace_id, include_all=False, audience=window.audience
    )
    return [_review_line(r) for r in found if r.next_at is not None and r.next_at <= window.until]


async def actions_due(store: Store, window: Window) -> list[Line]:
    """Open action items due by `until`, overdue ones included."""
    found = await reviews.actions_due_within(
        store, workspace_id=window.workspace_id, now=window.now, until=window.until
    )
    return [_action_line(i) for i in found]


async def agreements_expiring(store: Store, window: Window) -> list[Line]:
    """Agreements in force whose last valid day is within `AGREEMENT_DAYS` days."""
    found = await agreements.expiring_within(
        store, workspace_id=window.workspace_id, now=window.now, days=AGREEMENT_DAYS, tz=window.tz
    )
    return [_agreement_line(a) for a in found]


async def upcoming_reviews(store: Store, window: Window) -> list[Line]:
    """Every scheduled review (for a person's Home: those they own or take part in)."""
    found = await reviews.list_reviews(
        store,
        workspace_id=window.workspace_id,
        include_all=False,
        audience=Audience(),
        member=window.member,
    )
    return [_review_line(r) for r in found]


async def open_actions(store: Store, window: Window) -> list[Line]:
    """The open action items the window's person owns."""
    found = await reviews.open_actions_for(
        store, workspace_id=window.workspace_id, user_id=window.member
    )
    return [_action_line(i) for i in found]


async def awaiting_acknowledgment(store: Store, window: Window) -> list[Line]:
    """Active agreements whose current version is not acknowledged yet."""
    page = await agreements.list_agreements(
        store, workspace_id=window.workspace_id, audience=Audience(), limit=HOME_AGREEMENTS
    )
    return [
        _agreement_line(a)
        for a in page.agreements
        if a.status is AgreementStatus.ACTIVE and not a.current.acknowledged
    ]


async def contracts_expiring(store: Store, window: Window) -> list[Line]:
    """Support contracts ending within 30 days, soonest first: internal lines (no party is
    named on them, so no shared channel sees one), a person's only those they own."""
    today = window.now.astimezone(window.tz).date()
    return [
        Line(
            DigestEntry(c.reference, c.party, when=c.valid_until, when_label="valid until"),
            (),
            (c.owner_id,),
        )
        for c in contract_rules.expiring(window.contracts, today)
    ]


async def contracts_short(store: Store, window: Window) -> list[Line]:
    """A line per contract and service it falls short of (internal lines; a person's, the
    contracts they own): the owner sees the business problem the start-up check found."""
    owners = {c.party: c for c in window.contracts}
    pairs = dict.fromkeys((s.supplier, s.service) for s in window.shortfalls)
    return [
        Line(DigestEntry(owners[supplier].reference, service), (), (owners[supplier].owner_id,))
        for supplier, service in pairs
        if supplier in owners
    ]


@dataclass(frozen=True)
class FeatureSource:
    """One section of reviews, action items or agreements: its heading (an `N_` msgid),
    where to see the rest, and the workflow query that gives its lines."""

    key: SectionKey
    title: str
    more: str
    lines: Callable[[Store, Window], Awaitable[list[Line] | Counted]]


DIGEST_SOURCES: tuple[FeatureSource, ...] = (
    FeatureSource(
        SectionKey.REVIEWS,
        N_("Reviews in the next working days"),
        "/review list",
        reviews_before_until,
    ),
    FeatureSource(SectionKey.ACTIONS, N_("Action items due"), "/review list", actions_due),
    FeatureSource(
        SectionKey.AGREEMENTS,
        N_("Agreements expiring within 30 days"),
        "/agreement list",
        agreements_expiring,
    ),
    FeatureSource(
        SectionKey.COMPLAINTS,
        N_("Open complaints"),
        "/complaint list",
        digests_complaints.open_complaints,
    ),
    FeatureSource(
        SectionKey.CONTRACTS,
        N_("Support contracts ending within 30 days"),
        "/contract list",
        contracts_expiring,
    ),
    FeatureSource(
        SectionKey.CONTRACTS_SHORT,
        N_("Contracts short of the SLA they underpin"),
        "/contract check",
        contracts_short,
    ),
    FeatureSource(SectionKey.SURVEYS, N_("Surveys"), "/survey list", digests_surveys.closing),
)
"""A digest's sections after the disputes', in this order."""

HOME_SOURCES: tuple[FeatureSource, ...] = (
    FeatureSource(
        SectionKey.REVIEWS, N_("Your upcoming reviews"), "/review list", upcoming_reviews
    ),
    FeatureSource(SectionKey.ACTIONS, N_("Your open action items"), "/review list", open_actions),
    FeatureSource(
        SectionKey.AGREEMENTS,
        N_("Agreements awaiting acknowledgment"),
        "/agreement list",
        awaiting_acknowledgment,
    ),
    FeatureSource(
        SectionKey.COMPLAINTS,
        N_("Your open complaints"),
        "/complaint list mine",
        digests_complaints.open_complaints,
    ),
    FeatureSource(
        SectionKey.CONTRACTS_SHORT,
        N_("Your contracts short of the SLA they underpin"),
        "/contract check",
        contracts_short,
    ),
    FeatureSource(SectionKey.SURVEYS, N_("Open surveys"), "/survey list", digests_surveys.open_),
)
"""A person's Home sections after their disputes, in this order."""


async def feature_section(
    store: Store, source: FeatureSource, window: Window, limit: int
) -> DigestSection:
    """The source's section as this window's audience may see it, at most `limit` lines."""
    found = await source.lines(store, replace(window, limit=limit))
    lines = found.lines if isinstance(found, Counted) else found
    entries = [line.entry for line in lines if shown_to(line, window)]
    section = _section(source.key, source.title, entries, source.more, limit)
    if not isinstance(found, Counted):
        return section
    # Counted in SQL, for the same audience: less any line the isolation check left out.
    return replace(section, total=max(found.total - (len(lines) - len(entries)), len(entries)))
