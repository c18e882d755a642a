"""Publishing a scorecard S-n, and what the supplier's people and the owner do with it.

`/audit publish S-n [to supplier]`: a rated draft becomes published; its internal post (where
the command ran) and, with "to supplier", its copy in the supplier's own shared channel are
owed in the same transaction. Publishing a version again owes only the posts it lacks.
Rating a published scorecard again (`/audit rate`) begins the next version as a draft; publishing
that one posts it anew, saying which version it replaces (the earlier posts and version stay).

The supplier's Comment and Appeal: a person of the scorecard's own party by Slack's record,
on a version that was published; an appeal owes its owner a DM. A band-D dimension's button
makes one improvement action T-n per dimension and version, owned by the scorecard's owner,
due in ten working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import audit_publish as rules
from bot.domain.audit_publish import (
    RemarkKind,
    ScorecardAppealed,
    ScorecardChart,
    ScorecardImprovement,
    ScorecardPublished,
    ScorecardRemarked,
)
from bot.domain.audits import Band, Dimension, PostAudience, Scorecard, ScorecardStatus
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.marks import N_
from bot.domain.parties import Person, internal_only
from bot.store import audit_publish as repo
from bot.store import audits as audits_repo
from bot.store import counters as counters_repo
from bot.store import reviews as reviews_repo
from bot.store import sends as sends_repo
from bot.store.db import Store
from bot.workflows import notices

OUTSIDERS = "audit.action_no_owner"


@dataclass(frozen=True)
class Published:
    """What `/audit publish` did: the scorecard as published, and how many posts it owed."""

    scorecard: Scorecard
    owed: int
    again: bool  # the version was published before (only missing posts were owed)


async def scorecard(store: Store, *, workspace_id: str, number: int) -> Scorecard:
    async with store.read() as conn:
        found = await audits_repo.get(conn, workspace_id=workspace_id, number=number)
    if found is None:
        raise NotFound("audit.publish_not_found", number=number)
    return found


async def publish(
    store: Store,
    *,
    workspace_id: str,
    actor: Person,
    number: int,
    channel_id: str,
    party_channel: str | None,
    now: datetime,
) -> Published:
    """Publish S-n's current version (a rated draft), owing its posts: internally in
    `channel_id`, and in `party_channel` (the supplier's own shared channel) when given."""
    internal_only(actor, workspace_id, "audit.publish_insiders")
    async with store.write() as conn:
        found = await audits_repo.get(conn, workspace_id=workspace_id, number=number)
        if found is None:
            raise NotFound("audit.publish_not_found", number=number)
        rules.check_publishable(found)
        again = found.status is ScorecardStatus.PUBLISHED
        if not again and not await audits_repo.publish(
            conn, scorecard_id=found.id, version=found.version, by=actor.user_id, now=now
        ):
            raise InvalidInput("audit.publish_unrated", ref=found.ref)  # raced a new version
        published = await audits_repo.get(conn, workspace_id=workspace_id, number=number)
        assert published is not None
        owed = 0
        for notice in rules.published_notices(
            published, internal_channel=channel_id, party_channel=party_channel
        ):
            key = f"audit.published:{published.id}:v{published.version}:{notice.channel_id}"
            owed += await notices.owe(conn, notice, now=now, dedupe=key)
    return Published(scorecard=published, owed=owed, again=again)


async def posted(
    store: Store,
    *,
    scorecard: Scorecard,
    notice: ScorecardPublished,
    ts: str,
    delivery: int,
    now: datetime,
) -> None:
    """A version's post is in its channel: where it is kept on record, and its chart owed into
    its thread, once for this delivery (a retried delivery owes nothing more)."""
    async with store.write() as conn:
        await audits_repo.add_post(
            conn,
            scorecard_id=scorecard.id,
            version=scorecard.version,
            channel_id=notice.channel_id,
            ts=ts,
            audience=PostAudience.PARTY if notice.party else PostAudience.INTERNAL,
            now=now,
        )
        chart = ScorecardChart(
            workspace_id=scorecard.workspace_id,
            owner_id=scorecard.owner_id,
            what=N_("the radar chart of {ref}"),
            what_facts={"ref": scorecard.ref},
            number=scorecard.number,
            version=scorecard.version,
            channel_id=notice.channel_id,
            party=notice.party,
            thread_ts=ts,
        )
        await notices.owe(conn, chart, now=now, dedupe=f"audit.chart:{delivery}")


async def _remarkable(
    conn: AsyncConnection, *, workspace_id: str, number: int, version: int, actor: Person
) -> Scorecard:
    found = await audits_repo.get(conn, workspace_id=workspace_id, number=number)
    shown = rules.check_shown(found, number, version)
    rules.check_remarker(shown, actor)
    return shown


async def may_remark(
    store: Store, *, workspace_id: str, value: str, actor: Person
) -> tuple[Scorecard, int]:
    """Before the Comment or Appeal form opens: the scorecard and the version pressed on."""
    number, version = rules.parse_button(value)
    async with store.read() as conn:
        shown = await _remarkable(
            conn, workspace_id=workspace_id, number=number, version=version, actor=actor
        )
    return shown, version


async def remark(
    store: Store,
    *,
    workspace_id: str,
    kind: RemarkKind,
    number: int,
    version: int,
    actor: Person,
    text: str | None,
    now: datetime,
) -> Scorecard:
    """A comment or an appeal recorded against the version shown; an appeal's owner told."""
    said = rules.check_remark(text, kind)
    async with store.write() as conn:
        shown = await _remarkable(
            conn, workspace_id=workspace_id, number=number, version=version, actor=actor
        )
        add = audits_repo.add_appeal if kind is RemarkKind.APPEAL else audits_repo.add_comment
        remark_id = await add(
            conn,
            scorecard_id=shown.id,
            version=version,
            user_id=actor.user_id,
            party_id=shown.party.id,
            text=said,
            now=now,
        )
        await notices.owe(
            conn,
            ScorecardRemarked(
                workspace_id=workspace_id,
                owner_id="",
                what=N_("the thanks for a remark on {ref}"),
                what_facts={"ref": shown.ref},
                number=shown.number,
                version=version,
                user_id=actor.user_id,
                remark=kind,
            ),
            now=now,
        )
        if kind is RemarkKind.APPEAL:
            await notices.owe(
                conn,
                ScorecardAppealed(
                    workspace_id=workspace_id,
                    owner_id=shown.owner_id,
                    what=N_("the appeal against {ref}"),
                    what_facts={"ref": shown.ref},
                    number=shown.number,
                    version=version,
                    appeal_id=remark_id,
                    appealed_by=actor.user_id,
                ),
                now=now,
            )
    return shown


async def improvement_due(
    store: Store, *, workspace_id: str, scorecard_id: int, number: int
) -> datetime | None:
    """When a scorecard's improvement action T-n is due (None: it is not the scorecard's)."""
    async with store.read() as conn:
        return await repo.improvement_due(
            conn, workspace_id=workspace_id, scorecard_id=scorecard_id, number=number
        )


async def appeal_text(store: Store, *, scorecard_id: int, appeal_id: int) -> str | None:
    async with store.read() as conn:
        found = await audits_repo.appeals(conn, scorecard_id=scorecard_id)
    return next((a.text for a in found if a.id == appeal_id), None)


@dataclass(frozen=True)
class Improvement:
    scorecard: Scorecard
    number: int  # T-n
    due_at: datetime
    created: bool  # False: it existed already


def improvement_text(scorecard: Scorecard, version: int, dimension: Dimension, score: int) -> str:
    """The action item's words as stored (English, like every stored item's): they name the
    dimension and the version, so each has one."""
    return (
        f"Improve {dimension.value.replace('_', ' ')} of {scorecard.party.name} "
        f"(scored {score}, band D in {scorecard.ref} version {version})"
    )


async def improve(
    store: Store,
    *,
    workspace_id: str,
    value: str,
    actor: Person,
    bands: dict[Band, float],
    calendar: WorkCalendar,
    now: datetime,
) -> Improvement:
    """The band-D button: T-n for the scorecard's owner, due in ten working days; once per
    dimension and version (a second press finds the first's)."""
    internal_only(actor, workspace_id, OUTSIDERS)
    number, version, dimension = rules.parse_action(value)
    async with store.write() as conn:
        found = await audits_repo.get(conn, workspace_id=workspace_id, number=number)
        shown = rules.check_shown(found, number, version)
        score = rules.check_improvable(shown, version, dimension, bands)
        text = improvement_text(shown, version, dimension, score)
        if not await sends_repo.claim(
            conn, key=rules.improvement_key(shown, version, dimension), now=now
        ):
            existing = await repo.improvement_of(
                conn, workspace_id=workspace_id, scorecard_id=shown.id, text=text
            )
            if existing is not None:
                return Improvement(shown, existing[0], existing[1], created=False)
        item = await counters_repo.next_number(
            conn, workspace_id=workspace_id, kind=repo.ACTION_COUNTER
        )
        due = calendar.add_working_days(now, rules.IMPROVEMENT_DAYS)
        await reviews_repo.insert_action(
            conn,
            workspace_id=workspace_id,
            number=item,
            review_id=None,
            scorecard_id=shown.id,
            owner_id=shown.owner_id,
            due_at=due,
            tz=calendar.tz.key,
            text=text,
            created_by=actor.user_id,
            now=now,
        )
        if actor.user_id != shown.owner_id:
            await notices.owe(
                conn,
                ScorecardImprovement(
                    workspace_id=workspace_id,
                    owner_id=shown.owner_id,
                    what=N_("the improvement action T-{number}"),
                    what_facts={"number": str(item)},
                    number=shown.number,
                    version=version,
                    action_number=item,
                    dimension=dimension.value,
                    created_by=actor.user_id,
                ),
                now=now,
            )
    return Improvement(shown, item, due, created=True)
