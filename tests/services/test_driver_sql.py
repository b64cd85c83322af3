"""database.DriverSQL stores and reads values exactly as SQLAlchemy does (dates, booleans, JSON), on
SQLite and PostgreSQL: the submit's writes go through it, every other read goes through the ORM."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text, update

from resetlab.database import DriverSQL
from resetlab.extensions import db
from resetlab.models import ReviewCard, ReviewLog, User

from .conftest import make_user

LOGS, CARDS = ReviewLog.__table__, ReviewCard.__table__
LOG = DriverSQL("INSERT INTO review_log (user_id, question_id, lesson_slug, source, score, sure, "
                "reviewed_at, client_id) "
                "VALUES (:user_id, :question_id, 'l', 'quiz', :score, :sure, :reviewed_at, NULL)",
                sure=LOGS.c.sure.type, reviewed_at=LOGS.c.reviewed_at.type)
CARD = DriverSQL("UPDATE review_card SET state = :state, due_at = :due_at WHERE id = :card_id",
                 state=CARDS.c.state.type, due_at=CARDS.c.due_at.type)
READ = DriverSQL("SELECT id, state FROM review_card WHERE id = :card_id", for_update=True,
                 state=CARDS.c.state.type)

moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1))
json = st.recursive(st.none() | st.booleans() | st.integers(-2**31, 2**31) | st.text(max_size=8)
                    | st.floats(allow_nan=False, allow_infinity=False, width=32),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                               max_size=3), max_leaves=8)
scores = st.floats(0, 1)


def stored(table: str, where: str, columns: str) -> list[tuple]:
    """The values as the database holds them (no conversion on the way out), in id order."""
    return [tuple(row) for row in db.session.execute(text(
        f"SELECT {columns} FROM {table} WHERE {where} ORDER BY id")).all()]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=moments, sure=st.booleans(), score=scores, state=st.dictionaries(st.text(max_size=6), json,
                                                                              max_size=4))
def test_values_are_stored_and_read_as_sqlalchemy_stores_and_reads_them(ctx, when, sure, score, state):
    user = db.session.scalar(select(User)) or make_user()
    values = {"user_id": user.id, "question_id": "q", "score": score, "sure": sure, "reviewed_at": when}
    LOG.run([values])  # ours first, then SQLAlchemy's
    db.session.execute(insert(LOGS), [{**values, "lesson_slug": "l", "source": "quiz"}])
    ours, theirs = stored("review_log", "question_id = 'q'", "score, sure, reviewed_at")
    assert ours == theirs
    loaded = db.session.scalars(select(ReviewLog).where(ReviewLog.question_id == "q")).all()
    assert {(log.sure, log.reviewed_at, log.score) for log in loaded} == {(sure, when, score)}

    card = ReviewCard(user_id=user.id, question_id="q", lesson_slug="l", state={}, due_at=when)
    twin = ReviewCard(user_id=user.id, question_id="r", lesson_slug="l", state={}, due_at=when)
    db.session.add_all([card, twin])
    db.session.flush()
    CARD.run([{"card_id": card.id, "state": state, "due_at": when}])
    db.session.execute(update(CARDS).where(CARDS.c.id == twin.id).values(state=state, due_at=when))
    ours, theirs = stored("review_card", f"id IN ({card.id}, {twin.id})", "state, due_at")
    assert ours == theirs
    assert READ.rows({"card_id": card.id}) == [{"id": card.id, "state": state}]
    db.session.expire_all()
    assert db.session.get(ReviewCard, card.id).state == state
    db.session.rollback()


def test_many_rows_and_no_typed_parameter(ctx):
    user = make_user()
    plain = DriverSQL("SELECT :a AS a, :b AS b")
    assert plain.rows({"a": 1, "b": "x"}) == [{"a": 1, "b": "x"}]
    rows = [{"user_id": user.id, "question_id": f"q{i}", "score": i / 4, "sure": i % 2 == 0,
             "reviewed_at": datetime(2026, 1, 1, 12, 0, i)} for i in range(4)]
    assert LOG.run(rows).rowcount in (4, -1)  # executemany; some drivers do not count
    found = db.session.scalars(select(ReviewLog).order_by(ReviewLog.question_id)).all()
    assert [(log.question_id, log.sure, log.reviewed_at) for log in found] == \
        [(r["question_id"], r["sure"], r["reviewed_at"]) for r in rows]
