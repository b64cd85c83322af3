"""A fresh SQLite database with the demo class, built by the real commands in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import ROOT, SECRET_KEY

LOGIN = re.compile(r"Log in at \S+ as (\S+) / (\S+)$", re.M)
PASSWORD = re.compile(r"all with the password (\S+)$", re.M)
CLASS = re.compile(r"/teach/classes/(\d+)$", re.M)


@dataclass
class Built:
    """The demo database and how to log in to it."""

    database_url: str
    instructor_email: str
    instructor_password: str
    student_password: str
    classroom_id: int
    seconds: float
    summary: str


def bench_env(database_url: str) -> dict[str, str]:
    """Environment for every process of the bench: its own database and a fixed secret key."""
    env = dict(os.environ, DATABASE_URL=database_url, RESETLAB_SECRET_KEY=SECRET_KEY,
               PYTHONUNBUFFERED="1", RESETLAB_RATELIMIT_ENABLED="false")  # measures throughput, not limits
    env.pop("RESETLAB_PROXY_FIX", None)
    return env


def _flask(args: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def build(workdir: Path, students: int, assignments: int, seed: int) -> Built:
    """`flask db upgrade` then `flask demo`, exactly as a user would run them."""
    url = f"sqlite:///{workdir / 'bench.sqlite'}"
    env = bench_env(url)
    _flask(["db", "upgrade"], env, timeout=120)
    started = time.perf_counter()
    out = _flask(["demo", "--students", str(students), "--assignments", str(assignments),
                  "--seed", str(seed)], env, timeout=300)
    seconds = time.perf_counter() - started
    login, password, room = LOGIN.search(out), PASSWORD.search(out), CLASS.search(out)
    if not (login and password and room):
        raise RuntimeError(f"unexpected output from flask demo:\n{out}")
    return Built(url, login.group(1), login.group(2), password.group(1), int(room.group(1)), seconds,
                 out.splitlines()[0])
