"""The agreements workflow and its repository on both engines: versions, acknowledgment
races, revocation, expiry claimed once, what is expiring, and the export."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ParleyConfig
from bot.domain import agreement_terms
from bot.domain.agreements import Agreement
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.parties import Audience, Person
from bot.store import Store
from bot.store import agreements as repo
from bot.store import sends as sends_repo
from bot.workflows import agreements, export
from bot.workflows.parties import known_parties
from tests.conftest import snapshot
from tests.saying import raises_saying

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026 10:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
WS = "T0PARLEY"
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")
GRETA = Person(user_id="U0GRETA", team_id="T0GLOBEX", name="greta", team_name="Globex Audit")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
IVAN = Person(user_id="U0IVAN", team_id="T0INITECH", name="ivan", team_name="Initech")


def terms(valid_until: str = "2027-06-30", **changes: object) -> agreement_terms.Draft:
    fields: dict[str, object] = {
        "what": "Monthly SLA report\n\n\n  with   incidents ",
        "why": "Audit",
        "who": "Audit team",
        "who_people": [GRETA, ALICE],
        "when": "Monthly",
        "where": "Shared channel",
        "where_channel": "C0GLOBEX",
        "how": "Reviewed export",
        "authorization": "CISO",
        "valid_until": valid_until,
    }
    fields.update(changes)
    return agreement_terms.Draft(**fields)  # type: ignore[arg-type]


async def new(
    store: Store,
    config: ParleyConfig,
    *,
    who: Person = GRETA,
    valid_until: str = "2027-06-30",
    now: datetime = NOW,
) -> Agreement:
    pick = agreement_terms.PartyPick(team_id=who.team_id, team_name=who.team_name)
    return await agreements.draft_agreement(
        store,
        workspace_id=WS,
        owner=ALICE,
        pick=pick,
        draft=terms(valid_until, who_people=[who]),
        channel_id="C0DESK",
        config=config,
        now=now,
        tz=SHANGHAI,
    )


async def test_draft_round_trips_terms_dates_and_aware_times(
    store: Store, config: ParleyConfig
) -> None:
    a1 = await new(store, config)
    assert a1.ref == "A-1" and a1.version == 1 and a1.party.name == "Globex Audit"
    assert a1.current.terms.what == "Monthly SLA report\n\nwith incidents"
    assert a1.valid_until == date(2027, 6, 30)
    assert a1.created_at == NOW and a1.created_at.tzinfo is not None
    assert a1.current.created_at == NOW
    a2 = await new(store, config, who=IVAN)
    assert a2.ref == "A-2" and a2.party.name == "Initech"  # a party made from the team
    card = await agreements.record_card(store, agreement=a1, channel_id="C0GLOBEX", ts="1.2")
    async with store.read() as conn:
        again = await repo.get(conn, workspace_id=WS, number=1)
        assert await repo.get(conn, workspace_id="T0OTHER", number=1) is None
    assert again == card


async def test_versions_acknowledgment_and_revocation(store: Store, config: ParleyConfig) -> None:
    a1 = await new(store, config)
    with pytest.raises(NotAllowed):
        await agreements.acknowledge(
            store, workspace_id=WS, number=1, version=1, actor=ALICE, now=NOW, tz=SHANGHAI
        )
    # Another party's person is told what a missing agreement tells: nothing more
    with raises_saying(NotFound, "There is no agreement A-1"):
        await agreements.acknowledge(
            store, workspace_id=WS, number=1, version=1, actor=RAJ, now=NOW, tz=SHANGHAI
        )
    acked = await agreements.acknowledge(
        store, workspace_id=WS, number=1, version=1, actor=GRETA, now=NOW, tz=SHANGHAI
    )
    assert acked.current.acknowledged_by == "U0GRETA" and acked.current.acknowledged_at == NOW
    later = NOW + timedelta(days=1)
    v2 = await agreements.edit_agreement(
        store,
        workspace_id=WS,
        number=1,
        seen_version=1,
        actor=ALICE,
        draft=terms("2027-12-31", who_people=[GRETA], when="Weekly"),
        now=later,
        tz=SHANGHAI,
    )
    assert v2.version == 2 and v2.current.acknowledged_by is None
    record = await agreements.agreement_record(
        store, workspace_id=WS, number=1, version=1, audience=Audience()
    )
    assert record.shown.terms.when == "Monthly" and record.shown.acknowledged_by == "U0GRETA"
    assert [v.version for v in record.versions] == [1, 2]
    with raises_saying(InvalidInput, "changed while you were editing"):
        await agreements.edit_agreement(
            store,
            workspace_id=WS,
            number=1,
            seen_version=1,
            actor=ALICE,
            draft=terms("2027-12-31", when="Daily"),
            now=later,
            tz=SHANGHAI,
        )
    revoked = await agreements.revoke(
        store, workspace_id=WS, number=1, actor=ALICE, reason="Ended", now=later
    )
    assert revoked.status.value == "revoked" and revoked.revoke_reason == "Ended"
    assert revoked.revoked_at == later and revoked.revoked_by == "U0ALICE"
    before = await snapshot(store)
    for attempt in (
        agreements.revoke(store, workspace_id=WS, number=1, actor=ALICE, reason="x", now=later),
        agreements.check_editable(store, workspace_id=WS, number=1, actor=ALICE),
        agreements.acknowledge(
            store, workspace_id=WS, number=1, version=2, actor=GRETA, now=later, tz=SHANGHAI
        ),
    ):
        with pytest.raises(InvalidInput):
            await attempt
    with pytest.raises(NotFound):
        await agreements.revoke(store, workspace_id=WS, number=5, actor=ALICE, reason="x", now=NOW)
    with pytest.raises(NotAllowed):
        await agreements.revoke(store, workspace_id=WS, number=1, actor=GRETA, reason="x", now=NOW)
    assert await snapshot(store) == before
    assert a1.id == revoked.id


async def test_only_one_of_two_concurrent_acknowledgments_wins(
    store: Store, config: ParleyConfig
) -> None:
    await new(store, config)
    other = GRETA.model_copy(update={"user_id": "U0GRETA2"})

    async def press(person: Person) -> str | None:
        try:
            await agreements.acknowledge(
                store, workspace_id=WS, number=1, version=1, actor=person, now=NOW, tz=SHANGHAI
            )
        except InvalidInput:
            return None
        return person.user_id

    winners = [w for w in await asyncio.gather(press(GRETA), press(other)) if w]
    assert len(winners) == 1
    async with store.read() as conn:
        a1 = await repo.get(conn, workspace_id=WS, number=1)
    assert a1 is not None and a1.current.acknowledged_by == winners[0]


async def test_expiry_is_claimed_once_on_the_day_after(store: Store, config: ParleyConfig) -> None:
    a1 = await new(store, config, valid_until="2026-11-25")
    await new(store, config, who=RAJ, valid_until="2026-11-30")
    wednesday_late = datetime(2026, 11, 25, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert await agreements.expire_due(store, now=wednesday_late, tz=SHANGHAI) == []
    thursday = datetime(2026, 11, 25, 16, 1, tzinfo=UTC)  # 00:01 on Thursday in Shanghai
    (expired,) = await agreements.expire_due(store, now=thursday, tz=SHANGHAI)
    assert expired.id == a1.id and expired.status.value == "expired"
    assert await agreements.expire_due(store, now=thursday + timedelta(hours=1), tz=SHANGHAI) == []
    async with store.read() as conn:
        assert await sends_repo.claimed(conn, key="agreement-expired:A-1:v1")
        stored = await repo.get(conn, workspace_id=WS, number=1)
    assert stored is not None and stored.status.value == "expired"
    # Renewed by a new version, it can expire again, and is told again for that version.
    await agreements.edit_agreement(
        store,
        workspace_id=WS,
        number=1,
        seen_version=1,
        actor=ALICE,
        draft=terms("2026-11-27"),
        now=thursday,
        tz=SHANGHAI,
    )
    saturday = datetime(2026, 11, 27, 16, 1, tzinfo=UTC)
    expired_again = await agreements.expire_due(store, now=saturday, tz=SHANGHAI)
    assert [a.ref for a in expired_again] == ["A-1"] and expired_again[0].version == 2


async def test_expiring_within_thirty_days(store: Store, config: ParleyConfig) -> None:
    today = "2026-11-23"
    await new(store, config, valid_until=today)  # last day today
    await new(store, config, who=RAJ, valid_until="2026-12-23")  # 30 days
    await new(store, config, valid_until="2026-12-24")  # 31 days
    await new(store, config, who=IVAN, valid_until="2026-12-01")
    await agreements.revoke(store, workspace_id=WS, number=4, actor=ALICE, reason="x", now=NOW)
    found = await agreements.expiring_within(store, workspace_id=WS, now=NOW, tz=SHANGHAI)
    assert [a.ref for a in found] == ["A-1", "A-2"]
    assert await agreements.expiring_within(store, workspace_id="T0OTHER", now=NOW) == []
    tomorrow = NOW + timedelta(days=1)
    later = await agreements.expiring_within(store, workspace_id=WS, now=tomorrow, tz=SHANGHAI)
    assert [a.ref for a in later] == ["A-2", "A-3"]  # A-1 has passed its day
    in_force = await agreements.in_force(
        store,
        workspace_id=WS,
        parties=await known_parties(store, workspace_id=WS),
        now=tomorrow,
        tz=SHANGHAI,
    )
    assert [a.ref for a in in_force] == ["A-2", "A-3"]


async def test_export_lists_every_version(store: Store, config: ParleyConfig) -> None:
    assert await export.export_agreements(store) == []
    await new(store, config)
    await agreements.edit_agreement(
        store,
        workspace_id=WS,
        number=1,
        seen_version=1,
        actor=ALICE,
        draft=terms("2027-12-31", why="Audit and certification"),
        now=NOW + timedelta(hours=2),
        tz=SHANGHAI,
    )
    rows = await export.export_agreements(store)
    assert [(r["id"], r["version"], r["status"]) for r in rows] == [
        ("A-1", 1, "superseded"),
        ("A-1", 2, "active"),
    ]
    assert rows[1]["why"] == "Audit and certification" and rows[0]["why"] == "Audit"
    assert rows[1]["created_at"] == "2026-11-23T04:00:00Z"
    assert rows[0]["valid_until"] == "2027-06-30"


def test_parsing_ids_and_versions() -> None:
    assert agreement_terms.parse_number("A-3") == 3
    assert agreement_terms.parse_number("a3") == 3 and agreement_terms.parse_number(" 12 ") == 12
    assert agreement_terms.parse_reference("A-3 v2") == (3, 2)
    assert agreement_terms.parse_reference("a-3v2") == (3, 2)
    assert agreement_terms.parse_reference("3 V1") == (3, 1)
    for bad in ("D-3", "A-0", "A-", "A-3x", "A-1234567890"):
        with pytest.raises(InvalidInput):
            agreement_terms.parse_number(bad)
    for bad in ("", "A-3 v0", "A-3 vv", "A-3 v1 more"):
        with pytest.raises(InvalidInput):
            agreement_terms.parse_reference(bad)


def test_terms_are_checked_field_by_field() -> None:
    pick = agreement_terms.PartyPick(team_id="T0GLOBEX")
    today = date(2026, 11, 23)
    with pytest.raises(agreement_terms.InvalidTerms) as caught:
        agreement_terms.validate_terms(
            terms("2026-11-22", what="", how="h" * 1501, who_people=[RAJ]),
            party=pick,
            workspace_id=WS,
            today=today,
        )
    assert set(caught.value.problems) == {"what", "how", "valid_until", "who_people"}
    ok = agreement_terms.validate_terms(
        terms("2026-11-23", where="\u202eevil\u202c  place"),
        party=pick,
        workspace_id=WS,
        today=today,
    )
    assert ok.valid_until == today and ok.where == "evil place"
