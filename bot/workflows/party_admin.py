"""Looking after the parties: the config's parties on record, listing them, renaming and re-kinding.

Two sources make parties. The config file states what was agreed in advance with a party, so
its name and kind are the config's to change: `/party` refuses to edit them and says where to.
Parties discovered from an unknown Slack team (`team.info`) belong to the database, and an
internal user may rename or re-kind them freely. There is no party timeline: every change is
logged at INFO and confirmed to the person who made it.
"""

from __future__ import annotations

import logging
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import MAX_PARTY_NAME, ParleyConfig
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.names import look_alike, lookalike_of, name_key
from bot.domain.notices import DisputeRefresh
from bot.domain.parties import Audience, Party, PartyKind, Person, internal_only
from bot.domain.text import clean_line
from bot.store import Store
from bot.store import disputes as disputes_repo
from bot.store import parties as repo
from bot.workflows import notices

log = logging.getLogger(__name__)

NAME_LIMIT = MAX_PARTY_NAME
SHOW_LATEST = 10
# Cards edited in place after a change; older open disputes pick it up at their next change.
REFRESH_LIMIT = 50


class Origin(StrEnum):
    """Where a party comes from: Parley's config file, or a Slack team seen in a channel."""

    CONFIG = "config"
    DISCOVERED = "discovered"


@dataclass(frozen=True)
class PartyEntry:
    """One line of `/party list`."""

    party: Party
    origin: Origin
    open_disputes: int


@dataclass(frozen=True)
class DisputeRef:
    number: int
    title: str

    @property
    def ref(self) -> str:
        return f"D-{self.number}"


@dataclass(frozen=True)
class PartyDetails:
    """What `/party show` tells: the party, its source, and its newest open disputes."""

    party: Party
    origin: Origin
    open_disputes: tuple[DisputeRef, ...]
    open_total: int


@dataclass(frozen=True)
class SetKind:
    name: str
    kind: PartyKind


@dataclass(frozen=True)
class Rename:
    """`<old> to <new>`, read every way the word "to" allows; the first old name that is a
    party wins, so names may themselves contain "to" (`Back to Basics`)."""

    readings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PartyChange:
    """An accepted change: the party before and after, and its open disputes whose cards
    show the party and should be edited in place."""

    kind: Literal["renamed", "kind_set"]
    before: Party
    after: Party
    disputes: tuple[Dispute, ...]


# --- reading what was typed -----------------------------------------------------------------


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def _spelt_the_same(a: str, b: str) -> bool:
    """The same letters in any case, spaces collapsed (lookalike letters are not the same)."""
    return " ".join(_words(a)).casefold() == " ".join(_words(b)).casefold()


def _quoted(name: str) -> str:
    """A name as a refusal quotes it: spaces collapsed, cut after 60 characters (`…` says so)."""
    shown = " ".join(_words(name))
    return f"{shown[:60]}…" if len(shown) > 60 else shown


def parse_kind(text: str) -> PartyKind:
    """`supplier`, `Third party`, `third-party` → the kind; anything else is refused."""
    word = "_".join(_words(text.replace("-", " "))).lower()
    if not word:
        raise InvalidInput("party.which_kind")
    try:
        return PartyKind(word)
    except ValueError:
        raise InvalidInput("party.unknown_kind", text=_quoted(text)) from None


def parse_set(text: str) -> SetKind:
    """`<name> kind <kind>`: the last standalone word "kind" splits, so names may hold it."""
    words = _words(text)
    marks = [i for i, w in enumerate(words) if w.casefold() == "kind"]
    if not words:
        raise InvalidInput("party.which_to_set")
    if not marks or marks[-1] == 0:
        raise InvalidInput("party.only_the_kind")
    at = marks[-1]
    return SetKind(name=" ".join(words[:at]), kind=parse_kind(" ".join(words[at + 1 :])))


