"""Agreements (A-n) and the versions of their terms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.agreements import Agreement, AgreementStatus, AgreementVersion, Terms
from bot.store import parties as parties_repo
from bot.store.schema import agreement_versions, agreements


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    party_id: int,
    owner_id: str,
    channel_id: str,
    now: datetime,
) -> int:
    """A new agreement at version 1 (its terms go in with `add_version`)."""
    result = await conn.execute(
        sa.insert(agreements)
        .values(
            workspace_id=workspace_id,
            number=number,
            party_id=party_id,
            owner_id=owner_id,
            channel_id=channel_id,
            status=AgreementStatus.ACTIVE.value,
            version=1,
            created_at=now,
        )
        .returning(agreements.c.id)
    )
    return int(result.scalar_one())


async def add_version(
    conn: AsyncConnection,
    *,
    agreement_id: int,
    version: int,
    terms: Terms,
    created_by: str,
    now: datetime,
) -> None:
    await conn.execute(
        sa.insert(agreement_versions).values(
            agreement_id=agreement_id,
            version=version,
            what=terms.what,
            why=terms.why,
            who=terms.who,
            who_people=" ".join(terms.who_people),
            when_text=terms.when,
            where_channel=terms.where_channel,
            where_text=terms.where,
            how=terms.how,
            authorization_text=terms.authorization,
            valid_until=terms.valid_until,
            created_by=created_by,
            created_at=now,
        )
    )


async def move_to_version(
    conn: AsyncConnection, *, agreement_id: int, version: int, to_version: int
) -> bool:
    """Point the agreement at a new version, reactivating an expired one; False if it was
    revoked or changed since the caller read it."""
    result = await conn.execute(
        sa.update(agreements)
        .where(
            agreements.c.id == agreement_id,
            agreements.c.version == version,
            agreements.c.status != AgreementStatus.REVOKED.value,
        )
        .values(version=to_version, status=AgreementStatus.ACTIVE.value)
    )
    return bool(result.rowcount)


async def set_card(conn: AsyncConnection, *, agreement_id: int, channel_id: str, ts: str) -> None:
    await conn.execute(
        sa.update(agreements)
        .where(agreements.c.id == agreement_id)
        .values(channel_id=channel_id, card_ts=ts)
    )


async def acknowledge(
    conn: AsyncConnection, *, agreement_id: int, version: int, user_id: str, now: datetime
) -> bool:
    """Record the acknowledgment of that version, only if it is still current, active and
    unacknowledged; False otherwise."""
    current = (
        sa.select(agreements.c.id)
        .where(
            agreements.c.id == agreement_id,
            agreements.c.version == version,
            agreements.c.status == AgreementStatus.ACTIVE.value,
        )
        .scalar_subquery()
    )
    result = await conn.execute(
        sa.update(agreement_versions)
        .where(
            agreement_versions.c.agreement_id == current,
            agreement_versions.c.version == version,
            agreement_versions.c.acknowledged_by.is_(None),
        )
        .values(acknowledged_by=user_id, acknowledged_at=now)
    )
    return bool(result.rowcount)


async def revoke(
    conn: AsyncConnection, *, agreement_id: int, reason: str, user_id: str, now: datetime
) -> bool:
    """Revoke it unless it already is; False if it was revoked meanwhile."""
    result = await conn.execute(
        sa.update(agreements)
        .where(
            agreements.c.id == agreement_id,
            agreements.c.status != AgreementStatus.REVOKED.value,
        )
        .values(
            status=AgreementStatus.REVOKED.value,
            revoke_reason=reason,
            revoked_by=user_id,
            revoked_at=now,
        )
    )
    return bool(result.rowcount)


async def expire(conn: AsyncConnection, *, agreement_id: int, version: int) -> bool:
    """Mark an active agreement expired, if it is still at that version; False otherwise."""
    result = await conn.execute(
        sa.update(agreements)
        .where(
            agreements.c.id == agreement_id,
            agreements.c.version == version,
            agreements.c.status == AgreementStatus.ACTIVE.value,
        )
        .values(status=AgreementStatus.EXPIRED.value)
    )
    return bool(result.rowcount)


def _current_join() -> sa.Join:
    return agreements.join(
        agreement_versions,
        sa.and_(
            agreement_versions.c.agreement_id == agreements.c.id,
            agreement_versions.c.version == agreements.c.version,
        ),
    )


def _terms(m: Any) -> Terms:
    return Terms(
        what=m["what"],
        why=m["why"],
        who=m["who"],
        who_people=tuple(str(m["who_people"] or "").split()),
        when=m["when_text"],
        where=m["where_text"],
        where_channel=m["where_channel"],
        how=m["how"],
        authorization=m["authorization_text"],
        valid_until=m["valid_until"],
    )


def _version(m: Any) -> AgreementVersion:
    return AgreementVersion(
        version=m["version"],
        terms=_terms(m),
        created_by=m["created_by"],
        created_at=m["created_at"],
        acknowledged_by=m["acknowledged_by"],
        acknowledged_at=m["acknowledged_at"],
    )


_VERSION_COLUMNS = [
    agreement_versions.c.what,
    agreement_versions.c.why,
    agreement_versions.c.who,
    agreement_versions.c.who_people,
    agreement_versions.c.when_text,
    agreement_versions.c.where_channel,
    agreement_versions.c.where_text,
    agreement_versions.c.how,
    agreement_versions.c.authorization_text,
    agreement_versions.c.valid_until,
    agreement_versions.c.created_by,
    agreement_versions.c.created_at.label("version_created_at"),
    agreement_versions.c.acknowledged_by,
    agreement_versions.c.acknowledged_at,
]


def _select_current() -> sa.Select[Any]:
    return sa.select(agreements, *_VERSION_COLUMNS).select_from(_current_join())


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Agreement]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    found = []
    for row in rows:
        m = dict(row._mapping)
        current = _version({**m, "created_at": m["version_created_at"]})
        found.append(
            Agreement(
                id=m["id"],
                workspace_id=m["workspace_id"],
                number=m["number"],
                party=known[m["party_id"]],
                owner_id=m["owner_id"],
                channel_id=m["channel_id"],
                card_ts=m["card_ts"],
                status=AgreementStatus(m["status"]),
                created_at=m["created_at"],
                current=current,
                revoke_reason=m["revoke_reason"],
                revoked_by=m["revoked_by"],
                revoked_at=m["revoked_at"],
            )
        )
    return found


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Agreement | None:
    found = await _load(
        conn,
        _select_current().where(
            agreements.c.workspace_id == workspace_id, agreements.c.number == number
        ),
    )
    return found[0] if found else None


async def versions(conn: AsyncConnection, *, agreement_id: int) -> list[AgreementVersion]:
    """Every version of the agreement, oldest first."""
    rows = await conn.execute(
        sa.select(agreement_versions)
        .where(agreement_versions.c.agreement_id == agreement_id)
        .order_by(agreement_versions.c.version)
    )
    return [_version(r._mapping) for r in rows]


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_ids: Sequence[int] | None,
    limit: int,
) -> tuple[list[Agreement], int]:
    """Newest first, of these parties (all when None), and how many there are in all."""
    where = [agreements.c.workspace_id == workspace_id]
    if party_ids is not None:
        where.append(agreements.c.party_id.in_(list(party_ids)))
    page = await _load(
        conn, _select_current().where(*where).order_by(agreements.c.number.desc()).limit(limit)
    )
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(agreements).where(*where))
    ).scalar_one()
    return page, int(total)


async def active_ending(
    conn: AsyncConnection,
    *,
    workspace_id: str | None = None,
    before: date | None = None,
    through: date | None = None,
    party_ids: Sequence[int] | None = None,
    limit: int = 100,
) -> list[Agreement]:
    """Active agreements, soonest end first: whose last day is before `before` (their
    validity has passed), or on or before `through`; optionally of one workspace and parties."""
    where = [agreements.c.status == AgreementStatus.ACTIVE.value]
    if workspace_id is not None:
        where.append(agreements.c.workspace_id == workspace_id)
    if before is not None:
        where.append(agreement_versions.c.valid_until < before)
    if through is not None:
        where.append(agreement_versions.c.valid_until <= through)
    if party_ids is not None:
        where.append(agreements.c.party_id.in_(list(party_ids)))
    stmt = (
        _select_current()
        .where(*where)
        .order_by(agreement_versions.c.valid_until, agreements.c.number)
        .limit(limit)
    )
    return await _load(conn, stmt)


async def everything(conn: AsyncConnection) -> list[tuple[Agreement, list[AgreementVersion]]]:
    """Every agreement of every workspace with all its versions, for the export."""
    found = await _load(
        conn, _select_current().order_by(agreements.c.workspace_id, agreements.c.number)
    )
    if not found:
        return []
    by_agreement: dict[int, list[AgreementVersion]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(agreement_versions).order_by(
            agreement_versions.c.agreement_id, agreement_versions.c.version
        )
    )
    for row in rows:
        by_agreement[row.agreement_id].append(_version(row._mapping))
    return [(a, by_agreement[a.id]) for a in found]
