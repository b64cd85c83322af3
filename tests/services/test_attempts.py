"""Attempts through the services: drawing, scoping to their owner, grading exactly once."""

from __future__ import annotations

import random

import pytest

from resetlab.core.errors import NotFound
from resetlab.core.questions import form_values, key_answer
from resetlab.course import bank_named
from resetlab.extensions import db
from resetlab.models import Attempt, AttemptState, ReviewLog
from resetlab.study import attempts

from .conftest import make_user


def key_form(attempt: Attempt) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for item, question in attempts.served(attempt):
        form.update(form_values(question, item.position, key_answer(question)))
    return form


def test_a_practice_start_resumes_the_open_attempt(ctx):
    user = make_user()
    bank = bank_named("alpha")
    first = attempts.start_practice(user, bank, random.Random(1))
    assert attempts.start_practice(user, bank, random.Random(2)).id == first.id
    assert len(first.items) == bank.draw


def test_an_attempt_is_only_found_for_its_owner(ctx):
    owner, other = make_user(), make_user(name="Ben")
    attempt = attempts.start_practice(owner, bank_named("alpha"), random.Random(1))
    assert attempts.attempt_for(owner, attempt.id).id == attempt.id
    with pytest.raises(NotFound):
        attempts.attempt_for(other, attempt.id)
    with pytest.raises(NotFound):
        bank_named("no-such-bank")


def test_submitting_grades_once_and_feeds_review_once(ctx):
    user = make_user()
    attempt = attempts.start_practice(user, bank_named("alpha"), random.Random(3))
    form = key_form(attempt)
    assert attempts.submit(attempt, form).graded
    again = attempts.submit(db.session.get(Attempt, attempt.id), form)
    assert again.already and not again.graded
    stored = db.session.get(Attempt, attempt.id)
    assert stored.state == AttemptState.FINISHED and stored.score == 1.0
    logs = db.session.scalar(db.select(db.func.count(ReviewLog.id)).where(ReviewLog.user_id == user.id))
    assert logs == len(stored.items)


def test_a_fixable_mistake_keeps_every_answer_and_stores_nothing(ctx):
    user = make_user()
    attempt = attempts.start_practice(user, bank_named("alpha"), random.Random(4))
    order_item = next(item for item, q in attempts.served(attempt) if q.type == "order")
    form = key_form(attempt)
    for name in [n for n in form if n.startswith(f"a{order_item.position}-")]:
        form[name] = ["1"]  # every item in position 1
    outcome = attempts.submit(attempt, form)
    assert not outcome.graded and order_item.position in outcome.problems
    assert outcome.refill  # what the student typed comes back
    assert db.session.get(Attempt, attempt.id).state == AttemptState.IN_PROGRESS
