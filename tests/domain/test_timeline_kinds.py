"""Timeline kinds: each declared once with its meaning, and the one rule of what an outside
audience sees of the record, which shows nothing a kind has not allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands import render_disputes
from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.ladder import EVENT_KINDS, Action, Stage, Status
from bot.domain.parties import Audience, Party, PartyKind
from bot.domain.timeline import (
    KindWithMeaning,
    Meaning,
    TimelineKind,
    announcement,
)
from bot.domain.visibility import outside_view, visible_events
from tests.saying import ENGLISH

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
ACME = Party(id=1, name="Acme Networks", kind=PartyKind.SUPPLIER, slack_team="T0ACME")
GLOBEX = Party(id=2, name="Globex Audit", kind=PartyKind.THIRD_PARTY, slack_team="T0GLOBEX")
ACME_ROOM = Audience.shared(frozenset({"T0ACME"}), "C0ACME")

# Who may see what, kind by kind: (private, text shown to an outside party, a thread message).
# A new kind must be added here too, which makes its author say what an outsider sees.
VISIBILITY = {
    TimelineKind.OPENED: (False, True, False),
    TimelineKind.PARTY_ADDED: (False, False, False),
    TimelineKind.REPLY: (False, True, True),
    TimelineKind.EDITED: (False, True, True),
    TimelineKind.DELETED: (False, True, True),
    # Which party a reply is on, as Slack's record said after the ack: the company's business.
    TimelineKind.PLACED: (True, False, False),
    TimelineKind.ESCALATED: (False, False, False),
    TimelineKind.NOTE: (True, False, False),
    TimelineKind.THREAD_LINKED: (False, False, False),
    TimelineKind.OVERDUE: (False, False, False),
    TimelineKind.RESOLVED: (False, False, False),
    TimelineKind.WITHDRAWN: (False, False, False),
    TimelineKind.REOPENED: (False, False, False),
    TimelineKind.MEETING_SCHEDULED: (False, True, False),
    TimelineKind.MEETING_MINUTES: (False, True, True),
    # A party's first reply later than its support contract allows: the company's business.
    TimelineKind.FIRST_REPLY_LATE: (True, False, False),
}
# The values the database and the export hold: they never change.
STORED = {
    "opened",
    "party_added",
    "reply",
    "edited",
    "deleted",
    "placed",
    "escalated",
    "note",
    "thread_linked",
    "overdue",
    "resolved",
    "withdrawn",
    "reopened",
    "meeting_scheduled",
    "meeting_minutes",
    "first_reply_late",
}


def dispute(stage: Stage = Stage.MULTI_PARTY) -> Dispute:
    return Dispute(
        id=1,
        workspace_id="T0PARLEY",
        number=3,
        title="Outage",
        status=Status.OPEN,
        stage=stage,
        channel_id="C0DESK",
        root_ts="1.0",
        owner_id="U0ALICE",
        opened_at=NOW,
        stage_started_at=NOW,
        stage_due_at=NOW + timedelta(days=3),
        parties=(ACME, GLOBEX),
    )


def event(kind: TimelineKind, **fields: object) -> TimelineEvent:
    values: dict[str, object] = {"kind": kind, "at": NOW, "actor_id": "U0ALICE", "text": "why"}
    return TimelineEvent.model_validate({**values, **fields})


def test_the_stored_values_stay_as_they_are() -> None:
    assert {k.value for k in TimelineKind} == STORED
    parsed = TimelineEvent.model_validate({"kind": "escalated", "at": NOW})
    assert parsed.kind is TimelineKind.ESCALATED


def test_a_stored_kind_nobody_declared_is_refused_on_reading() -> None:
    with pytest.raises(ValueError, match="kind"):
        TimelineEvent.model_validate({"kind": "paused", "at": NOW})


def test_every_kind_has_its_words() -> None:
    for kind in TimelineKind:
        words = kind.meaning.words
        assert words.strip() and words == words.strip(), kind
        line = render_disputes.event_line(event(kind, text=None), TZ, ENGLISH)
        assert line.endswith(words), (kind, line)


def test_every_kind_declares_who_may_see_it() -> None:
    assert set(VISIBILITY) == set(TimelineKind)
    for kind, (private, text_shared, message) in VISIBILITY.items():
        meaning = kind.meaning
        assert (meaning.private, meaning.text_shared, meaning.message) == (
            private,
            text_shared,
            message,
        ), kind


def test_a_meaning_that_declares_nothing_shows_an_outsider_nothing() -> None:
    quiet = Meaning("did something new")
    assert quiet.private is True
    assert quiet.text_shared is False
    assert quiet.announced is None


def test_a_kind_added_without_a_declaration_is_hidden_from_a_shared_channel() -> None:
    class Later(KindWithMeaning):
        REOPENED = "reopened", Meaning("reopened the dispute")

    # Built past validation: TimelineEvent knows only today's kinds.
    reopened = TimelineEvent.model_construct(
        kind=Later.REOPENED, at=NOW, actor_id="U0ALICE", text="internal reason"
    )
    assert outside_view(reopened, ACME_ROOM, frozenset({ACME.name})) is None
    assert visible_events([reopened], ACME_ROOM, [ACME, GLOBEX]) == []
    assert visible_events([reopened], Audience(), [ACME, GLOBEX]) == [reopened]


def test_a_kind_declared_without_any_meaning_does_not_even_import() -> None:
    with pytest.raises(TypeError, match="without its meaning"):

        class Later(KindWithMeaning):
            REOPENED = "reopened"


def test_a_shared_but_textless_kind_shows_the_event_without_its_words() -> None:
    class Later(KindWithMeaning):
        REOPENED = "reopened", Meaning("reopened the dispute", private=False)

    reopened = TimelineEvent.model_construct(
        kind=Later.REOPENED, at=NOW, text="internal reason", previous_text="older reason"
    )
    seen = outside_view(reopened, ACME_ROOM, frozenset({ACME.name}))
    assert seen is not None
    assert (seen.text, seen.previous_text) == (None, None)


def test_internally_everything_is_seen_as_it_is() -> None:
    events = [event(kind) for kind in TimelineKind]
    assert visible_events(events, Audience(), [ACME, GLOBEX]) == events


def test_a_shared_channel_sees_what_each_kind_allows() -> None:
    events = [
        event(TimelineKind.OPENED, text="Outage"),
        event(TimelineKind.PARTY_ADDED, party=ACME.name, text=None),
        event(TimelineKind.PARTY_ADDED, party=GLOBEX.name, text=None),
        event(TimelineKind.REPLY, party=ACME.name, channel_id="C0ACME", text="on it"),
        event(TimelineKind.REPLY, party=GLOBEX.name, channel_id="C0ACME", text="theirs"),
        event(TimelineKind.REPLY, channel_id="C0DESK", text="said at the desk"),
        event(TimelineKind.EDITED, channel_id="C0ACME", text="new", previous_text="old"),
        event(TimelineKind.DELETED, channel_id="C0GLOBEX", text="gone"),
        event(TimelineKind.ESCALATED, stage=Stage.MULTI_PARTY, text="Acme missed the date"),
        event(TimelineKind.NOTE, text="legal reviewed clause 7"),
        event(TimelineKind.THREAD_LINKED, text="#acme-shared (C0ACME)"),
        event(TimelineKind.OVERDUE, actor_id=None, text="Coordination overdue by 1 day"),
        event(TimelineKind.RESOLVED, text="credit note, internal figures"),
        event(TimelineKind.WITHDRAWN, text="raised in error"),
    ]
    seen = visible_events(events, ACME_ROOM, [ACME, GLOBEX])
    assert [(e.kind, e.party, e.text, e.previous_text) for e in seen] == [
        (TimelineKind.OPENED, None, "Outage", None),
        (TimelineKind.PARTY_ADDED, ACME.name, None, None),
        (TimelineKind.REPLY, ACME.name, "on it", None),
        (TimelineKind.EDITED, None, "new", "old"),
        (TimelineKind.ESCALATED, None, None, None),
        (TimelineKind.THREAD_LINKED, None, None, None),
        (TimelineKind.OVERDUE, None, None, None),
        (TimelineKind.RESOLVED, None, None, None),
        (TimelineKind.WITHDRAWN, None, None, None),
    ]
    lines = "\n".join(render_disputes.event_line(e, TZ, ENGLISH) for e in seen)
    for hidden in ("Acme missed", "clause 7", "internal figures", "in error", "Globex", "desk"):
        assert hidden not in lines


def test_the_record_words_each_kind_as_it_says() -> None:
    line = render_disputes.event_line(
        event(TimelineKind.REPLY, party=ACME.name, text="on it"), TZ, ENGLISH
    )
    assert line.endswith("<@U0ALICE> (Acme Networks) replied: on it")
    brought = render_disputes.event_line(
        event(TimelineKind.PARTY_ADDED, party=ACME.name, text=None), TZ, ENGLISH
    )
    assert brought.endswith("<@U0ALICE> brought in Acme Networks")
    opened = render_disputes.event_line(event(TimelineKind.OPENED, text="Outage"), TZ, ENGLISH)
    assert opened.endswith("<@U0ALICE> opened the dispute")
    overdue = render_disputes.event_line(
        event(TimelineKind.OVERDUE, actor_id=None, text="late"), TZ, ENGLISH
    )
    assert overdue.endswith("Parley stage overdue: late")


def test_every_ladder_move_is_announced_in_its_own_words() -> None:
    lines = {
        action: render_disputes.change_line(
            dispute(), EVENT_KINDS[action], "because", "U0BOB", ENGLISH
        )
        for action in Action
    }
    assert lines == {
        Action.ESCALATE: ":arrow_up: Escalated to *Stage 2/4 · Multi-party* by <@U0BOB>: because",
        Action.RESOLVE: ":white_check_mark: Resolved by <@U0BOB>: because",
        Action.WITHDRAW: ":heavy_multiplication_x: Withdrawn by <@U0BOB>: because",
        Action.REOPEN: (
            ":leftwards_arrow_with_hook: Reopened at *Stage 2/4 · Multi-party* by <@U0BOB>: because"
        ),
    }
    summaries = {
        a: render_disputes.change_summary(dispute(), EVENT_KINDS[a], ENGLISH) for a in Action
    }
    assert summaries == {
        Action.ESCALATE: "D-3 escalated to Stage 2/4 · Multi-party.",
        Action.RESOLVE: "D-3 resolved.",
        Action.WITHDRAW: "D-3 withdrawn.",
        Action.REOPEN: "D-3 reopened at Stage 2/4 · Multi-party, with a fresh clock.",
    }


def test_every_announced_kind_has_its_icon_and_no_other_does() -> None:
    announced = {k for k in TimelineKind if k.meaning.announced is not None}
    assert announced == set(EVENT_KINDS.values())
    assert set(render_disputes.THREAD_ICONS) == announced


@pytest.mark.parametrize("kind", [k for k in TimelineKind if k.meaning.announced is None], ids=str)
def test_a_kind_the_thread_never_announces_is_refused_not_misworded(
    kind: TimelineKind,
) -> None:
    with pytest.raises(ValueError, match="never announces"):
        announcement(kind)
    with pytest.raises(ValueError, match="never announces"):
        render_disputes.change_line(dispute(), kind, "because", "U0BOB", ENGLISH)


def test_a_private_kind_is_never_announced() -> None:
    for kind in TimelineKind:
        if kind.meaning.private:
            assert kind.meaning.announced is None, kind
