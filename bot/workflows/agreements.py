"""5W1H information-sharing agreements: drafting A-n, new versions, acknowledgment by the
counterparty, revocation and expiry.

Before information flows to a third party the practice settles What, Why, Who, When, Where
and How, the authorisation mechanism and how long it holds. An agreement is with one party.
Changing it makes a new version that needs a new acknowledgment; old versions stay readable.
Only the counterparty's own people acknowledge (internal users cannot do it on their behalf).
An agreement is valid through its `valid_until` day in the calendar's time zone and expires
the day after; editing an expired agreement renews it, a revoked one stays revoked.

Reading the form and `A-n` references is pure and lives in `bot/domain/agreement_terms.py`;
the export's shape of a version is `bot/workflows/export.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from bot.config import ParleyConfig
from bot.domain.agreement_terms import (
    Draft,
    InvalidTerms,
    PartyPick,
    today_in,
    validate_terms,
)
from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.marks import N_
from bot.domain.names import name_key
from bot.domain.notices import (
    AgreementCard,
    AgreementExpiredDm,
    AgreementRefresh,
    AgreementVersionLine,
)
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.store import Store
from bot.store import agreements as repo
from bot.store import counters as counters_repo
from bot.store import parties as parties_repo
from bot.store import sends as sends_repo
from bot.workflows import notices
from bot.workflows.parties import party_for_team

LIST_LIMIT = 25
REASON_LIMIT = 2000
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class AgreementPage:
    agreements: list[Agreement]
    total: int
    party: Party | None = None


@dataclass(frozen=True)
class AgreementRecord:
    """What `show` tells: the agreement, the version asked for, and every version."""

    agreement: Agreement
    shown: AgreementVersion
    versions: list[AgreementVersion] = field(default_factory=list)


# --- changing agreements --------------------------------------------------------------------


# Why an outsider is refused (its words say what they may do instead).
OUTSIDERS = "agreement.outsiders"


async def draft_agreement(
    store: Store,
    *,
    workspace_id: str,
    owner: Person,
    pick: PartyPick,
    draft: Draft,
    channel_id: str,
    config: ParleyConfig,
    now: datetime,
    tz: tzinfo,
) -> Agreement:
    """Record A-n version 1 with the party, owned by whoever drafted it.

    A Slack team not on record yet becomes a party as it would in a dispute. The card's
    channel is decided by the caller (the party's shared channel, or where it was asked).
    """
    internal_only(owner, workspace_id, OUTSIDERS)
    terms = validate_terms(draft, party=pick, workspace_id=workspace_id, today=today_in(now, tz))
    async with store.write() as conn:
        party = pick.party
        if party is None:
            assert pick.team_id is not None
            party = await party_for_team(
                conn,
                workspace_id=workspace_id,
                team_id=pick.team_id,
                team_name=pick.team_name,
                config=config,
                now=now,
            )
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="agreement")
        agreement_id = await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            party_id=party.id,
            owner_id=owner.user_id,
            channel_id=channel_id,
            now=now,
        )
        await repo.add_version(
            conn,
            agreement_id=agreement_id,
            version=1,
            terms=terms,
            created_by=owner.user_id,
            now=now,
        )
        card = AgreementCard(
            workspace_id=workspace_id,
            agreement_id=agreement_id,
            agreement_number=number,
            owner_id=owner.user_id,
            what=N_("the card of A-{number} in {channel}"),
            what_facts={"number": str(number), "channel": channel_token(channel_id)},
        )
        await notices.owe(conn, card, now=now)
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert agreement is not None
    return agreement


async def record_card(store: Store, *, agreement: Agreement, channel_id: str, ts: str) -> Agreement:
    """Remember the message that is the agreement's card."""
    async with store.write() as conn:
        await repo.set_card(conn, agreement_id=agreement.id, channel_id=channel_id, ts=ts)
    return agreement.model_copy(update={"channel_id": channel_id, "card_ts": ts})


def _missing(number: int, audience: Audience) -> NotFound:
    if audience.internal:
        return NotFound("agreement.not_found", number=number)
    return NotFound("agreement.not_found_here", number=number)


async def agreement_by_number(store: Store, *, workspace_id: str, number: int) -> Agreement | None:
    """A-n as it is now (for a notice being delivered), or None."""
    async with store.read() as conn:
        return await repo.get(conn, workspace_id=workspace_id, number=number)


async def get_agreement(
    store: Store, *, workspace_id: str, number: int, audience: Audience
) -> Agreement:
    """A-n as this audience may see it; another party's agreement is as good as absent."""
    async with store.read() as conn:
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
    if agreement is None or not agreement.concerns(audience):
        raise _missing(number, audience)
    return agreement


async def check_editable(
    store: Store, *, workspace_id: str, number: int, actor: Person
) -> Agreement:
    """May the actor open A-n's form to write a new version? The agreement, or why not."""
    internal_only(actor, workspace_id, OUTSIDERS)
    agreement = await get_agreement(
        store, workspace_id=workspace_id, number=number, audience=Audience()
    )
    if agreement.status is AgreementStatus.REVOKED:
        raise InvalidInput("agreement.revoked", ref=agreement.ref)
    return agreement


async def edit_agreement(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    seen_version: int,
    actor: Person,
    draft: Draft,
    now: datetime,
    tz: tzinfo,
) -> Agreement:
    """Write version n+1 of A-n: it needs a new acknowledgment, and an expired agreement whose
    new terms run into the future is active again. `seen_version` is the version the form
    was opened on; if somebody saved another meanwhile, nothing is written."""
    agreement = await check_editable(store, workspace_id=workspace_id, number=number, actor=actor)
    pick = PartyPick(party=agreement.party)
    terms = validate_terms(draft, party=pick, workspace_id=workspace_id, today=today_in(now, tz))
    if agreement.version != seen_version:
        raise InvalidInput(
            "agreement.edited_meanwhile", ref=agreement.ref, version=agreement.version
        )
    if terms == agreement.current.terms and agreement.status is AgreementStatus.ACTIVE:
        unchanged = InvalidInput("agreement.unchanged", field="what", version=agreement.version)
        raise InvalidTerms({"what": unchanged})
    async with store.write() as conn:
        await repo.add_version(
            conn,
            agreement_id=agreement.id,
            version=seen_version + 1,
            terms=terms,
            created_by=actor.user_id,
            now=now,
        )
        moved = await repo.move_to_version(
            conn, agreement_id=agreement.id, version=seen_version, to_version=seen_version + 1
        )
        if not moved:
            raise InvalidInput("agreement.changed", ref=agreement.ref)
        await notices.owe(conn, AgreementRefresh.of(agreement), now=now)
        line = AgreementVersionLine(
            workspace_id=workspace_id,
            agreement_id=agreement.id,
            agreement_number=number,
            version=seen_version + 1,
        )
        await notices.owe(conn, line, now=now)
        after = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert after is not None
    return after


async def acknowledge(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    version: int,
    actor: Person,
    now: datetime,
    tz: tzinfo,
) -> Agreement:
    """The counterparty's person acknowledges this version of A-n.

    Only somebody whose Slack team is the agreement's party may do it, only for the current
    version of an agreement in force, and only once per version.
    """
    async with store.read() as conn:
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
    if agreement is None:
        raise NotFound("agreement.no_such", number=number)
    if not is_external(actor, workspace_id):
        raise NotAllowed(
            "agreement.acknowledged_by_insider", party=agreement.party.name, ref=agreement.ref
        )
    if actor.team_id != agreement.party.slack_team:
        # Another party's agreement: told exactly what a missing one tells, nothing more.
        raise NotFound("agreement.no_such", number=number)
    status = agreement.status_on(today_in(now, tz))
    if status is AgreementStatus.REVOKED:
        raise InvalidInput("agreement.revoked_no_acknowledging", ref=agreement.ref)
    if status is AgreementStatus.EXPIRED:
        raise InvalidInput(
            "agreement.expired_no_acknowledging", ref=agreement.ref, last_day=agreement.valid_until
        )
    if version != agreement.version:
        raise InvalidInput(
            "agreement.version_replaced", ref=agreement.ref, version=agreement.version, seen=version
        )
    if agreement.current.acknowledged:
        raise InvalidInput(
            "agreement.already_acknowledged", version=agreement.version, ref=agreement.ref
        )
    async with store.write() as conn:
        if not await repo.acknowledge(
            conn, agreement_id=agreement.id, version=version, user_id=actor.user_id, now=now
        ):
            raise InvalidInput("agreement.changed_card", ref=agreement.ref)
        await notices.owe(conn, AgreementRefresh.of(agreement), now=now)
        after = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert after is not None
    return after


async def revoke(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    actor: Person,
    reason: str,
    now: datetime,
) -> Agreement:
    """Revoke A-n with a reason on the record. It stays readable and exported."""
    internal_only(actor, workspace_id, OUTSIDERS)
    reason = clean_line(
        reason,
        limit=REASON_LIMIT,
        empty="agreement.reason_empty",
        too_long="agreement.reason_too_long",
    )
    async with store.write() as conn:
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
        if agreement is None:
            raise _missing(number, Audience())
        if agreement.status is AgreementStatus.REVOKED:
            raise InvalidInput("agreement.already_revoked", ref=agreement.ref)
        if not await repo.revoke(
            conn, agreement_id=agreement.id, reason=reason, user_id=actor.user_id, now=now
        ):
            raise InvalidInput("agreement.changed", ref=agreement.ref)
        await notices.owe(conn, AgreementRefresh.of(agreement), now=now)
        after = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert after is not None
    return after


def expiry_key(agreement: Agreement) -> str:
    """The send key of an expiry notice: once per agreement and version."""
    return f"agreement-expired:{agreement.ref}:v{agreement.version}"


async def expire_due(
    store: Store, *, now: datetime, tz: tzinfo, limit: int = 100
) -> list[Agreement]:
    """Every active agreement whose last valid day has passed, marked expired.

    Each is marked and its notice claimed (`expiry_key`) in one transaction, so with several
    instances, or after a restart, each expiry is announced exactly once.
    """
    today = today_in(now, tz)
    async with store.read() as conn:
        candidates = await repo.active_ending(conn, before=today, limit=limit)
    expired: list[Agreement] = []
    for agreement in candidates:
        async with store.write() as conn:
            if not await repo.expire(conn, agreement_id=agreement.id, version=agreement.version):
                continue
            if not await sends_repo.claim(conn, key=expiry_key(agreement), now=now):
                continue
            await notices.owe(conn, AgreementRefresh.of(agreement), now=now)
            told = AgreementExpiredDm(
                workspace_id=agreement.workspace_id,
                agreement_id=agreement.id,
                agreement_number=agreement.number,
                version=agreement.version,
            )
            await notices.owe(conn, told, now=now)
        expired.append(agreement.model_copy(update={"status": AgreementStatus.EXPIRED}))
    return expired


async def expiring_within(
    store: Store,
    *,
    workspace_id: str,
    now: datetime,
    days: int = EXPIRING_DAYS,
    tz: tzinfo | None = None,
) -> list[Agreement]:
    """Agreements in force whose last valid day is within `days` days of today, soonest
    first: what a digest lists. Today is `now`'s date in `tz` (in `now`'s own zone if None)."""
    today = today_in(now, tz)
    async with store.read() as conn:
        found = await repo.active_ending(
            conn, workspace_id=workspace_id, through=today + timedelta(days=days)
        )
    return [a for a in found if a.valid_until >= today]


async def in_force(
    store: Store, *, workspace_id: str, parties: Sequence[Party], now: datetime, tz: tzinfo
) -> list[Agreement]:
    """The agreements in force with any of these parties (for a dispute's record)."""
    if not parties:
        return []
    today = today_in(now, tz)
    async with store.read() as conn:
        found = await repo.active_ending(
            conn, workspace_id=workspace_id, party_ids=[p.id for p in parties]
        )
    return [a for a in found if a.valid_until >= today]


# --- reading them ---------------------------------------------------------------------------


async def agreement_record(
    store: Store, *, workspace_id: str, number: int, version: int | None, audience: Audience
) -> AgreementRecord:
    """A-n (at version `version`, or its current one) with every version."""
    agreement = await get_agreement(
        store, workspace_id=workspace_id, number=number, audience=audience
    )
    async with store.read() as conn:
        every = await repo.versions(conn, agreement_id=agreement.id)
    if version is None:
        return AgreementRecord(agreement=agreement, shown=agreement.current, versions=every)
    shown = next((v for v in every if v.version == version), None)
    if shown is None:
        raise NotFound(
            "agreement.no_version", ref=agreement.ref, version=version, last=agreement.version
        )
    return AgreementRecord(agreement=agreement, shown=shown, versions=every)


async def list_agreements(
    store: Store,
    *,
    workspace_id: str,
    audience: Audience,
    party_name: str = "",
    limit: int = LIST_LIMIT,
) -> AgreementPage:
    """Newest first: all of them, or one party's; a shared channel sees only its own parties'."""
    party_name = " ".join(party_name.split())
    async with store.read() as conn:
        known = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
        visible = [p for p in known if audience.internal or p.slack_team in audience.team_ids]
        party: Party | None = None
        if party_name:
            wanted = name_key(party_name)
            party = next((p for p in visible if name_key(p.name) == wanted), None)
            if party is None and audience.internal:
                raise NotFound("agreement.no_party", name=party_name[:80])
            if party is None:
                raise NotFound("agreement.no_party_here", name=party_name[:80])
        ids = [party.id] if party else (None if audience.internal else [p.id for p in visible])
        found, total = await repo.find(conn, workspace_id=workspace_id, party_ids=ids, limit=limit)
    return AgreementPage(agreements=found, total=total, party=party)
