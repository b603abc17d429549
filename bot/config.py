"""Loa's settings: one pydantic-settings class, read from LOA_* variables and a .env file."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import date, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram allows 1-256; guessable below 16


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the LOA_ variable."""


class Settings(BaseSettings):
    """Every setting of Loa. Variables are LOA_<NAME>; see README.md for each one."""

    model_config = SettingsConfigDict(
        env_prefix="LOA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./loa.db"
    telegram_api_url: str = TELEGRAM_API
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_path: str = "/webhook"
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    redis_url: str | None = None
    bot_username: str | None = None  # for t.me links and QR codes without calling getMe
    broadcast_rate: float = Field(default=30.0, gt=0, le=10000)
    broadcast_lease_seconds: float = Field(default=10.0, ge=1)
    broadcast_timeout: float = Field(default=10.0, gt=0)
    bind_code_ttl_minutes: int = Field(default=60 * 24, ge=1)
    # Questions and triage: response-time target in working time, and abuse limits.
    triage_first_response_hours: float = Field(default=4.0, gt=0, le=24 * 30)
    triage_reminder_minutes: int = Field(default=60, ge=0)
    triage_check_minutes: int = Field(default=5, ge=1, le=24 * 60)
    working_hours: str = "07:30-11:30,13:30-17:00"
    working_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    holidays: Annotated[list[date], NoDecode] = Field(default_factory=list)
    triage_max_open: int = Field(default=5, ge=1)
    triage_max_messages_per_hour: int = Field(default=20, ge=1)
    triage_max_photos: int = Field(default=5, ge=0, le=10)
    triage_spam_block_hours: int = Field(default=72, ge=0)
    triage_reopen_days: int = Field(default=7, ge=0)
    # Announcements: quiet hours hold normal notices until morning (local time, may cross
    # midnight); break-glass lets an emergency go out on its author's approval alone.
    quiet_hours: str = "21:00-06:30"
    emergency_break_glass: bool = False
    ack_reminder_hours: int = Field(default=24, ge=0, le=24 * 14)  # 0: no reminders
    short_notice_hours: int = Field(default=72, ge=0)
    event_eve_time: time = time(18, 0)  # the day-before reminder
    event_morning_time: time = time(6, 30)  # the morning-of reminder
    # Indicators (README "Indicators"): the weekly digest (ISO weekday, local time), the daily
    # alerts check and the daily sample of group chat members.
    stats_digest_weekday: int = Field(default=1, ge=1, le=7)
    stats_digest_time: time = time(8, 0)
    stats_alert_time: time = time(8, 15)
    stats_sample_time: time = time(7, 0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Privacy (Law 91/2025/QH15, Decree 356/2025/NĐ-CP). The salt keys the one-way hashes that
    # let abuse limits outlive /forget; unset, it is derived from the bot token (changing the
    # token then resets those limits, nothing else). Retention in days; see README "Privacy".
    privacy_salt: SecretStr | None = None
    retention_question_days: int = Field(default=365, ge=30)
    retention_delivery_days: int = Field(default=90, ge=7)
    retention_search_days: int = Field(default=180, ge=7)
    gaps_per_source_per_day: int = Field(default=5, ge=1)
    gaps_per_day: int = Field(default=200, ge=1)
    # Officials' web dashboard (/dash): sign-in links last minutes, the session cookie hours;
    # the cookie is signed with LOA_DASH_SECRET (unset: derived from the bot token).
    dash_secret: SecretStr | None = None
    dash_link_minutes: int = Field(default=10, ge=1, le=60)
    dash_session_hours: int = Field(default=12, ge=1, le=24 * 30)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected a token from @BotFather such as 123456:ABC-DEF...")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError("expected Telegram user ids separated by commas") from None
        return value

    @field_validator("working_days", "holidays", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        return value

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 7 for d in value):
            raise ValueError("expected ISO weekdays 1 (Monday) to 7 (Sunday), e.g. 1,2,3,4,5")
        return sorted(set(value))

    @field_validator("working_hours")
    @classmethod
    def _hours_shape(cls, value: str) -> str:
        parse_windows(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_shape(cls, value: str) -> str:
        parse_quiet(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("expected sqlite+aiosqlite:///path or postgresql+asyncpg://...")
        return value

    @field_validator("telegram_api_url", "public_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError(
                "16-256 characters: letters, digits, _ and - only (a shorter secret can be "
                "guessed); make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("LOA_WEBHOOK_SECRET: webhook mode (LOA_WEBHOOK_URL) needs a secret")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def working_windows(self) -> list[tuple[time, time]]:
        return parse_windows(self.working_hours)

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        return parse_quiet(self.quiet_hours)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def privacy_key(self) -> bytes:
        """The salt of the pseudonyms: LOA_PRIVACY_SALT, else derived from the bot token."""
        return self._secret_or_derived(self.privacy_salt, b"loa-privacy-salt:")

    @property
    def dash_key(self) -> bytes:
        """The key that signs dashboard cookies: LOA_DASH_SECRET, else derived from the token."""
        return self._secret_or_derived(self.dash_secret, b"loa-dash-cookie:")

    def _secret_or_derived(self, secret: SecretStr | None, label: bytes) -> bytes:
        if secret is not None:
            return secret.get_secret_value().encode()
        token = self.bot_token.get_secret_value() if self.bot_token else ""
        return hashlib.sha256(label + token.encode()).digest()

    def require_token(self) -> str:
        """The bot token, or ConfigError naming LOA_BOT_TOKEN."""
        if self.bot_token is None:
            raise ConfigError("LOA_BOT_TOKEN is not set: get a token from @BotFather and set it")
        return self.bot_token.get_secret_value()


def parse_windows(value: str) -> list[tuple[time, time]]:
    """ "07:30-11:30,13:30-17:00" → ordered, non-overlapping (start, end) pairs."""
    windows = []
    try:
        for part in value.split(","):
            start, end = (time.fromisoformat(t.strip()) for t in part.split("-"))
            windows.append((start, end))
    except ValueError:
        raise ValueError("expected HH:MM-HH:MM periods separated by commas") from None
    windows.sort()
    if any(s >= e for s, e in windows) or any(a[1] > b[0] for a, b in itertools.pairwise(windows)):
        raise ValueError("periods must run forward and must not overlap")
    return windows


def parse_quiet(value: str) -> tuple[time, time] | None:
    """ "21:00-06:30" → (start, end), which may cross midnight; "" or "off" → None."""
    if value.strip().lower() in ("", "off", "none"):
        return None
    try:
        start, end = (time.fromisoformat(t.strip()) for t in value.split("-"))
    except ValueError:
        raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-06:30, or off") from None
    if start == end:
        raise ValueError("start and end must differ")
    return start, end


def load_settings(**overrides: Any) -> Settings:  # Any: pydantic validates each value
    """Build Settings, turning pydantic's report into one readable ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = "_".join(str(p) for p in err["loc"]).upper()
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(msg if msg.startswith("LOA_") else f"LOA_{loc}: {msg}")
        raise ConfigError("; ".join(lines)) from None
