"""Reading an agreement's form and references: the terms of a version, the party picked,
`A-n` and `A-n vN`, and the day an agreement is read on.

Pure: the workflow that records what is read is `bot/workflows/agreements.py`. A form that
is wrong in several fields is refused once, naming every one (`InvalidTerms`, a refusal by
field).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from bot.domain.agreements import Terms
from bot.domain.errors import DomainError, FieldErrors, InvalidInput
from bot.domain.marks import N_
from bot.domain.parties import Party, Person, is_external

# Each field: its label, its length limit, and what a person should write there (English
# msgids, translated for the reader where the form shows them).
FIELDS: dict[str, tuple[str, int, str]] = {
    "what": (N_("What"), 1500, N_("the information shared, its content and scope")),
    "why": (N_("Why"), 1000, N_("the purpose the information is shared for")),
    "who": (N_("Who"), 500, N_("the parties and the roles authorised")),
    "when": (
        N_("When"),
        500,
        N_("the timing and frequency, e.g. monthly, within 5 working days"),
    ),
    "where": (N_("Where"), 500, N_("the channel or medium, e.g. SFTP, the shared channel")),
    "how": (
        N_("How"),
        1500,
        N_("the process and method, e.g. encrypted export, reviewed first"),
    ),
    "authorization": (N_("Authorisation"), 500, N_("who approves the sharing, and how")),
}


# Each field's refusals when it is empty and when it is too long (their words say what to
# write there).
FIELD_REFUSALS: dict[str, tuple[str, str]] = {
    "what": ("agreement.what_empty", "agreement.what_too_long"),
    "why": ("agreement.why_empty", "agreement.why_too_long"),
    "who": ("agreement.who_empty", "agreement.who_too_long"),
    "when": ("agreement.when_empty", "agreement.when_too_long"),
    "where": ("agreement.where_empty", "agreement.where_too_long"),
    "how": ("agreement.how_empty", "agreement.how_too_long"),
    "authorization": ("agreement.authorization_empty", "agreement.authorization_too_long"),
}


class InvalidTerms(FieldErrors):
    """One or more fields of the form are wrong: `problems` maps each field to its refusal."""


@dataclass(frozen=True)
class Draft:
    """The form as submitted: free text, the people picked, the channel picked, the date."""

    what: str
    why: str
    who: str
    who_people: Sequence[Person]
    when: str
    where: str
    where_channel: str | None
    how: str
    authorization: str
    valid_until: str  # YYYY-MM-DD from the date picker


@dataclass(frozen=True)
class PartyPick:
    """The party chosen on the form: a party on record, or a Slack team not on record yet."""

    party: Party | None = None
    team_id: str | None = None
    team_name: str | None = None

    @property
    def slack_team(self) -> str | None:
        return self.party.slack_team if self.party is not None else self.team_id

    @property
    def name(self) -> str | None:
        """The party's name, else the Slack team's name or id; None when nothing names it."""
        if self.party is not None:
            return self.party.name
        return self.team_name or self.team_id


def parse_number(text: str) -> int:
    """`A-3`, `a3`, `A 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("A").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("agreement.bad_id", text=text.strip()[:40])
    return int(raw)


def parse_reference(text: str) -> tuple[int, int | None]:
    """`A-3` → (3, None); `A-3 v1` or `A-3v1` → (3, 1)."""
    words = text.split()
    if not words:
        raise InvalidInput("agreement.which_show")
    joined = re.fullmatch(r"(?i)(.+?)v(\d{1,9})", words[0]) if len(words) == 1 else None
    if joined and joined.group(1).strip().upper().startswith("A"):
        words = [joined.group(1), "v" + joined.group(2)]
    number = parse_number(words[0])
    if len(words) == 1:
        return number, None
    version = words[1].lower().removeprefix("v")
    if len(words) > 2 or not version.isascii() or not version.isdigit() or int(version) == 0:
        raise InvalidInput("agreement.bad_version", text=" ".join(words[1:])[:40], number=number)
    return number, int(version)


def today_in(now: datetime, tz: tzinfo | None) -> date:
    """The calendar day `now` falls on in that zone (in `now`'s own zone when None)."""
    return now.astimezone(tz).date() if tz is not None else now.date()


def _clean_text(text: str, *, key: str) -> str:
    """Text typed in a multi-line field: NFC, no control characters, single spaces inside
    lines, at most one blank line in a row, 1..limit characters."""
    _, limit, _ = FIELDS[key]
    empty, too_long = FIELD_REFUSALS[key]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines: list[str] = []
    for line in (" ".join(raw.split()) for raw in text.split("\n")):
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Mn"))
    if not visible.strip():
        raise InvalidInput(empty, field=key)
    if len(text) > limit:
        raise InvalidInput(too_long, field=key, length=len(text), limit=limit)
    return text


def _valid_until(raw: str, today: date) -> date:
    if not raw.strip():
        raise InvalidInput("agreement.valid_until_missing", field="valid_until")
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("agreement.valid_until_bad", field="valid_until") from None
    if day < today:
        raise InvalidInput("agreement.valid_until_past", field="valid_until", today=today)
    return day


def validate_terms(draft: Draft, *, party: PartyPick, workspace_id: str, today: date) -> Terms:
    """The terms of a version from the form, or InvalidTerms naming every wrong field."""
    problems: dict[str, DomainError] = {}
    cleaned: dict[str, Any] = {}
    for key in FIELDS:
        try:
            cleaned[key] = _clean_text(str(getattr(draft, key)), key=key)
        except InvalidInput as exc:
            problems[key] = exc
    try:
        cleaned["valid_until"] = _valid_until(draft.valid_until, today)
    except InvalidInput as exc:
        problems["valid_until"] = exc
    people: list[str] = []
    for person in draft.who_people:
        if person.is_bot:
            problems["who_people"] = InvalidInput(
                "agreement.authorised_bot", field="who_people", name=person.name
            )
            break
        if is_external(person, workspace_id) and person.team_id != party.slack_team:
            problems["who_people"] = InvalidInput(
                "agreement.authorised_outsider", field="who_people", name=person.name
            )
            break
        if person.user_id not in people:
            people.append(person.user_id)
    if not people and "who_people" not in problems:
        problems["who_people"] = InvalidInput("agreement.nobody_authorised", field="who_people")
    channel = (draft.where_channel or "").strip() or None
    if channel is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,30}", channel):
        problems["where_channel"] = InvalidInput("agreement.bad_channel", field="where_channel")
    if problems:
        raise InvalidTerms(problems)
    return Terms(**cleaned, who_people=tuple(people), where_channel=channel)


def pick_party(
    value: str, *, parties: Sequence[Party], offered_teams: Sequence[str], workspace_id: str
) -> PartyPick:
    """The form's party choice: `p:<id>` of a party on record, or `t:<team>` of a Slack team
    the form offered (a mentioned person's organisation not on record yet)."""
    kind, _, raw = value.partition(":")
    if kind == "p" and raw.isascii() and raw.isdigit():
        found = next((p for p in parties if p.id == int(raw)), None)
        if found is not None:
            if not found.slack_team:
                raise InvalidTerms(
                    {
                        "party": InvalidInput(
                            "agreement.party_without_team", field="party", name=found.name
                        )
                    }
                )
            return PartyPick(party=found)
    if kind == "t" and raw in offered_teams and raw != workspace_id:
        return PartyPick(team_id=raw)
    raise InvalidTerms({"party": InvalidInput("agreement.party_unknown", field="party")})
