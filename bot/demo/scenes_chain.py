"""The demo's scene of the record chain: D-1 verified, a row rewritten in the database
caught, and the chain holding again once it is put back."""

from __future__ import annotations

import sqlalchemy as sa

from bot.demo.session import Session, reply_text
from bot.domain import chain
from bot.domain.marks import N_
from bot.store.schema import disputes, timeline
from bot.workflows.verify import describe, verify


async def scene_record_chain(s: Session) -> None:
    store = s.running.store
    s.say(
        s.t(
            N_("Parley checks D-1's record chain in process, as `parley verify --dispute D-1` does")
        )
    )
    verdict = await verify(store, number=1)
    s.say(
        "    │ "
        + s.t(
            N_("the record chain holds: {events} events of D-1, each hash recomputed"),
            events=verdict.events,
        )
    )
    s.check(
        verdict.holds and verdict.disputes == 1 and verdict.events >= 8,
        N_("D-1's whole life is on an unbroken chain"),
    )
    d1 = await s.dispute(1)
    head = d1.chain_head if d1 is not None else None
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", "show D-1")
    elements = [
        str(e.get("text", ""))
        for b in (shown.json or {}).get("blocks", [])
        for e in b.get("elements", [])
        if isinstance(shown.json, dict)
    ]
    said = "\n".join([reply_text(shown), *elements])
    s.check(
        head is not None
        and f"`{chain.short(head)}…`" in said
        and head in said
        and s.says(
            said,
            "Record chain: `{short}…` (full hash `{full}`; "
            "`parley verify --dispute {ref}` checks it)",
        ),
        N_("`/dispute show` names the last hash that verify checked"),
    )
    # Somebody edits the resolution on the record behind Parley's back, then puts it back.
    async with store.write() as conn:
        row = (
            await conn.execute(
                sa.select(timeline.c.id, timeline.c.text)
                .join(disputes, disputes.c.id == timeline.c.dispute_id)
                .where(disputes.c.number == 1, timeline.c.kind == "resolved")
                .order_by(timeline.c.id)
                .limit(1)
            )
        ).one()
        await conn.execute(
            sa.update(timeline).where(timeline.c.id == row.id).values(text="Acme owes us nothing")
        )
    s.say(s.t(N_("Somebody rewrites D-1's first resolution straight in the database")))
    broken = await verify(store, number=1)
    # What `parley verify` prints (the command line speaks English, as its logs do).
    s.say("    │ parley verify: BROKEN: " + (describe(broken.fault) if broken.fault else "—"))
    s.check(
        broken.fault is not None
        and broken.fault.link is not None
        and broken.fault.link.row_id == row.id,
        N_("verify names the rewritten event: its dispute, kind, time and row"),
    )
    async with store.write() as conn:
        await conn.execute(sa.update(timeline).where(timeline.c.id == row.id).values(text=row.text))
    s.check((await verify(store)).holds, N_("with the text put back, every chain holds again"))
