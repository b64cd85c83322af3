"""Helpers every kind of test shares: the fixture course, app config, and a browser's way to post forms."""

from __future__ import annotations

import os
import re
from pathlib import Path

CONTENT = Path(__file__).parent / "content"
ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery"


def database_url(tmp_path: Path) -> str:
    """PostgreSQL when DATABASE_URL is set (CI runs both), else a temp-file SQLite."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) \
            if url.startswith("postgresql://") else url
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


def make_config(tmp_path: Path, **extra) -> dict:
    """Config for a test app on the fixture course."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "LESSONS_DIR": str(CONTENT / "lessons"),
        "QUIZZES_DIR": str(CONTENT / "quizzes"),
        "CONTENT_ROOT": str(CONTENT),
        "CONTENT_RULES": {"min_questions": 3, "min_words": 10, "max_words": 5000},
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "INSTRUCTOR_SIGNUP_CODE": "teach-2026",
        "RATELIMIT_ENABLED": False,  # tests sign up many users from one address; test_auth turns it on
    }
    config.update(extra)
    return config


def csrf_token(client, path: str = "/auth/login") -> str:
    """A CSRF token valid for this client's session, read from a rendered form."""
    page = client.get(path).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST with a fresh CSRF token, as a browser would."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


def signup(client, email: str = "ana@example.org", name: str = "Ana", password: str = PASSWORD,
           code: str = ""):
    """Sign up through the form."""
    return post(client, "/auth/signup", {"display_name": name, "email": email,
                                         "password": password, "instructor_code": code})


def login(client, email: str = "ana@example.org", password: str = PASSWORD):
    """Log in through the form."""
    return post(client, "/auth/login", {"email": email, "password": password})


def logout(client):
    """Log out (a POST with CSRF)."""
    return post(client, "/auth/logout")


def as_page(app, attempt_id: int, form: dict) -> dict:
    """Form values written with real choice ids, renamed to the opaque ids this attempt's page shows."""
    from resetlab.core.questions import rename_form
    from resetlab.extensions import db
    from resetlab.models import Attempt
    from resetlab.study import attempts

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        names = attempts.names_for(attempt, attempts.served(attempt))
    renamed = rename_form({k: v if isinstance(v, list) else [v] for k, v in form.items()}, names)
    return {k: v for k, v in renamed.items()}


def submit_attempt(app, client, attempt_id: int, form: dict, confirm: bool = True):
    """Submit an attempt as its page would (opaque ids, CSRF); `confirm` answers the blank-answers check."""
    data = as_page(app, attempt_id, form)
    data["csrf_token"] = csrf_token(client, f"/attempts/{attempt_id}")
    if confirm:
        data["confirm"] = "1"
    return client.post(f"/attempts/{attempt_id}", data=data)


def fresh_app(config: dict):
    """An app on an empty database for one test, dropped and its connections closed afterwards (a
    generator for fixtures: `yield from fresh_app(make_config(tmp_path, ...))`)."""
    from resetlab.extensions import db
    from resetlab.factory import create_app

    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
