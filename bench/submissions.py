"""Open assignment attempts for the submit load, each with a ready-to-send answer form.

A class of its own ("Submit bench": 16 of the demo's students, one assignment per attempt a student will
hand in) keeps the measured demo class as it was. The database allows one open attempt per student and
assignment, so every attempt gets its own assignment; each load round gets its own attempts, so no round
re-sends a form that was already graded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask

from resetlab.core.questions import form_values, key_answer, rename_form
from resetlab.core.selection import Purpose, draw_questions
from resetlab.course import get_catalog
from resetlab.database import begin_write
from resetlab.extensions import db
from resetlab.models import Assignment, Attempt, Classroom, Enrollment, User, utcnow
from resetlab.study import attempts

from .pages import TOKEN, logged_in

BANK = "obama-medvedev"
BATCH = 250


@dataclass(frozen=True)
class Submission:
    """One POST: the student's session cookie, the attempt's path and the urlencoded body."""

    cookie: str
    path: str
    body: str


@dataclass
class Prepared:
    """Per round, each student's submissions (one list per student) and the attempt ids."""

    rounds: list[list[list[Submission]]]
    attempt_ids: list[list[int]]


def _answers(attempt: Attempt, questions) -> list[tuple[str, str]]:
    """The key answers, named as this attempt's page names them (opaque choice ids)."""
    form: dict[str, list[str]] = {}
    for position, question in enumerate(questions):
        form.update(form_values(question, position, key_answer(question)))
    names = attempts.names_for(attempt, [(None, q) for q in questions])
    return [(name, value) for name, values in rename_form(form, names).items() for value in values]


def _bench_class(instructor_email: str, source_class: int, students: int, assignments: int):
    """The submit class: the first `students` of the demo class, `assignments` open assignments."""
    now = utcnow()
    bank = get_catalog().bank(BANK) or next(iter(get_catalog().banks.values()))
    instructor = db.session.scalar(db.select(User).where(User.email == instructor_email))
    ids = list(db.session.scalars(db.select(Enrollment.user_id).where(
        Enrollment.classroom_id == source_class).order_by(Enrollment.user_id).limit(students)))
    begin_write()
    room = Classroom(instructor_id=instructor.id, name="Submit bench", join_code=f"B{instructor.id:07d}")
    db.session.add(room)
    db.session.flush()
    db.session.add_all([Enrollment(classroom_id=room.id, user_id=uid) for uid in ids])
    works = [Assignment(classroom_id=room.id, bank_slug=bank.slug, title=f"{bank.title} ({n + 1})",
                        open_at=now - timedelta(days=1), due_at=now + timedelta(days=7),
                        attempts_allowed=None, grading="highest", draw=bank.draw, time_limit_minutes=None,
                        reveal="immediately")
             for n in range(assignments)]
    db.session.add_all(works)
    db.session.commit()
    return bank, ids, [w.id for w in works]


def prepare(app: Flask, instructor_email: str, source_class: int, password: str, per_round: int,
            rounds: int, students: int) -> Prepared:
    """`per_round` attempts for each of `rounds` rounds, spread over `students` logged-in students."""
    rng = random.Random(7)
    per_student = -(-per_round // students)
    with app.app_context():
        bank, ids, works = _bench_class(instructor_email, source_class, students, per_student * rounds)
        users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))}
        emails = {uid: u.email for uid, u in users.items()}
        made: list[tuple[int, int, int, list[tuple[str, str]]]] = []  # (round, user, attempt, answers)
        pending = []
        begin_write()
        for r in range(rounds):
            for n in range(per_round):
                uid = ids[n % students]
                work = works[r * per_student + n // students]
                questions = draw_questions(bank, get_catalog().banks.values(), bank.draw, rng,
                                           Purpose.ASSESSMENT)
                attempt = attempts.add_attempt(users[uid], bank, questions, rng, title=bank.title,
                                               assignment_id=work, number=1, started_at=utcnow())
                pending.append((r, uid, attempt, questions))
                if len(pending) >= BATCH:
                    db.session.flush()
                    made += [(r_, u, a.id, _answers(a, qs)) for r_, u, a, qs in pending]
                    pending = []
        db.session.flush()
        made += [(r_, u, a.id, _answers(a, qs)) for r_, u, a, qs in pending]
        db.session.commit()
        db.session.expunge_all()
    tokens: dict[int, tuple[str, str]] = {}
    for uid in ids:
        client = logged_in(app, emails[uid], password)
        first = next(aid for _, owner, aid, _ in made if owner == uid)
        token = TOKEN.search(client.get(f"/attempts/{first}").get_data(as_text=True))
        if not token:
            raise RuntimeError("no CSRF token on the attempt page")
        tokens[uid] = (f"session={client.get_cookie('session').value}", token.group(1))
    prepared = Prepared([[[] for _ in ids] for _ in range(rounds)], [[] for _ in range(rounds)])
    slot = {uid: i for i, uid in enumerate(ids)}
    for r, uid, aid, answers in made:
        cookie, token = tokens[uid]
        body = urlencode([*answers, ("confirm", "1"), ("csrf_token", token)])
        prepared.rounds[r][slot[uid]].append(Submission(cookie, f"/attempts/{aid}", body))
        prepared.attempt_ids[r].append(aid)
    return prepared


def graded(app: Flask, attempt_ids: list[int]) -> int:
    """How many of these attempts are finished now."""
    with app.app_context():
        db.session.remove()
        return sum(db.session.scalar(db.select(db.func.count()).select_from(Attempt).where(
            Attempt.id.in_(attempt_ids[i:i + 500]), Attempt.state == "finished"))
            for i in range(0, len(attempt_ids), 500))
