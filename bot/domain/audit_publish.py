"""Publishing a scorecard S-n: who may, what its buttons carry, what the supplier's people
may say on it, and the notices publishing owes.

Pure rules (the scorecard's records are `bot/domain/audits.py`): a draft is published only
once the auditor has rated cooperation; a comment or an appeal is only ever a person's of the
scorecard's own party, placed by Slack's record (never by the channel it was pressed in, nor
by a team id a payload carries); a band-D dimension's improvement action is due in ten working
days, one per dimension and version.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from bot.domain.audits import Band, Dimension, Scorecard, ScorecardStatus
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.marks import N_
from bot.domain.notices import Notice, TellsOwner
from bot.domain.parties import Person

#: Working days an improvement action has, from the press that creates it.
IMPROVEMENT_DAYS: Final = 10
#: What one comment or appeal may say (Slack's modal field allows 3,000 characters).
REMARK_LIMIT: Final = 3000
MAX_NUMBER: Final = 10**9


class RemarkKind(StrEnum):
    """What a supplier's person says on a published scorecard."""

    COMMENT = "comment"
    APPEAL = "appeal"


def parse_number(text: str) -> int:
    """`S-3` (or `s-3`, `3`) → 3; anything else is refused with what was typed."""
    raw = text.strip()
    digits = raw[2:] if raw[:2].upper() == "S-" else raw
    if not (digits.isascii() and digits.isdigit()) or not 0 < len(digits) < 10:
        raise InvalidInput("audit.publish_bad_ref", text=raw)
    number = int(digits)
    if not 0 < number < MAX_NUMBER:
        raise InvalidInput("audit.publish_bad_ref", text=raw)
    return number


def button_value(scorecard: Scorecard) -> str:
    """What the Comment and Appeal buttons carry: the scorecard and the version shown."""
    return f"{scorecard.ref}:v{scorecard.version}"


def parse_button(value: str) -> tuple[int, int]:
    """`S-3:v2` → (3, 2); a forged or mangled value is refused as stale."""
    ref, _, version = value.partition(":v")
    if not (version.isascii() and version.isdigit() and 0 < len(version) < 10):
        raise InvalidInput("audit.stale_button")
    try:
        number = parse_number(ref)
    except InvalidInput:
        raise InvalidInput("audit.stale_button") from None
    return number, int(version)


def action_value(scorecard: Scorecard, dimension: Dimension) -> str:
    """What a band-D dimension's button carries: `S-3:v2:responsiveness`."""
    return f"{button_value(scorecard)}:{dimension.value}"


def parse_action(value: str) -> tuple[int, int, Dimension]:
    head, _, name = value.rpartition(":")
    try:
        dimension = Dimension(name)
    except ValueError:
        raise InvalidInput("audit.stale_button") from None
    number, version = parse_button(head)
    return number, version, dimension


def check_publishable(scorecard: Scorecard) -> None:
    """A draft goes out only with the auditor's rating of the cooperation climate."""
    if not scorecard.is_rated:
        raise InvalidInput("audit.publish_unrated", ref=scorecard.ref)


def check_shown(scorecard: Scorecard | None, number: int, version: int) -> Scorecard:
    """The scorecard a button was pressed on, for a version that was published (the current
    one, or an earlier one while the next is a draft); another scorecard, a draft or a version
    it never had are told alike ("not found")."""
    if scorecard is None or not 0 < version <= scorecard.version:
        raise NotFound("audit.remark_not_found", number=number)
    if version == scorecard.version and scorecard.status is not ScorecardStatus.PUBLISHED:
        raise NotFound("audit.remark_not_found", number=number)  # a draft: never shown
    return scorecard


def check_remarker(scorecard: Scorecard, person: Person) -> None:
    """Only a person of the scorecard's own party comments on it or appeals it (fail closed:
    an insider, a bot, another party's person or a party without a Slack team are refused)."""
    team = scorecard.party.slack_team
    if team is None or person.is_bot or not person.team_id or person.team_id != team:
        raise NotAllowed("audit.remark_not_your_party", ref=scorecard.ref)


