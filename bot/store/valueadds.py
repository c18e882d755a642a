"""Value-added services (V-n) for customer parties."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.valueadds import Checks, ValueAdd
from bot.store import parties as parties_repo
from bot.store.schema_praise import valueadds


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    party_id: int,
    what: str,
    done_on: date,
    cost_cents: int | None,
    hours_tenths: int | None,
    checks: Checks,
    recorded_by: str,
    now: datetime,
) -> int:
    """A new value-add; its id. Answered checks are recorded as answered by its recorder."""
    result = await conn.execute(
        sa.insert(valueadds)
        .values(
            workspace_id=workspace_id,
            number=number,
            party_id=party_id,
            what=what,
            done_on=done_on,
            cost_cents=cost_cents,
            hours_tenths=hours_tenths,
            **checks.answers(),
            recorded_by=recorded_by,
            recorded_at=now,
            checks_by=recorded_by if checks.answered else None,
            checks_at=now if checks.answered else None,
        )
        .returning(valueadds.c.id)
    )
    return int(result.scalar_one())


async def update(
    conn: AsyncConnection,
    *,
    valueadd_id: int,
    party_id: int,
    what: str,
    done_on: date,
    cost_cents: int | None,
    hours_tenths: int | None,
    checks: Checks,
    user_id: str,
    now: datetime,
) -> bool:
    """Its details and the four checks as the form gave them; False if it is gone."""
    result = await conn.execute(
        sa.update(valueadds)
        .where(valueadds.c.id == valueadd_id)
        .values(
            party_id=party_id,
            what=what,
            done_on=done_on,
            cost_cents=cost_cents,
            hours_tenths=hours_tenths,
            **checks.answers(),
            checks_by=user_id,
            checks_at=now,
        )
    )
    return bool(result.rowcount)


def _record(r: Any, party: Any) -> ValueAdd:
    return ValueAdd(
        id=r.id,
        workspace_id=r.workspace_id,
        number=r.number,
        party=party,
        what=r.what,
        done_on=r.done_on,
        cost_cents=r.cost_cents,
        hours_tenths=r.hours_tenths,
        checks=Checks(
            keeps_agreed_services=r.keeps_agreed_services,
            fits_real_need=r.fits_real_need,
            cost_within_accepted=r.cost_within_accepted,
            can_build_on=r.can_build_on,
        ),
        recorded_by=r.recorded_by,
        recorded_at=r.recorded_at,
        checks_by=r.checks_by,
        checks_at=r.checks_at,
    )


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[ValueAdd]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    return [_record(r, known[r.party_id]) for r in rows]


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> ValueAdd | None:
    found = await _load(
        conn,
        sa.select(valueadds).where(
            valueadds.c.workspace_id == workspace_id, valueadds.c.number == number
        ),
    )
    return found[0] if found else None


async def find(
    conn: AsyncConnection, *, workspace_id: str, party_id: int | None = None, limit: int
) -> tuple[list[ValueAdd], int]:
    """Newest first, of one party or all; and how many there are in all."""
    where = [valueadds.c.workspace_id == workspace_id]
    if party_id is not None:
        where.append(valueadds.c.party_id == party_id)
    page = await _load(
        conn, sa.select(valueadds).where(*where).order_by(valueadds.c.number.desc()).limit(limit)
    )
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(valueadds).where(*where))
    ).scalar_one()
    return page, int(total)


async def in_batches(conn: AsyncConnection, *, size: int = 500) -> AsyncIterator[list[ValueAdd]]:
    """Every value-add of every workspace, oldest first, `size` at a time (for the export)."""
    after = 0
    while True:
        batch = await _load(
            conn,
            sa.select(valueadds).where(valueadds.c.id > after).order_by(valueadds.c.id).limit(size),
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id
