"""The export's scorecards on both engines: each with its dimensions (score, figures, weight),
total, band, rating and notes, the supplier's comments and appeals, and its earlier versions;
the same when streamed; `scorecards` the document's last key; one CSV row each."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from bot.domain.calendar import calendar_for
from bot.domain.parties import Person
from bot.store import Store
from bot.store import audits as audits_repo
from bot.workflows import audits
from bot.workflows.export import ExportKind, export_document, to_csv, to_json, write_export
from tests.audit_history import NOW, WS, config, seed

ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")


async def a_second_version(store: Store) -> None:
    parties = await seed(store)
    card = await audits.open_scorecard(
        store,
        workspace_id=WS,
        auditor=ALICE,
        text="Acme Networks",
        config=config(),
        calendar=calendar_for(None, "UTC"),
        now=NOW,
    )
    await audits.rate(
        store,
        workspace_id=WS,
        rater=ALICE,
        number=1,
        cooperation=4,
        notes="v1 <!channel>",
        config=config(),
        now=NOW,
    )
    later = NOW + timedelta(days=1)
    async with store.write() as conn:
        await audits_repo.publish(conn, scorecard_id=card.id, version=1, by="U0ALICE", now=later)
        await audits_repo.add_appeal(
            conn,
            scorecard_id=card.id,
            version=1,
            user_id="U0RAJ",
            party_id=parties["acme"].id,
            text="响应时间有误",
            now=later,
        )
        await audits_repo.add_comment(
            conn,
            scorecard_id=card.id,
            version=1,
            user_id="U0RAJ",
            party_id=parties["acme"].id,
            text="fair",
            now=later,
        )
    await audits.rate(
        store,
        workspace_id=WS,
        rater=ALICE,
        number=1,
        cooperation=5,
        notes=None,
        config=config(),
        now=later,
    )


async def test_a_scorecard_with_its_versions_comments_and_appeals(store: Store) -> None:
    await a_second_version(store)
    document = await export_document(store)
    assert list(document)[-2:] == ["contracts", "scorecards"]
    [card] = document["scorecards"]
    assert (card["id"], card["supplier"], card["status"], card["version"]) == (
        "S-1",
        "Acme Networks",
        "draft",
        2,
    )
    assert (card["period_start"], card["period_end"]) == (
        "2026-07-01T00:00:00Z",
        "2026-10-01T00:00:00Z",
    )
    assert [(d["dimension"], d["score"], d["weight"]) for d in card["dimensions"]] == [
        ("responsiveness", 75, 20.0),
        ("problem_solving", 60, 20.0),
        ("efficiency", 33, 20.0),
        ("staff_stability", 50, 10.0),
        ("customer_feedback", 33, 20.0),
        ("cooperation", 100, 10.0),
    ]
    assert card["dimensions"][0]["facts"]["median_hours"] == 1.5
    # (4520 + 100·10) / 100 = 55.2
    assert (card["total"], card["band"], card["cooperation"]) == (55.2, "C", 5)
    assert [a["text"] for a in card["appeals"]] == ["响应时间有误"]
    assert [(c["text"], c["version"], c["user"]) for c in card["comments"]] == [
        ("fair", 1, "U0RAJ")
    ]
    [first] = card["versions"]
    assert (first["version"], first["cooperation"], first["notes"], first["total"]) == (
        1,
        4,
        "v1 <!channel>",
        52.7,
    )
    assert first["published_at"] == "2026-10-06T02:00:00Z"
    streamed: list[str] = []
    await write_export(store, streamed.append, fmt="json", kind=None)
    assert json.loads("".join(streamed)) == json.loads(to_json(document))
    assert "".join(streamed) == to_json(document)


async def test_one_csv_row_per_scorecard(store: Store) -> None:
    await a_second_version(store)
    text = to_csv(await export_document(store), ExportKind.SCORECARDS)
    streamed: list[str] = []
    await write_export(store, streamed.append, fmt="csv", kind=ExportKind.SCORECARDS)
    assert "".join(streamed) == text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == "S-1" and row["responsiveness"] == "75" and row["cooperation"] == "100"
    assert (row["comments"], row["appeals"], row["versions"]) == ("1", "1", "1")
    assert row["total"] == "55.2" and row["band"] == "C" and row["rating"] == "5"
