"""Gateway settings, read from the environment (see .env.example)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List

from bot.gateway.helpdesk_users import parse_users

DEFAULT_SECRET = "change-me"


class SettingsError(RuntimeError):
    """The settings are unsafe or inconsistent."""


def _list(value: str) -> List[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    env: str = "development"                      # APP_ENV: development | production
    rasa_url: str = "http://127.0.0.1:5005"       # RASA_URL; several Rasa workers: comma-separated
    database_url: str = "sqlite:///var/mynasupport.db"  # DATABASE_URL (postgresql+psycopg://… works)
    max_text_chars: int = 1000                    # MAX_TEXT_CHARS
    rasa_timeout_s: float = 2.5                   # RASA_TIMEOUT_S
    secret_key: str = DEFAULT_SECRET              # SECRET_KEY (sessions of the helpdesk)
    helpdesk_user: str = "staff"                  # HELPDESK_USER
    helpdesk_password: str = DEFAULT_SECRET       # HELPDESK_PASSWORD (empty: no such account)
    helpdesk_users: str = ""                      # HELPDESK_USERS: name:scrypt-hash,… (bot/gateway/helpdesk_users.py)
    cookie_secure: bool = False                   # COOKIE_SECURE: helpdesk cookie only over HTTPS
    session_hours: float = 8                      # SESSION_HOURS: staff log in again after this
    line_channel_secret: str = ""                 # LINE_CHANNEL_SECRET
    line_channel_access_token: str = ""           # LINE_CHANNEL_ACCESS_TOKEN
    line_api_base: str = "https://api.line.me"    # LINE_API_BASE (a local fake in tests)
    public_base_url: str = "http://127.0.0.1:8000"  # PUBLIC_BASE_URL (links sent to LINE users)
    cors_origins: List[str] = field(default_factory=list)  # CORS_ORIGINS, comma-separated
    rate_per_sender: int = 20                     # RATE_PER_SENDER: chat messages a minute per sender
    rate_per_ip: int = 120                        # RATE_PER_IP: POSTs a minute per client address

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        settings = cls(
            env=env.get("APP_ENV", defaults.env),
            rasa_url=env.get("RASA_URL", defaults.rasa_url),
            database_url=env.get("DATABASE_URL", defaults.database_url),
            max_text_chars=int(env.get("MAX_TEXT_CHARS", defaults.max_text_chars)),
            rasa_timeout_s=float(env.get("RASA_TIMEOUT_S", defaults.rasa_timeout_s)),
            secret_key=env.get("SECRET_KEY", defaults.secret_key),
            helpdesk_user=env.get("HELPDESK_USER", defaults.helpdesk_user),
            helpdesk_password=env.get("HELPDESK_PASSWORD", defaults.helpdesk_password),
            helpdesk_users=env.get("HELPDESK_USERS", ""),
            cookie_secure=_flag(env.get("COOKIE_SECURE", "")),
            session_hours=float(env.get("SESSION_HOURS", defaults.session_hours)),
            line_channel_secret=env.get("LINE_CHANNEL_SECRET", ""),
            line_channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
            line_api_base=env.get("LINE_API_BASE", defaults.line_api_base).rstrip("/"),
            public_base_url=env.get("PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
            cors_origins=_list(env.get("CORS_ORIGINS", "")),
            rate_per_sender=int(env.get("RATE_PER_SENDER", defaults.rate_per_sender)),
            rate_per_ip=int(env.get("RATE_PER_IP", defaults.rate_per_ip)),
        )
        settings.check()
        return settings

    @property
    def rasa_urls(self) -> List[str]:
        """The Rasa workers; they share one tracker store, so any of them can continue a conversation."""
        return [url.rstrip("/") for url in _list(self.rasa_url)]

    @property
    def production(self) -> bool:
        return self.env == "production"

    def check(self) -> None:
        """Refuse to run in production with a default secret or password, or with unusable accounts."""
        if self.production and DEFAULT_SECRET in (self.secret_key, self.helpdesk_password):
            raise SettingsError("APP_ENV=production needs SECRET_KEY and HELPDESK_PASSWORD set (not the default; "
                                "HELPDESK_PASSWORD may be empty when HELPDESK_USERS is set)")
        try:
            users = parse_users(self.helpdesk_users)
        except ValueError as error:
            raise SettingsError(str(error)) from None
        if not users and not self.helpdesk_password:
            raise SettingsError("the helpdesk needs HELPDESK_PASSWORD or HELPDESK_USERS")
        if not 0 < self.session_hours <= 24 * 30:
            raise SettingsError("SESSION_HOURS must be more than 0 and at most 720")
        if not self.rasa_urls:
            raise SettingsError("RASA_URL must name at least one Rasa server")
