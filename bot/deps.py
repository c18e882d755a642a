"""What every handler needs, built once in the composition root and put into Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.commands.directory import Directory
from bot.config import ParleyConfig
from bot.settings import Settings
from bot.store import Store
from bot.workflows.calendar import WorkCalendar


@dataclass(frozen=True)
class Deps:
    store: Store
    clock: Clock
    config: ParleyConfig
    calendar: WorkCalendar
    settings: Settings
    directory: Directory
    # (workspace, user) this process has recorded as having opened their App Home.
    home_viewers: set[tuple[str, str]] = field(default_factory=set, compare=False, hash=False)
