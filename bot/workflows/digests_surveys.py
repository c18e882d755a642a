"""Surveys' lines in digests and the Home: open periodic surveys closing soon and those
closed in the last day (a digest), every open one (an insider's Home), each with its count
of answers. A shared channel's digest sees only its own party's open survey: a closed one's
line names no party, so no shared channel sees it (`digests_content.shown_to`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store import Store
from bot.workflows import surveys
from bot.workflows.surveys import SurveyLine

if TYPE_CHECKING:
    from bot.workflows.digests_content import Line, Window


def _line(found: SurveyLine, window: Window) -> Line:
    # digests_content lists these sources, so its records are taken when a line is made
    from bot.workflows.digests_content import DigestEntry, Line

    survey = found.survey
    entry = DigestEntry(
        survey.ref,
        survey.title or survey.party.name,
        when=survey.closes_at if survey.is_open else survey.closed_at,
        when_label="closes" if survey.is_open else "closed",
        answers=found.answers,
    )
    parties = (survey.party,) if survey.is_open else ()
    return Line(entry, parties, (window.member,) if window.member else ())


async def closing(store: Store, window: Window) -> list[Line]:
    """A digest's: open surveys closing by `until`, then those closed in the last day."""
    found = await surveys.for_digest(
        store, workspace_id=window.workspace_id, now=window.now, until=window.until
    )
    return [_line(s, window) for s in found]


async def open_(store: Store, window: Window) -> list[Line]:
    """A Home's: every open periodic survey."""
    found = await surveys.for_digest(
        store, workspace_id=window.workspace_id, now=window.now, until=None
    )
    return [_line(s, window) for s in found]
