"""What the scorecard publishing tests share: two suppliers with a shared channel each (Acme,
whose rep is Raj; Globex, whose rep is Greta), scorecards seeded through the store (a draft
with its six dimensions, rated or not), and helpers to read the rows and press the buttons."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.domain.audits import Band, Dimension, DimensionScore, band, total
from bot.sandbox.harness import Running
from bot.store import audits as audits_repo
from bot.store import counters
from bot.store import parties as parties_repo
from bot.store.schema_audits import scorecard_appeals, scorecard_comments, scorecard_posts
from tests.conftest import COMPANY_CONFIG

WS = "T0PARLEY"
OWNER = "U0CAROL"
JULY = datetime(2026, 7, 1, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)

CONFIG = (
    COMPANY_CONFIG.replace(
        'kind = "third_party"\nslack_team = "T0GLOBEX"',
        'kind = "supplier"\nslack_team = "T0GLOBEX"',
    )
    + '\n[parties."DBCo Database Services"]\nkind = "supplier"\n'
)

# Acme's figures: responsiveness in band B, problem-solving ability in band D, no data on
# staff stability.
SCORES: dict[Dimension, tuple[int | None, dict[str, Any]]] = {
    Dimension.RESPONSIVENESS: (
        78,
        {
            "within": 7,
            "replies": 9,
            "median_hours": 1.5,
            "contract_hours": 2,
            "support_hours": "24x7",
        },
    ),
    Dimension.PROBLEM_SOLVING: (40, {"early": 2, "closed": 5}),
    Dimension.EFFICIENCY: (
        90,
        {
            "resolved": 4,
            "median_hours": 13.5,
            "median_working_days": 2.0,
            "contract_hours": 12,
            "support_hours": "24x7",
        },
    ),
    Dimension.STAFF_STABILITY: (None, {"no_data": "record"}),
    Dimension.CUSTOMER_FEEDBACK: (60, {"answers": 4, "mean_rating": 3.5, "complaints": 1}),
}
WEIGHTS = {
    Dimension.RESPONSIVENESS: 20.0,
    Dimension.PROBLEM_SOLVING: 20.0,
    Dimension.EFFICIENCY: 20.0,
    Dimension.STAFF_STABILITY: 10.0,
    Dimension.CUSTOMER_FEEDBACK: 20.0,
    Dimension.COOPERATION: 10.0,
}
BANDS = {Band.A: 85.0, Band.B: 70.0, Band.C: 50.0}


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(CONFIG, Path("tests/company.toml"))


def dimensions(cooperation: int | None) -> list[DimensionScore]:
    out = [
        DimensionScore(dimension=d, score=score, facts=facts, weight=WEIGHTS[d])
        for d, (score, facts) in SCORES.items()
    ]
    coop = None if cooperation is None else (cooperation - 1) * 25
    facts = {} if cooperation is None else {"rating": cooperation}
    out.append(
        DimensionScore(
            dimension=Dimension.COOPERATION,
            score=coop,
            facts=facts,
            weight=WEIGHTS[Dimension.COOPERATION],
        )
    )
    return out


async def scorecard(
    app: Running,
    *,
    party: str = "Acme Networks",
    rated: int | None = 4,
    notes: str | None = "Helpful <!channel> people",
) -> int:
    """A draft scorecard of Acme's third quarter, rated `rated` (None: not yet); its number."""
    now = app.clock.now()
    async with app.store.write() as conn:
        found = await parties_repo.by_name(conn, workspace_id=WS, name=party)
        assert found is not None
        number = await counters.next_number(conn, workspace_id=WS, kind=audits_repo.COUNTER_KIND)
        scores = dimensions(rated)
        value = total(scores, WEIGHTS)
        scorecard_id = await audits_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            party_id=found.id,
            period_start=JULY,
            period_end=OCTOBER,
            owner_id=OWNER,
            now=now,
            created_by="U0ALICE",
            dimensions=scores,
            total=value,
            band=band(value, BANDS),
        )
        if rated is not None:
            await audits_repo.set_rating(
                conn,
                scorecard_id=scorecard_id,
                version=1,
                cooperation=rated,
                notes=notes,
                by="U0ALICE",
                now=now,
            )
    return number


async def rows(app: Running, table: sa.Table) -> list[Any]:
    async with app.store.read() as conn:
        return list((await conn.execute(sa.select(table).order_by(table.c.id))).all())


async def posts(app: Running) -> list[Any]:
    return await rows(app, scorecard_posts)


async def comments(app: Running) -> list[Any]:
    return await rows(app, scorecard_comments)


async def appeals(app: Running) -> list[Any]:
    return await rows(app, scorecard_appeals)


def scorecard_posts_in(app: Running, channel: str) -> list[dict[str, Any]]:
    """The scorecards' messages posted in `channel` (their header names the S-n)."""
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] == channel and str(c.args.get("text", "")).startswith("S-")
    ]


def ts_of(app: Running, args: dict[str, Any]) -> str:
    call = next(c for c in app.slack.calls_to("chat.postMessage") if c.args is args)
    return str(call.response["ts"])


def buttons(args: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def text_of(args: dict[str, Any]) -> str:
    return json.dumps(args["blocks"], ensure_ascii=False)
