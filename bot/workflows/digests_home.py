"""A person's App Home: their open disputes, overdue first, and their reviews, action items and
agreements awaiting acknowledgment (`HOME_SOURCES`); who has opened it, so that it is
republished after changes that touch them. A few queries, no Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import Contract, Shortfall
from bot.domain.disputes import Dispute
from bot.domain.parties import Audience
from bot.store import Store
from bot.store import homes as homes_repo
from bot.workflows.digests import upcoming_until
from bot.workflows.digests_content import (
    HOME_SOURCES,
    DigestSection,
    Window,
    feature_section,
)
from bot.workflows.disputes import StageClock, stage_clock


@dataclass(frozen=True)
class HomeContent:
    """What a person's App Home shows: their open disputes, overdue first, and the sections of
    their reviews, action items and agreements (`HOME_SOURCES`)."""

    disputes: tuple[tuple[Dispute, StageClock], ...]
    total: int
    extras: tuple[DigestSection, ...]


HOME_DISPUTES = 20
HOME_EXTRA_LINES = 10


async def home_opened(store: Store, *, workspace_id: str, user_id: str, now: datetime) -> None:
    """This person has opened their Home: from now on it is republished after changes."""
    async with store.write() as conn:
        await homes_repo.opened(conn, workspace_id=workspace_id, user_id=user_id, now=now)


async def home_viewers(store: Store, *, workspace_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` whose Home is worth republishing (they have opened it)."""
    async with store.read() as conn:
        return await homes_repo.viewers(conn, workspace_id=workspace_id, user_ids=user_ids)


async def home_content(
    store: Store,
    *,
    workspace_id: str,
    user_id: str,
    now: datetime,
    calendar: WorkCalendar,
    limit: int = HOME_DISPUTES,
    contracts: tuple[Contract, ...] = (),
    shortfalls: tuple[Shortfall, ...] = (),
) -> HomeContent:
    """A few queries, no Slack: cheap enough to run on every visit to the Home tab."""
    # Ordered by deadline in SQL (the overdue come first), and only a page of them loaded.
    async with store.read() as conn:
        mine, total = await homes_repo.open_disputes(
            conn, workspace_id=workspace_id, member=user_id, limit=limit
        )
    ordered = [(d, stage_clock(d, now=now, calendar=calendar)) for d in mine]
    window = Window(
        workspace_id=workspace_id,
        audience=Audience(),
        member=user_id,
        now=now,
        until=upcoming_until(now, calendar),
        tz=calendar.tz,
        contracts=contracts,
        shortfalls=shortfalls,
    )
    sections = [
        await feature_section(store, source, window, HOME_EXTRA_LINES) for source in HOME_SOURCES
    ]
    return HomeContent(disputes=tuple(ordered), total=total, extras=tuple(sections))
