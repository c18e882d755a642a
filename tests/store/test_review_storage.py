"""Reviews in the store on both engines: scheduling, occurrences moved once, items done once,
minutes once per event, reminders claimed once, and the export's shapes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ParleyConfig
from bot.domain import review_schedule
from bot.domain.calendar import calendar_for
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.parties import Audience, Person
from bot.domain.reviews import Review
from bot.domain.when import parse_when
from bot.store import Store
from bot.store import reviews as repo
from bot.workflows import (
    dispute_meetings,
    disputes,
    export,
    review_reminders,
    reviews,
    reviews_actions,
)
from bot.workflows.capture import Message
from bot.workflows.sends import claim_send
from tests.saying import raises_saying

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 10:00 in Shanghai
CALENDAR = calendar_for("CN", "Asia/Shanghai")
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice", tz="Asia/Shanghai")
BOB = Person(user_id="U0BOB", team_id="T0PARLEY", name="bob", tz="Europe/Berlin")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
ACME_ROOM = Audience.shared(frozenset({"T0ACME"}), "C0ACME")


async def schedule(
    store: Store, config: ParleyConfig, text: str, *, people: list[Person] | None = None
) -> Review:
    reading = review_schedule.read_schedule(
        text, now=NOW, profile_tz=ALICE.tz, default_tz="Asia/Shanghai", calendar=CALENDAR
    )
    return await reviews.schedule_review(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0ACME",
        shared_teams=[("T0ACME", "Acme Networks")],
        owner=ALICE,
        title=reading.head,
        people=people or [],
        schedule=reading,
        config=config,
        now=NOW,
    )


async def test_a_review_round_trips(store: Store, config: ParleyConfig) -> None:
    r1 = await schedule(
        store, config, "Monthly service review every month on the 10th working day", people=[RAJ]
    )
    assert r1.ref == "R-1" and r1.next_at == datetime(2026, 12, 14, 2, 0, tzinfo=UTC)
    assert r1.next_at.tzinfo is not None and r1.created_at == NOW
    assert [p.name for p in r1.parties] == ["Acme Networks"]
    assert r1.participants == ("U0ALICE", "U0RAJ")
    assert r1.rule_text == "every month on the 10th working day at 10:00"
    assert r1.concerns(ACME_ROOM) and r1.concerns(Audience())
    assert not r1.concerns(Audience.shared(frozenset({"T0GLOBEX"}), "C0GLOBEX"))
    r2 = await schedule(store, config, "Kickoff tomorrow 10:00")
    assert r2.ref == "R-2" and r2.rule is None


async def test_refusals_leave_nothing(store: Store, config: ParleyConfig) -> None:
    with pytest.raises(NotAllowed):
        reading = review_schedule.read_schedule(
            "Ours monthly", now=NOW, profile_tz=None, default_tz="UTC", calendar=CALENDAR
        )
        await reviews.schedule_review(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0ACME",
            shared_teams=None,
            owner=RAJ,
            title="Ours",
            people=[],
            schedule=reading,
            config=config,
            now=NOW,
        )
    with raises_saying(InvalidInput, "title is empty"):
        await schedule(store, config, "\u200b monthly")
    async with store.read() as conn:
        assert await repo.find(conn, workspace_id="T0PARLEY") == []


async def test_held_once_across_instances_and_items_done_once(
    store: Store, config: ParleyConfig
) -> None:
    r1 = await schedule(store, config, "Weekly every Monday 9:30", people=[RAJ])
    assert r1.next_at == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    later = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # two Mondays later
    moved = await asyncio.gather(
        *(review_reminders.hold_due(store, now=later, calendar=CALENDAR) for _ in range(4))
    )
    assert sum(len(m) for m in moved) == 1
    async with store.read() as conn:
        after = await repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert after is not None
    assert after.last_at == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert after.next_at == datetime(2026, 12, 14, 1, 30, tzinfo=UTC)

    when = review_schedule.read_due(
        "Dec 18 Send the report", now=NOW, tz=ZoneInfo("Asia/Shanghai"), calendar=CALENDAR
    )[0]
    item, _ = await reviews_actions.add_action(
        store,
        workspace_id="T0PARLEY",
        number=1,
        audience=ACME_ROOM,
        actor=ALICE,
        owner=RAJ,
        when=when,
        text="Send the report",
        now=NOW,
    )
    assert item.ref == "T-1" and item.due_at == datetime(2026, 12, 18, 2, 0, tzinfo=UTC)

    async def press(actor: Person) -> bool:
        try:
            await reviews_actions.complete_action(
                store,
                workspace_id="T0PARLEY",
                number=1,
                actor=actor,
                audience=Audience(),
                now=later,
            )
        except InvalidInput:
            return False
        return True

    assert sum(await asyncio.gather(press(ALICE), press(BOB), press(ALICE))) == 1
    with pytest.raises(NotAllowed):
        await reviews_actions.complete_action(
            store, workspace_id="T0PARLEY", number=1, actor=RAJ, audience=ACME_ROOM, now=later
        )


async def test_thread_minutes_once_per_event(store: Store, config: ParleyConfig) -> None:
    r1 = await schedule(store, config, "Weekly every Monday 9:30", people=[RAJ])
    assert r1.next_at is not None
    await review_reminders.remember_thread(
        store,
        review=r1,
        occurrence=r1.next_at,
        channel_id="C0ACME",
        ts="1700000000.000100",
        kind="day-before",
    )
    message = Message(
        event_id="Ev1",
        channel_id="C0ACME",
        thread_ts="1700000000.000100",
        ts="1700000100.000200",
        author_id="U0RAJ",
        text="We agree on the new escalation path",
    )

    async def record() -> bool:
        return await reviews_actions.record_thread_minutes(
            store, workspace_id="T0PARLEY", message=message, author=RAJ, config=config, now=NOW
        )

    assert sum(await asyncio.gather(record(), record(), record())) == 1
    async with store.read() as conn:
        minutes = await repo.minutes(conn, review_id=r1.id)
    assert [(m.party, m.occurrence_at, m.channel_id) for m in minutes] == [
        ("Acme Networks", r1.next_at, "C0ACME")
    ]
    assert reviews.visible_minutes(minutes, ACME_ROOM) == minutes
    assert reviews.visible_minutes(minutes, Audience.shared(frozenset({"T0ACME"}), "C0OTHER")) == []


async def test_reminder_claims_hold_once(store: Store, config: ParleyConfig) -> None:
    r1 = await schedule(store, config, "Weekly every Monday 9:30")
    assert r1.next_at is not None
    at = r1.next_at - timedelta(minutes=10)
    (due,) = await review_reminders.due_reminders(store, now=at, calendar=CALENDAR)
    assert due.kind == "15-minutes"
    assert due.key == "review:T0PARLEY:R-1:2026-11-30T01:30:00Z:15-minutes"
    claims = await asyncio.gather(*(claim_send(store, key=due.key, now=at) for _ in range(5)))
    assert sum(claims) == 1
    assert await review_reminders.due_reminders(store, now=at, calendar=CALENDAR) == []


async def test_export_shapes(store: Store, config: ParleyConfig) -> None:
    await schedule(
        store, config, "Monthly service review every month on the 10th working day", people=[RAJ]
    )
    found, items = await export.export_reviews(store)
    assert found == [
        {
            "id": "R-1",
            "title": "Monthly service review",
            "channel": "C0ACME",
            "participants": ["U0ALICE", "U0RAJ"],
            "recurrence": "every month on the 10th working day at 10:00",
            "next_at": "2026-12-14T02:00:00Z",
            "status": "scheduled",
            "dispute": None,
        }
    ]
    assert items == []


async def test_a_dispute_meeting_is_linked_and_minuted_on_both_records(
    store: Store, config: ParleyConfig
) -> None:
    """On both engines: `reviews.dispute_id` (migration 0018) links R-n to D-n, the review
    reads back its dispute's number, and minutes land on the dispute's timeline too."""
    dispute = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0ACME",
        owner=ALICE,
        title="Core outage",
        people=[RAJ],
        config=config,
        calendar=CALENDAR,
        now=NOW,
    )
    when = review_schedule.read_meeting_time(
        "Nov 26 15:00", now=NOW, profile_tz=ALICE.tz, default_tz="UTC", calendar=CALENDAR
    )
    _, meeting = await dispute_meetings.call_meeting(
        store,
        workspace_id="T0PARLEY",
        number=dispute.number,
        actor=BOB,
        asked_in=Audience(),
        title_words="Meeting on {ref}: {title}",
        when=when,
        people=[],
        shared_teams=[("T0ACME", "Acme Networks")],
        config=config,
        now=NOW,
    )
    assert (meeting.dispute_id, meeting.dispute_ref) == (dispute.id, "D-1")
    assert meeting.participants == ("U0BOB", "U0ALICE", "U0RAJ")
    async with store.read() as conn:
        assert [r.ref for r in await repo.of_disputes(conn, dispute_ids=[dispute.id])] == ["R-1"]
    await reviews_actions.record_minutes(
        store,
        workspace_id="T0PARLEY",
        number=meeting.number,
        audience=Audience(),
        author=BOB,
        text="Credit agreed",
        now=datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    )
    _, events = await disputes.dispute_record(
        store, workspace_id="T0PARLEY", number=dispute.number, audience=Audience()
    )
    assert [(e.kind.value, e.text) for e in events][-2:] == [
        ("meeting_scheduled", "R-1 · Meeting on D-1: Core outage"),
        ("meeting_minutes", "R-1 · Credit agreed"),
    ]


async def test_a_dispute_meeting_refused_by_the_workflow_leaves_nothing(
    store: Store, config: ParleyConfig
) -> None:
    """The workflow's own checks, whatever reading its caller made: a time gone by the time
    it is called, a repeating time, someone of another organisation in a shared channel, an
    outsider calling it, and a meeting called for another channel from a shared one."""
    dispute = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0ACME",
        owner=ALICE,
        title="Core outage",
        people=[RAJ],
        config=config,
        calendar=CALENDAR,
        now=NOW,
    )
    greta = Person(user_id="U0GRETA", team_id="T0GLOBEX", name="greta", team_name="Globex")
    soon = review_schedule.read_meeting_time(
        "tomorrow 10:00", now=NOW, profile_tz=ALICE.tz, default_tz="UTC", calendar=CALENDAR
    )
    weekly = parse_when(
        "every Monday 9:30", now=NOW, tz=ZoneInfo("Asia/Shanghai"), calendar=CALENDAR
    )
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"now": soon.at + timedelta(minutes=1)}, InvalidInput, "a time to come"),
        ({"when": weekly}, InvalidInput, "happens once"),
        ({"people": [greta]}, InvalidInput, "does not speak for an organisation"),
        ({"actor": RAJ}, NotAllowed, "Only members of the workspace"),
        (
            {"asked_in": Audience.shared(frozenset({"T0ACME"}), "C0OTHER")},
            InvalidInput,
            "in its own channel",
        ),
    ]
    for change, kind, said in cases:
        arguments: dict[str, object] = {
            "workspace_id": "T0PARLEY",
            "number": dispute.number,
            "actor": ALICE,
            "asked_in": Audience(),
            "title_words": "Meeting on {ref}: {title}",
            "when": soon,
            "people": [],
            "shared_teams": [("T0ACME", "Acme Networks")],
            "config": config,
            "now": NOW,
            **change,
        }
        with raises_saying(kind, said):  # type: ignore[arg-type]
            await dispute_meetings.call_meeting(store, **arguments)  # type: ignore[arg-type]
    async with store.read() as conn:
        assert await repo.find(conn, workspace_id="T0PARLEY") == []
    _, events = await disputes.dispute_record(
        store, workspace_id="T0PARLEY", number=dispute.number, audience=Audience()
    )
    assert "meeting_scheduled" not in [e.kind.value for e in events]
