"""A dispute's dossier: asking for it, and reading what it is made of.

`/dispute dossier D-n` owes the asker a file in their DM (`DossierDue`); entering legal owes
the legal channel one (`bot/workflows/disputes.py: apply_action`). The deliverer
(`bot/commands/deliver_dossiers.py`) reads the record as it is then, page by page, writes it
out and sends it, once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.domain import dossiers
from bot.domain.agreements import Agreement
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.dossiers import Upload
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.marks import N_
from bot.domain.notices import DossierDue
from bot.domain.parties import Audience, Person, internal_only
from bot.store import Store
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import dossiers as repo
from bot.workflows import agreements, notices
from bot.workflows.disputes import parse_number

# Why an outsider is refused.
OUTSIDERS = "dossier.outsiders"


def parse_request(text: str) -> int:
    """`D-3` → 3; the dossier takes the dispute's id and nothing else."""
    parts = text.split()
    if not parts:
        raise InvalidInput("dossier.which")
    number = parse_number(parts[0])
    if len(parts) > 1:
        raise InvalidInput("dossier.only_id", number=number)
    return number


async def ask_dossier(
    store: Store,
    *,
    workspace_id: str,
    number: int,
    asker: Person,
    audience: Audience,
    now: datetime,
) -> Dispute:
    """Owe the asker D-n's dossier in their DM. Insiders only, and never from a shared
    channel: the dossier names every party and holds the internal notes."""
    internal_only(asker, workspace_id, OUTSIDERS)
    if not audience.internal:
        raise NotAllowed("dossier.shared_channel", number=number)
    async with store.write() as conn:
        dispute = await disputes_repo.get(conn, workspace_id=workspace_id, number=number)
        if dispute is None:
            raise NotFound("dispute.not_found", number=number)
        await notices.owe(
            conn,
            DossierDue(
                workspace_id=workspace_id,
                dispute_id=dispute.id,
                asker_id=asker.user_id,
                owner_id=asker.user_id,
                what=N_("the dossier of {ref}"),
                what_facts={"ref": dispute.ref},
            ),
            now=now,
        )
    return dispute


@dataclass(frozen=True)
class DossierSource:
    """What a dossier shows besides the events: the dispute, its threads, the agreements in
    force with its parties, each party's first reply, and where its reading of events stops."""

    dispute: Dispute
    threads: Sequence[tuple[str, str, str]]
    agreements: Sequence[Agreement]
    first_replies: Sequence[TimelineEvent]
    last_event_id: int
    event_count: int
    # The record chain's hash of the last event shown (`parley verify` checks it).
    last_hash: str | None = None


async def dossier_source(
    store: Store, *, dispute_id: int, now: datetime, tz: tzinfo
) -> DossierSource | None:
    """The dispute's dossier as of now, but its events (None if the dispute is gone)."""
    async with store.read() as conn:
        dispute = await disputes_repo.get_by_id(conn, dispute_id=dispute_id)
        if dispute is None:
            return None
        threads = await timeline_repo.threads(conn, dispute_id=dispute_id)
        replies = await repo.first_replies(conn, dispute_id=dispute_id)
        last = await repo.last_event_id(conn, dispute_id=dispute_id)
        count = await repo.event_count(conn, dispute_id=dispute_id, up_to_id=last)
        last_hash = await repo.event_hash(conn, event_id=last)
    found = await agreements.in_force(
        store, workspace_id=dispute.workspace_id, parties=dispute.parties, now=now, tz=tz
    )
    return DossierSource(
        dispute=dispute,
        threads=threads,
        agreements=found,
        first_replies=replies,
        last_event_id=last,
        event_count=count,
        last_hash=last_hash,
    )


async def timeline_pages(
    store: Store, *, source: DossierSource, size: int = dossiers.BATCH
) -> AsyncIterator[list[TimelineEvent]]:
    """The dispute's events up to the source's last, oldest first, `size` at a time: each
    page in its own short read, so a long record holds no transaction open while written."""
    after = 0
    while True:
        async with store.read() as conn:
            ids = await repo.event_ids(
                conn,
                dispute_id=source.dispute.id,
                after_id=after,
                up_to_id=source.last_event_id,
                limit=size,
            )
            page = await repo.events_of(conn, ids=ids)
        if not ids:
            return
        yield page
        after = ids[-1]


async def upload_of(store: Store, *, outbox_id: int) -> Upload | None:
    """What an earlier try of this notice uploaded, if anything."""
    async with store.read() as conn:
        return await repo.upload_of(conn, outbox_id=outbox_id)


async def uploaded(
    store: Store, *, outbox_id: int, channel_id: str, file_ids: Sequence[str], now: datetime
) -> None:
    """Slack holds the files (not shared yet): on record before they are."""
    async with store.write() as conn:
        await repo.record_upload(
            conn, outbox_id=outbox_id, channel_id=channel_id, file_ids=file_ids, now=now
        )


async def shared(store: Store, *, outbox_id: int, now: datetime) -> None:
    """Slack shared the files: a later try sends nothing."""
    async with store.write() as conn:
        await repo.mark_shared(conn, outbox_id=outbox_id, now=now)
