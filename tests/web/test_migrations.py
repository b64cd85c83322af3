"""`flask db upgrade` run by 3 processes at once on a fresh database (SQLite, and PostgreSQL when
DATABASE_URL is): every run succeeds and the schema is at head; `db downgrade` asks first."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from ..helpers import ROOT
from ..processes import server_env


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(ROOT / "migrations")).get_heads())


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the kind the suite runs on; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"resetlab_mig_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flask(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "app", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def finish(run: subprocess.Popen, answer: str | None = None) -> tuple[int, str]:
    out, _ = run.communicate(answer, timeout=180)
    return run.returncode, out


def test_three_simultaneous_upgrades_all_succeed(fresh_database):
    env = server_env(fresh_database)
    runs = [flask(["db", "upgrade"], env) for _ in range(3)]  # all started before any finishes
    for code, output in [finish(run) for run in runs]:
        assert code == 0, output[-2000:]
    assert version(fresh_database) in _heads()
    engine = create_engine(fresh_database)
    try:
        assert {"user", "attempt", "password_reset_token"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_asks_first(fresh_database):
    env = server_env(fresh_database)
    assert finish(flask(["db", "upgrade"], env))[0] == 0
    head = version(fresh_database)
    code, out = finish(flask(["db", "downgrade"], env, stdin=subprocess.PIPE), "n\n")
    assert code != 0 and "nothing was changed" in out
    assert version(fresh_database) == head
    code, out = finish(flask(["db", "downgrade", "--yes"], env))
    assert code == 0, out[-2000:]
    assert version(fresh_database) != head
