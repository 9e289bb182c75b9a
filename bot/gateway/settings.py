"""Gateway settings, read from the environment (see .env.example)."""
from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

from bot.gateway.helpdesk_users import parse_users

DEFAULT_SECRET = "change-me"     # the example value of older READMEs: refused as SECRET_KEY or password


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
    rasa_timeout_s: float = 10.0                  # RASA_TIMEOUT_S (2.5 s lost a reply on a busy 2-core machine: session 42)
    secret_key: str = ""                          # SECRET_KEY (sessions of the helpdesk); empty: generated
    helpdesk_user: str = "staff"                  # HELPDESK_USER
    helpdesk_password: str = ""                   # HELPDESK_PASSWORD; empty: none with HELPDESK_USERS, else generated
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
    var_dir: str = "var"                          # VAR_DIR: where generated secrets are kept
    trusted_proxies: List[str] = field(default_factory=list)  # TRUSTED_PROXIES: X-Forwarded-For only from these

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        var_dir = env.get("VAR_DIR", defaults.var_dir)
        user, password, users = env.get("HELPDESK_USER", defaults.helpdesk_user), env.get("HELPDESK_PASSWORD", ""), \
            env.get("HELPDESK_USERS", "")
        if not password and not users.strip():
            password = generated(Path(var_dir) / "helpdesk_password", 12,
                                 f"ヘルプデスクのパスワードを作りました。ユーザー名 {user}、パスワード {{secret}}")
        settings = cls(
            env=env.get("APP_ENV", defaults.env),
            rasa_url=env.get("RASA_URL", defaults.rasa_url),
            database_url=env.get("DATABASE_URL", defaults.database_url),
            max_text_chars=int(env.get("MAX_TEXT_CHARS", defaults.max_text_chars)),
            rasa_timeout_s=float(env.get("RASA_TIMEOUT_S", defaults.rasa_timeout_s)),
            secret_key=env.get("SECRET_KEY", "") or generated(Path(var_dir) / "secret_key", 32),
            helpdesk_user=user,
            helpdesk_password=password,
            helpdesk_users=users,
            cookie_secure=_flag(env.get("COOKIE_SECURE", "")),
            session_hours=float(env.get("SESSION_HOURS", defaults.session_hours)),
            line_channel_secret=env.get("LINE_CHANNEL_SECRET", ""),
            line_channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
            line_api_base=env.get("LINE_API_BASE", defaults.line_api_base).rstrip("/"),
            public_base_url=env.get("PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
            cors_origins=_list(env.get("CORS_ORIGINS", "")),
            rate_per_sender=int(env.get("RATE_PER_SENDER", defaults.rate_per_sender)),
            rate_per_ip=int(env.get("RATE_PER_IP", defaults.rate_per_ip)),
            var_dir=var_dir,
            trusted_proxies=_list(env.get("TRUSTED_PROXIES", "")),
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
        """Refuse (in every mode) the documented example secret or password, no secret, or unusable accounts."""
        if DEFAULT_SECRET in (self.secret_key, self.helpdesk_password):
            raise SettingsError(f"SECRET_KEY and HELPDESK_PASSWORD must not be {DEFAULT_SECRET!r}: leave them "
                                f"unset and they are generated into {self.var_dir}/ on the first start")
        if not self.secret_key:
            raise SettingsError("SECRET_KEY is empty")
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
        try:
            [ipaddress.ip_network(proxy, strict=False) for proxy in self.trusted_proxies]
        except ValueError as error:
            raise SettingsError(f"TRUSTED_PROXIES: {error}") from None


def generated(path: Path, length: int, announce: str = "") -> str:
    """The secret kept in `path`; made (random, file mode 0600) on the first call, then `announce` is
    printed once with the secret in place of {secret} — on a terminal only: output written to a log file
    would keep it (session 67's blind trial read the helpdesk password in the service's log), so there
    the announcement names the file instead."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(length)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:                      # another process made it just now
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    if announce and sys.stderr.isatty():
        print(announce.format(secret=secret) + f"\n（{path} に保存しました。この表示は最初の一度だけです。）",
              file=sys.stderr, flush=True)
    elif announce:
        print(announce.format(secret=f"は {path} に保存しました（読めるのはこのユーザーだけです）"), file=sys.stderr, flush=True)
    return secret
