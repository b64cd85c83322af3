"""SQLite tuning and write transactions that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from .extensions import db

T = TypeVar("T")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """WAL, foreign keys and a busy timeout; BEGIN is emitted by `_sqlite_begin`."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # busy_timeout first: switching a new database to WAL needs a lock another process may hold.
    for pragma in ("busy_timeout=10000", "foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Write transactions take the lock up front, so they wait instead of failing."""
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get("resetlab_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start a transaction that will write: on SQLite it holds the write lock from the start."""
    db.session.commit()
    db.session.connection(execution_options={"resetlab_write": True})


def database_answers() -> bool:
    """Whether the database answers a trivial query (for /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not reachable" here
        db.session.rollback()
        return False


def insert_ignoring_duplicates(model: type, rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL): rows another transaction stored first
    are left as they are, and nothing fails."""
    if not rows:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model).on_conflict_do_nothing(), rows)


def upsert(model: type, rows: list[dict[str, Any]], keys: tuple[str, ...], update: tuple[str, ...]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET update (SQLite and PostgreSQL): one statement, so two
    instructors saving the same row at once never collide on the unique key."""
    if not rows:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}), rows)


RETRYABLE = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def retrying(unit: Callable[[], T], tries: int = 3) -> T:
    """Run one unit of work (which begins and commits its own transaction) again when PostgreSQL
    aborted it to break a deadlock: the whole unit is repeated, so nothing is half done or lost."""
    for attempt in range(tries):
        try:
            return unit()
        except OperationalError as err:
            db.session.rollback()
            if getattr(err.orig, "sqlstate", None) not in RETRYABLE or attempt == tries - 1:
                raise
    raise AssertionError("unreachable")
