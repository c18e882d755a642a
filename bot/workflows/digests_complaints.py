"""Open complaints' lines in digests and the Home: of the newest complaints not closed
(`COMPLAINT_LINES`), those with a clock run out first, each its customer's (so a shared
channel sees only its own party's; a person's, those they own). Only the lines a section
shows are loaded: the order, the lateness and the count are SQL's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store import Store
from bot.workflows import complaints

if TYPE_CHECKING:
    from bot.workflows.digests_content import Counted, Window

COMPLAINT_LINES = 100  # the newest open complaints a section lists (and counts)


async def open_complaints(store: Store, window: Window) -> Counted:
    """Complaints not closed yet, those with a clock run out first (for a person: those they
    own); each line is its customer's, so a shared channel sees only its own party's."""
    # digests_content lists this source, so its records are taken when a line is made
    from bot.workflows.digests_content import Counted, DigestEntry, Line

    found, total = await complaints.newest_open(
        store,
        workspace_id=window.workspace_id,
        owner=window.member,
        audience=window.audience,
        now=window.now,
        newest=COMPLAINT_LINES,
        limit=window.limit,
    )
    lines = [
        Line(
            DigestEntry(
                c.ref,
                c.text,
                when=c.resolve_due_at if c.first_answer_at else c.answer_due_at,
                when_label="overdue since" if late else "due",
            ),
            (c.party,),
            (c.owner_id,),
        )
        for c, late in found
    ]
    return Counted(lines, total)
