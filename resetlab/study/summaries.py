"""One row per student and assignment (AttemptSummary), kept up to date inside the write that changes it.

- starting an assignment attempt counts it (`count_start`, from `attempts.add_attempt`);
- handing one in counts it as finished, late or pending and folds its score in (`count_finish`, from
  `attempts.submit`): assignment attempts are handed in in the order they were made, because the
  database allows one open attempt per student and assignment;
- anything else that changes an assignment attempt afterwards (a written answer graded, attempts
  inserted in bulk, a repair) recomputes the rows from the attempts: `refresh` for some students,
  `rebuild` for whole assignments.

Deleting a student, an assignment or a class deletes their rows (ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    Select,
    and_,
    case,
    delete,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from ..core.rules import Grading
from ..database import DriverSQL
from ..extensions import db
from ..models import Attempt, AttemptState, AttemptSummary

KEY = ("assignment_id", "user_id")


def _insert():
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    return (postgresql_insert if postgresql else sqlite_insert)(AttemptSummary)


# The same SQL on SQLite and PostgreSQL (INSERT … ON CONFLICT DO UPDATE), written out once: these run
# inside every start and hand-in, where building the statement anew cost more than running it.
START = text(
    "INSERT INTO attempt_summary (assignment_id, user_id, attempts, finished, late, pending, first_pending, "
    "last_pending) VALUES (:assignment_id, :user_id, 1, 0, 0, 0, 0, 0) "
    "ON CONFLICT (assignment_id, user_id) DO UPDATE SET attempts = attempt_summary.attempts + 1")
FINISH = DriverSQL(
    "INSERT INTO attempt_summary (assignment_id, user_id, attempts, finished, late, pending, first_pending, "
    "last_pending, first_score, last_score, best_score, first_attempt_id, last_attempt_id, best_attempt_id, "
    "first_finished_at) "
    "VALUES (:assignment_id, :user_id, 1, 1, :late, :pending, :pending, :pending, :score, :score, :score, "
    ":scored, :scored, :scored, :finished_at) "
    "ON CONFLICT (assignment_id, user_id) DO UPDATE SET "
    "finished = attempt_summary.finished + 1, "
    # SET reads the row as it was: finished = 0 means this is the first hand-in
    "first_pending = CASE WHEN attempt_summary.finished = 0 THEN excluded.first_pending "
    "ELSE attempt_summary.first_pending END, "
    "last_pending = excluded.last_pending, "
    "late = attempt_summary.late + excluded.late, "
    "pending = attempt_summary.pending + excluded.pending, "
    "first_score = COALESCE(attempt_summary.first_score, excluded.first_score), "
    "first_attempt_id = COALESCE(attempt_summary.first_attempt_id, excluded.first_attempt_id), "
    "last_score = COALESCE(excluded.last_score, attempt_summary.last_score), "
    "last_attempt_id = COALESCE(excluded.last_attempt_id, attempt_summary.last_attempt_id), "
    "best_score = CASE WHEN attempt_summary.best_score IS NULL "
    "OR excluded.best_score > attempt_summary.best_score "
    "THEN excluded.best_score ELSE attempt_summary.best_score END, "
    "best_attempt_id = CASE WHEN attempt_summary.best_score IS NULL "
    "OR excluded.best_score > attempt_summary.best_score "
    "THEN excluded.best_attempt_id ELSE attempt_summary.best_attempt_id END, "
    "first_finished_at = CASE WHEN attempt_summary.first_finished_at IS NULL "
    "OR excluded.first_finished_at < attempt_summary.first_finished_at "
    "THEN excluded.first_finished_at ELSE attempt_summary.first_finished_at END",
    finished_at=DateTime(), score=Float())  # the driver's own SQL: it runs inside every submit's write lock


def awaiting(grading: str) -> ColumnElement[bool]:
    """Whether the score that counts under this grading rule awaits grading, from the summary's columns:
    `Tally.awaiting` (core/rules.py) in SQL."""
    s = AttemptSummary
    if grading == Grading.LATEST:
        return s.last_pending == 1
    if grading == Grading.FIRST:
        return s.first_pending == 1
    return (s.pending > 0) & (s.best_score.is_(None) | (s.best_score < 1.0))


def awaiting_sql(grading: str, dialect) -> str:
    """`awaiting` as SQL text on the attempt_summary table, for statements written out as text."""
    return str(awaiting(grading).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def count_start(user_id: int, assignment_id: int) -> None:
    """One more attempt at this assignment (inside the caller's write transaction)."""
    db.session.execute(START, {"assignment_id": assignment_id, "user_id": user_id})


def count_finish(user_id: int, assignment_id: int, attempt_id: int, score: float | None, late: bool,
                 finished_at: datetime) -> None:
    """One more finished attempt, the latest made (inside the caller's write transaction, in one
    statement); a NULL score awaits grading. The earliest attempt with the best score stays the
    best one."""
    FINISH.run({
        "assignment_id": assignment_id, "user_id": user_id, "late": int(late), "pending": int(score is None),
        "score": score, "scored": None if score is None else attempt_id, "finished_at": finished_at})


def _unscored(attempt):
    """1 when this (finished) attempt awaits a score, else 0 (also when there is none)."""
    return case((attempt.id.is_not(None) & attempt.score.is_(None), 1), else_=0)


def _recomputed(where) -> Select:
    """Every summary column for the (assignment, student) pairs whose attempts match `where`."""
    finished = Attempt.state == AttemptState.FINISHED
    scored = finished & Attempt.score.is_not(None)
    grouped = (
        select(Attempt.assignment_id, Attempt.user_id,
               func.count().label("attempts"),
               func.min(case((finished, Attempt.id))).label("first_finished_id"),
               func.max(case((finished, Attempt.id))).label("last_finished_id"),
               func.sum(case((finished, 1), else_=0)).label("finished"),
               func.sum(case((finished & Attempt.late, 1), else_=0)).label("late"),
               func.sum(case((finished & Attempt.score.is_(None), 1), else_=0)).label("pending"),
               func.min(case((scored, Attempt.id))).label("first_id"),
               func.max(case((scored, Attempt.id))).label("last_id"),
               func.max(case((scored, Attempt.score))).label("best"),
               func.min(case((finished, Attempt.finished_at))).label("first_finished_at"))
        .where(Attempt.assignment_id.is_not(None), where)
        .group_by(Attempt.assignment_id, Attempt.user_id).cte("grouped"))
    first, last, best = aliased(Attempt), aliased(Attempt), aliased(Attempt)
    first_done, last_done = aliased(Attempt), aliased(Attempt)
    pair = (grouped.c.assignment_id == best.assignment_id) & (grouped.c.user_id == best.user_id)
    # The earliest attempt with the best score, found by a join rather than a subquery per row.
    best_ids = (select(best.assignment_id, best.user_id, func.min(best.id).label("best_id"))
                .join(grouped, pair & (best.score == grouped.c.best))
                .where(best.state == AttemptState.FINISHED)
                .group_by(best.assignment_id, best.user_id).subquery())
    return (select(grouped.c.assignment_id, grouped.c.user_id, grouped.c.attempts, grouped.c.finished,
                   grouped.c.late, grouped.c.pending, _unscored(first_done), _unscored(last_done),
                   first.score, last.score, grouped.c.best,
                   grouped.c.first_id, grouped.c.last_id, best_ids.c.best_id, grouped.c.first_finished_at)
            .select_from(grouped)
            .outerjoin(best_ids, (best_ids.c.assignment_id == grouped.c.assignment_id)
                       & (best_ids.c.user_id == grouped.c.user_id))
            .outerjoin(first, first.id == grouped.c.first_id).outerjoin(last, last.id == grouped.c.last_id)
            .outerjoin(first_done, first_done.id == grouped.c.first_finished_id)
            .outerjoin(last_done, last_done.id == grouped.c.last_finished_id)
            .where(grouped.c.attempts > 0))


COLUMNS = ["assignment_id", "user_id", "attempts", "finished", "late", "pending", "first_pending",
           "last_pending", "first_score", "last_score", "best_score", "first_attempt_id", "last_attempt_id",
           "best_attempt_id", "first_finished_at"]


def _write(where) -> None:
    stmt = _insert().from_select(COLUMNS, _recomputed(where))
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=KEY, set_={name: stmt.excluded[name] for name in COLUMNS if name not in KEY}))


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the summaries of these (assignment id, user id) pairs from their attempts, inside the
    caller's write transaction: after grading a written answer, say.

    On PostgreSQL the rows are locked first (created if missing), so a start or hand-in running at
    the same time waits for this transaction, or this one reads what it committed.
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return
    key = tuple_(AttemptSummary.assignment_id, AttemptSummary.user_id)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_insert().values([
            {"assignment_id": a, "user_id": u, "attempts": 0, "finished": 0, "late": 0, "pending": 0,
             "first_pending": 0, "last_pending": 0}
            for a, u in pairs]).on_conflict_do_nothing())
        db.session.execute(select(AttemptSummary.assignment_id).where(key.in_(pairs))
                           .order_by(AttemptSummary.assignment_id, AttemptSummary.user_id).with_for_update())
    _write(tuple_(Attempt.assignment_id, Attempt.user_id).in_(pairs))
    db.session.execute(delete(AttemptSummary).where(key.in_(pairs), ~select(Attempt.id).where(
        and_(Attempt.assignment_id == AttemptSummary.assignment_id,
             Attempt.user_id == AttemptSummary.user_id)).exists()))


def rebuild(assignment_ids: Iterable[int]) -> None:
    """Recompute every summary of these assignments from their attempts (inside the caller's write
    transaction): for attempts written in bulk, as the demo does."""
    ids = sorted(set(assignment_ids))
    if not ids:
        return
    db.session.execute(delete(AttemptSummary).where(AttemptSummary.assignment_id.in_(ids)))
    _write(Attempt.assignment_id.in_(ids))
