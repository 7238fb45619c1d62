"""Settings from the environment (prefix FOUI_) and an optional .env file.

Nothing is read at import time: call ``get_settings()`` (cached) or ``load_settings()``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./foui.db"
DEFAULT_REMINDER_DAYS = (14, 3, 1)


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


# What a person (or FOUI_QUIET_HOURS) writes for "no quiet hours": an empty .env value means "not set".
NO_QUIET_HOURS = frozenset({"", "ingen", "none", "av", "-"})


def parse_quiet_hours(value: str) -> tuple[int, int] | None:
    """'21-07' -> (21, 7); '' or 'ingen' -> None. Raises ValueError on anything else."""
    value = value.strip()
    if value.casefold() in NO_QUIET_HOURS:
        return None
    parts = value.replace("–", "-").split("-")
    if len(parts) != 2:
        raise ValueError("skriv stille timer som 'FRA-TIL', for eksempel 21-07, eller tomt for ingen")
    try:
        start, end = (int(p.strip().split(":")[0]) for p in parts)
    except ValueError as exc:
        raise ValueError("stille timer må være hele timer, for eksempel 21-07") from exc
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise ValueError("stille timer må være to ulike timer mellom 0 og 23, for eksempel 21-07")
    return start, end


class Settings(BaseSettings):
    """All configuration of FoUI-boten. See .env.example for every variable.

    An empty value (``FOUI_GROUP_CHAT_ID=`` in a copied ``.env.example``) means "not set": the default
    applies. Only FOUI_BOT_TOKEN is needed to run against Telegram.
    """

    model_config = SettingsConfigDict(
        env_prefix="FOUI_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/Oslo"
    # The groups' language until an admin or coordinator picks another with /sprak: nb, nn or en.
    language: Literal["nb", "nn", "en"] = "nb"
    coordinator_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    group_chat_id: int | None = None
    sources_file: Path | None = None
    log_level: str = "INFO"
    # The one-time code for /oppsett in the group; empty: the bot makes one and prints it on first start.
    setup_code: SecretStr | None = None

    webhook_url: str | None = None
    # The bot's public base address (https://...): set it to offer calendar subscriptions.
    public_url: str | None = None
    webhook_secret: SecretStr | None = None
    # The one HTTP server: /healthz, /metrics, the webhook and mounted routes (0: no server).
    http_listen: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    quiet_hours: str = "21-07"
    reminder_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: list(DEFAULT_REMINDER_DAYS))
    digest_hour: int = Field(default=8, ge=0, le=23)
    frister_default_days: int = Field(default=60, ge=1, le=3650)

    send_rate_global: float = Field(default=25.0, gt=0)
    send_rate_private_per_second: float = Field(default=1.0, gt=0)
    send_rate_group_per_minute: float = Field(default=18.0, gt=0)
    send_max_attempts: int = Field(default=8, ge=1)
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    outbox_claim_timeout_seconds: float = Field(default=120.0, gt=0)
    outbox_retention_days: int = Field(default=30, ge=1)  # sent/failed/cancelled rows (keys are kept)
    audit_retention_days: int = Field(default=365, ge=1)

    http_timeout_seconds: float = Field(default=20.0, gt=0)
    http_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    http_user_agent: str = "FoUI-boten/0.1 (+https://github.com/foui-trondelag/foui-bot)"
    http_per_host_concurrency: int = Field(default=2, ge=1)
    default_poll_minutes: float = Field(default=60.0, gt=0)
    sources_allow_private_urls: bool = False  # sources may reach localhost and private addresses
    poll_workers: int = Field(default=4, ge=1, le=64)  # sources polled at the same time
    poll_budget_seconds: float = Field(
        default=120.0, gt=0, le=600
    )  # one source's poll, call pages included; under the lease's 15 min

    admin_cache_seconds: int = Field(default=300, ge=0)

    municipalities: Annotated[list[str], NoDecode] = Field(default_factory=list)
    municipalities_file: Path | None = None
    region: str = "trondelag"  # FOUI_REGION: a preset of municipalities and sources (bot.region.presets)

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _coordinators(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _reminders(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("reminder_days")
    @classmethod
    def _reminders_range(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 365 for day in value):
            raise ValueError("påminnelser må være dager mellom 0 og 365, for eksempel 14,3,1")
        return sorted(set(value), reverse=True)

    @field_validator("municipalities", mode="before")
    @classmethod
    def _municipalities(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator(
        "bot_token",
        "telegram_file_url",
        "group_chat_id",
        "sources_file",
        "webhook_url",
        "webhook_secret",
        "municipalities_file",
        "setup_code",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """A blank value (also given directly, or only spaces) is "not set", never Path(".") or 0."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("municipalities", "municipalities_file")
    @classmethod
    def _municipality_list(cls, value: Any) -> Any:
        from bot.region.municipalities import check_setting

        return check_setting(value)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        from bot.region.presets import region

        return region(value).key

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        value = (value or "").strip().rstrip("/")
        if not value:
            return None
        if not value.startswith(("https://", "http://")) or "://" == value[-3:] or " " in value:
            raise ValueError("skriv den offentlige adressen som https://bot.eksempel.no")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"ukjent tidssone {value!r}; bruk for eksempel Europe/Oslo") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("bruk DEBUG, INFO, WARNING eller ERROR")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgres://")
        elif value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        elif value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError(
                "bruk sqlite+aiosqlite:///sti/til/fil.db eller postgresql+asyncpg://bruker@vert/db"
            )
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not (value.startswith("http://") or value.startswith("https://")):
            raise ValueError("må begynne med http:// eller https://")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        return "" if parse_quiet_hours(value) is None else value.strip()

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.telegram_api_url:
            self.telegram_api_url = "https://api.telegram.org/bot"
        return self

    @model_validator(mode="after")
    def _webhook(self) -> Settings:
        """A webhook is https and has a secret: Telegram sends it in every call, and we check it."""
        if self.webhook_url:
            if not self.webhook_url.startswith("https://"):
                raise ValueError("FOUI_WEBHOOK_URL må begynne med https:// (Telegram krever det)")
            if self.webhook_secret is None or not self.webhook_secret.get_secret_value().strip():
                raise ValueError("FOUI_WEBHOOK_SECRET må settes når FOUI_WEBHOOK_URL er satt")
            if self.http_port == 0:
                raise ValueError("FOUI_HTTP_PORT kan ikke være 0 når FOUI_WEBHOOK_URL er satt")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[int, int] | None:
        return parse_quiet_hours(self.quiet_hours)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def token(self) -> str | None:
        """The bot token in clear text, for the one place that needs it."""
        return self.bot_token.get_secret_value() if self.bot_token else None


class SettingsError(Exception):
    """Invalid configuration; ``lines`` has one readable line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def format_validation_error(error: ValidationError) -> list[str]:
    lines = []
    for err in error.errors():
        message = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"]:  # a check of several settings together names them in its message
            lines.append(f"Ugyldig innstilling: {message}")
            continue
        field = str(err["loc"][0])
        lines.append(f"Ugyldig innstilling FOUI_{field.upper()}: {message}")
    return lines


def load_settings(**overrides: Any) -> Settings:
    """Build settings; raise SettingsError with one line per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(format_validation_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
