"""Fixtures: an app on a fresh database (temp-file SQLite, or PostgreSQL from DATABASE_URL), a client,
a CLI runner, and clients already signed up as a student and as an instructor. Helpers: tests/helpers.py."""

from __future__ import annotations

import os

import psycopg
import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url

from .helpers import fresh_app, make_config, signup

# No wall-clock limits in tests: Hypothesis's default 200 ms deadline fails on a busy machine.
settings.register_profile("resetlab", deadline=None)
settings.load_profile("resetlab")


SHARED_URL = pytest.StashKey[str]()  # DATABASE_URL as given, in a worker that uses its own database


def _worker_database(url: str, worker: str, create: bool) -> str:
    """The PostgreSQL database of one of the suite's worker processes (pytest-xdist): DATABASE_URL's
    database with the worker's name appended, made empty at the start and dropped at the end, so two
    workers never drop each other's tables."""
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{worker}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    """In a worker process of a parallel run on PostgreSQL, every test (and every server process a test
    starts) uses the worker's own database."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("DATABASE_URL", "")
    if worker and url.startswith("postgres"):
        config.stash[SHARED_URL] = url
        os.environ["DATABASE_URL"] = _worker_database(url, worker, create=True)


def pytest_unconfigure(config):
    shared = config.stash.get(SHARED_URL, None)
    if shared is not None:
        _worker_database(shared, os.environ["PYTEST_XDIST_WORKER"], create=False)
        os.environ["DATABASE_URL"] = shared



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
