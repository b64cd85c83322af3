"""Fixtures: an app on a fresh database (temp-file SQLite, or PostgreSQL from DATABASE_URL), a client,
a CLI runner, and clients already signed up as a student and as an instructor. Helpers: tests/helpers.py."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from .helpers import fresh_app, make_config, signup

# No wall-clock limits in tests: Hypothesis's default 200 ms deadline fails on a busy machine.
settings.register_profile("resetlab", deadline=None)
settings.load_profile("resetlab")


@pytest.fixture
def app(tmp_path):
    yield from fresh_app(make_config(tmp_path))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def student(client):
    """The client, signed up and logged in as a student."""
    response = signup(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def instructor(app):
    """A second client logged in as an instructor."""
    other = app.test_client()
    response = signup(other, "teacher@example.org", "Ms Teacher", code="teach-2026")
    assert response.status_code == 302
    return other


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL: they run in the PostgreSQL pass (DATABASE_URL) and are
    deselected, not skipped, in the SQLite pass."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    keep = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep
