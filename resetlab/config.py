"""Configuration: safe defaults, then RESETLAB_* environment overrides; no secrets in code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


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


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # Heroku-style URLs name the old dialect
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{instance / 'resetlab.sqlite'}"


def load_config(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then RESETLAB_* from the environment, then explicit overrides (tests)."""
    env = os.environ
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LESSONS_DIR": str(ROOT / "lessons"),
        "QUIZZES_DIR": str(ROOT / "quizzes"),
        "CONTENT_ROOT": str(ROOT),
        "CONTENT_RULES": {},
        "INSTRUCTOR_SIGNUP_CODE": "",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "PASSWORD_HASH_MEMORY_KIB": 65536,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
    }
    for key, value in env.items():
        if key.startswith("RESETLAB_") and key != "RESETLAB_SECRET_KEY":
            name = key.removeprefix("RESETLAB_")
            config[name] = {"true": True, "false": False}.get(value.lower(), value)
    if env.get("RESETLAB_SECURE_COOKIES", "").lower() == "true":
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True
    config.update(overrides or {})
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = env.get("RESETLAB_SECRET_KEY") or _secret_key(instance)
    return config
