"""In-progress practice attempts for demo students, each with a ready-to-send answer form."""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask

from resetlab.core.questions import form_values, key_answer
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Attempt, Enrollment, User
from resetlab.study import attempts

from .pages import TOKEN, logged_in

BANK = "obama-medvedev"


@dataclass(frozen=True)
class Submission:
    """One POST: the student's session cookie, the attempt's path and the urlencoded body."""

    cookie: str
    path: str
    body: str


def _answer_fields(attempt: Attempt) -> list[tuple[str, str]]:
    fields = []
    for item, question in attempts.served(attempt):
        for name, values in form_values(question, item.position, key_answer(question)).items():
            fields.extend((name, v) for v in values)
    return fields


def prepare(app: Flask, classroom_id: int, password: str, count: int,
            students: int) -> tuple[list[list[Submission]], list[int]]:
    """`count` attempts spread over `students` logged-in students: per student, their submissions."""
    rng = random.Random(7)
    with app.app_context():
        ids = list(db.session.scalars(db.select(Enrollment.user_id).where(
            Enrollment.classroom_id == classroom_id).order_by(Enrollment.user_id).limit(students)))
        bank = get_catalog().bank(BANK) or next(iter(get_catalog().banks.values()))
        made: list[tuple[int, int, list[tuple[str, str]]]] = []
        for i in range(count):
            user = db.session.get(User, ids[i % len(ids)])
            attempt = attempts.create_attempt(user, bank, bank.draw, rng)
            made.append((user.id, attempt.id, _answer_fields(attempt)))
            db.session.expunge_all()  # keep the session small: commits expire everything in it
        emails = dict(db.session.execute(db.select(User.id, User.email).where(User.id.in_(ids))).all())
    per_student: dict[int, list[Submission]] = {uid: [] for uid in ids}
    for uid in ids:
        client = logged_in(app, emails[uid], password)
        first = next(aid for owner, aid, _ in made if owner == uid)
        token = TOKEN.search(client.get(f"/attempts/{first}").get_data(as_text=True))
        if not token:
            raise RuntimeError("no CSRF token on the attempt page")
        cookie = f"session={client.get_cookie('session').value}"
        for owner, aid, fields in made:
            if owner == uid:
                body = urlencode([*fields, ("csrf_token", token.group(1))])
                per_student[uid].append(Submission(cookie, f"/attempts/{aid}", body))
    return list(per_student.values()), [aid for _, aid, _ in made]


def graded(app: Flask, attempt_ids: list[int]) -> int:
    """How many of these attempts are finished now."""
    with app.app_context():
        db.session.remove()
        return sum(db.session.scalar(db.select(db.func.count()).select_from(Attempt).where(
            Attempt.id.in_(attempt_ids[i:i + 500]), Attempt.state == "finished"))
            for i in range(0, len(attempt_ids), 500))
