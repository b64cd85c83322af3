"""SQLite tuning and write transactions that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .extensions import db


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


def insert_missing(model: Any, rows: Sequence[dict[str, Any]], *key: str) -> None:
    """INSERT … ON CONFLICT (key) DO NOTHING: rows another transaction stored meanwhile are skipped,
    not a unique-constraint error (SQLite and PostgreSQL)."""
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=list(key)))
