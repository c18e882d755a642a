"""A dispute and the events on its record."""

from __future__ import annotations

from datetime import datetime

from bot.domain.ladder import Stage, Status
from bot.domain.parties import Audience, Party
from bot.domain.records import Record
from bot.domain.timeline import TimelineKind


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
    # The record chain (bot/domain/chain.py): this event's hash and the one before it.
    hash: str | None = None
    prev_hash: str | None = None


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
    # The hash of its last timeline event (bot/domain/chain.py); None before the first.
    chain_head: str | None = None
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
