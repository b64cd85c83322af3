"""database.DriverSQL stores and reads values exactly as SQLAlchemy does (dates, booleans, JSON, NULL),
on SQLite and PostgreSQL: the submit's own statements (the claim, the answers, the review log and
cards) are compared with the SQLAlchemy statements they replaced, value for value as the database holds
them, and an attempt's items as `served` reads them with the items the ORM loads."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, insert, select, text, update

from resetlab.course import bank_named
from resetlab.database import DriverSQL
from resetlab.extensions import db
from resetlab.models import Attempt, AttemptItem, AttemptState, ReviewCard, ReviewLog, User
from resetlab.review import services as review
from resetlab.study import attempts

from .conftest import make_user

LOGS, CARDS = ReviewLog.__table__, ReviewCard.__table__
ATTEMPTS, ITEMS = Attempt.__table__, AttemptItem.__table__


def _typed(table, *columns: str):
    return {column: bindparam(f"new_{column}", type_=table.c[column].type) for column in columns}


# The statements the submit used before DriverSQL, as they were.
OLD_CLAIM = (update(ATTEMPTS)
             .where(ATTEMPTS.c.id == bindparam("attempt_id"), ATTEMPTS.c.state == AttemptState.IN_PROGRESS)
             .values(state=AttemptState.FINISHED.value,
                     **_typed(ATTEMPTS, "finished_at", "score", "timed_out", "late", "review_fed", "draft")))
OLD_ITEMS = update(ITEMS).where(ITEMS.c.id == bindparam("item_id")).values(
    **_typed(ITEMS, "response", "score"))
OLD_CARD = update(CARDS).where(CARDS.c.id == bindparam("card_id")).values(
    _typed(CARDS, *review.CARD_FIELDS))

moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1))
json = st.recursive(st.none() | st.booleans() | st.integers(-2**31, 2**31) | st.text(max_size=8)
                    | st.floats(allow_nan=False, allow_infinity=False, width=32),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                               max_size=3), max_leaves=8)
drafts = st.none() | st.dictionaries(st.text(max_size=4), st.lists(st.text(max_size=6), max_size=2),
                                     max_size=3)
scores = st.none() | st.floats(0, 1)


def stored(table: str, ids: list[int], columns: str) -> list[tuple]:
    """The values as the database holds them (no conversion on the way out), in the order of `ids`."""
    rows = {row[0]: tuple(row[1:]) for row in db.session.execute(text(
        f"SELECT id, {columns} FROM {table} WHERE id IN ({', '.join(map(str, ids))})"))}
    return [rows[i] for i in ids]


@pytest.fixture
def two_attempts(ctx):
    """A learner with two open attempts (two banks), each with its items."""
    user = make_user()
    return user, [attempts.start_practice(user, bank_named(slug), random.Random(1)).id
                  for slug in ("alpha", "beta")]


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(when=moments, score=scores, flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
       draft=drafts, response=json, item_score=scores)
@example(when=datetime(2026, 1, 2, 3, 4, 5), score=None, flags=(True, False, True), draft=None,
         response=None, item_score=None)
def test_the_claim_and_the_answers_store_what_sqlalchemy_stored(two_attempts, when, score, flags, draft,
                                                                  response, item_score):
    _, (ours, theirs) = two_attempts
    timed_out, late, fed = flags
    claim = {"finished_at": when, "score": score, "timed_out": timed_out, "late": late, "review_fed": fed,
             "draft": draft}
    assert attempts.CLAIM.run({"attempt_id": ours, **claim}).rowcount == 1
    assert attempts.CLAIM.run({"attempt_id": ours, **claim}).rowcount == 0  # exactly once
    db.session.execute(OLD_CLAIM, {"attempt_id": theirs, **{f"new_{k}": v for k, v in claim.items()}})
    columns = "state, finished_at, score, timed_out, late, review_fed, draft"
    assert stored("attempt", [ours], columns) == stored("attempt", [theirs], columns)

    item_ids = [db.session.scalar(select(AttemptItem.id).where(AttemptItem.attempt_id == a)
                                  .order_by(AttemptItem.position).limit(1)) for a in (ours, theirs)]
    attempts.ITEMS.run([{"item_id": item_ids[0], "response": response, "score": item_score}])
    db.session.execute(OLD_ITEMS, [{"item_id": item_ids[1], "new_response": response,
                                    "new_score": item_score}])
    a, b = stored("attempt_item", item_ids, "response, score")
    assert a == b
    db.session.expire_all()
    assert db.session.get(AttemptItem, item_ids[0]).response == response
    assert db.session.get(Attempt, ours).finished_at == when
    db.session.rollback()


@SETTINGS
@given(when=moments, sure=st.booleans(), score=st.floats(0, 1), state=st.dictionaries(
    st.text(max_size=6), json, max_size=4), counts=st.tuples(st.integers(0, 99), st.integers(0, 99)))
@example(when=datetime(2026, 1, 2, 3, 4, 5), sure=True, score=1.0, state={}, counts=(0, 0))
def test_the_review_log_and_cards_store_what_sqlalchemy_stored(ctx, when, sure, score, state, counts):
    user = db.session.scalar(select(User)) or make_user()
    log = {"user_id": user.id, "question_id": "q", "lesson_slug": "l", "source": "quiz", "score": score,
           "sure": sure, "reviewed_at": when, "client_id": None}
    review.LOG.run([log])  # ours first, then SQLAlchemy's
    db.session.execute(insert(LOGS), [log])
    ids = list(db.session.scalars(
        select(ReviewLog.id).where(ReviewLog.question_id == "q").order_by(ReviewLog.id)))
    a, b = stored("review_log", ids, "score, sure, reviewed_at, client_id")
    assert a == b

    cards = [ReviewCard(user_id=user.id, question_id=q, lesson_slug="l", state={}, due_at=when) for q in "qr"]
    db.session.add_all(cards)
    db.session.flush()
    values = {"state": state, "due_at": when, "version": counts[0], "reviews": counts[1], "lapses": 0}
    review.CARD_UPDATE.run([{"card_id": cards[0].id, **values}])
    db.session.execute(OLD_CARD, [{"card_id": cards[1].id, **{f"new_{k}": v for k, v in values.items()}}])
    columns = "state, due_at, version, reviews, lapses"
    a, b = stored("review_card", [c.id for c in cards], columns)
    assert a == b
    found = review._cards_of(2).rows({"user_id": user.id, "q0": "q", "q1": "r"})
    assert [(row["question_id"], row["state"], row["version"]) for row in found] == \
        [("q", state, counts[0]), ("r", state, counts[0])]
    db.session.rollback()


@SETTINGS
@given(responses=st.lists(json, min_size=1, max_size=3),
       presentation=st.lists(st.text(max_size=6), max_size=4), item_score=scores)
@example(responses=[None], presentation=[], item_score=None)
def test_served_items_are_read_as_the_orm_loads_them(two_attempts, responses, presentation, item_score):
    _, (ours, _) = two_attempts
    for item, response in zip(db.session.get(Attempt, ours).items, itertools.cycle(responses)):
        item.response, item.score, item.presentation = response, item_score, presentation
    db.session.flush()
    db.session.expunge_all()
    plain = [item for item, _ in attempts.served(db.session.get(Attempt, ours))]  # items not loaded
    assert plain and all(isinstance(item, attempts.ServedItem) for item in plain)
    db.session.expunge_all()
    loaded = db.session.get(Attempt, ours).items
    names = [f.name for f in dataclasses.fields(attempts.ServedItem)]
    assert [[getattr(i, n) for n in names] for i in plain] == [[getattr(i, n) for n in names] for i in loaded]
    db.session.rollback()


def test_parameters_without_types_many_rows_and_none(ctx):
    plain = DriverSQL("SELECT :a AS a, :b AS b, '100%' AS c")  # a literal % survives psycopg's style
    assert plain.rows({"a": 1, "b": "x"}) == [{"a": 1, "b": "x", "c": "100%"}]
    with pytest.raises(ValueError):
        review.LOG.run([])  # never run once with no parameters
