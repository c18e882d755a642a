"""Praise P-n: recording who praised whom for what, posting it in the internal praise channel
and thanking each praised person by DM; listing it.

Only our own people record praise (an outside person's praise is relayed by one of ours,
`from @them`, or taken from their message with the shortcut). The praise is recorded even
when no praise channel is configured: what a service manager needs is the record; the
answer then says it was not posted. Praise is internal: it is never posted in a shared
channel (its post declares itself internal at the isolation door).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import ParleyConfig
from bot.domain import praise as rules
from bot.domain.errors import NotFound
from bot.domain.marks import N_
from bot.domain.names import name_key
from bot.domain.notices import PraisePost, PraiseThanks
from bot.domain.parties import Party, Person, internal_only, is_external
from bot.domain.praise import Praise, PraiseSource
from bot.domain.text import channel as channel_token
from bot.store import Store
from bot.store import counters as counters_repo
from bot.store import parties as parties_repo
from bot.store import praise as repo
from bot.workflows import notices
from bot.workflows.parties import party_for_team

LIST_LIMIT = 25

# Why an outsider is refused (its words say how their praise reaches us instead).
OUTSIDERS = "praise.outsiders"


@dataclass(frozen=True)
class PraisePage:
    praise: list[Praise]
    total: int
    person: str | None = None
    party: Party | None = None


async def record_praise(
    store: Store,
    *,
    workspace_id: str,
    recorder: Person,
    praiser: Person,
    praised: Sequence[Person],
    text: str,
    channel_id: str,
    channel_teams: frozenset[str],
    source: PraiseSource,
    config: ParleyConfig,
    now: datetime,
) -> Praise:
    """Record P-n, owe its post in `[channels] praise` (when there is one) and a DM of
    thanks to each praised person, in one transaction.

    `praiser` is who praised (the recorder, or the outside person named with `from`, or the
    author of the message); `channel_teams` the organisations of the channel it was
    recorded in, which decide the party of one of ours' praise (`rules.party_team`)."""
    internal_only(recorder, workspace_id, OUTSIDERS)
    ids = rules.check_people(praiser=praiser, praised=praised, workspace_id=workspace_id)
    cleaned = rules.check_text(text)
    praiser_internal = not is_external(praiser, workspace_id)
    team = rules.party_team(praiser, workspace_id=workspace_id, channel_teams=channel_teams)
    async with store.write() as conn:
        party: Party | None = None
        if team is not None and not praiser_internal:
            # An outside praiser's team is a party from now on, as in a dispute.
            party = await party_for_team(
                conn,
                workspace_id=workspace_id,
                team_id=team,
                team_name=praiser.team_name,
                config=config,
                now=now,
            )
        elif team is not None:
            # The channel's organisation, for one of ours: only a customer on record counts.
            party = await parties_repo.by_team(conn, workspace_id=workspace_id, slack_team=team)
            if party is not None and not rules.counts_as_source(party, praiser_internal=True):
                party = None
        number = await counters_repo.next_number(conn, workspace_id=workspace_id, kind="praise")
        praise_id = await repo.insert(
            conn,
            workspace_id=workspace_id,
            number=number,
            praiser_id=praiser.user_id,
            praiser_internal=praiser_internal,
            party_id=party.id if party is not None else None,
            praised=ids,
            text=cleaned,
            recorded_by=recorder.user_id,
            channel_id=channel_id,
            source=source,
            now=now,
        )
        target = config.channels.praise
        if target is not None:
            post = PraisePost(
                workspace_id=workspace_id,
                praise_id=praise_id,
                praise_number=number,
                channel_id=target,
                owner_id=recorder.user_id,
                what=N_("the post of P-{number} in {channel}"),
                what_facts={"number": str(number), "channel": channel_token(target)},
            )
            await notices.owe(conn, post, now=now)
        for user_id in ids:
            thanks = PraiseThanks(
                workspace_id=workspace_id,
                praise_id=praise_id,
                praise_number=number,
                user_id=user_id,
            )
            await notices.owe(conn, thanks, now=now)
        recorded = await repo.get(conn, workspace_id=workspace_id, number=number)
    assert recorded is not None
    return recorded


async def praise_by_number(store: Store, *, workspace_id: str, number: int) -> Praise | None:
    """P-n as it is now (for a notice being delivered), or None."""
    async with store.read() as conn:
        return await repo.get(conn, workspace_id=workspace_id, number=number)


async def record_post(store: Store, *, praise: Praise, channel_id: str, ts: str) -> None:
    """Remember the message that is the praise's post."""
    async with store.write() as conn:
        await repo.set_post(conn, praise_id=praise.id, channel_id=channel_id, ts=ts)


async def list_praise(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    person: str | None = None,
    party_name: str = "",
    limit: int = LIST_LIMIT,
) -> PraisePage:
    """Newest first: all of it, the praise of one person, or the praise from one party."""
    internal_only(actor, workspace_id, OUTSIDERS)
    party_name = " ".join(party_name.split())
    async with store.read() as conn:
        party: Party | None = None
        if party_name:
            wanted = name_key(party_name)
            known = await parties_repo.in_workspace(conn, workspace_id=workspace_id)
            party = next((p for p in known if name_key(p.name) == wanted), None)
            if party is None:
                raise NotFound("praise.no_party", name=party_name[:80])
        found, total = await repo.find(
            conn,
            workspace_id=workspace_id,
            person=person,
            party_id=party.id if party is not None else None,
            limit=limit,
        )
    return PraisePage(praise=found, total=total, person=person, party=party)
