"""5W1H information-sharing agreements: drafting A-n, new versions, acknowledgment by the
counterparty, revocation and expiry.

Before information flows to a third party the practice settles What, Why, Who, When, Where
and How, the authorisation mechanism and how long it holds. An agreement is with one party.
Changing it makes a new version that needs a new acknowledgment; old versions stay readable.
Only the counterparty's own people acknowledge (internal users cannot do it on their behalf).
An agreement is valid through its `valid_until` day in the calendar's time zone and expires
the day after; editing an expired agreement renews it, a revoked one stays revoked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from bot.config import ParleyConfig
from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion, Terms
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.names import name_key
from bot.domain.parties import Audience, Party, Person, internal_only, is_external
from bot.domain.text import channel as channel_token
from bot.domain.text import clean_line
from bot.store import Store
from bot.store import agreements as repo
from bot.store import counters as counters_repo
from bot.store import parties as parties_repo
from bot.store import sends as sends_repo
from bot.workflows import notices_by_kind as notices
from bot.workflows.parties import party_for_team

LIST_LIMIT = 25
REASON_LIMIT = 2000
EXPIRING_DAYS = 30

# Each field: its label, its length limit, and what a person should write there.
FIELDS: dict[str, tuple[str, int, str]] = {
    "what": ("What", 1500, "the information shared, its content and scope"),
    "why": ("Why", 1000, "the purpose the information is shared for"),
    "who": ("Who", 500, "the parties and the roles authorised"),
    "when": ("When", 500, "the timing and frequency, e.g. monthly, within 5 working days"),
    "where": ("Where", 500, "the channel or medium, e.g. SFTP, the shared channel"),
    "how": ("How", 1500, "the process and method, e.g. encrypted export, reviewed first"),
    "authorization": ("Authorisation", 500, "who approves the sharing, and how"),
}

REVOKE_EXAMPLE = "`/agreement revoke A-3 The contract ended`"


class InvalidTerms(InvalidInput):
    """One or more fields of the form are wrong: `problems` maps each field to what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Draft:
    """The form as submitted: free text, the people picked, the channel picked, the date."""

    what: str
    why: str
    who: str
    who_people: Sequence[Person]
    when: str
    where: str
    where_channel: str | None
    how: str
    authorization: str
    valid_until: str  # YYYY-MM-DD from the date picker


@dataclass(frozen=True)
class PartyPick:
    """The party chosen on the form: a party on record, or a Slack team not on record yet."""

    party: Party | None = None
    team_id: str | None = None
    team_name: str | None = None

    @property
    def slack_team(self) -> str | None:
        return self.party.slack_team if self.party is not None else self.team_id

    @property
    def name(self) -> str:
        if self.party is not None:
            return self.party.name
        return self.team_name or self.team_id or "their organisation"


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


# --- reading what people type -------------------------------------------------------------


def parse_number(text: str) -> int:
    """`A-3`, `a3`, `A 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("A").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput(f"`{text.strip()[:40]}` is not an agreement id. Write it like `A-3`.")
    return int(raw)


def parse_reference(text: str) -> tuple[int, int | None]:
    """`A-3` → (3, None); `A-3 v1` or `A-3v1` → (3, 1)."""
    words = text.split()
    if not words:
        raise InvalidInput("Which agreement? Write it like `/agreement show A-3`.")
    joined = re.fullmatch(r"(?i)(.+?)v(\d{1,9})", words[0]) if len(words) == 1 else None
    if joined and joined.group(1).strip().upper().startswith("A"):
        words = [joined.group(1), "v" + joined.group(2)]
    number = parse_number(words[0])
    if len(words) == 1:
        return number, None
    version = words[1].lower().removeprefix("v")
    if len(words) > 2 or not version.isascii() or not version.isdigit() or int(version) == 0:
        raise InvalidInput(
            f"`{' '.join(words[1:])[:40]}` is not a version. Write it like `/agreement show "
            f"A-{number} v1`."
        )
    return number, int(version)


def today_in(now: datetime, tz: tzinfo | None) -> date:
    """The calendar day `now` falls on in that zone (in `now`'s own zone when None)."""
    return now.astimezone(tz).date() if tz is not None else now.date()


def _clean_text(text: str, *, key: str) -> str:
    """Text typed in a multi-line field: NFC, no control characters, single spaces inside
    lines, at most one blank line in a row, 1..limit characters."""
    label, limit, hint = FIELDS[key]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines: list[str] = []
    for line in (" ".join(raw.split()) for raw in text.split("\n")):
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Mn"))
    if not visible.strip():
        raise InvalidInput(f"{label} is empty: write {hint}.")
    if len(text) > limit:
        raise InvalidInput(f"{label} is {len(text):,} characters long; keep it to {limit:,}.")
    return text


def _valid_until(raw: str, today: date) -> date:
    if not raw.strip():
        raise InvalidInput("Pick the last day the agreement is valid.")
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(
            "Pick the last day from the calendar (a date like 2027-06-30)."
        ) from None
    if day < today:
        raise InvalidInput(
            f"Valid until is in the past; pick today ({today.isoformat()}) or a later day."
        )
    return day


def validate_terms(draft: Draft, *, party: PartyPick, workspace_id: str, today: date) -> Terms:
    """The terms of a version from the form, or InvalidTerms naming every wrong field."""
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in FIELDS:
        try:
            cleaned[key] = _clean_text(str(getattr(draft, key)), key=key)
        except InvalidInput as exc:
            problems[key] = exc.message
    try:
        cleaned["valid_until"] = _valid_until(draft.valid_until, today)
    except InvalidInput as exc:
        problems["valid_until"] = exc.message
    people: list[str] = []
    for person in draft.who_people:
        if person.is_bot:
            problems["who_people"] = f"@{person.name} is a bot; only people can be authorised."
            break
        if is_external(person, workspace_id) and person.team_id != party.slack_team:
            problems["who_people"] = (
                f"@{person.name} is from another organisation: authorise people of this "
                "workspace or of the agreement's party only."
            )
            break
        if person.user_id not in people:
            people.append(person.user_id)
    if not people and "who_people" not in problems:
        problems["who_people"] = "Pick at least one person who is authorised."
    channel = (draft.where_channel or "").strip() or None
    if channel is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,30}", channel):
        problems["where_channel"] = "Pick the channel from the list, or leave it empty."
    if problems:
        raise InvalidTerms(problems)
    return Terms(**cleaned, who_people=tuple(people), where_channel=channel)


