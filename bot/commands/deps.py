"""What every handler needs, built once in the composition root and put into Bolt's context."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.commands.directory import Directory
from bot.commands.runtime import Runtime
from bot.commands.words.language import Languages
from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.settings import Settings
from bot.store import Store


@dataclass(frozen=True)
class Deps:
    store: Store
    clock: Clock
    config: ParleyConfig
    calendar: WorkCalendar
    settings: Settings
    directory: Directory
    languages: Languages  # the catalogs; a reader's Language comes from bot/commands/readers.py
    # What this Parley keeps in memory while it runs (bot/commands/runtime.py).
    runtime: Runtime = field(default_factory=Runtime, compare=False, hash=False)
    # The random source a closed case's survey sampling draws from (`[surveys] sample`);
    # tests and the demo give a seeded one.
    draw: Callable[[], float] = field(default=random.random, compare=False, hash=False)
