"""Reports: `/report satisfaction [party] [period]` figured from the store's sums and owed to
the asker's DM as text and as a chart.

The figures are made once, when asked, in one read; both notices carry them, so the text and
the chart the asker gets agree whatever changes afterwards. Insiders only: the figures name
every party's answers and complaints.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import reports as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import NotFound
from bot.domain.marks import N_
from bot.domain.notices import ReportChart, ReportFigures
from bot.domain.parties import Person, internal_only
from bot.domain.reports import SatisfactionReport
from bot.store import Store
from bot.store import parties as parties_repo
from bot.store import reports as repo
from bot.workflows import notices

# Why an outsider is refused.
OUTSIDERS = "report.outsiders"


async def satisfaction(
    store: Store,
    *,
    workspace_id: str,
    asker: Person,
    text: str,
    calendar: WorkCalendar,
    now: datetime,
) -> SatisfactionReport:
    """The satisfaction figures for the party and period `text` names (`Contoso this year`,
    `上季度`, `2026-01-01 to 2026-03-31`; no party: every party; no period: this year),
    owed to the asker's DM as text and chart in the same transaction."""
    internal_only(asker, workspace_id, OUTSIDERS)
    asked = rules.split_party_and_period(text, today=calendar.local_date(now))
    tz = calendar.tz
    start, end = asked.period.bounds(tz)
    async with store.write() as conn:
        party = None
        if asked.party:
            party = await parties_repo.by_name(conn, workspace_id=workspace_id, name=asked.party)
            if party is None:
                raise NotFound("report.no_party", name=asked.party[:80])
        scope = repo.Scope(
            workspace_id=workspace_id,
            party_id=party.id if party is not None else None,
            start=start,
            end=end,
            edges=rules.quarter_edges(asked.period, tz),
        )
        sums = await repo.rating_sums(conn, scope=scope)
        by_quarter = repo.answers_by_quarter(sums)
        invited, answered = await repo.asked_and_answered(conn, scope=scope)
        opened, closed, overdue = await repo.complaint_counts(conn, scope=scope, now=now)
        spans = await repo.closed_spans(conn, scope=scope)
        praised = await repo.praise_count(conn, scope=scope)
        report = SatisfactionReport(
            party=party.name if party is not None else None,
            period=asked.period,
            answers=sum(by_quarter.values()),
            asked=invited,
            answered=answered,
            questions=rules.question_figures(sums),
            quarters=rules.quarter_figures(asked.period, sums, by_quarter),
            complaints_opened=opened,
            complaints_closed=closed,
            median_days_to_close=rules.median_days(
                [max(0, calendar.working_days_between(o, c)) for o, c in spans]
            ),
            overdue=overdue,
            praise=praised,
        )
        facts = {"day": asked.period.start.isoformat()}
        for model, what in (
            (ReportFigures, N_("the satisfaction report from {day}")),
            (ReportChart, N_("the satisfaction chart from {day}")),
        ):
            await notices.owe(
                conn,
                model(
                    workspace_id=workspace_id,
                    owner_id=asker.user_id,
                    what=what,
                    what_facts=facts,
                    report=report,
                ),
                now=now,
            )
    return report
