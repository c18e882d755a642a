"""The config file's models: `ParleyConfig` and its sections, as read from ``parley.toml``.

Config holds only the numbers and names read from the file; what they mean for a dispute
(a stage's limit, that legal has none) is the ladder's rule, `bot.domain.ladder.limit_of`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.audits import AuditsConfig
from bot.config.checks import (
    CooldownDays,
    OptionalChannelId,
    OptionalHolidayCalendar,
    OptionalStageDays,
    OptionalTeamId,
    PartyName,
    Questions,
    Share,
    StageDays,
    TimeZoneName,
    UserId,
    problem,
    quote,
    show,
)
from bot.config.contracts import (
    ContractConfig,
    ContractsConfig,
    ServiceConfig,
    ServiceName,
    check_services,
    contracts_of,
    services_of,
    unique_services,
)
from bot.domain import ladder as ladder_rules
from bot.domain.contracts import Contract, Service
from bot.domain.ladder import Stage
from bot.domain.names import lookalike_of

__all__ = [
    "LIMITED_STAGES",
    "AuditsConfig",
    "STAGES",
    "UNLIMITED_STAGES",
    "CalendarConfig",
    "ChannelsConfig",
    "ComplaintLimits",
    "ComplaintsConfig",
    "SurveysConfig",
    "LadderConfig",
    "ParleyConfig",
    "PartyConfig",
    "PeopleConfig",
    "StageLimits",
]

#: The dispute ladder's stage names, in order (`bot.domain.ladder.Stage`).
STAGES: Final = tuple(stage.value for stage in Stage)
#: The stages with a time limit, the only ones a ``ladder`` table may name.
LIMITED_STAGES: Final = tuple(stage.value for stage in ladder_rules.LIMITED_STAGES)
#: The stages without one.
UNLIMITED_STAGES: Final = tuple(
    stage.value for stage in Stage if stage in ladder_rules.NO_TIME_LIMIT
)


class CalendarConfig(BaseModel):
    """Working-day calendar: the default time zone and the public-holiday calendar."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    #: IANA zone for people whose Slack profile has none.
    timezone: TimeZoneName = "UTC"
    #: Country code of a `holidays` calendar (with its adjusted working days); None = Mon-Fri.
    holidays: OptionalHolidayCalendar = None

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


class ChannelsConfig(BaseModel):
    """Channels told when a dispute reaches a stage, and where praise is posted; None =
    nobody is told (praise is recorded all the same)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    dispute_process: OptionalChannelId = None
    legal: OptionalChannelId = None
    #: The internal channel where each praise P-n is posted.
    praise: OptionalChannelId = None
    #: Told when a complaint is escalated.
    complaints: OptionalChannelId = None


class PeopleConfig(BaseModel):
    """Named people: approvers may escalate a dispute to legal."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    approvers: list[UserId] = Field(default_factory=list)


class StageLimits(BaseModel):
    """Per-party stage limits in working days; None = use the company default.

    ``legal`` is not a field: it has no time limit, so naming it is an error.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    coordination: OptionalStageDays = None
    multi_party: OptionalStageDays = None
    company_process: OptionalStageDays = None

    @property
    def limits(self) -> dict[Stage, int | None]:
        """The agreed limits by stage, for `bot.domain.ladder.limit_of`."""
        return {stage: getattr(self, stage.value) for stage in ladder_rules.LIMITED_STAGES}


class LadderConfig(BaseModel):
    """Company-wide stage limits in working days, and whether to escalate automatically."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    coordination: StageDays = 3
    multi_party: StageDays = 5
    company_process: StageDays = 10
    auto_escalate: bool = False

    @property
    def limits(self) -> dict[Stage, int]:
        """The company's limits by stage, for `bot.domain.ladder.limit_of`."""
        return {stage: getattr(self, stage.value) for stage in ladder_rules.LIMITED_STAGES}


class ComplaintsConfig(BaseModel):
    """A complaint's clocks in working days: its first answer, its resolution, and how long
    the complainant's party has to confirm a resolution before silence closes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    respond_within: StageDays = 1
    resolve_within: StageDays = 5
    confirm_within: StageDays = 3


SurveyCase = Literal["complaint", "dispute"]

DEFAULT_QUESTIONS: Final = (
    "Quality of service",
    "Responsiveness",
    "Attitude",
    "Communication",
    "Overall",
)


class SurveysConfig(BaseModel):
    """Satisfaction surveys: which closed cases are followed by a one-question survey (and
    what share of them, and how often one person may be asked), and the periodic
    questionnaire with the working days it stays open."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    after: tuple[SurveyCase, ...] = ("complaint", "dispute")
    sample: Share = 1.0
    cooldown_days: CooldownDays = 30
    questions: Questions = DEFAULT_QUESTIONS
    open_for: StageDays = 5

    @field_validator("after", mode="before")
    @classmethod
    def _after_is_a_list(cls, value: object) -> object:
        if not isinstance(value, list | tuple):
            raise problem(f'must be an array of "complaint" and "dispute" (got {show(value)})')
        return tuple(value)


class ComplaintLimits(BaseModel):
    """A party's agreed complaint clocks; None = the company's."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    respond_within: OptionalStageDays = None
    resolve_within: OptionalStageDays = None


Locale = Literal["en", "zh-CN"]


class I18nConfig(BaseModel):
    """The language of posts in channels that are no party's (internal ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    locale: Locale = "en"