def pick_party(
    value: str, *, parties: Sequence[Party], offered_teams: Sequence[str], workspace_id: str
) -> PartyPick:
    """The form's party choice: `p:<id>` of a party on record, or `t:<team>` of a Slack team
    the form offered (a mentioned person's organisation not on record yet)."""
    kind, _, raw = value.partition(":")
    if kind == "p" and raw.isascii() and raw.isdigit():
        found = next((p for p in parties if p.id == int(raw)), None)
        if found is not None:
            if not found.slack_team:
                raise InvalidTerms(
                    {
                        "party": f"{found.name} has no Slack team on record, so nobody of "
                        "theirs could acknowledge it. Mention one of their people instead."
                    }
                )
            return PartyPick(party=found)
    if kind == "t" and raw in offered_teams and raw != workspace_id:
        return PartyPick(team_id=raw)
    raise InvalidTerms({"party": "Choose the party from the list."})


# --- changing agreements --------------------------------------------------------------------


# Why an outsider is refused, and what they may do instead.
OUTSIDERS = (
    "Only members of the workspace that runs Parley can draft or change agreements. "
    "To accept one addressed to your organisation, press Acknowledge on its card."
)


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
        await notices.owe_agreement(
            conn,
            notices.AGREEMENT_CARD,
            workspace_id=workspace_id,
            agreement_id=agreement_id,
            number=number,
            now=now,
            owner_id=owner.user_id,
            what=f"the card of A-{number} in {channel_token(channel_id)}",
        )
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert agreement is not None
    return agreement


async def record_card(store: Store, *, agreement: Agreement, channel_id: str, ts: str) -> Agreement:
    """Remember the message that is the agreement's card."""
    async with store.write() as conn:
        await repo.set_card(conn, agreement_id=agreement.id, channel_id=channel_id, ts=ts)
    return agreement.model_copy(update={"channel_id": channel_id, "card_ts": ts})