def parse_rename(text: str) -> Rename:
    """`<old> to <new>`; each standalone "to" after the first word is a possible split."""
    words = _words(text)
    if not words:
        raise InvalidInput("party.which_to_rename")
    readings = tuple(
        (" ".join(words[:i]), " ".join(words[i + 1 :]))
        for i, w in enumerate(words)
        if i > 0 and w.casefold() == "to"
    )
    if not readings:
        raise InvalidInput("party.rename_to_what")
    return Rename(readings=readings)


def clean_name(text: str) -> str:
    """A new party name: one plain line of 1 to 80 characters that reads as it is stored.

    Invisible and direction-changing characters are refused rather than stripped: a name is
    how people find a party, so two names that look alike must be alike.
    """
    cleaned = clean_line(
        text, limit=sys.maxsize, empty="party.name_empty", too_long="party.name_too_long"
    )
    if len(cleaned) > NAME_LIMIT:
        raise InvalidInput("party.name_over_limit", length=len(cleaned), limit=NAME_LIMIT)
    if any(unicodedata.category(ch) == "Cf" for ch in unicodedata.normalize("NFC", text)):
        raise InvalidInput("party.name_invisible")
    return cleaned


# --- the config's parties -------------------------------------------------------------------


def origin_of(party: Party, config: ParleyConfig) -> Origin:
    """Config when the config names this party (by its Slack team, else by its exact name)."""
    if party.slack_team and config.party_for_team(party.slack_team) is not None:
        return Origin.CONFIG
    agreed = config.parties.get(party.name)
    if agreed is not None and agreed.slack_team in (None, party.slack_team):
        return Origin.CONFIG
    return Origin.DISCOVERED


def _named(known: Sequence[Party], name: str) -> Party | None:
    """The party whose name reads as `name`: case, width and lookalike letters aside (the
    same key first, then a name that only looks alike in capitals, such as Cyrillic `ВЕТА`)."""
    wanted = name_key(name)
    same = next((p for p in known if name_key(p.name) == wanted), None)
    return same or next((p for p in known if look_alike(p.name, name)), None)


async def _move_aside(
    conn: AsyncConnection, *, holder: Party, known: list[Party], for_name: str
) -> None:
    """A discovered party holds a name the config now gives another party: the config wins,
    and the discovered party keeps its records under a name that says which team it is."""
    others = [p for p in known if p.id != holder.id]
    name = f"{holder.name[:NAME_LIMIT]} ({holder.slack_team or 'renamed'})"
    if _named(others, name) is not None:
        name = f"{holder.name[:NAME_LIMIT]} (#{holder.id})"
    await repo.update(
        conn, party_id=holder.id, name=name, kind=holder.kind, slack_team=holder.slack_team
    )
    _replace(known, holder.model_copy(update={"name": name}))
    log.warning(
        "party %r renamed to %r: the config gives its name to party %r", holder.name, name, for_name
    )


def _replace(known: list[Party], party: Party) -> None:
    known[[p.id for p in known].index(party.id)] = party


async def _sync(
    conn: AsyncConnection, *, workspace_id: str, config: ParleyConfig, now: datetime
) -> list[Party]:
    known = await repo.in_workspace(conn, workspace_id=workspace_id)
    synced: list[Party] = []
    # Parties with a Slack team first: the team is the surer match than the name.
    for name, agreed in sorted(config.parties.items(), key=lambda i: i[1].slack_team is None):
        kind = PartyKind(agreed.kind)
        team = agreed.slack_team
        mine = next((p for p in known if team is not None and p.slack_team == team), None)
        # The config refuses two names that read alike, so a holder is never another of its own.
        holder = _named(known, name)
        if (
            mine is None
            and holder is not None
            and (team is None or holder.slack_team in (None, team))
            and _spelt_the_same(holder.name, name)
        ):
            # Only the same spelling (any case) is the config's party: a team that chose a
            # lookalike name (`Аcme` with a Cyrillic А) must not become it, and moves aside.
            mine = holder
        if holder is not None and (mine is None or holder.id != mine.id):
            await _move_aside(conn, holder=holder, known=known, for_name=name)
        if mine is None:
            party = await repo.insert(
                conn, workspace_id=workspace_id, name=name, kind=kind, slack_team=team, now=now
            )
            known.append(party)
            log.info("party %r (%s) added from the config", name, kind.value)
        else:
            party = Party(id=mine.id, name=name, kind=kind, slack_team=team or mine.slack_team)
            if party != mine:
                await repo.update(
                    conn, party_id=party.id, name=name, kind=kind, slack_team=party.slack_team
                )
                _replace(known, party)
                log.info(
                    "party %r (%s) set from the config; it was %r (%s)",
                    name,
                    kind.value,
                    mine.name,
                    mine.kind.value,
                )
        synced.append(party)
    return synced


