"""Settings from the environment (and a `.env` file): exactly the variables of the contract."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """A setting that stops start-up; `str()` is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_API_URL: str = DEFAULT_API_URL
    DATABASE_URL: str = "sqlite:///parley.db"
    PORT: int = Field(default=3000, ge=1, le=65535)
    PARLEY_CONFIG: str | None = None
    # How long a request may keep retrying Slack's 429s and 5xx (bot/retry.py).
    PARLEY_SLACK_RETRY_SECONDS: float = Field(default=60.0, ge=0, le=600)
    # The outbox's pace is Slack's published limits times this (bot/commands/pacing.py):
    # above 1 for limits Slack raised for the app, or a stand-in that allows more.
    PARLEY_SLACK_PACE: float = Field(default=1.0, gt=0, le=1000)
    # Operations: logs, the PostgreSQL pool, SQLite's durability (README, "Settings").
    PARLEY_LOG_FORMAT: Literal["text", "json"] = "text"
    PARLEY_LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    PARLEY_DB_POOL_SIZE: int = Field(default=10, ge=1, le=200)
    PARLEY_SQLITE_SYNC: Literal["normal", "full"] = "normal"

    @field_validator("SLACK_API_URL")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL: without the slash "/api" is dropped.
        value = value.strip() or DEFAULT_API_URL
        return value if value.endswith("/") else value + "/"

    @field_validator("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PARLEY_CONFIG")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("PARLEY_LOG_FORMAT", "PARLEY_LOG_LEVEL", "PARLEY_SQLITE_SYNC", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        # `json`, `JSON`, ` Json `: one meaning; blank is the default.
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return cls.model_fields[str(info.field_name)].default
        return value.upper() if info.field_name == "PARLEY_LOG_LEVEL" else value.lower()

    @property
    def socket_mode(self) -> bool:
        return self.SLACK_APP_TOKEN is not None

    def require_serving_secrets(self) -> None:
        """Raise SettingsError naming the first variable that serving needs and lacks."""
        if self.SLACK_BOT_TOKEN is None:
            raise SettingsError("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…)")
        if not self.SLACK_BOT_TOKEN.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if self.socket_mode:
            assert self.SLACK_APP_TOKEN is not None
            if not self.SLACK_APP_TOKEN.startswith("xapp-"):
                raise SettingsError(
                    "SLACK_APP_TOKEN must be an app-level token starting with xapp-"
                )
        elif self.SLACK_SIGNING_SECRET is None:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's signing secret "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )


def load_settings() -> Settings:
    """Read settings; a malformed value becomes one SettingsError line."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise SettingsError(f"{name}: {first['msg']}") from None
