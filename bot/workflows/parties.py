"""Which organisation a person speaks for, and the party records behind it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.parties import Party, PartyKind, name_for_team
from bot.store import Store
from bot.store import parties as repo


async def party_for_team(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    team_id: str,
    team_name: str | None,
    config: ParleyConfig,
    now: datetime,
) -> Party:
    """The party a Slack team speaks for, creating it on first sight.

    The config's agreement wins (its name and kind); an unknown team becomes a `supplier`
    named after the team, which an internal user can rename or re-kind later.
    """
    configured = config.party_for_team(team_id)
    existing = await repo.by_team(conn, workspace_id=workspace_id, slack_team=team_id)
    if configured is not None:
        kind = PartyKind(config.parties[configured].kind)
        if existing is None:
            named = await repo.by_name(conn, workspace_id=workspace_id, name=configured)
            if named is not None and named.slack_team not in (None, team_id):
                named = None  # that name belongs to another team's record: leave it be
                configured = f"{configured} ({team_id})"
            if named is not None:
                await repo.update(
                    conn, party_id=named.id, name=configured, kind=kind, slack_team=team_id
                )
                return Party(id=named.id, name=configured, kind=kind, slack_team=team_id)
            return await repo.insert(
                conn,
                workspace_id=workspace_id,
                name=configured,
                kind=kind,
                slack_team=team_id,
                now=now,
            )
        return existing
    if existing is not None:
        if existing.name == team_id and team_name and team_name.strip():
            # First seen before Slack could name the team (placed from an event's team id):
            # it takes the team's name now, as it would have then.
            return await _named_after_team(conn, workspace_id, existing, team_name.strip()[:100])
        return existing
    known = await repo.in_workspace(conn, workspace_id=workspace_id)
    name = name_for_team(team_name, team_id, [p.name for p in known])
    return await repo.insert(
        conn,
        workspace_id=workspace_id,
        name=name,
        kind=PartyKind.SUPPLIER,
        slack_team=team_id,
        now=now,
    )


async def known_parties(store: Store, *, workspace_id: str) -> list[Party]:
    """Every party of the workspace."""
    async with store.read() as conn:
        return await repo.in_workspace(conn, workspace_id=workspace_id)


async def _named_after_team(
    conn: AsyncConnection, workspace_id: str, party: Party, team_name: str
) -> Party:
    assert party.slack_team is not None
    others = [p.name for p in await repo.in_workspace(conn, workspace_id=workspace_id)]
    team_name = name_for_team(team_name, party.slack_team, [n for n in others if n != party.name])
    await repo.update(
        conn, party_id=party.id, name=team_name, kind=party.kind, slack_team=party.slack_team
    )
    return party.model_copy(update={"name": team_name})


async def locale_for_teams(
    store: Store, *, workspace_id: str, team_ids: frozenset[str], config: ParleyConfig
) -> str | None:
    """The `locale` agreed with the party (or parties) of these Slack teams, if one was: the
    language of the shared channel they are in. With several, the first that says one."""
    for team_id in sorted(team_ids):
        name = config.party_for_team(team_id)
        if name is None:
            async with store.read() as conn:
                party = await repo.by_team(conn, workspace_id=workspace_id, slack_team=team_id)
            name = party.name if party is not None else None
        agreed = config.parties.get(name) if name is not None else None
        if agreed is not None and agreed.locale is not None:
            return agreed.locale
    return None
