"""The fictional Slack workspace the stand-in serves: Northwind IT and its Slack Connect partners.

Everything is plain dataclasses so tests can add users, channels and teams.  The ``to_api``
methods produce the shapes Slack's Web API returns (``users.info``, ``conversations.info``,
``team.info``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# --- ids -------------------------------------------------------------------------------

APP_ID = "A0PARLEY"

NORTHWIND = "T0PARLEY"
ACME = "T0ACME"
GLOBEX = "T0GLOBEX"
INITECH = "T0INITECH"

BOT_USER = "U0PARLEY"
BOT_ID = "B0PARLEY"
ALICE = "U0ALICE"
BOB = "U0BOB"
CAROL = "U0CAROL"
RAJ = "U0RAJ"
GRETA = "U0GRETA"
IVAN = "U0IVAN"

DESK = "C0DESK"
ACME_SHARED = "C0ACME"
GLOBEX_SHARED = "C0GLOBEX"
PROCESS = "C0PROCESS"
LEGAL = "C0LEGAL"
RANDOM = "C0RANDOM"

# A fixed creation time for the fictional objects (2023-11-14T22:13:20Z).
CREATED = 1_700_000_000


def tz_offset_seconds(tz: str, at: datetime | None = None) -> int:
    """UTC offset of ``tz`` in seconds at ``at`` (now by default), as Slack's ``tz_offset``."""
    moment = at if at is not None else datetime.now(UTC)
    try:
        offset = moment.astimezone(ZoneInfo(tz)).utcoffset()
    except ZoneInfoNotFoundError:
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


@dataclass
class Team:
    id: str
    name: str
    domain: str

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"

    def to_api(self) -> dict[str, Any]:
        """The ``team`` object of ``team.info``."""
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "domain": self.domain,
            "email_domain": "",
            "icon": {
                "image_default": True,
                "image_34": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-34.png",
                "image_44": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-44.png",
                "image_68": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-68.png",
            },
            "avatar_base_url": "https://ca.slack-edge.com/",
            "is_verified": False,
        }


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    tz: str = "UTC"
    is_bot: bool = False
    deleted: bool = False
    bot_id: str | None = None
    display_name: str = ""
    email: str | None = None
    title: str = ""
    locale: str = "en-US"  # what users.info says with include_locale (the person's Slack language)

    def to_api(self, *, home_team: str = NORTHWIND) -> dict[str, Any]:
        """The ``user`` object of ``users.info`` (and a ``members`` item of ``users.list``)."""
        profile: dict[str, Any] = {
            "title": self.title,
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "team": self.team_id,
            "status_text": "",
            "status_emoji": "",
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.bot_id is not None:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = APP_ID
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": tz_offset_seconds(self.tz),
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": CREATED,
        }
        if self.team_id != home_team:
            # Slack Connect users from another organisation.
            data["is_stranger"] = False
        return data


@dataclass
class Channel:
    id: str
    name: str
    members: list[str] = field(default_factory=list)
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_ext_shared: bool = False
    shared_team_ids: list[str] = field(default_factory=list)
    topic: str = ""
    purpose: str = ""
    creator: str = ALICE
    created: int = CREATED
    im_user: str | None = None

    @property
    def is_shared(self) -> bool:
        return self.is_ext_shared

    @property
    def is_public(self) -> bool:
        return not (self.is_private or self.is_im or self.is_mpim)

    @property
    def channel_type(self) -> str:
        """The ``channel_type`` Slack puts in message events."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        if self.is_private:
            return "group"
        return "channel"

    def to_api(self, *, viewer: str = BOT_USER, home_team: str = NORTHWIND) -> dict[str, Any]:
        """The ``channel`` object of ``conversations.info`` as seen by ``viewer``."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": self.is_shared,
            "is_org_shared": False,
            "is_ext_shared": self.is_ext_shared,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": home_team,
            "shared_team_ids": list(self.shared_team_ids) or [home_team],
            "updated": self.created * 1000,
            "creator": self.creator,
            "is_member": viewer in self.members,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
            "previous_names": [],
        }


