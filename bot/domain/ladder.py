"""The escalation ladder as one state machine: a state, an action, one transition function.

Stages only move up, one rung at a time; a closed dispute stays closed until it is reopened,
at the stage it was closed at, with a fresh clock. `transition()` is
the only place that decides; every accepted transition becomes one timeline event.
See docs/ladder.md for the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.marks import N_
from bot.domain.timeline import TimelineKind


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
    Stage.COORDINATION: N_("Coordination"),
    Stage.MULTI_PARTY: N_("Multi-party"),
    Stage.COMPANY_PROCESS: N_("Company process"),
    Stage.LEGAL: N_("Legal"),
}


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """The status as a sentence says it ("D-3 is already resolved"); the English key,
        translated where it is shown."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.OPEN: N_("open"),
    Status.RESOLVED: N_("resolved"),
    Status.WITHDRAWN: N_("withdrawn"),
}


class Action(StrEnum):
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


@dataclass(frozen=True)
class LadderState:
    stage: Stage
    status: Status


@dataclass(frozen=True)
class Transition:
    action: Action
    before: LadderState
    after: LadderState

    @property
    def event_kind(self) -> TimelineKind:
        return EVENT_KINDS[self.action]

    @property
    def stage_changed(self) -> bool:
        return self.before.stage is not self.after.stage

    @property
    def restarts_clock(self) -> bool:
        """Whether the stage's clock (and its overdue marker) starts again now: on a new stage,
        and on the old one when a closed dispute is reopened."""
        return self.stage_changed or self.action is Action.REOPEN


# The one transition table: what each action does to an open dispute.
NEXT_STAGE: dict[Stage, Stage] = {
    Stage.COORDINATION: Stage.MULTI_PARTY,
    Stage.MULTI_PARTY: Stage.COMPANY_PROCESS,
    Stage.COMPANY_PROCESS: Stage.LEGAL,
}
CLOSING_STATUS: dict[Action, Status] = {
    Action.RESOLVE: Status.RESOLVED,
    Action.WITHDRAW: Status.WITHDRAWN,
}
# The event each action puts on the record; its kind says how the thread announces it.
EVENT_KINDS: dict[Action, TimelineKind] = {
    Action.ESCALATE: TimelineKind.ESCALATED,
    Action.RESOLVE: TimelineKind.RESOLVED,
    Action.WITHDRAW: TimelineKind.WITHDRAWN,
    Action.REOPEN: TimelineKind.REOPENED,
}
# Stages only an approver may enter.
APPROVAL_NEEDED: frozenset[Stage] = frozenset({Stage.LEGAL})
# Stages with no time limit: a dispute may stay there as long as it takes.
NO_TIME_LIMIT: frozenset[Stage] = frozenset({Stage.LEGAL})
# The stages that run against a clock, in ladder order.
LIMITED_STAGES: tuple[Stage, ...] = tuple(stage for stage in Stage if stage not in NO_TIME_LIMIT)


def limit_of(
    stage: Stage,
    company: Mapping[Stage, int],
    agreed: Sequence[Mapping[Stage, int | None]] = (),
) -> int | None:
    """Working days a dispute may stay at `stage`, or None at a stage with no time limit.

    `company` holds the company's limits; `agreed` one mapping per party in the dispute, with
    what was agreed with that party (a stage it leaves out, or maps to None, takes the
    company's limit). Each party gets its own limit and the strictest one holds; with no party
    the company's does.
    """
    if stage not in LIMITED_STAGES:
        return None
    own = company[stage]
    each: list[int] = []
    for limits in agreed:
        days = limits.get(stage)
        each.append(own if days is None else days)
    return min(each, default=own)


def transition(state: LadderState, action: Action, *, ref: str, is_approver: bool) -> Transition:
    """Apply `action` to `state`, or raise a DomainError saying why it cannot be done."""
    if action is Action.REOPEN:
        return _reopen(state, ref=ref, is_approver=is_approver)
    if state.status is not Status.OPEN:
        raise InvalidInput("dispute.stays_closed", ref=ref, status=state.status)
    if action is Action.ESCALATE:
        after = NEXT_STAGE.get(state.stage)
        if after is None:
            raise InvalidInput("dispute.last_stage", ref=ref, stage=state.stage)
        if after in APPROVAL_NEEDED and not is_approver:
            raise NotAllowed("dispute.approver_to", ref=ref, stage=after)
        return Transition(action, state, LadderState(after, Status.OPEN))
    return Transition(action, state, LadderState(state.stage, CLOSING_STATUS[action]))


def _reopen(state: LadderState, *, ref: str, is_approver: bool) -> Transition:
    """A resolved or withdrawn dispute comes back open at the stage it was closed at."""
    if state.status is Status.OPEN:
        raise InvalidInput("dispute.still_open", ref=ref)
    if state.stage in APPROVAL_NEEDED and not is_approver:
        raise NotAllowed("dispute.approver_reopen", ref=ref, stage=state.stage)
    return Transition(Action.REOPEN, state, LadderState(state.stage, Status.OPEN))


# The record's own text when a stage runs out, as stored and exported (a fact line in English,
# like every stored text); the renderer reads it back to say it in the reader's language.
_AUTOMATIC = ": escalated automatically, as the company's config asks"
_OVERDUE = re.compile(
    r"(?P<label>.+) overdue by (?P<days>\d{1,6}) working days?(?P<automatic>"
    + re.escape(_AUTOMATIC)
    + r")?"
)


@dataclass(frozen=True)
class OverdueRecord:
    """What an overdue (or automatic escalation) entry of the record says, as facts."""

    stage: Stage
    working_days: int
    automatic: bool = False


def overdue_text(stage: Stage, working_days: int) -> str:
    plural = "" if working_days == 1 else "s"
    return f"{stage.label} overdue by {working_days} working day{plural}"


def automatic_escalation_text(overdue: str) -> str:
    return overdue + _AUTOMATIC


def read_overdue_text(text: str) -> OverdueRecord | None:
    """The facts of a text `overdue_text` (or `automatic_escalation_text`) wrote; None for
    any other text (a person's reason)."""
    found = _OVERDUE.fullmatch(text)
    if found is None:
        return None
    stage = next((s for s in Stage if s.label == found["label"]), None)
    if stage is None:
        return None
    return OverdueRecord(stage, int(found["days"]), automatic=found["automatic"] is not None)
