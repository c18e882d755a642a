"""Typed records the domain works with; the store reads and writes them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.workflows.timeline import TimelineKind


class Stage(StrEnum):
    """The rungs of the escalation ladder, in order."""

    COORDINATION = "coordination"
    MULTI_PARTY = "multi_party"
    COMPANY_PROCESS = "company_process"
    LEGAL = "legal"

    @property
    def number(self) -> int:
        return STAGE_NUMBERS[self]

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_NUMBERS = {stage: n for n, stage in enumerate(Stage, start=1)}
STAGE_LABELS = {
    Stage.COORDINATION: "Coordination",
    Stage.MULTI_PARTY: "Multi-party",
    Stage.COMPANY_PROCESS: "Company process",
    Stage.LEGAL: "Legal",
}


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class PartyKind(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    THIRD_PARTY = "third_party"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


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
    is_bot: bool = False


class Audience(Record):
    """Who will read an answer: the company alone, or a shared channel with these teams in it."""

    internal: bool = True
    team_ids: frozenset[str] = frozenset()
    channel_id: str | None = None

    @classmethod
    def shared(cls, team_ids: frozenset[str], channel_id: str | None = None) -> Audience:
        return cls(internal=False, team_ids=team_ids, channel_id=channel_id)


class TimelineEvent(Record):
    """One event on a dispute's record; its kind says what it means and who may see it."""

    kind: TimelineKind
    at: datetime
    actor_id: str | None = None
    party: str | None = None
    text: str | None = None
    stage: Stage | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    previous_text: str | None = None
    response_wall_seconds: int | None = None
    response_working_seconds: int | None = None


class Dispute(Record):
    id: int
    workspace_id: str
    number: int
    title: str
    status: Status
    stage: Stage
    channel_id: str
    root_ts: str | None
    owner_id: str
    opened_at: datetime
    stage_started_at: datetime
    stage_due_at: datetime | None
    resolution: str | None = None
    closed_at: datetime | None = None
    legal_hold: bool = False
    parties: tuple[Party, ...] = ()
    members: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"D-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    def concerns(self, audience: Audience) -> bool:
        """Whether this dispute may be shown to that audience (isolation between parties)."""
        if audience.internal:
            return True
        return any(p.slack_team in audience.team_ids for p in self.parties if p.slack_team)
