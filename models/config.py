"""Settings, read once from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Fixed by the client: every date the bot shows or counts is a Japan date.
TOKYO = ZoneInfo("Asia/Tokyo")

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/intake.db"
DEFAULT_DEMO_DATABASE_URL = "sqlite+aiosqlite:///./data/demo.db"


class Settings(BaseSettings):
    """Everything an operator can set; see README 'Configuration'."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # `intake demo` never touches the real database: its made-up people and events live here.
    demo_database_url: str = DEFAULT_DEMO_DATABASE_URL
    bot_username: str | None = None  # for invite links printed by the CLI (the bot itself asks Telegram)
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    # 「定期的に」 on indicator 1-1 is not defined by the sheet: an area counts once it had this many meetings.
    regular_meeting_threshold: int = Field(default=1, ge=1, le=52)
    # Load the synthetic sample area master when the area table is empty: the demo's database, or when asked
    # (`intake migrate --sample-areas`). Never by default: fake areas would count in a real city's denominators.
    load_sample_areas: bool = False
    # Entries for a month close this many business days after it ends (DHIS2's "expiry days").
    lock_business_days: int = Field(default=5, ge=0, le=30)
    # /undo voids the last entry only within this many minutes; older ones go through /mine.
    undo_minutes: int = Field(default=10, ge=1, le=120)
    # How often conversation states and drafts are written to the database (seconds).
    persistence_interval: float = Field(default=1.0, gt=0, le=60)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line, for log collectors

    # Production (see README "Deployment")
    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None  # the public https URL Telegram posts to (behind the reverse proxy)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = None  # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token
    webhook_health_path: str = "healthz"  # GET: 200 while the bot runs (for the reverse proxy's health check)
    # The dashboard (a Telegram Mini App, docs/dashboard.md): the public https address of its page, e.g.
    # https://bot.example.jp/app/ (unset: no dashboard). Polling mode serves it on WEBAPP_LISTEN:WEBAPP_PORT;
    # webhook mode on the webhook's own port.
    webapp_url: str | None = None
    webapp_listen: str = "127.0.0.1"
    webapp_port: int = Field(default=8081, ge=1, le=65535)
    webapp_auth_max_age: int = Field(default=3600, ge=60, le=86400)  # seconds an init data stays valid
    webapp_cache_seconds: int = Field(default=30, ge=0, le=3600)  # a supervisors' dashboard answer is kept this long
    # Start-up tries to reach Telegram this many times, with backoff (2 s doubling to 60 s); 0: until it answers.
    telegram_start_attempts: int = Field(default=20, ge=0, le=1000)
    # Outbound proxy for the Bot API (http://proxy.example.jp:8080); HTTPS_PROXY in the environment works too.
    telegram_proxy: str | None = None
    db_pool_size: int = Field(default=5, ge=1, le=50)  # PostgreSQL connections kept open
    db_max_overflow: int = Field(default=5, ge=0, le=50)
    # Worker processes building workbooks and charts, away from the bot's event loop (bot/render_pool.py).
    render_workers: int = Field(default=1, ge=1, le=4)
    note_retention_months: int = Field(default=24, ge=0, le=120)  # notes are purged after this; 0 keeps them

    # Reminders and the monthly push (reminders/)
    reminder_time: time = time(9, 30)  # Japan time, on reminder days and push days
    reminder_business_days_before: int = Field(default=3, ge=0, le=10)  # before the month's last business day
    catch_up_until: time = time(17, 0)  # a run missed while the bot was down is made up until this time

    # Follow-ups (models/followups.py)
    followup_quiet_days: int = Field(default=30, ge=1, le=365)  # a planned household with no entry this long is marked
    long_leave_days: int = Field(default=14, ge=1, le=365)  # leave this long: the ward supervisor is asked to hand over

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """The bot's drivers are asyncpg and aiosqlite: a plain postgresql:// or sqlite:// URL is refused by name."""
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme in ("postgresql", "postgres") or (
            scheme.startswith("postgresql+") and scheme != "postgresql+asyncpg"
        ):
            raise ValueError(f"use postgresql+asyncpg:// (the bot's driver), not {scheme}://")
        if scheme == "sqlite" or (scheme.startswith("sqlite+") and scheme != "sqlite+aiosqlite"):
            raise ValueError(f"use sqlite+aiosqlite:// (the bot's driver), not {scheme}://")
        if scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
            raise ValueError("must start with postgresql+asyncpg:// or sqlite+aiosqlite://")
        return value

    def for_demo(self) -> Settings:
        """The same settings pointed at the demo database (`intake demo`, `intake totals --demo`)."""
        return self.model_copy(update={"database_url": self.demo_database_url, "load_sample_areas": True})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings`)."""
    return Settings()
