"""Reports: `/report satisfaction [party] [period]` checked when asked, figured from the
store's sums when delivered, and sent to the asker's DM as text and as a chart.

Asking only reads the party and owes `SatisfactionDue`, so the answer in Slack never waits on the
figures, however much there is to sum. Its deliverer makes the figures in one read, posts
them and owes the chart with those same figures (`ReportChart`), once per delivery of the
request. Insiders only: the figures name every party's answers and complaints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import reports as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.complaints import close_days
from bot.domain.errors import NotFound
from bot.domain.marks import N_
from bot.domain.notices import ReportChart, SatisfactionDue
from bot.domain.parties import Party, Person, internal_only
from bot.domain.reports import Period, SatisfactionReport
from bot.store import Store
from bot.store import parties as parties_repo
from bot.store import reports as repo
from bot.workflows import notices

# Why an outsider is refused.
OUTSIDERS = "report.outsiders"


@dataclass(frozen=True)
class Asked:
    party: Party | None
    period: Period


async def ask_satisfaction(
    store: Store,
    *,
    workspace_id: str,
    asker: Person,
    text: str,
    calendar: WorkCalendar,
    now: datetime,
) -> Asked:
    """Owe the asker the satisfaction report of the party and period `text` names
    (`Contoso this year`, `上季度`, `2026-01-01 to 2026-03-31`; no party: every party; no
    period: this year so far). The party must be this workspace's."""
    internal_only(asker, workspace_id, OUTSIDERS)
    asked = rules.split_party_and_period(text, today=calendar.local_date(now))
    async with store.write() as conn:
        party = None
        if asked.party:
            party = await parties_repo.by_name(conn, workspace_id=workspace_id, name=asked.party)
            if party is None:
                raise NotFound("report.no_party", name=asked.party[:80])
        due = SatisfactionDue(
            workspace_id=workspace_id,
            owner_id=asker.user_id,
            what=N_("the satisfaction report from {day}"),
            what_facts={"day": asked.period.start.isoformat()},
            party_id=party.id if party is not None else None,
            period=asked.period,
        )
        await notices.owe(conn, due, now=now)
    return Asked(party=party, period=asked.period)


async def satisfaction_figures(
    store: Store,
    *,
    workspace_id: str,
    party_id: int | None,
    period: Period,
    calendar: WorkCalendar,
    now: datetime,
) -> SatisfactionReport:
    """The figures of a party (or every party) over a period, from one read of sums."""
    tz = calendar.tz
    start, end = period.bounds(tz)
    async with store.read() as conn:
        party = None
        if party_id is not None:
            party = (await parties_repo.by_ids(conn, ids=[party_id])).get(party_id)
        scope = repo.Scope(
            workspace_id=workspace_id,
            party_id=party_id,
            start=start,
            end=end,
            edges=rules.quarter_edges(period, tz),
        )
        apart = await repo.surveys_apart(conn, scope=scope)
        sums = await repo.rating_sums(conn, scope=scope, apart=apart)
        by_quarter = repo.answers_by_quarter(sums)
        invited, answered = await repo.asked_and_answered(conn, scope=scope, apart=apart)
        opened, overdue = await repo.opened_counts(conn, scope=scope, now=now)
        days = await repo.close_days_counts(conn, scope=scope)
        median = await _median_close_days(conn, scope=scope, days=days, calendar=calendar)
        praised = await repo.praise_count(conn, scope=scope)
    return SatisfactionReport(
        party=party.name if party is not None else None,
        period=period,
        answers=sum(by_quarter.values()),
        asked=invited,
        answered=answered,
        questions=rules.question_figures(sums),
        quarters=rules.quarter_figures(period, sums, by_quarter),
        complaints_opened=opened,
        complaints_closed=sum(days.values()),
        median_days_to_close=median,
        overdue=overdue,
        praise=praised,
    )


async def _median_close_days(
    conn: AsyncConnection,
    *,
    scope: repo.Scope,
    days: Mapping[int | None, int],
    calendar: WorkCalendar,
) -> float | None:
    """The median working days to close of the period's closed complaints: from how many
    took each number of days, as each kept them when it closed (`days`); counted from every
    row, the missing days by `calendar`, only when some closed before their days were kept
    (migration 0024)."""
    if None not in days:
        return rules.median_of_counts({d: n for d, n in days.items() if d is not None})
    found = await repo.closed_days(conn, scope=scope)
    return rules.median_days(
        [d if d is not None else close_days(calendar, o, c) for d, o, c in found]
    )


async def owe_chart(
    store: Store, *, due: SatisfactionDue, delivery: int, report: SatisfactionReport, now: datetime
) -> None:
    """Owe the chart of the figures just posted, once for this delivery of the request (a
    retried delivery owes nothing more)."""
    chart = ReportChart(
        workspace_id=due.workspace_id,
        owner_id=due.owner_id,
        what=N_("the satisfaction chart from {day}"),
        what_facts=due.what_facts,
        report=report,
    )
    async with store.write() as conn:
        await notices.owe(conn, chart, now=now, dedupe=f"report.chart:{delivery}")
