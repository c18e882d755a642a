"""What one running Parley keeps in memory while it runs, on one object held by `Deps`.

Nothing of it is a module global: two Parleys in one process (the tests run several) share
nothing, and what one remembers goes when it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.commands.acks import HandlerTasks
from bot.workflows.capture import KnownThreads


@dataclass(eq=False)
class Runtime:
    # Handlers still at work after their ack, and work queued to run after it.
    handlers: HandlerTasks = field(default_factory=HandlerTasks)
    # Dispute threads already looked up: (channel, thread ts) -> dispute id.
    known_threads: KnownThreads = field(default_factory=KnownThreads)
    # (workspace, user) this process has recorded as having opened their App Home.
    home_viewers: set[tuple[str, str]] = field(default_factory=set)
    # Homes being published, by (workspace, user): True when another change arrived meanwhile.
    homes_publishing: dict[tuple[str, str], bool] = field(default_factory=dict)
