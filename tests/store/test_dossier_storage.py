"""The dossier's reading and its uploads on both engines: the timeline page by page up to
where the reading began, each party's first reply, the file ids a notice sent; and the
workflow's refusals, with nothing owed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import parse_config
from bot.domain.calendar import calendar_for
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.ladder import Stage
from bot.domain.parties import Audience, Person
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import disputes_timeline as timeline_repo
from bot.store.schema import outbox
from bot.workflows import disputes, dossiers
from tests.conftest import COMPANY_CONFIG

WS = "T0PARLEY"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")


async def d1(store: Store) -> int:
    config = parse_config(COMPANY_CONFIG, Path("tests/company.toml"))
    dispute = await disputes.open_dispute(
        store,
        workspace_id=WS,
        channel_id="C0DESK",
        owner=ALICE,
        title="Core outage",
        people=[RAJ],
        config=config,
        calendar=calendar_for("CN", "Asia/Shanghai"),
        now=NOW,
    )
    return dispute.id


async def test_the_timeline_is_read_in_pages_up_to_where_the_reading_began(store: Store) -> None:
    dispute_id = await d1(store)
    async with store.write() as conn:
        for n in range(23):
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute_id,
                kind=TimelineKind.REPLY,
                at=NOW + timedelta(minutes=n),
                actor_id="U0RAJ",
                party_id=1,
                text=f"reply {n}",
                response=(60, 60) if n == 0 else None,
            )
    source = await dossiers.dossier_source(store, dispute_id=dispute_id, now=NOW, tz=UTC)
    assert source is not None
    assert source.event_count == 25  # opened, Acme brought in, 23 replies
    assert [e.text for e in source.first_replies] == ["reply 0"]
    async with store.write() as conn:  # recorded while the dossier is written: the next one's
        await timeline_repo.add_event(
            conn, dispute_id=dispute_id, kind=TimelineKind.NOTE, at=NOW, actor_id="U0ALICE"
        )
    pages = [page async for page in dossiers.timeline_pages(store, source=source, size=10)]
    assert [len(p) for p in pages] == [10, 10, 5]
    kinds = [e.kind for p in pages for e in p]
    assert kinds[:2] == [TimelineKind.OPENED, TimelineKind.PARTY_ADDED]
    assert [e.text for p in pages for e in p][2:] == [f"reply {n}" for n in range(23)]
    assert pages[0][1].party == "Acme Networks" and pages[0][0].stage is Stage.COORDINATION


async def test_an_upload_is_recorded_then_marked_shared(store: Store) -> None:
    assert await dossiers.upload_of(store, outbox_id=7) is None
    await dossiers.uploaded(
        store, outbox_id=7, channel_id="D0ALICE", file_ids=["F01", "F02"], now=NOW
    )
    found = await dossiers.upload_of(store, outbox_id=7)
    assert found is not None and found.file_ids == ("F01", "F02") and not found.shared
    # A later try's upload replaces an unshared one.
    await dossiers.uploaded(store, outbox_id=7, channel_id="D0ALICE", file_ids=["F03"], now=NOW)
    await dossiers.shared(store, outbox_id=7, now=NOW + timedelta(seconds=1))
    found = await dossiers.upload_of(store, outbox_id=7)
    assert found is not None and found.file_ids == ("F03",)
    assert found.shared_at == NOW + timedelta(seconds=1)


async def owed(store: Store) -> int:
    async with store.read() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(outbox)) or 0)


@pytest.mark.parametrize(
    ("asker", "audience", "number", "refused", "code"),
    [
        (RAJ, Audience(), 1, NotAllowed, "dossier.outsiders"),  # an outsider, even in a DM
        (
            ALICE,
            Audience.shared(frozenset({"T0ACME"}), "C0ACME"),
            1,
            NotAllowed,
            "dossier.shared_channel",
        ),
        (ALICE, Audience(), 9, NotFound, "dispute.not_found"),
    ],
)
async def test_the_dossier_is_refused_and_nothing_owed(
    store: Store,
    asker: Person,
    audience: Audience,
    number: int,
    refused: type[Exception],
    code: str,
) -> None:
    await d1(store)
    before = await owed(store)
    with pytest.raises(refused) as info:
        await dossiers.ask_dossier(
            store, workspace_id=WS, number=number, asker=asker, audience=audience, now=NOW
        )
    assert info.value.code == code  # type: ignore[attr-defined]
    assert await owed(store) == before


async def test_asking_owes_one_dossier_to_the_askers_dm(store: Store) -> None:
    await d1(store)
    before = await owed(store)
    dispute = await dossiers.ask_dossier(
        store, workspace_id=WS, number=1, asker=ALICE, audience=Audience(), now=NOW
    )
    assert dispute.ref == "D-1"
    async with store.read() as conn:
        row = (await conn.execute(sa.select(outbox).order_by(outbox.c.id.desc()))).first()
    assert await owed(store) == before + 1
    assert row is not None and row.kind == "dispute.dossier" and row.lane == f"dossier:{dispute.id}"
    assert row.payload["asker_id"] == "U0ALICE" and row.payload["channel_id"] is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "dossier.which"), ("D-x", "dispute.bad_id"), ("D-2 and more", "dossier.only_id")],
)
def test_the_request_is_the_id_alone(text: str, code: str) -> None:
    with pytest.raises(Exception) as info:
        dossiers.parse_request(text)
    assert info.value.code == code  # type: ignore[attr-defined]
    assert dossiers.parse_request(" d3 ") == 3
