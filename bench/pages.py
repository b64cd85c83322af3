"""Dashboard pages timed in-process through the Flask test client (medians after a warm-up)."""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

from flask import Flask
from sqlalchemy import event

from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, utcnow

from . import USER_AGENT

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def logged_in(app: Flask, email: str, password: str):
    """A test client with a session for this account."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="127.0.0.1")
    page = client.get("/auth/login").get_data(as_text=True)
    token = TOKEN.search(page)
    if not token:
        raise RuntimeError("no CSRF token on the login page")
    response = client.post("/auth/login", data={"email": email, "password": password,
                                                "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise RuntimeError(f"log-in as {email} failed ({response.status_code})")
    return client


def analysis_target(app: Flask, classroom_id: int) -> tuple[int, str]:
    """The heaviest past assignment for item analysis: a course-wide exam if there is one."""
    with app.app_context():
        course = {b.slug for b in get_catalog().banks.values() if b.pool == "course"}
        works = list(db.session.scalars(db.select(Assignment).where(
            Assignment.classroom_id == classroom_id, Assignment.due_at < utcnow())
            .order_by(Assignment.id)))
        work = max(works, key=lambda w: (w.bank_slug in course, w.draw, -w.id))
        return work.id, work.title


def time_page(app: Flask, client, url: str, runs: int) -> dict[str, Any]:
    """Median, min and max milliseconds over `runs` GETs after one warm-up; size and SQL count. The
    median of this process's CPU time too: on a machine other work keeps busy, the wall-clock time
    includes waiting for a CPU, the CPU time does not (SQLite runs in this process; PostgreSQL's own
    work is not in it)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"GET {url} answered {first.status_code}")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return {"url": url, "runs": runs, "median_ms": statistics.median(times), "min_ms": min(times),
            "max_ms": max(times), "cpu_median_ms": statistics.median(cpu), "bytes": len(first.data),
            "queries": len(statements)}
