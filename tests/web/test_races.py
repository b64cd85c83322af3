"""Races against a real server: gunicorn with four worker processes on the test database (SQLite or
PostgreSQL), hit by real parallel requests. The attempt rules and the review schedule must hold."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from resetlab.core.questions import form_values, rename_form
from resetlab.extensions import db
from resetlab.factory import create_app
from resetlab.models import Attempt, AttemptState, Classroom, ReviewCard, ReviewLog, User, utcnow
from resetlab.study import attempts
from resetlab.teach import services as teach

from ..helpers import ROOT, TOKEN, make_config

PARALLEL = 20
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(app for direct database access, base URL of gunicorn -w 4 serving the same database)."""
    folder = tmp_path_factory.mktemp("races")
    config = make_config(folder)
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    skip = ("TESTING", "SQLALCHEMY_DATABASE_URI")
    settings = {key: value for key, value in config.items() if key not in skip}
    env = {**os.environ, **{f"RESETLAB_{key}": value if isinstance(value, str) else json.dumps(value)
                            for key, value in settings.items()},
           "RESETLAB_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"]}
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield app, base
    finally:
        process.terminate()
        process.wait(timeout=10)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def sign_up(base: str, email: str, code: str = "") -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(base + "/auth/signup").text).group(1)
    response = session.post(base + "/auth/signup", allow_redirects=False, data={
        "csrf_token": token, "display_name": email.split("@")[0], "email": email,
        "password": "correct horse battery", "instructor_code": code})
    assert response.status_code == 302, response.text[:300]
    return session


def token_of(session: requests.Session, base: str, path: str = "/") -> str:
    return META.search(session.get(base + path).text).group(1)


def clone(session: requests.Session) -> requests.Session:
    """A separate connection carrying the same cookies (one browser, many tabs or taps)."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def in_parallel(calls) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(lambda call: call(), calls))


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def test_parallel_starts_make_one_attempt_and_one_open_practice(server):
    app, base = server
    student = sign_up(base, f"racer-{uuid.uuid4().hex[:6]}@example.org")
    teacher_session = sign_up(base, f"teacher-{uuid.uuid4().hex[:6]}@example.org", code="teach-2026")
    token = token_of(teacher_session, base, "/teach/")
    made = teacher_session.post(base + "/teach/classes", data={"csrf_token": token, "name": "Race"},
                                allow_redirects=False)
    classroom_id = int(made.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        room = db.session.get(Classroom, classroom_id)
        code = room.join_code
        now = utcnow()
        settings = teach.AssignmentSettings(open_at=now - timedelta(hours=1), due_at=now + timedelta(days=1),
                                            attempts_allowed=1, grading="highest", draw=None,
                                            time_limit_minutes=None, reveal="never")
        works = teach.assign(room, [app.extensions["resetlab.catalog"].bank("alpha")] * 3, settings)
        work_ids = [w.id for w in works]
    token = token_of(student, base)
    assert student.post(base + "/join", data={"csrf_token": token, "code": code}).status_code == 200
    for work_id in work_ids:  # three trials
        url = f"{base}/assignments/{work_id}/start"
        responses = in_parallel([lambda url=url: clone(student).post(url, data={"csrf_token": token},
                                                                     allow_redirects=False)
                                 for _ in range(PARALLEL)])
        assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
        with app.app_context():
            made = db.session.scalars(db.select(Attempt).where(Attempt.assignment_id == work_id)).all()
        assert len(made) == 1 and made[0].number == 1, [(a.id, a.number) for a in made]
    url = f"{base}/quiz/alpha/start"
    responses = in_parallel([lambda: clone(student).post(url, data={"csrf_token": token},
                                                         allow_redirects=False) for _ in range(PARALLEL)])
    assert all(r.status_code == 302 for r in responses)
    with app.app_context():
        open_practice = db.session.scalars(db.select(Attempt).where(
            Attempt.assignment_id.is_(None), Attempt.state == AttemptState.IN_PROGRESS,
            Attempt.bank_slug == "alpha")).all()
    assert len(open_practice) == 1
    assert len({r.headers["Location"] for r in responses}) == 1  # every tap lands on the same attempt


def test_parallel_submits_and_syncs_lose_nothing(server):
    app, base = server
    email = f"syncer-{uuid.uuid4().hex[:6]}@example.org"
    student = sign_up(base, email)
    token = token_of(student, base)
    attempt_ids = [int(student.post(f"{base}/quiz/{slug}/start", data={"csrf_token": token},
                                    allow_redirects=False).headers["Location"].rsplit("/", 1)[1])
                   for slug in ("alpha", "beta")]
    with app.app_context():
        forms, questions = {}, {}
        for attempt_id in attempt_ids:
            attempt = db.session.get(Attempt, attempt_id)
            asked = attempts.served(attempt)
            names = attempts.names_for(attempt, asked)
            wrong: dict = {}
            for item, q in asked:
                wrong.update(form_values(q, item.position, q.kind.wrong_answer(q, random.Random(0), None)))
                questions[q.id] = q
            forms[attempt_id] = {**rename_form(wrong, names), "csrf_token": [token], "confirm": ["1"]}
    sync_items = []
    for n in range(PARALLEL):
        batch = []
        for q in questions.values():
            batch.append({"id": f"{n}-{q.id}-{uuid.uuid4().hex[:8]}", "question_id": q.id,
                          "content_hash": q.content_hash,
                          "form": form_values(q, 0, q.kind.wrong_answer(q, random.Random(n), None)),
                          "sure": True, "answered_at": utcnow().isoformat() + "Z"})
        sync_items.append(batch)

    def submit(n):
        attempt_id = attempt_ids[n % len(attempt_ids)]
        return lambda: clone(student).post(f"{base}/attempts/{attempt_id}", data=forms[attempt_id],
                                           allow_redirects=False)

    def sync(n):
        return lambda: clone(student).post(f"{base}/api/practice/sync", json={"items": sync_items[n]},
                                           headers={"X-CSRFToken": token})

    calls = [call for n in range(PARALLEL) for call in (submit(n), sync(n))]
    responses = in_parallel(calls)
    assert all(r.status_code < 500 for r in responses), [(r.status_code, r.text[:200]) for r in responses
                                                         if r.status_code >= 500]
    syncs = [r.json() for r in responses[1::2]]
    assert all(not s["rejected"] and not s["duplicates"] for s in syncs), syncs[:2]
    uid = user_id(app, email)
    with app.app_context():
        finished = db.session.scalars(db.select(Attempt).where(Attempt.id.in_(attempt_ids))).all()
        assert all(a.state == AttemptState.FINISHED and a.score is not None for a in finished)
        logs = db.session.execute(db.select(ReviewLog.question_id, ReviewLog.source)
                                  .where(ReviewLog.user_id == uid)).all()
        cards = {c.question_id: c for c in db.session.scalars(
            db.select(ReviewCard).where(ReviewCard.user_id == uid))}
    offline = [qid for qid, source in logs if source == "offline"]
    quiz = [qid for qid, source in logs if source == "quiz"]
    assert len(offline) == PARALLEL * len(questions)  # every synced answer, once
    assert len(quiz) == len(questions)  # each attempt graded once, whatever the double submits
    for qid, card in cards.items():  # no counter lost an update: one review per log
        assert card.reviews == sum(1 for q, _ in logs if q == qid), qid