@dataclass
class Workspace:
    """Our team, the teams we share channels with, and everything in them."""

    home: Team
    bot_user: str = BOT_USER
    bot_id: str = BOT_ID
    app_id: str = APP_ID
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.teams.setdefault(self.home.id, self.home)

    # --- building ----------------------------------------------------------------------

    def add_team(self, team: Team) -> Team:
        self.teams[team.id] = team
        return team

    def add_user(self, user: User) -> User:
        if user.team_id not in self.teams:
            raise ValueError(f"unknown team {user.team_id} for user {user.id}; add the team first")
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        unknown = [m for m in channel.members if m not in self.users]
        if unknown:
            raise ValueError(f"unknown members {unknown} for channel {channel.id}")
        self.channels[channel.id] = channel
        return channel

    # --- lookups -----------------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def team(self, team_id: str) -> Team | None:
        return self.teams.get(team_id)

    def channel(self, channel_id: str) -> Channel | None:
        return self.channels.get(channel_id)

    def channel_by_name(self, name: str) -> Channel | None:
        wanted = name.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == wanted and not channel.is_im:
                return channel
        return None

    def team_of(self, user_id: str) -> Team:
        user = self.users.get(user_id)
        if user is None:
            return self.home
        return self.teams.get(user.team_id, self.home)

    def is_external(self, user_id: str) -> bool:
        user = self.users.get(user_id)
        return user is not None and user.team_id != self.home.id

    def internal_users(self) -> list[User]:
        return [u for u in self.users.values() if u.team_id == self.home.id]

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the bot's DM with ``user_id``: ``U0ALICE`` -> ``D0ALICE``."""
        return "D" + user_id[1:]

    def open_dm(self, user_id: str) -> Channel:
        """The bot's DM channel with ``user_id``, created on first use."""
        channel_id = self.dm_channel_id(user_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            channel = Channel(
                id=channel_id,
                name=channel_id,
                members=[user_id, self.bot_user],
                is_im=True,
                creator=self.bot_user,
                im_user=user_id,
            )
            self.channels[channel_id] = channel
        return channel

    def open_mpim(self, user_ids: list[str]) -> Channel:
        """A group DM between the bot and ``user_ids``, created on first use."""
        members = sorted({*user_ids, self.bot_user})
        for channel in self.channels.values():
            if channel.is_mpim and sorted(channel.members) == members:
                return channel
        names = [self.users[m].name for m in members if m in self.users]
        channel = Channel(
            id=f"G0MPIM{len(self.channels):04d}",
            name="mpdm-" + "--".join(names) + "-1",
            members=members,
            is_private=True,
            is_mpim=True,
            creator=self.bot_user,
        )
        self.channels[channel.id] = channel
        return channel


def default_workspace() -> Workspace:
    """A fresh copy of Northwind IT, its partners, and their channels."""
    ws = Workspace(home=Team(NORTHWIND, "Northwind IT", "northwind"))
    ws.add_team(Team(ACME, "Acme Networks", "acme"))
    ws.add_team(Team(GLOBEX, "Globex Audit", "globex"))
    ws.add_team(Team(INITECH, "Initech", "initech"))

    ws.add_user(
        User(
            BOT_USER,
            NORTHWIND,
            "parley",
            "Parley",
            tz="America/Los_Angeles",
            is_bot=True,
            bot_id=BOT_ID,
            display_name="Parley",
        )
    )
    ws.add_user(
        User(ALICE, NORTHWIND, "alice", "Alice Chen", tz="Asia/Shanghai", display_name="alice")
    )
    ws.add_user(User(BOB, NORTHWIND, "bob", "Bob Martin", tz="Europe/Berlin", display_name="bob"))
    ws.add_user(
        User(CAROL, NORTHWIND, "carol", "Carol Diaz", tz="Asia/Shanghai", display_name="carol")
    )
    ws.add_user(User(RAJ, ACME, "raj", "Raj Patel", tz="Asia/Kolkata", display_name="raj"))
    ws.add_user(
        User(GRETA, GLOBEX, "greta", "Greta Lind", tz="Europe/Stockholm", display_name="greta")
    )
    ws.add_user(
        User(IVAN, INITECH, "ivan", "Ivan Petrov", tz="America/New_York", display_name="ivan")
    )

    ws.add_channel(
        Channel(
            DESK,
            "service-desk",
            members=[ALICE, BOB, CAROL, BOT_USER],
            purpose="Internal IT service desk",
        )
    )
    ws.add_channel(
        Channel(
            ACME_SHARED,
            "acme-shared",
            members=[ALICE, RAJ, BOT_USER],
            is_ext_shared=True,
            shared_team_ids=[NORTHWIND, ACME],
            purpose="Northwind <> Acme Networks",
        )
    )
    ws.add_channel(
        Channel(
            GLOBEX_SHARED,
            "globex-shared",
            members=[ALICE, GRETA, BOT_USER],
            is_ext_shared=True,
            shared_team_ids=[NORTHWIND, GLOBEX],
            purpose="Northwind <> Globex Audit",
        )
    )
    ws.add_channel(Channel(PROCESS, "dispute-process", members=[BOT_USER]))
    ws.add_channel(
        Channel(LEGAL, "legal", members=[CAROL, BOT_USER], is_private=True, creator=CAROL)
    )
    ws.add_channel(Channel(RANDOM, "random", members=[ALICE, BOB, CAROL]))
    return ws
