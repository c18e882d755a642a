"""Who is who in Slack: people, their teams and channels, looked up once and cached."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.parties import Audience, Person

CACHE_SECONDS = 300.0
# What conversations.info says for a channel the bot may not see.
NOT_VISIBLE = {
    "channel_not_found",
    "not_in_channel",
    "missing_scope",
    "method_not_supported_for_channel_type",
}
# What team.info says for a team it will not describe (an answer, unlike a failure).
TEAM_UNKNOWN = {"team_not_found", "missing_scope", "team_access_not_granted"}
PERMALINK_CACHE = 5000
# What chat.getPermalink says for a message that is gone or a channel the bot cannot see.
NO_PERMALINK = NOT_VISIBLE | {"message_not_found"}


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    is_shared: bool
    is_private: bool
    is_im: bool
    is_member: bool
    team_ids: frozenset[str]
    im_user: str | None = None  # the person of a DM with Parley


class UnknownUser(Exception):
    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


class Directory:
    """A cache in front of users.info, team.info, users.list and conversations.info."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._people: dict[str, tuple[float, Person]] = {}
        self._looking_up: dict[str, asyncio.Future[Person]] = {}
        self._teams: dict[str, tuple[float, str | None]] = {}
        self._channels: dict[str, tuple[float, Channel | None]] = {}
        self._names: tuple[float, dict[str, str]] | None = None
        self._handles: dict[str, str] = {}
        self._permalinks: dict[tuple[str, str], str] = {}
        self._no_permalink: dict[tuple[str, str], float] = {}

    @staticmethod
    def _fresh(stamp: float) -> bool:
        return time.monotonic() - stamp < CACHE_SECONDS

    def known(self, user_id: str) -> Person | None:
        """The person as last looked up, if that is fresh: no Web API call, ever."""
        cached = self._people.get(user_id)
        return cached[1] if cached and self._fresh(cached[0]) else None

    async def person(self, user_id: str) -> Person:
        """Slack's record of somebody (users.info), cached; one lookup at a time per person,
        shared by every request that asks meanwhile. A failure is never cached."""
        cached = self._people.get(user_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        pending = self._looking_up.get(user_id)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(user_id))
            self._looking_up[user_id] = pending
            pending.add_done_callback(lambda done: self._looked_up(user_id, done))
        return await asyncio.shield(pending)

    def _looked_up(self, user_id: str, done: asyncio.Future[Person]) -> None:
        self._looking_up.pop(user_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here: a lookup whose askers all gave up logs nothing

    async def _look_up(self, user_id: str) -> Person:
        try:
            user: dict[str, Any] = (
                await self._client.users_info(user=user_id, include_locale=True)
            )["user"]
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                raise UnknownUser(user_id) from None
            raise
        team_id = str(user.get("team_id") or "")
        profile = user.get("profile") or {}
        person = Person(
            user_id=user_id,
            team_id=team_id,
            name=str(profile.get("display_name") or user.get("name") or user_id),
            team_name=await self.team_name(team_id),
            tz=user.get("tz"),
            locale=user.get("locale"),
            is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        )
        self._people[user_id] = (time.monotonic(), person)
        self._handles[user_id] = str(user.get("name") or "").casefold()
        return person

    async def team_name(self, team_id: str) -> str | None:
        cached = self._teams.get(team_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        try:
            name: str | None = (await self._client.team_info(team=team_id))["team"]["name"]
        except SlackApiError as exc:
            if exc.response.get("error") not in TEAM_UNKNOWN:
                return None  # Slack failing is not an answer: ask again next time
            name = None
        self._teams[team_id] = (time.monotonic(), name)
        return name

    async def person_named(self, handle: str, channel_id: str | None = None) -> Person:
        """A plain `@name` typed without Slack's escaping: match handle or display name.

        users.list holds only this workspace's members; Slack Connect guests are found among
        the members of the channel the command came from.
        """
        wanted = handle.lstrip("@").casefold()
        if self._names is None or not self._fresh(self._names[0]):
            names: dict[str, str] = {}
            cursor: str | None = None
            while True:
                page = await self._client.users_list(cursor=cursor, limit=200)
                members: list[dict[str, Any]] = page.get("members", [])
                for member in members:
                    if member.get("deleted"):
                        continue
                    profile = member.get("profile") or {}
                    for key in (member.get("name"), profile.get("display_name")):
                        if key:
                            names.setdefault(str(key).casefold(), member["id"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
            self._names = (time.monotonic(), names)
        user_id = self._names[1].get(wanted)
        if user_id is not None:
            return await self.person(user_id)
        if channel_id is not None:
            try:
                page = await self._client.conversations_members(channel=channel_id, limit=500)
                member_ids: list[str] = list(page.get("members", []))
            except SlackApiError:
                member_ids = []
            for member_id in member_ids:
                person = await self.person(str(member_id))
                if wanted in (person.name.casefold(), self._handles.get(person.user_id)):
                    return person
        raise UnknownUser("@" + handle.lstrip("@"))

    async def channel(self, channel_id: str) -> Channel | None:
        """The channel as the bot sees it, or None where the bot cannot see it."""
        cached = self._channels.get(channel_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        try:
            info: dict[str, Any] = (await self._client.conversations_info(channel=channel_id))[
                "channel"
            ]
        except SlackApiError as exc:
            if exc.response.get("error") not in NOT_VISIBLE:
                raise  # Slack failing is not Slack saying no: never cache it as an answer
            found: Channel | None = None
        else:
            teams = set(info.get("shared_team_ids") or []) | set(
                info.get("connected_team_ids") or []
            )
            found = Channel(
                id=channel_id,
                name=str(info.get("name") or channel_id),
                is_shared=bool(info.get("is_ext_shared") or info.get("is_shared")),
                is_private=bool(info.get("is_private")),
                is_im=bool(info.get("is_im")),
                is_member=bool(info.get("is_member")),
                team_ids=frozenset(teams),
                im_user=str(info["user"]) if info.get("is_im") and info.get("user") else None,
            )
        self._channels[channel_id] = (time.monotonic(), found)
        return found

    async def channel_named(self, name: str) -> str | None:
        """A channel's id from its name as typed (`#acme-shared`), among those the bot sees."""
        wanted = name.lstrip("#").casefold()
        cursor: str | None = None
        while True:
            page = await self._client.conversations_list(
                cursor=cursor,
                limit=200,
                types="public_channel,private_channel",
                exclude_archived=True,
            )
            channels: list[dict[str, Any]] = page.get("channels", [])
            for channel in channels:
                if str(channel.get("name") or "").casefold() == wanted:
                    return str(channel["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    async def audience(self, channel_id: str, workspace_id: str) -> Audience:
        """Who can read what is posted in a channel. Unknown channels are treated as shared."""
        channel = await self.channel(channel_id)
        if channel is None:
            return Audience.shared(frozenset(), channel_id)
        if channel.is_shared:
            return Audience.shared(channel.team_ids - {workspace_id}, channel_id)
        if channel.is_im:
            # A DM is its person's: internal only when Slack's record says they are ours.
            return await self._dm_audience(channel, workspace_id)
        return Audience()

    async def _dm_audience(self, channel: Channel, workspace_id: str) -> Audience:
        if channel.im_user is None:
            return Audience.shared(frozenset(), channel.id)
        try:
            person = await self.person(channel.im_user)
        except UnknownUser:
            return Audience.shared(frozenset(), channel.id)
        if person.team_id == workspace_id and not person.is_bot:
            return Audience()
        teams = frozenset({person.team_id}) if person.team_id else frozenset()
        return Audience.shared(teams, channel.id)

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        """A message's permalink (chat.getPermalink), or None if Slack has none for it.

        Permalinks never change, so each is asked for once (the oldest are dropped first)."""
        key = (channel_id, ts)
        found = self._permalinks.get(key)
        if found is not None:
            return found
        missing = self._no_permalink.get(key)
        if missing is not None and self._fresh(missing):
            return None
        try:
            answer = await self._client.chat_getPermalink(channel=channel_id, message_ts=ts)
        except SlackApiError as exc:
            if exc.response.get("error") in NO_PERMALINK:
                # Slack's answer, not a failure: a digest lists the line without its link
                # rather than asking again for every line of every digest.
                if len(self._no_permalink) >= PERMALINK_CACHE:
                    self._no_permalink.pop(next(iter(self._no_permalink)))
                self._no_permalink[key] = time.monotonic()
            return None
        link = str(answer.get("permalink") or "") or None
        if link is not None:
            if len(self._permalinks) >= PERMALINK_CACHE:
                self._permalinks.pop(next(iter(self._permalinks)))
            self._permalinks[key] = link
        return link

    def forget_channel(self, channel_id: str) -> None:
        self._channels.pop(channel_id, None)

    def forget_person(self, user_id: str) -> None:
        """Ask Slack again next time (somebody's team or profile may have changed)."""
        self._people.pop(user_id, None)
