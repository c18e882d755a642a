"""A person's App Home: their open disputes, overdue first, and their reviews, action items and
agreements awaiting acknowledgment (`HOME_SOURCES`); who has opened it, so that it is
republished after changes that touch them. A few queries, no Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.calendar import WorkCalendar
from bot.domain.complaints import Clock
from bot.domain.contracts import Contract, Shortfall
from bot.domain.disputes import Dispute
from bot.domain.parties import Audience
from bot.store import Store
from bot.store import homes as homes_repo
from bot.workflows.digests import upcoming_until
from bot.workflows.digests_complaints import COMPLAINT_LINES
from bot.workflows.digests_content import (
    HOME_SOURCES,
    DigestEntry,
    DigestSection,
    FeatureSource,
    SectionKey,
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
        await my_complaints(store, source, window)
        if source.key is SectionKey.COMPLAINTS
        else await feature_section(store, source, window, HOME_EXTRA_LINES)
        for source in HOME_SOURCES
    ]
    return HomeContent(disputes=tuple(ordered), total=total, extras=tuple(sections))


async def my_complaints(store: Store, source: FeatureSource, window: Window) -> DigestSection:
    """The section `feature_section` makes of `open_complaints` for a person's Home (of their
    `COMPLAINT_LINES` newest complaints not closed, those with a clock run out first), with
    only the `HOME_EXTRA_LINES` lines shown loaded: they are picked and the rest counted in
    SQL, not 100 complaints loaded to show ten."""
    assert window.member is not None and window.audience.internal  # all of theirs are shown
    async with store.read() as conn:
        shown, total = await homes_repo.open_complaints(
            conn,
            workspace_id=window.workspace_id,
            owner=window.member,
            now=window.now,
            newest=COMPLAINT_LINES,
            shown=HOME_EXTRA_LINES,
        )
    entries = tuple(
        DigestEntry(
            c.ref,
            c.text,
            when=c.resolve_due_at if c.first_answer_at else c.answer_due_at,
            when_label="overdue since" if any(c.overdue(k, window.now) for k in Clock) else "due",
        )
        for c in shown
    )
    return DigestSection(
        key=source.key, title=source.title, entries=entries, total=total, more=source.more
    )
