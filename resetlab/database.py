"""SQLite tuning and write transactions that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Dialect, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeEngine

from .extensions import db

T = TypeVar("T")


_turns = threading.local()  # whether this thread is inside a queued write transaction


class QueuedWriter(sqlite3.Connection):
    """A SQLite connection whose write transactions take turns on a lock file beside the database.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps and retries
    (1, 2, 5 … up to 100 ms a time), so under a steady stream of quiz submits most of a request's time
    was spent asleep after the lock was already free. Here the next writer in any process is woken by
    the kernel (flock) the moment the one before commits or rolls back. SQLite's lock still decides who
    writes; this only decides who asks next. A thread already inside a queued write (a nested
    transaction) does not queue again: it waits in SQLite's busy handler, as before.
    """

    lock_path: str | None = None
    changes_at_begin = -1  # `total_changes` when the current transaction began (`_sqlite_begin`)
    _lock_fd: int | None = None
    _holding = False

    def take_turn(self) -> None:
        """Wait for this database's writer turn (before BEGIN IMMEDIATE)."""
        if self.lock_path is None or self._holding or getattr(_turns, "holding", False):
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._holding = _turns.holding = True

    def _end_turn(self) -> None:
        if self._holding:
            self._holding = _turns.holding = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        """COMMIT, then let the next writer in."""
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        """ROLLBACK, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        """Close, letting the next writer in if this connection still had its turn."""
        try:
            self._end_turn()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        finally:
            super().close()


def sqlite_engine_options(options: dict[str, Any]) -> dict[str, Any]:
    """Engine options for a SQLite file: queued writers (QueuedWriter), and no ping before each use of a
    pooled connection (a file has no server that could have gone away)."""
    connect_args = {**options.get("connect_args", {}), "factory": QueuedWriter}
    return {**options, "pool_pre_ping": False, "connect_args": connect_args}


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
    if isinstance(dbapi_connection, QueuedWriter):
        path = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
        dbapi_connection.lock_path = f"{path}-writers" if path else None  # in memory: nobody to queue with
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Write transactions take the lock up front, so they wait instead of failing."""
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get("resetlab_write", False)
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, QueuedWriter):
        if immediate:
            dbapi.take_turn()
        dbapi.changes_at_begin = dbapi.total_changes
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start a transaction that will write: on SQLite it holds the write lock from the start.

    What the request read so far is committed and the session's objects expired, so they are read
    again under the lock. On SQLite (a file), a transaction that only read, with nothing waiting to be
    flushed, is ended and the write one begun on the same connection (SQLite cannot turn a read into a
    write once another process wrote): the session's commit would hand the connection back to the pool
    and take it out again, which cost a submit more than its writes. A transaction that wrote goes the
    session's way, so its commit is the session's (and its after-commit hooks run)."""
    session = db.session()  # the request's Session (the scoped proxy has no in_transaction)
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        conn = session.connection()  # the transaction's own
        dbapi = conn.connection.dbapi_connection
        if isinstance(dbapi, QueuedWriter) and dbapi.lock_path and not dbapi._holding \
                and dbapi.total_changes == dbapi.changes_at_begin:  # a transaction that only read
            dbapi.commit()  # the read transaction (the sqlite3 module commits only when one is open)
            dbapi.take_turn()
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # as the begin event would, errors wrapped alike
            session.expire_all()
            return
    session.commit()
    session.connection(execution_options={"resetlab_write": True})


def database_probe(app: Flask) -> Callable[[], bool]:
    """Whether the app's database answers a trivial query (for /healthz), on a pooled driver connection
    of its own: no session, no transaction to open and close around it. Where the pool pings a
    connection before handing it out (PostgreSQL: `pool_pre_ping`), getting one is that query, and
    asking again would be a second round trip. The engine is looked up once, here."""
    with app.app_context():
        engine = db.engine
    pinged = bool(app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"))

    def answers() -> bool:
        try:
            connection = engine.raw_connection()
        except Exception:  # any driver error means "not reachable" here
            return False
        try:
            if not pinged:
                cursor = connection.cursor()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                cursor.close()
            return True
        except Exception:  # any driver error means "not reachable" here
            connection.invalidate()
            return False
        finally:
            connection.close()

    return answers


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


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class DriverSQL:
    """One statement run as the driver's own SQL on the session's connection, for the few statements of
    the busiest write path (a quiz submit), where SQLAlchemy's work per statement (building the cache
    key, looking up the compiled form, processing each parameter) cost more than SQLite takes to run them.

    Written once with `:name` parameters and turned into each dialect's style the first time it runs
    there (so the SQL's own text may hold no `:word` outside parameters; a `%` is doubled for psycopg).
    `types` names the parameters (and result columns) that need converting, by the column types that
    hold them, so values are stored and read exactly as SQLAlchemy stores and reads them (dates, JSON,
    booleans). `for_update` appends FOR UPDATE where the database has it (PostgreSQL; SQLite's write
    transactions hold the whole database). Runs through `exec_driver_sql`, so engine events (and
    the tests' statement counts) still see it.
    """

    def __init__(self, sql: str, for_update: bool = False, **types: TypeEngine) -> None:
        self.sql = sql
        self.for_update = for_update
        self.types = types
        self._built: dict[tuple[str, str], tuple[str, dict[str, Callable]]] = {}
        self._read: dict[tuple[str, tuple[str, ...]], dict[str, Callable]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, dict[str, Callable]]:
        key = (dialect.name, dialect.paramstyle)
        built = self._built.get(key)
        if built is None:
            sql = self.sql + (" FOR UPDATE" if self.for_update and dialect.name == "postgresql" else "")
            if dialect.paramstyle == "pyformat":
                sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
            elif dialect.name != "sqlite":  # sqlite3 reads :name with a dict, whatever its declared style
                raise NotImplementedError(f"parameter style {dialect.paramstyle}")
            binds = {name: p for name, type_ in self.types.items()
                     if (p := type_.dialect_impl(dialect).bind_processor(dialect))}
            built = self._built[key] = (sql, binds)
        return built

    def _results(self, dialect: Dialect, names: Sequence[str]) -> dict[str, Callable]:
        """Converters for the typed columns among a result's (worked out when rows are first read)."""
        key = (dialect.name, tuple(names))
        found = self._read.get(key)
        if found is None:
            found = self._read[key] = {
                name: p for name in names if name in self.types
                and (p := self.types[name].dialect_impl(dialect).result_processor(dialect, None))}
        return found

    def run(self, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> CursorResult:
        """Execute with one row of parameters, or many (executemany)."""
        connection = db.session.connection()
        sql, binds = self._for(connection.dialect)
        if isinstance(params, Mapping):
            if binds:
                params = {**params, **{k: p(params[k]) for k, p in binds.items() if k in params}}
            return connection.exec_driver_sql(sql, params)  # type: ignore[arg-type]
        rows = [{**row, **{k: p(row[k]) for k, p in binds.items() if k in row}} for row in params] \
            if binds else list(params)
        if not rows:  # the drivers would run it once with no parameters
            raise ValueError("DriverSQL.run was given no rows")
        return connection.exec_driver_sql(sql, rows)  # type: ignore[arg-type]

    def rows(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row as a dict, the typed columns converted."""
        result = self.run(params)
        names = list(result.keys())
        results = self._results(result.dialect, names)
        found = [dict(zip(names, row, strict=True)) for row in result.cursor.fetchall()]
        result.close()
        for row in found:
            for name, process in results.items():
                row[name] = process(row[name])
        return found


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