def _missing(number: int, audience: Audience) -> NotFound:
    where = "" if audience.internal else " in this channel"
    return NotFound(f"There is no agreement A-{number}{where}. `/agreement list` lists them.")


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
        raise InvalidInput(
            f"{agreement.ref} was revoked; it cannot change any more. "
            "Draft a new one with `/agreement new`."
        )
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
            f"{agreement.ref} changed while you were editing (it is at version "
            f"{agreement.version} now). Close the form and edit it again."
        )
    if terms == agreement.current.terms and agreement.status is AgreementStatus.ACTIVE:
        raise InvalidTerms(
            {"what": f"Nothing changed: version {agreement.version} stays as it is."}
        )
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
            raise InvalidInput(f"{agreement.ref} changed a moment ago. Look again and retry.")
        owed: dict[str, Any] = {
            "workspace_id": workspace_id,
            "agreement_id": agreement.id,
            "number": number,
            "now": now,
        }
        await notices.owe_agreement(conn, notices.AGREEMENT_REFRESH, **owed)
        await notices.owe_agreement(
            conn, notices.AGREEMENT_VERSION_LINE, **owed, version=seen_version + 1
        )
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
        raise NotFound(f"There is no agreement A-{number}.")
    if not is_external(actor, workspace_id):
        raise NotAllowed(
            f"Only {agreement.party.name}'s people can acknowledge {agreement.ref}: it records "
            "that they read and accept it, so nobody can do it on their behalf."
        )
    if actor.team_id != agreement.party.slack_team:
        # Another party's agreement: told exactly what a missing one tells, nothing more.
        raise NotFound(f"There is no agreement A-{number}.")
    status = agreement.status_on(today_in(now, tz))
    if status is AgreementStatus.REVOKED:
        raise InvalidInput(f"{agreement.ref} was revoked; there is nothing to acknowledge.")
    if status is AgreementStatus.EXPIRED:
        raise InvalidInput(
            f"{agreement.ref} expired after {agreement.valid_until.isoformat()}; "
            "it can no longer be acknowledged."
        )
    if version != agreement.version:
        raise InvalidInput(
            f"{agreement.ref} has changed: version {agreement.version} replaces version "
            f"{version}. Read the card again and acknowledge that version."
        )
    if agreement.current.acknowledged:
        raise InvalidInput(
            f"Version {agreement.version} of {agreement.ref} is already acknowledged."
        )
    async with store.write() as conn:
        if not await repo.acknowledge(
            conn, agreement_id=agreement.id, version=version, user_id=actor.user_id, now=now
        ):
            raise InvalidInput(f"{agreement.ref} changed a moment ago. Look at its card again.")
        await notices.owe_agreement_edit(conn, agreement, now=now)
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
    reason = clean_line(reason, what="reason", limit=REASON_LIMIT, example=REVOKE_EXAMPLE)
    async with store.write() as conn:
        agreement = await repo.get(conn, workspace_id=workspace_id, number=number)
        if agreement is None:
            raise _missing(number, Audience())
        if agreement.status is AgreementStatus.REVOKED:
            raise InvalidInput(f"{agreement.ref} is already revoked.")
        if not await repo.revoke(
            conn, agreement_id=agreement.id, reason=reason, user_id=actor.user_id, now=now
        ):
            raise InvalidInput(f"{agreement.ref} changed a moment ago. Look again and retry.")
        await notices.owe_agreement_edit(conn, agreement, now=now)
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
            owed: dict[str, Any] = {
                "workspace_id": agreement.workspace_id,
                "agreement_id": agreement.id,
                "number": agreement.number,
                "now": now,
            }
            await notices.owe_agreement(conn, notices.AGREEMENT_REFRESH, **owed)
            await notices.owe_agreement(
                conn, notices.AGREEMENT_EXPIRED_DM, **owed, version=agreement.version
            )
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
            f"{agreement.ref} has no version {version}; it has versions 1 to {agreement.version}."
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
            if party is None:
                where = "" if audience.internal else " in this channel"
                raise NotFound(
                    f"There is no party named “{party_name[:80]}”{where}. `/party list` lists them."
                )
        ids = [party.id] if party else (None if audience.internal else [p.id for p in visible])
        found, total = await repo.find(conn, workspace_id=workspace_id, party_ids=ids, limit=limit)
    return AgreementPage(agreements=found, total=total, party=party)


# --- the export -----------------------------------------------------------------------------


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def version_document(agreement: Agreement, version: AgreementVersion) -> dict[str, Any]:
    """One version in the contract's shape (plus who and when it was written and acknowledged).

    `status` is the agreement's for its current version and `superseded` for earlier ones."""
    terms = version.terms
    current = version.version == agreement.version
    return {
        "id": agreement.ref,
        "version": version.version,
        "party": agreement.party.name,
        "what": terms.what,
        "why": terms.why,
        "who": terms.who,
        "when": terms.when,
        "where": terms.where,
        "how": terms.how,
        "authorization": terms.authorization,
        "valid_until": terms.valid_until.isoformat(),
        "status": agreement.status.value if current else "superseded",
        "acknowledged_by": version.acknowledged_by,
        "acknowledged_at": _iso(version.acknowledged_at),
        "who_people": list(terms.who_people),
        "where_channel": terms.where_channel,
        "owner": agreement.owner_id,
        "created_by": version.created_by,
        "created_at": _iso(version.created_at),
        "channel": agreement.channel_id,
        "revoke_reason": agreement.revoke_reason if current else None,
    }


async def export_agreements(store: Store) -> list[dict[str, Any]]:
    """Every version of every agreement, oldest agreement and version first."""
    async with store.read() as conn:
        found = await repo.everything(conn)
    return [version_document(a, v) for a, every in found for v in every]
