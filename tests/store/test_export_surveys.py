"""The export's surveys and answers on both engines: each survey with its questionnaire and
case, every answer ever given (the replaced one with `replaced_at`), its ratings under their
questions, in JSON and in CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from bot.domain.parties import PartyKind
from bot.domain.surveys import CaseKind, SurveyKind
from bot.store import Store, counters
from bot.store import complaints as complaints_repo
from bot.store import parties as parties_repo
from bot.store import surveys as surveys_repo
from bot.workflows.export import ExportKind, export_document, to_csv, write_export

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
WS = "T0PARLEY"


async def filled(store: Store) -> None:
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Contoso Retail",
            kind=PartyKind.CUSTOMER,
            slack_team="T0CONTOSO",
            now=NOW,
        )
        complaint = await complaints_repo.insert(
            conn,
            workspace_id=WS,
            number=3,
            text="Late",
            party_id=party.id,
            complainant_id=None,
            owner_id="U0ALICE",
            channel_id="C0DESK",
            now=NOW,
            answer_due_at=NOW,
            resolve_due_at=NOW,
        )
        periodic = await surveys_repo.insert(
            conn,
            workspace_id=WS,
            number=await counters.next_number(conn, workspace_id=WS, kind="survey"),
            kind=SurveyKind.PERIODIC,
            party_id=party.id,
            title="Q4 服务评价",
            questions=("Quality of service", "总体"),
            channel_id="C0SHARED",
            now=NOW,
            closes_at=NOW + timedelta(days=7),
        )
        await surveys_repo.insert(
            conn,
            workspace_id=WS,
            number=await counters.next_number(conn, workspace_id=WS, kind="survey"),
            kind=SurveyKind.CASE,
            party_id=party.id,
            title=None,
            questions=("How satisfied are you with how C-3 was handled?",),
            channel_id="C0SHARED",
            thread_ts="1.2",
            now=NOW,
            case_kind=CaseKind.COMPLAINT,
            case_id=complaint,
        )
        for at, ratings, comment in (
            (NOW, {0: 2, 1: 3}, None),
            (NOW + timedelta(hours=1), {0: 5, 1: 4}, "Better, 谢谢"),
        ):
            await surveys_repo.record_answer(
                conn,
                survey_id=periodic,
                respondent_id="U0GRETA",
                party_id=party.id,
                ratings=ratings,
                comment=comment,
                now=at,
            )


async def test_surveys_and_answers_in_the_json_document(store: Store) -> None:
    await filled(store)
    document = await export_document(store)
    assert document["surveys"] == [
        {
            "id": "Q-1",
            "kind": "periodic",
            "party": "Contoso Retail",
            "title": "Q4 服务评价",
            "questions": ["Quality of service", "总体"],
            "case": None,
            "channel": "C0SHARED",
            "status": "open",
            "opened_at": "2026-12-04T02:00:00+00:00",
            "closes_at": "2026-12-11T02:00:00+00:00",
            "closed_at": None,
        },
        {
            "id": "Q-2",
            "kind": "case",
            "party": "Contoso Retail",
            "title": None,
            "questions": ["How satisfied are you with how C-3 was handled?"],
            "case": "C-3",
            "channel": "C0SHARED",
            "status": "open",
            "opened_at": "2026-12-04T02:00:00+00:00",
            "closes_at": None,
            "closed_at": None,
        },
    ]
    first, second = document["answers"]
    assert first["survey"] == second["survey"] == "Q-1"
    assert first["ratings"] == {"Quality of service": 2, "总体": 3}
    assert first["replaced_at"] == "2026-12-04T03:00:00+00:00"
    assert second["ratings"] == {"Quality of service": 5, "总体": 4}
    assert (second["comment"], second["replaced_at"]) == ("Better, 谢谢", None)
    assert second["respondent"] == "U0GRETA" and second["party"] == "Contoso Retail"


async def test_surveys_and_answers_as_csv_tables(store: Store) -> None:
    await filled(store)
    document = await export_document(store)
    answers = list(csv.DictReader(io.StringIO(to_csv(document, ExportKind.ANSWERS))))
    assert [a["ratings"] for a in answers] == [
        "Quality of service: 2; 总体: 3",
        "Quality of service: 5; 总体: 4",
    ]
    assert answers[0]["replaced_at"] and not answers[1]["replaced_at"]
    surveys = list(csv.DictReader(io.StringIO(to_csv(document, ExportKind.SURVEYS))))
    assert [(s["id"], s["case"], s["questions"]) for s in surveys] == [
        ("Q-1", "", "Quality of service; 总体"),
        ("Q-2", "C-3", "How satisfied are you with how C-3 was handled?"),
    ]
    parts: list[str] = []
    await write_export(store, parts.append, fmt="json", kind=ExportKind.ANSWERS)
    assert json.loads("".join(parts)) == {"answers": document["answers"]}
