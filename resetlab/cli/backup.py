"""`flask --app app backup PATH` and `restore PATH`: a consistent copy while the app is serving.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a snapshot that includes every
committed transaction, also those still in the WAL file (a plain file copy misses them).
PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from ..extensions import db
from .users import YES, confirm

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the database is in memory: there is nothing to back up")
    return Path(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for the configured database (the password never appears on a command line)."""
    env = dict(os.environ)
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise click.ClickException(f"{name} is needed for PostgreSQL "
                                   "(Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(f"{Path(command[0]).name} failed:\n{done.stderr.strip()}")


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (WAL content included)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise click.ClickException(f"the copy failed its integrity check: {check}")
    finally:
        dst.close()
        src.close()


def restore_sqlite(source: Path, target: Path) -> None:
    """Write a backup over the live database through the backup API (it takes the write lock)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{source} is damaged (integrity check failed); nothing was changed")
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH (safe while the app is serving)."""
    if path.exists():
        raise click.ClickException(f"{path} exists already; choose a new file")
    url = _url()
    if url.get_backend_name() == "sqlite":
        backup_sqlite(_sqlite_path(url), path)
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
             _pg_env(url))
    else:
        raise click.ClickException(f"no backup method for {url.get_backend_name()}")
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@YES
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace the database's content with the backup in PATH (asks first)."""
    url = _url()
    kind = url.get_backend_name()
    head = path.read_bytes()[:16] if path.stat().st_size else b""
    expected = {"sqlite": SQLITE_MAGIC, "postgresql": PGDUMP_MAGIC}.get(kind)
    if expected is None:
        raise click.ClickException(f"no restore method for {kind}")
    if not head.startswith(expected):
        raise click.ClickException(f"{path} is not a {kind} backup made by `flask backup`; "
                                   "nothing was changed")
    confirm(yes, f"Replace everything in the database {url.database} with {path}?")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        restore_sqlite(path, _sqlite_path(url))
    else:
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", f"--dbname={url.database}", str(path)], _pg_env(url))
    click.echo(f"Restored {path}.")