async def sync_configured_parties(
    store: Store, *, workspace_id: str, config: ParleyConfig, now: datetime
) -> list[Party]:
    """Put every party of the config on record with the config's name and kind; idempotent.

    A configured party is found by its Slack team when the config gives one, else by name
    (any case). A discovered party standing in the way of a configured name is renamed
    aside (`Name (T0TEAM)`), since the config is the agreement. Returns the config's parties.
    """
    async with store.write() as conn:
        return await _sync(conn, workspace_id=workspace_id, config=config, now=now)


# --- reading --------------------------------------------------------------------------------


def _visible(party: Party, audience: Audience) -> bool:
    """A shared channel sees only its own parties."""
    return audience.internal or (
        party.slack_team is not None and party.slack_team in audience.team_ids
    )


def _find(known: Sequence[Party], name: str, audience: Audience) -> Party:
    found = _named(known, name)
    if found is None or not _visible(found, audience):
        if audience.internal:
            raise NotFound("party.not_found", name=_quoted(name))
        raise NotFound("party.not_found_here", name=_quoted(name))
    return found


# Why an outsider is refused.
OUTSIDERS = "party.outsiders"


async def list_parties(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    audience: Audience,
    config: ParleyConfig,
    now: datetime,
) -> list[PartyEntry]:
    """Every party this audience may see, by name, with how many open disputes each is in."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        await _sync(conn, workspace_id=workspace_id, config=config, now=now)
        rows = await repo.with_open_disputes(conn, workspace_id=workspace_id)
    entries = [
        PartyEntry(party=p, origin=origin_of(p, config), open_disputes=n)
        for p, n in rows
        if _visible(p, audience)
    ]
    return sorted(entries, key=lambda e: (name_key(e.party.name), e.party.name))


async def party_details(
    store: Store,
    *,
    workspace_id: str,
    name: str,
    actor: Person,
    audience: Audience,
    config: ParleyConfig,
    now: datetime,
    latest: int = SHOW_LATEST,
) -> PartyDetails:
    """One party (any case): kind, team, source, and its newest open disputes."""
    internal_only(actor, workspace_id, OUTSIDERS)
    if not _words(name):
        raise InvalidInput("party.which_to_show")
    # One transaction: an unknown name rolls the config's sync back with it.
    async with store.write() as conn:
        await _sync(conn, workspace_id=workspace_id, config=config, now=now)
        party = _find(await repo.in_workspace(conn, workspace_id=workspace_id), name, audience)
        page, total = await repo.open_disputes(conn, party_id=party.id, limit=latest)
    return PartyDetails(
        party=party,
        origin=origin_of(party, config),
        open_disputes=tuple(DisputeRef(number=n, title=t) for n, t in page),
        open_total=total,
    )


# --- changing -------------------------------------------------------------------------------


def _editable(party: Party, config: ParleyConfig) -> None:
    if origin_of(party, config) is Origin.CONFIG:
        raise NotAllowed("party.in_config", name=party.name)


async def _open_disputes(
    conn: AsyncConnection, *, workspace_id: str, party_id: int, now: datetime
) -> tuple[Dispute, ...]:
    """The party's newest open disputes, each owed an edit of its card (it shows the party)."""
    page, _ = await repo.open_disputes(conn, party_id=party_id, limit=REFRESH_LIMIT)
    found = [await disputes_repo.get(conn, workspace_id=workspace_id, number=n) for n, _ in page]
    touched = tuple(d for d in found if d is not None)
    for dispute in touched:
        await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
    return touched