class PartyConfig(BaseModel):
    """What was agreed in advance with one party."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: Literal["customer", "supplier", "third_party"]
    #: The party's Slack Connect team id.
    slack_team: OptionalTeamId = None
    ladder: StageLimits = Field(default_factory=StageLimits)
    #: The complaint clocks agreed with the party (a customer).
    complaints: ComplaintLimits = Field(default_factory=ComplaintLimits)
    #: The language of posts in the party's shared channels (else `[i18n] locale`).
    locale: Locale | None = None
    #: The support contract the party (a supplier) signed with us.
    contract: ContractConfig | None = None


class ParleyConfig(BaseModel):
    """The whole config file. ``ParleyConfig()`` is the all-defaults config."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    people: PeopleConfig = Field(default_factory=PeopleConfig)
    ladder: LadderConfig = Field(default_factory=LadderConfig)
    parties: dict[PartyName, PartyConfig] = Field(default_factory=dict)
    i18n: I18nConfig = Field(default_factory=I18nConfig)
    complaints: ComplaintsConfig = Field(default_factory=ComplaintsConfig)
    surveys: SurveysConfig = Field(default_factory=SurveysConfig)
    contracts: ContractsConfig = Field(default_factory=ContractsConfig)
    services: dict[ServiceName, ServiceConfig] = Field(default_factory=dict)
    audits: AuditsConfig = Field(default_factory=AuditsConfig)

    @field_validator("services", mode="before")
    @classmethod
    def _services_unique_as_people_read_them(cls, value: object) -> object:
        return unique_services(value)

    @model_validator(mode="after")
    def _services_name_parties_of_their_kind(self) -> ParleyConfig:
        check_services(self.parties, self.services)
        return self

    @property
    def support_contracts(self) -> dict[str, Contract]:
        """The suppliers' support contracts, by party name."""
        return contracts_of(self.parties)

    @property
    def customer_services(self) -> list[Service]:
        """The services we provide customers, with their SLAs, in file order."""
        return services_of(self.services)

    @field_validator("parties", mode="before")
    @classmethod
    def _names_unique_as_people_read_them(cls, value: object) -> object:
        if isinstance(value, Mapping):
            seen: list[str] = []
            for raw in value:
                if not isinstance(raw, str):
                    continue
                first = lookalike_of(raw, seen)
                if first is not None:
                    raise problem(
                        f"party {quote(raw)} is the same name as {quote(first)} once spaces, "
                        "case, width and letters that look alike (such as a Cyrillic А for a "
                        "Latin A) are set aside",
                        at=("parties", raw),
                    )
                seen.append(raw)
        return value

    @field_validator("parties", mode="after")
    @classmethod
    def _teams_unique(cls, value: dict[str, PartyConfig]) -> dict[str, PartyConfig]:
        owners: dict[str, str] = {}
        for name, party in value.items():
            if party.slack_team is None:
                continue
            owner = owners.setdefault(party.slack_team, name)
            if owner != name:
                raise problem(
                    f"{quote(party.slack_team)} is already the Slack team of party "
                    f"{quote(owner)}; a team can belong to only one party",
                    at=("parties", name, "slack_team"),
                )
        return value

    def stage_limit(self, stage: str, party: str | None = None) -> int | None:
        """Working days allowed in `stage` for `party` by the ladder's rule (`limit_of`):
        what was agreed with the party, else the company's limit.

        ``legal`` has no limit (None). A party that is not configured gets the defaults.
        Raises ValueError for a name that is not a stage.
        """
        try:
            rung = Stage(stage)
        except ValueError:
            raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}") from None
        return ladder_rules.limit_of(rung, self.ladder.limits, [self.agreed_limits(party)])

    def agreed_limits(self, party: str | None) -> dict[Stage, int | None]:
        """The stage limits agreed with `party`; none for no party or one not configured."""
        config = self.parties.get(party) if party is not None else None
        return {} if config is None else config.ladder.limits

    def complaint_limits(self, party: str | None) -> tuple[int, int]:
        """(respond within, resolve within) in working days for a complaint of `party`: what
        was agreed with it, else the company's."""
        agreed = self.parties.get(party) if party is not None else None
        respond, resolve = self.complaints.respond_within, self.complaints.resolve_within
        if agreed is not None:
            respond = agreed.complaints.respond_within or respond
            resolve = agreed.complaints.resolve_within or resolve
        return respond, resolve

    def party_for_team(self, team_id: str) -> str | None:
        """The configured party whose Slack Connect team is `team_id`, if any."""
        for name, party in self.parties.items():
            if party.slack_team == team_id:
                return name
        return None


def _stage_fields(model: type[BaseModel], others: tuple[str, ...] = ()) -> None:
    """A ladder table's keys are the ladder's limited stages: refuse to start if they drift."""
    names = tuple(name for name in model.model_fields if name not in others)
    if names != LIMITED_STAGES:
        raise TypeError(f"{model.__name__} names {names}, not the limited stages {LIMITED_STAGES}")


_stage_fields(StageLimits)
_stage_fields(LadderConfig, others=("auto_escalate",))
