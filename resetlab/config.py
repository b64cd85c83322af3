"""Configuration: safe defaults, then RESETLAB_* from the environment, then explicit overrides (tests).

Every setting has a default here; `RESETLAB_<NAME>` sets `<NAME>` (Flask's `from_prefixed_env`: values
that read as JSON, like `true` or `4`, become that type). No secrets in code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Config

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
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
}


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
    """Defaults, then RESETLAB_* from the environment, then explicit overrides; derived settings last."""
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
    return config