def _already_of_kind(party: Party) -> InvalidInput:
    """A re-kind to the kind the party already has: one sentence per kind."""
    match party.kind:
        case PartyKind.CUSTOMER:
            return InvalidInput("party.already_customer", name=party.name)
        case PartyKind.SUPPLIER:
            return InvalidInput("party.already_supplier", name=party.name)
        case PartyKind.THIRD_PARTY:
            return InvalidInput("party.already_third_party", name=party.name)


async def set_kind(
    store: Store,
    *,
    workspace_id: str,
    request: SetKind,
    actor: Person,
    audience: Audience,
    config: ParleyConfig,
    now: datetime,
) -> PartyChange:
    """Re-kind a discovered party (customer, supplier or third party)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        await _sync(conn, workspace_id=workspace_id, config=config, now=now)
        known = await repo.in_workspace(conn, workspace_id=workspace_id)
        party = _find(known, request.name, audience)
        _editable(party, config)
        if party.kind is request.kind:
            raise _already_of_kind(party)
        after = party.model_copy(update={"kind": request.kind})
        await repo.update(
            conn, party_id=party.id, name=after.name, kind=after.kind, slack_team=after.slack_team
        )
        touched = await _open_disputes(conn, workspace_id=workspace_id, party_id=party.id, now=now)
    log.info(
        "party %r re-kinded from %s to %s by %s",
        party.name,
        party.kind.value,
        after.kind.value,
        actor.user_id,
    )
    return PartyChange(kind="kind_set", before=party, after=after, disputes=touched)


def _tells_reading(taken: str, typed: str, audience: Audience) -> bool:
    """Whether to say which name a lookalike reads as: only where every party may be named,
    and only when it differs from what was typed by more than case."""
    return audience.internal and taken.casefold() != typed.casefold()


async def rename_party(
    store: Store,
    *,
    workspace_id: str,
    request: Rename,
    actor: Person,
    audience: Audience,
    config: ParleyConfig,
    now: datetime,
) -> PartyChange:
    """Rename a discovered party; the new name must be plain and read unlike every other
    party's (case, width and lookalike letters aside: `Аcme` with a Cyrillic А is `Acme`)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    async with store.write() as conn:
        await _sync(conn, workspace_id=workspace_id, config=config, now=now)
        known = await repo.in_workspace(conn, workspace_id=workspace_id)
        old, new = next(
            ((o, n) for o, n in request.readings if _named(known, o) is not None),
            request.readings[0],
        )
        party = _find(known, old, audience)
        _editable(party, config)
        name = clean_name(new)
        if name == party.name:
            raise InvalidInput("party.same_name", name=party.name)
        if name.casefold() != party.name.casefold() and look_alike(name, party.name):
            raise InvalidInput("party.reads_the_same", new=_quoted(name), name=party.name)
        taken = lookalike_of(name, [p.name for p in known if p.id != party.id])
        if taken is not None:
            if _tells_reading(taken, name, audience):
                raise InvalidInput(
                    "party.name_taken_reads_as", new=_quoted(name), taken=_quoted(taken)
                )
            raise InvalidInput("party.name_taken", new=_quoted(name))
        configured = lookalike_of(name, config.parties)
        if configured is not None:
            if _tells_reading(configured, name, audience):
                raise InvalidInput(
                    "party.configured_name_reads_as", new=_quoted(name), taken=_quoted(configured)
                )
            raise InvalidInput("party.configured_name", new=_quoted(name))
        after = party.model_copy(update={"name": name})
        await repo.update(
            conn, party_id=party.id, name=after.name, kind=after.kind, slack_team=after.slack_team
        )
        touched = await _open_disputes(conn, workspace_id=workspace_id, party_id=party.id, now=now)
    log.info("party %r renamed to %r by %s", party.name, name, actor.user_id)
    return PartyChange(kind="renamed", before=party, after=after, disputes=touched)
