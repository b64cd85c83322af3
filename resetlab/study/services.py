"""Lessons read, a learner's attempts and progress per lesson: database + core (attempts: attempts.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ..core.mastery import AttemptOutcome, Level, mastery
from ..core.schedule import ReviewAnswer, review_outcomes
from ..course import get_catalog
from ..database import begin_write
from ..extensions import db
from ..models import (
    Attempt,
    AttemptItem,
    AttemptState,
    LessonRead,
    ReviewLog,
    ReviewSource,
    User,
)


def mark_read(user: User, lesson_slug: str) -> None:
    """Record that the user read a lesson (once; repeats are harmless)."""
    exists = db.session.scalar(db.select(LessonRead.id).where(
        LessonRead.user_id == user.id, LessonRead.lesson_slug == lesson_slug))
    if exists:
        return
    begin_write()
    db.session.add(LessonRead(user_id=user.id, lesson_slug=lesson_slug))
    try:
        db.session.commit()
    except Exception:  # a double click raced us to the unique row: the lesson is read either way
        db.session.rollback()


def has_read(user: User, lesson_slug: str) -> bool:
    """Whether the user marked this lesson as read (one query; a lesson page needs nothing more)."""
    return db.session.scalar(db.select(LessonRead.id).where(
        LessonRead.user_id == user.id, LessonRead.lesson_slug == lesson_slug).limit(1)) is not None


@dataclass
class LessonProgress:
    """One learner's standing on one lesson."""

    read: bool = False
    attempts: int = 0
    best: float | None = None
    latest: float | None = None
    reviewed: int = 0
    level: Level = Level.NOT_STARTED
    pending: int = 0  # submitted attempts whose written answers are not graded yet (no score so far)

    @property
    def best_percent(self) -> int | None:
        """Best score as a percentage."""
        return None if self.best is None else round(self.best * 100)

    @property
    def latest_percent(self) -> int | None:
        """Latest score as a percentage."""
        return None if self.latest is None else round(self.latest * 100)


def progress_for(user: User | None) -> dict[str, LessonProgress]:
    """Per-bank progress (keyed by bank slug) in a fixed number of queries."""
    catalog = get_catalog()
    progress = {slug: LessonProgress() for slug in catalog.banks}
    for lesson in catalog.lessons:
        progress.setdefault(lesson.slug, LessonProgress())
    if user is None or not user.is_authenticated:
        return progress
    for slug in db.session.scalars(
            db.select(LessonRead.lesson_slug).where(LessonRead.user_id == user.id)):
        progress.setdefault(slug, LessonProgress()).read = True
    rows = db.session.execute(
        db.select(Attempt.id, Attempt.bank_slug, Attempt.score, Attempt.finished_at)
        .where(Attempt.user_id == user.id, Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.finished_at, Attempt.id)).all()
    question_sets: dict[int, set[str]] = defaultdict(set)
    for attempt_id, qid in db.session.execute(
            db.select(AttemptItem.attempt_id, AttemptItem.question_id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.user_id == user.id, Attempt.state == AttemptState.FINISHED)):
        question_sets[attempt_id].add(qid)
    outcomes: dict[str, list[tuple[datetime, AttemptOutcome]]] = defaultdict(list)
    for attempt_id, bank_slug, score, finished_at in rows:
        p = progress.setdefault(bank_slug, LessonProgress())
        p.attempts += 1
        if score is None:  # awaiting grading: neither a low score nor evidence of mastery yet
            p.pending += 1
            continue
        p.latest = score
        p.best = score if p.best is None else max(p.best, score)
        outcomes[bank_slug].append((finished_at, AttemptOutcome(score, frozenset(question_sets[attempt_id]))))
    reviewed = db.session.execute(
        db.select(ReviewLog.reviewed_at, ReviewLog.lesson_slug, ReviewLog.question_id, ReviewLog.score)
        .where(ReviewLog.user_id == user.id, ReviewLog.source != ReviewSource.QUIZ)).all()
    for lesson, found in review_outcomes(ReviewAnswer(*row) for row in reviewed).items():
        progress.setdefault(lesson, LessonProgress()).reviewed = len(found)
        outcomes[lesson].extend(found)
    for slug, seq in outcomes.items():
        seq.sort(key=lambda pair: pair[0])
        progress[slug].level = mastery(outcome for _, outcome in seq)
    return progress


def attempts_of(user: User, limit: int = 100) -> list[Attempt]:
    """The user's attempts, newest first."""
    return list(db.session.scalars(
        db.select(Attempt).where(Attempt.user_id == user.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc()).limit(limit)))
