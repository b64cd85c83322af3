"""The bench's database (a temp SQLite file, or a temp database on the PostgreSQL server named by
DATABASE_URL) and the demo classes in it, built by the real commands in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import ROOT, SECRET_KEY

LOGIN = re.compile(r"Log in at \S+ as (\S+) / (\S+)$", re.M)
PASSWORD = re.compile(r"all with the password (\S+)$", re.M)
CLASS = re.compile(r"/teach/classes/(\d+)$", re.M)


@dataclass
class DemoClass:
    """One demo class and how to log in to it."""

    students: int
    classroom_id: int
    instructor_email: str
    instructor_password: str
    student_password: str
    seconds: float
    summary: str


@dataclass
class Built:
    """The bench database and its demo classes (the main one first)."""

    database_url: str
    database: str  # "sqlite" or "postgresql"
    classes: list[DemoClass]

    @property
    def main(self) -> DemoClass:
        """The class the pages and the load are measured on."""
        return self.classes[0]


def bench_env(database_url: str) -> dict[str, str]:
    """Environment for every process of the bench: its own database and a fixed secret key."""
    env = dict(os.environ, DATABASE_URL=database_url, RESETLAB_SECRET_KEY=SECRET_KEY,
               PYTHONUNBUFFERED="1", RESETLAB_RATELIMIT_ENABLED="false")  # measures throughput, not limits
    env.pop("RESETLAB_PROXY_FIX", None)
    return env


@contextmanager
def database(workdir: Path, server_url: str = "") -> Iterator[tuple[str, str]]:
    """(url, kind): a SQLite file in `workdir`, or, when `server_url` names PostgreSQL, a new database
    on that server (the role needs CREATEDB) that is dropped afterwards; the named database is never
    written to."""
    if not server_url.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{workdir / 'bench.sqlite'}", "sqlite"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", server_url))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"resetlab_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False), "postgresql"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _flask(args: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def build(url: str, kind: str, sizes: list[int], assignments: int, seed: int, say) -> Built:
    """`flask db upgrade`, then `flask demo` once per class size (the first is the main class), exactly
    as a user would run them."""
    env = bench_env(url)
    _flask(["db", "upgrade"], env, timeout=120)
    classes = []
    for students in sizes:
        say(f"  flask demo --students {students} --assignments {assignments} --seed {seed}")
        started = time.perf_counter()
        out = _flask(["demo", "--students", str(students), "--assignments", str(assignments),
                      "--seed", str(seed)], env, timeout=3600)
        login, password, room = LOGIN.search(out), PASSWORD.search(out), CLASS.search(out)
        if not (login and password and room):
            raise RuntimeError(f"unexpected output from flask demo:\n{out}")
        classes.append(DemoClass(students, int(room.group(1)), login.group(1), login.group(2),
                                 password.group(1), time.perf_counter() - started, out.splitlines()[0]))
        say(f"  {out.splitlines()[0]}")
    return Built(url, kind, classes)
