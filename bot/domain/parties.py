"""Parties and people: who a record concerns, who is asking, who will read."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.domain.errors import NotAllowed
from bot.domain.marks import N_
from bot.domain.names import lookalike_of
from bot.domain.records import Record


class PartyKind(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        """The kind in words (an English msgid: the adapter translates it for its reader)."""
        return KIND_LABELS[self]


KIND_LABELS: dict[PartyKind, str] = {
    PartyKind.CUSTOMER: N_("customer"),
    PartyKind.SUPPLIER: N_("supplier"),
    PartyKind.THIRD_PARTY: N_("third party"),
}


class Party(Record):
    id: int
    name: str
    kind: PartyKind
    slack_team: str | None = None


class Person(Record):
    """Somebody in Slack as the domain needs them: who, and which organisation they speak for."""

    user_id: str
    team_id: str
    name: str
    team_name: str | None = None
    tz: str | None = None
    locale: str | None = None  # their Slack language (`zh-CN`, `en-US`), from users.info
    is_bot: bool = False


class Audience(Record):
    """Who will read an answer: the company alone, or a shared channel with these teams in it."""

    internal: bool = True
    team_ids: frozenset[str] = frozenset()
    channel_id: str | None = None

    @classmethod
    def shared(cls, team_ids: frozenset[str], channel_id: str | None = None) -> Audience:
        return cls(internal=False, team_ids=team_ids, channel_id=channel_id)


def is_external(person: Person, workspace_id: str) -> bool:
    """A Slack Connect user: somebody whose Slack team is not the installing workspace."""
    return person.team_id != workspace_id


def internal_only(person: Person, workspace_id: str, refusal: str) -> None:
    """Raise NotAllowed with the code of the topic's `refusal` (which says what to do
    instead) unless `person` is of the installing workspace: the one check of every topic's
    insiders-only steps."""
    if is_external(person, workspace_id):
        raise NotAllowed(refusal)


def name_for_team(team_name: str | None, team_id: str, taken: Sequence[str]) -> str:
    """The name a newly seen Slack team's party gets: the team's own name, unless it reads
    like a name already taken (`Аcme Networks` with a Cyrillic А), which then says the team."""
    name = (team_name or team_id).strip()[:100] or team_id
    if lookalike_of(name, taken) is not None:
        name = f"{name} ({team_id})"
    return name
