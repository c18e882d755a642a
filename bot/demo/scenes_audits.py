"""The demo's scene of supplier audits: the service manager opens Acme's scorecard for last
quarter (before this demo's disputes, so the record's dimensions say they have no data rather
than counting zero), rates the cooperation climate, and opens this quarter's, computed from
the disputes the demo has played."""

from __future__ import annotations

import sqlalchemy as sa

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.store import audits as audits_repo
from bot.store.schema_audits import scorecards


async def scene_audits(s: Session) -> None:
    opened = await s.command("U0BOB", "C0DESK", "/audit", "open Acme Networks last quarter")
    body = reply_text(opened)
    async with s.running.store.read() as conn:
        number = (await conn.execute(sa.select(sa.func.max(scorecards.c.number)))).scalar_one()
        card = await audits_repo.get(conn, workspace_id="T0PARLEY", number=int(number or 0))
    s.check(
        card is not None
        and s.t("Draft {ref} is ready: rate it with `/audit rate {ref}`.", ref=card.ref) in body
        and s.t("no data in the record for the period") in body
        and s.t("Total: no data yet") in body,
        N_("last quarter's draft says which dimensions have no data, and counts none as zero"),
    )
    assert card is not None
    await s.command("U0BOB", "C0DESK", "/audit", f"rate {card.ref}")
    await s.submit(
        "U0BOB",
        {
            "audit_rating": {"audit_rating_input": "4"},
            "audit_notes": {"audit_notes_input": "Quick to join the bridge calls"},
        },
        shown="4 — Quick to join the bridge calls",
    )
    async with s.running.store.read() as conn:
        rated = await audits_repo.by_id(conn, scorecard_id=card.id)
    s.check(
        rated is not None and rated.cooperation == 4 and rated.total == 75.0,
        N_("the rating form sets the cooperation climate: 4 of 5 is 75, the only total so far"),
    )
    shown = await s.command("U0BOB", "C0DESK", "/audit", f"show {card.ref}")
    s.check(
        s.t("rated {rating} of 5 by the auditor", rating=4) in reply_text(shown),
        N_("/audit show gives the rating beside the figures"),
    )
    current = await s.command("U0BOB", "C0DESK", "/audit", "open Acme Networks this quarter")
    s.check(
        s.says(
            reply_text(current),
            "{within} of {replies} first replies within {contract} h ({support}); "
            "median {median} h",
        ),
        N_("this quarter's draft counts Acme's first replies against its 2-hour contract"),
    )