def check_remark(text: str | None, kind: RemarkKind) -> str:
    """The form's one field: something to say, within the limit (kept as typed)."""
    said = (text or "").strip()
    appeal = kind is RemarkKind.APPEAL
    if not said:
        if appeal:
            raise InvalidInput("audit.appeal_empty", field="text")
        raise InvalidInput("audit.comment_empty", field="text")
    if len(said) > REMARK_LIMIT:
        if appeal:
            raise InvalidInput(
                "audit.appeal_too_long", field="text", limit=REMARK_LIMIT, length=len(said)
            )
        raise InvalidInput(
            "audit.comment_too_long", field="text", limit=REMARK_LIMIT, length=len(said)
        )
    return said


def dimension_band(score: int | None, bands: dict[Band, float]) -> Band | None:
    """A dimension's own band, by the bounds of the total's bands; None without data."""
    if score is None:
        return None
    for name in (Band.A, Band.B, Band.C):
        if score >= bands[name]:
            return name
    return Band.D


def check_improvable(
    scorecard: Scorecard, version: int, dimension: Dimension, bands: dict[Band, float]
) -> int:
    """The score of a dimension in band D on the version shown (the current one), or why not."""
    if version != scorecard.version:
        raise InvalidInput("audit.action_stale", ref=scorecard.ref, version=scorecard.version)
    found = scorecard.score_of(dimension)
    score = found.score if found is not None else None
    if score is None or dimension_band(score, bands) is not Band.D:
        raise InvalidInput("audit.action_not_band_d", ref=scorecard.ref)
    return score


def improvement_key(scorecard: Scorecard, version: int, dimension: Dimension) -> str:
    """The claim that makes one improvement action per dimension and version."""
    return f"audit.action:{scorecard.workspace_id}:{scorecard.id}:v{version}:{dimension.value}"


# --- what publishing owes Slack ----------------------------------------------------------------


class ScorecardNotice(TellsOwner, Notice):
    """About one scorecard, for its owner if it cannot be delivered. One lane per scorecard,
    so a version's post comes before its chart, and version 1's before version 2's."""

    number: int
    version: int

    @property
    def lane(self) -> str:
        return f"audit:{self.number}"


class ScorecardPublished(ScorecardNotice, kind="audit.published"):
    """A version to post in one channel: internally (`party` False) or in the supplier's
    own shared channel (`party` True: its copy, with Comment and Appeal, no notes)."""

    channel_id: str
    party: bool = False


class ScorecardChart(ScorecardNotice, kind="audit.chart"):
    """The version's radar chart, uploaded once into the thread of its post in a channel."""

    channel_id: str
    party: bool = False
    thread_ts: str


class ScorecardAppealed(ScorecardNotice, kind="audit.appealed"):
    """An appeal recorded: the scorecard's owner told by DM, with the appeal's words."""

    appeal_id: int
    appealed_by: str


class ScorecardRemarked(ScorecardNotice, kind="audit.remarked"):
    """A comment or an appeal recorded: the supplier's person who made it thanked by DM, in
    their language (a form closes without a word). `owner_id` is empty: nobody is told if
    the thanks cannot be delivered."""

    user_id: str
    remark: RemarkKind


class ScorecardImprovement(ScorecardNotice, kind="audit.improvement"):
    """A band-D dimension's improvement action made: its owner (the scorecard's) told by DM,
    unless they made it themselves."""

    action_number: int
    dimension: str
    created_by: str


def published_notices(
    scorecard: Scorecard, *, internal_channel: str, party_channel: str | None
) -> list[ScorecardPublished]:
    """What publishing the current version owes: its internal post, and its supplier's copy."""
    common = {
        "workspace_id": scorecard.workspace_id,
        "owner_id": scorecard.owner_id,
        "what": N_("the scorecard {ref}"),
        "what_facts": {"ref": scorecard.ref},
        "number": scorecard.number,
        "version": scorecard.version,
    }
    owed = [ScorecardPublished(channel_id=internal_channel, party=False, **common)]
    if party_channel is not None:
        owed.append(ScorecardPublished(channel_id=party_channel, party=True, **common))
    return owed
