"""What an audience may see of a dispute's parties and record: the one rule, for every renderer.

Inside the company everything is seen. A shared channel sees its own parties only, and of the
record what each kind's meaning allows (`bot/domain/timeline.py`): never a private kind,
never another party's event, a message only in the channel it was written in, and text only
where the kind says it may be shown. The isolation door (`bot/commands/outgoing.py`) stays as
the backstop for a renderer that forgets to ask.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.disputes import TimelineEvent
from bot.domain.parties import Audience, Party


def visible_parties(parties: Sequence[Party], audience: Audience) -> list[Party]:
    """A shared channel sees only its own parties, never the names of the others."""
    if audience.internal:
        return list(parties)
    return [p for p in parties if p.slack_team in audience.team_ids]


def outside_view(
    event: TimelineEvent, audience: Audience, own: frozenset[str]
) -> TimelineEvent | None:
    """The event as a shared channel whose own parties are named `own` may see it, or None.

    Decided by the kind's meaning only, so a kind that declares nothing is not seen."""
    meaning = event.kind.meaning
    if meaning.private or (event.party is not None and event.party not in own):
        return None
    if meaning.message and event.channel_id != audience.channel_id:
        return None
    if not meaning.text_shared:
        return event.model_copy(update={"text": None, "previous_text": None})
    return event


def visible_events(
    events: Sequence[TimelineEvent], audience: Audience, parties: Sequence[Party]
) -> list[TimelineEvent]:
    """What of the record a channel may see: everything internally; in a shared channel only
    its own parties' events, the messages written in that very channel, and no private kind,
    each with its text only where its kind lets an outside party read it."""
    if audience.internal:
        return list(events)
    own = frozenset(p.name for p in visible_parties(parties, audience))
    shown = (outside_view(e, audience, own) for e in events)
    return [e for e in shown if e is not None]
