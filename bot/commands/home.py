"""The App Home: published when a person opens it, and again after changes that touch them.

`app_home_opened` fires on every visit, so building the view is a few queries and no other
Slack call than `views.publish` (no permalinks; the person is usually cached). The same state
always gives the same view. Only members of the installing workspace get one: the Home shows
internal business, and Slack Connect guests have no Home of Parley's to see.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import render_digests
from bot.commands.common import workspace_of
from bot.commands.deps import Deps
from bot.commands.identity import SlackTrouble, place
from bot.commands.readers import person_language
from bot.domain.disputes import Dispute
from bot.workflows import digests_home
from bot.workflows.contracts import overview

log = logging.getLogger(__name__)


async def home_opened(
    event: dict[str, Any], context: AsyncBoltContext, deps: Deps, client: AsyncWebClient
) -> None:
    """`app_home_opened`: publish the person's Home (the Messages tab fires it too: skip it)."""
    if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
        return
    workspace_id, user_id = workspace_of(context), event["user"]
    published = await publish_home(deps, client, workspace_id=workspace_id, user_id=user_id)
    viewers = deps.runtime.home_viewers
    if published and (workspace_id, user_id) not in viewers:  # once, not per visit
        await digests_home.home_opened(
            deps.store, workspace_id=workspace_id, user_id=user_id, now=deps.clock.now()
        )
        viewers.add((workspace_id, user_id))


async def publish_home(
    deps: Deps, client: AsyncWebClient, *, workspace_id: str, user_id: str
) -> bool:
    """Build and publish one person's Home; False if they get none (external, unknown) or
    Slack refused it. Never raises for Slack's sake: a Home is not worth a failed request."""
    try:
        caller = await place(deps.directory, user_id, workspace_id)
    except SlackTrouble:
        log.warning("publishing the Home of %s: Slack cannot say who they are", user_id)
        return False
    if not caller.internal or caller.person is None:
        return False  # outsiders, and people Slack cannot place, get no Home
    person = caller.person
    try:
        try:
            tz = ZoneInfo(person.tz) if person.tz else deps.config.calendar.zone
        except (ZoneInfoNotFoundError, ValueError):
            tz = deps.config.calendar.zone
        moment = deps.clock.now()
        content = await digests_home.home_content(
            deps.store,
            workspace_id=workspace_id,
            user_id=user_id,
            now=moment,
            calendar=deps.calendar,
            contracts=tuple(deps.config.support_contracts.values()),
            shortfalls=tuple(overview(deps.config).shortfalls),
        )
        view = render_digests.home_view(
            content, tz=tz, now=moment, language=person_language(deps, person)
        )
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("publishing the Home of %s failed: %s", user_id, exc.response.get("error"))
        return False
    return True


async def refresh_homes(deps: Deps, client: AsyncWebClient, dispute: Dispute) -> None:
    """After a change to a dispute: the Home of its owner and of each member of ours.

    Only people who have opened their Home get one: anybody else's is built when they first
    open it. A burst of changes for one person publishes their Home at most twice (the one
    under way and one more with the latest state), not once per change."""
    await refresh_homes_of(
        deps,
        client,
        workspace_id=dispute.workspace_id,
        user_ids=(dispute.owner_id, *dispute.members),
        ref=dispute.ref,
    )


async def refresh_homes_of(
    deps: Deps, client: AsyncWebClient, *, workspace_id: str, user_ids: Sequence[str], ref: str
) -> None:
    """After a change to the record `ref`: the Homes of these people, as `refresh_homes`."""
    people = dict.fromkeys(user_ids)
    try:
        viewers = await digests_home.home_viewers(
            deps.store, workspace_id=workspace_id, user_ids=people
        )
    except Exception:  # the change itself stands; a stale Home is refreshed on next visit
        log.exception("finding whose Home to refresh after %s failed", ref)
        return
    publishing = deps.runtime.homes_publishing  # True when another change arrived meanwhile
    for user_id in (p for p in people if p in viewers):
        key = (workspace_id, user_id)
        if key in publishing:
            publishing[key] = True
            continue
        publishing[key] = False
        try:
            while True:
                await publish_home(deps, client, workspace_id=workspace_id, user_id=user_id)
                if not publishing[key]:
                    break
                publishing[key] = False
        except Exception:  # the change itself stands; a stale Home is refreshed on next visit
            log.exception("refreshing the Home of %s after %s failed", user_id, ref)
        finally:
            publishing.pop(key, None)
