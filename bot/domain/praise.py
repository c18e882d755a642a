"""Praise `P-n`: who praised, whom, what they did, when, and the party it came from.

The customer's voice about our people. Who praised is a person of a party (placed by Slack's
record of them: their team's party) or one of ours; whom is one or more of our own people
(praise of another organisation's people would tell that organisation about the praiser's,
so it is refused). The party of a praise is the praiser's when they are an outside person;
for one of ours it is the customer party whose shared channel the praise was recorded in,
and none anywhere else.

Pure rules; the workflow that records a praise is `bot/workflows/praise.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput
from bot.domain.parties import Party, PartyKind, Person, is_external
from bot.domain.records import Record
from bot.domain.text import clean_line

TEXT_LIMIT = 3000
PRAISED_LIMIT = 20


class PraiseSource(StrEnum):
    COMMAND = "command"  # /praise
    MESSAGE = "message"  # the message shortcut "Record as praise"


class Praise(Record):
    """P-n as recorded."""

    id: int
    workspace_id: str
    number: int
    praiser_id: str
    praiser_internal: bool
    party: Party | None
    praised: tuple[str, ...]  # Slack user ids, in the order they were named
    text: str
    at: datetime
    recorded_by: str
    channel_id: str  # where it was recorded
    source: PraiseSource
    posted_channel: str | None = None  # its post in the praise channel, once posted
    posted_ts: str | None = None

    @property
    def ref(self) -> str:
        return f"P-{self.number}"


def check_people(
    *, praiser: Person, praised: Sequence[Person], workspace_id: str
) -> tuple[str, ...]:
    """The ids of the praised, in order and without repeats; refused when nobody is praised,
    too many are, a bot or somebody of another organisation is, or the praiser is."""
    ids: dict[str, Person] = {}
    for person in praised:
        ids.setdefault(person.user_id, person)
    if not ids:
        raise InvalidInput("praise.no_person", field="praised")
    if len(ids) > PRAISED_LIMIT:
        raise InvalidInput("praise.too_many", field="praised", count=len(ids), limit=PRAISED_LIMIT)
    if praiser.is_bot:
        raise InvalidInput("praise.praiser_bot", field="praiser", name=praiser.name)
    for person in ids.values():
        if person.is_bot:
            raise InvalidInput("praise.praised_bot", field="praised", name=person.name)
        if is_external(person, workspace_id):
            raise InvalidInput("praise.praised_outsider", field="praised", name=person.name)
    if praiser.user_id in ids:
        raise InvalidInput("praise.self", field="praised", name=praiser.name)
    return tuple(ids)


def check_text(text: str) -> str:
    """What they did, as one clean line of at most TEXT_LIMIT characters."""
    try:
        return clean_line(
            text, limit=TEXT_LIMIT, empty="praise.text_empty", too_long="praise.text_too_long"
        )
    except InvalidInput as exc:
        exc.field = "text"  # shown on the form's text field
        raise


def party_team(praiser: Person, *, workspace_id: str, channel_teams: frozenset[str]) -> str | None:
    """The Slack team whose party a praise comes from: an outside praiser's own; for one of
    ours, the one other organisation of the shared channel it was recorded in (None in an
    internal channel, or one shared with several)."""
    if is_external(praiser, workspace_id):
        return praiser.team_id
    others = channel_teams - {workspace_id}
    if len(others) == 1:
        return next(iter(others))
    return None


def counts_as_source(party: Party, *, praiser_internal: bool) -> bool:
    """An outside praiser's party is always the praise's; the channel's party, for one of
    ours, only when it is a customer (our people are praised by customers)."""
    return not praiser_internal or party.kind is PartyKind.CUSTOMER
