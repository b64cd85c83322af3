"""Configuration: safe defaults, then RESETLAB_* from the environment, then explicit overrides (tests).

Every setting has a default here; `RESETLAB_<NAME>` sets `<NAME>` (Flask's `from_prefixed_env`: values
that read as JSON, like `true` or `4`, become that type). An unknown `RESETLAB_<NAME>` stops the start-up
with the closest known name, so a typo never silently falls back to a default. No secrets in code.
"""

from __future__ import annotations

import difflib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Config, Flask

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": "",  # also read from plain DATABASE_URL; empty: SQLite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "LESSONS_DIR": str(ROOT / "lessons"),
    "QUIZZES_DIR": str(ROOT / "quizzes"),
    "CONTENT_ROOT": str(ROOT),
    "CONTENT_RULES": {},
    "CONTENT_STRICT": False,  # true: the app refuses to start on any content warning (lint included)
    "INSTRUCTOR_SIGNUP_CODE": "",
    "SECURE_COOKIES": False,
    "PROXY_FIX": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "PASSWORD_HASH_MEMORY_KIB": 65536,
    "RATELIMIT_ENABLED": True,  # explicit: the limiter object is shared by every app in a process
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "resetlab",
    "PUBLIC_URL": "",  # e.g. https://resetlab.example.org: links in emails and from the CLI
    "SMTP_HOST": "",  # empty: no email; learners ask their instructor for a reset link
    "SMTP_PORT": 587,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_SENDER": "",
    "SMTP_SECURITY": "starttls",  # starttls | tls | none
    "SMTP_TIMEOUT": 10,
    "RESET_TOKEN_HOURS": 1,
    "INSTRUCTOR_RESET_TOKEN_HOURS": 72,
    "HSTS_SECONDS": 31536000,
    "DB_RETRY_AFTER_SECONDS": 30,
    "LTI_EMBED": False,  # true: LTI sessions get SameSite=None; Secure; Partitioned cookies (needs HTTPS)
    "LTI_KEY_PASSPHRASE": "",  # encrypts the tool's private keys in the database when set
    "LTI_SEND_EVERY": 30,  # seconds between looks at the LMS score outbox after requests (0: only new scores)
}

# Settings of Flask's extensions that RESETLAB_* may also set (besides DEFAULTS and Flask's own).
EXTENSION_SETTINGS = frozenset({
    "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ECHO", "SQLALCHEMY_RECORD_QUERIES",
    "RATELIMIT_STRATEGY", "RATELIMIT_STORAGE_OPTIONS", "RATELIMIT_SWALLOW_ERRORS",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "RATELIMIT_HEADERS_ENABLED",
    "WTF_CSRF_ENABLED", "WTF_CSRF_SSL_STRICT", "REMEMBER_COOKIE_DURATION", "REMEMBER_COOKIE_SECURE",
})
SMTP_SECURITY = ("starttls", "tls", "none")


class ConfigError(ValueError):
    """A setting the app does not know, or a value it cannot use: start-up stops and says which."""


def known_settings() -> frozenset[str]:
    """Every name RESETLAB_<NAME> may set."""
    return frozenset(DEFAULTS) | frozenset(Flask.default_config) | EXTENSION_SETTINGS


def unknown_settings(environ: dict[str, str]) -> list[str]:
    """One message per RESETLAB_* variable that names no setting, with the closest known name."""
    known = known_settings()
    problems = []
    for variable in sorted(environ):
        if not variable.startswith("RESETLAB_"):
            continue
        name = variable.removeprefix("RESETLAB_").split("__", 1)[0]
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean RESETLAB_{close[0]}?" if close else ""
        problems.append(f"unknown setting {variable}{hint}")
    return problems


def _secret_key(instance: Path) -> str:
    """A per-install random key kept in the instance folder when none is configured."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def database_uri(url: str, instance: Path) -> str:
    """The SQLAlchemy URL for a configured database URL (psycopg 3 for PostgreSQL), else SQLite."""
    for old in ("postgres://", "postgresql://"):  # Heroku-style and plain URLs name no driver
        if url.startswith(old):
            return "postgresql+psycopg://" + url.removeprefix(old)
    return url or f"sqlite:///{instance / 'resetlab.sqlite'}"


def load_config(instance: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then RESETLAB_* from the environment, then explicit overrides; derived settings last.

    Raises ConfigError on an unknown RESETLAB_* variable or an unusable value.
    """
    problems = unknown_settings(dict(os.environ))
    if problems:
        raise ConfigError("Reset Lab cannot start: " + "; ".join(problems))
    config = Config(str(ROOT), DEFAULTS)
    config.from_prefixed_env("RESETLAB")
    for key, default in DEFAULTS.items():  # a JSON-looking value ("12345") stays text where text is meant
        if isinstance(default, str) and not isinstance(config[key], str):
            config[key] = str(config[key])
    config.update(overrides or {})
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = os.environ.get("DATABASE_URL", "")
    config.setdefault("SQLALCHEMY_DATABASE_URI", database_uri(config["DATABASE_URL"], instance))
    if config["SECURE_COOKIES"]:
        config.setdefault("SESSION_COOKIE_SECURE", True)
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(instance)
    _check_values(config)
    return config


def _check_values(config: Config) -> None:
    """Refuse combinations that would fail later, at the worst moment (a reset email with no link)."""
    if config["SMTP_SECURITY"] not in SMTP_SECURITY:
        raise ConfigError(f"RESETLAB_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    if config["LTI_EMBED"] and not config["SECURE_COOKIES"]:
        raise ConfigError("RESETLAB_LTI_EMBED needs RESETLAB_SECURE_COOKIES=true: browsers keep the cookies "
                          "of a page inside an LMS frame only when they are Secure (HTTPS)")
    if config["SMTP_HOST"] and not (config["PUBLIC_URL"] and config["SMTP_SENDER"]):
        raise ConfigError("RESETLAB_SMTP_HOST is set: set RESETLAB_PUBLIC_URL (for the links in reset "
                          "emails) and RESETLAB_SMTP_SENDER (their From address) too")
