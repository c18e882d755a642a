"""The satisfaction report's indexes (migrations 0023, 0024 and 0029): the migrated schema has every
index the metadata declares (both engines), and on SQLite the report's queries read them, covering
where they sum, as EXPLAIN QUERY PLAN tells (the plan no longer names an index once it is
dropped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.calendar import calendar_for
from bot.domain.reports import Period, quarter_edges
from bot.store import Store
from bot.store import reports as repo
from bot.store.schema import metadata

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TZ = calendar_for("CN", "Asia/Shanghai").tz
YEAR = Period(start=date(2026, 1, 1), end=date(2026, 11, 23))

# The indexes migrations 0023, 0024 and 0029 add, by table.
REPORT_INDEXES = {
    "survey_responses": {"ix_survey_responses_period", "ix_survey_responses_respondent"},
    "survey_ratings": {"ix_survey_ratings_covering"},
    "survey_invitations": {"ix_survey_invitations_asked"},
    "survey_rating_totals": {"ix_survey_rating_totals_covering"},
    "surveys": {"ix_surveys_period"},
    "praise": {"ix_praise_period"},
    "complaints": {
        "ix_complaints_opened_party",
        "ix_complaints_close_days",
        "ix_complaints_not_closed_opened",
    },
}


def _indexes(conn: sa.Connection) -> dict[str, set[str]]:
    inspector = sa.inspect(conn)
    return {
        table: {
            str(ix["name"])
            for ix in inspector.get_indexes(table)
            if not ix.get("duplicates_constraint")  # PostgreSQL's index behind a UNIQUE
        }
        for table in inspector.get_table_names()
    }


async def test_the_migrated_schema_has_exactly_the_indexes_the_metadata_declares(
    store: Store,
) -> None:
    async with store.read() as conn:
        found = await conn.run_sync(_indexes)
    for table in metadata.sorted_tables:
        declared = {str(ix.name) for ix in table.indexes}
        assert found[table.name] == declared, table.name
    for table, names in REPORT_INDEXES.items():
        assert names <= found[table], table


@pytest.fixture
async def sqlite_store(sqlite_url: str) -> AsyncIterator[Store]:
    s = Store.open(sqlite_url)
    await s.upgrade()
    yield s
    await s.close()


async def plans(store: Store) -> dict[str, str]:
    """Each report query's EXPLAIN QUERY PLAN, as one text per query, run with the very
    statement and parameters the report sends."""
    start, end = YEAR.bounds(TZ)
    scope = repo.Scope(
        workspace_id="T0PARLEY", party_id=None, start=start, end=end, edges=quarter_edges(YEAR, TZ)
    )
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    queries = {
        "rating_sums": lambda c: repo.rating_sums(c, scope=scope),
        # As the surveys an edge cuts are read (every survey here, with nothing tallied).
        "ratings_from_rows": lambda c: repo.rating_sums(c, scope=scope, tallied=False),
        "asked_from_rows": lambda c: repo.asked_and_answered(c, scope=scope, tallied=False),
        "opened_counts": lambda c: repo.opened_counts(c, scope=scope, now=NOW),
        "party_opened_counts": lambda c: repo.opened_counts(
            c, scope=replace(scope, party_id=1), now=NOW
        ),
        "closed_spans": lambda c: repo.closed_spans(c, scope=scope),
        "close_days_counts": lambda c: repo.close_days_counts(c, scope=scope),
        "party_close_days_counts": lambda c: repo.close_days_counts(
            c, scope=replace(scope, party_id=1)
        ),
        "praise_count": lambda c: repo.praise_count(c, scope=scope),
        "party_praise_count": lambda c: repo.praise_count(c, scope=replace(scope, party_id=1)),
    }
    out = {}
    async with store.read() as conn:
        for name, query in queries.items():
            sent.clear()
            sa.event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
            try:
                await query(conn)
            finally:
                sa.event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
            out[name] = "\n".join([await explain(conn, *statement) for statement in sent])
    return out


async def explain(conn: AsyncConnection, statement: str, parameters: Any) -> str:
    rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
    return "\n".join(str(r[-1]) for r in rows)


async def test_the_report_queries_read_the_report_indexes_on_sqlite(sqlite_store: Store) -> None:
    plan = await plans(sqlite_store)
    # The tallies read by their keys; the surveys they do not answer for summed from two
    # indexes alone: no answer's or rating's row is read.
    assert "COVERING INDEX ix_survey_rating_totals_covering" in plan["rating_sums"], plan
    # The surveys of the period picked from an index, not from every survey's row.
    assert "COVERING INDEX ix_surveys_period" in plan["rating_sums"], plan
    assert "COVERING INDEX ix_survey_responses_period" in plan["ratings_from_rows"], plan
    assert "COVERING INDEX ix_survey_ratings_covering" in plan["ratings_from_rows"], plan
    assert "COVERING INDEX ix_survey_invitations_asked" in plan["asked_from_rows"], plan
    assert "COVERING INDEX ix_survey_responses_respondent" in plan["asked_from_rows"], plan
    # Complaints opened or closed in the period, not every complaint of the workspace; the
    # overdue ones among those not closed, from the partial index alone (migration 0029).
    for name in ("opened_counts", "party_opened_counts"):
        assert "COVERING INDEX ix_complaints_opened_party" in plan[name], (name, plan)
        assert "COVERING INDEX ix_complaints_not_closed_opened" in plan[name], (name, plan)
        assert "ix_complaints_workspace_status" not in plan[name], (name, plan)
    assert "ix_complaints_close_days" in plan["closed_spans"], plan
    # The closed ones counted by their days from the index alone, of every party or of one
    # (migration 0024).
    for name in ("close_days_counts", "party_close_days_counts"):
        assert "COVERING INDEX ix_complaints_close_days" in plan[name], (name, plan)
    # The praise of the period from the index alone (migration 0029).
    for name in ("praise_count", "party_praise_count"):
        assert "COVERING INDEX ix_praise_period" in plan[name], (name, plan)


async def test_a_dropped_report_index_leaves_the_plan(sqlite_store: Store) -> None:
    async with sqlite_store.write() as conn:
        await conn.execute(sa.text("DROP INDEX ix_survey_ratings_covering"))
        await conn.execute(sa.text("DROP INDEX ix_complaints_opened_party"))
        await conn.execute(sa.text("DROP INDEX ix_complaints_close_days"))
        await conn.execute(sa.text("DROP INDEX ix_complaints_not_closed_opened"))
        await conn.execute(sa.text("DROP INDEX ix_praise_period"))
    plan = await plans(sqlite_store)
    assert "ix_survey_ratings_covering" not in plan["ratings_from_rows"], plan
    assert "ix_complaints_opened_party" not in plan["opened_counts"], plan
    assert "ix_complaints_not_closed_opened" not in plan["opened_counts"], plan
    assert "ix_complaints_close_days" not in plan["close_days_counts"], plan
    assert "ix_praise_period" not in plan["praise_count"], plan
