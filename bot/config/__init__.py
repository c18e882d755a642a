"""The company config file (``parley.toml``): its models, loading, and readable errors.

The package's modules: `models` (`ParleyConfig` and its sections), `checks` (each field's
check and how messages write values), `load` (reading, parsing, `ConfigError`) and `locate`
(the line a key or a TOML error is on). Import from ``bot.config``.

Every section and key is optional; a missing file means "all defaults". A file that does not
parse, or names an unknown section, key or stage, or holds a bad value, raises `ConfigError`
whose message is one line, ``<path>:<line>: <problem>``, so ``serve`` can stop at start
instead of half-applying a config.

Example::

    [calendar]
    timezone = "Asia/Shanghai"
    holidays = "CN"

    [channels]
    dispute_process = "C0123"
    legal = "C0456"
    praise = "C0789"

    [people]
    approvers = ["U0789"]

    [ladder]
    coordination = 3
    multi_party = 5
    company_process = 10
    auto_escalate = false

    [parties."Acme Networks"]
    kind = "supplier"
    slack_team = "T0ACME"
    ladder = { coordination = 2, multi_party = 3 }
"""

from __future__ import annotations

from bot.config.checks import MAX_PARTY_NAME, MAX_STAGE_DAYS
from bot.config.load import (
    CONFIG_ENV_VAR,
    DEFAULT_CONFIG_NAME,
    ConfigError,
    load_config,
    parse_config,
    resolve_config,
)
from bot.config.models import (
    LIMITED_STAGES,
    STAGES,
    CalendarConfig,
    ChannelsConfig,
    I18nConfig,
    LadderConfig,
    ParleyConfig,
    PartyConfig,
    PeopleConfig,
    StageLimits,
)

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_NAME",
    "LIMITED_STAGES",
    "MAX_PARTY_NAME",
    "MAX_STAGE_DAYS",
    "STAGES",
    "CalendarConfig",
    "ChannelsConfig",
    "ConfigError",
    "LadderConfig",
    "ParleyConfig",
    "I18nConfig",
    "PartyConfig",
    "PeopleConfig",
    "StageLimits",
    "load_config",
    "parse_config",
    "resolve_config",
]
