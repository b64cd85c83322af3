"""Attempts (drawing, saving, grading exactly once), lessons read and progress: database + core."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.exc import IntegrityError

from ..core import questions as answer_forms
from ..core.content.model import Bank
from ..core.errors import NotFound
from ..core.grading import grade
from ..core.mastery import AttemptOutcome, Level, mastery
from ..core.questions import Question, present
from ..core.rules import is_late, too_late
from ..core.schedule import ReviewAnswer, review_outcomes
from ..core.selection import draw_questions
from ..course import get_catalog
from ..database import begin_write, insert_missing
from ..extensions import db
from ..models import (
    Attempt,
    AttemptItem,
    AttemptState,
    LessonRead,
    QuestionVersion,
    ReviewLog,
    ReviewSource,
    User,
    utcnow,
)
from ..review import services as review


def attempt_for(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; NotFound otherwise (another learner's attempt does not exist for them)."""
    attempt = db.session.scalar(
        db.select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id))
    if attempt is None:
        raise NotFound(attempt_id)
    return attempt


def open_attempt(user: User, bank_slug: str) -> Attempt | None:
    """The user's unfinished practice attempt at this bank (assignments keep their own)."""
    return db.session.scalar(
        db.select(Attempt).where(Attempt.user_id == user.id, Attempt.bank_slug == bank_slug,
                                 Attempt.assignment_id.is_(None), Attempt.state == AttemptState.IN_PROGRESS))


def store_versions(questions: Iterable[Question]) -> None:
    """Save each question version once (inside the caller's write transaction); an upsert, so two
    first attempts starting at once on PostgreSQL do not collide on the primary key."""
    wanted = {q.content_hash: q for q in questions}
    insert_missing(QuestionVersion, [
        {"content_hash": version, "question_id": question.id, "snapshot": question.to_snapshot(),
         "created_at": utcnow()} for version, question in wanted.items()], "content_hash")


def create_attempt(user: User, bank: Bank, count: int, rng: random.Random, title: str | None = None,
                   **fields: Any) -> Attempt:
    """Draw `count` questions, freeze their versions and option order, and save the attempt."""
    catalog = get_catalog()
    questions = draw_questions(bank, catalog.banks.values(), count, rng)
    begin_write()
    store_versions(questions)
    attempt = Attempt(user_id=user.id, bank_slug=bank.slug, bank_title=title or bank.title,
                      lesson_slug=bank.lesson, **fields)
    attempt.items = [
        AttemptItem(position=i, question_id=q.id, content_hash=q.content_hash,
                    presentation=list(present(q, rng)))
        for i, q in enumerate(questions)
    ]
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another request stored the same version first (PostgreSQL)
        db.session.rollback()
        return create_attempt(user, bank, count, rng, title, **fields)
    return attempt


def start_attempt(user: User, bank: Bank, rng: random.Random | None = None) -> Attempt:
    """Start a practice attempt, or return the one already in progress."""
    existing = open_attempt(user, bank.slug)
    if existing is not None:
        return existing
    return create_attempt(user, bank, bank.draw, rng or random.Random())


@dataclass
class Submission:
    """What happened to a submit: graded now, already graded, or needs fixing."""

    graded: bool = False
    already: bool = False
    timed_out: bool = False
    problems: dict[int, str] = field(default_factory=dict)
    refill: dict[str, list[str]] = field(default_factory=dict)


def versions(hashes: Iterable[str] | Select) -> dict[str, Question]:
    """Questions exactly as served, by content hash (one query); takes hashes or a subquery."""
    wanted = hashes if isinstance(hashes, Select) else list(set(hashes))
    return {h: Question.from_snapshot(snap) for h, snap in db.session.execute(
        db.select(QuestionVersion.content_hash, QuestionVersion.snapshot)
        .where(QuestionVersion.content_hash.in_(wanted)))}


def served(attempt: Attempt) -> list[tuple[AttemptItem, Question]]:
    """Each item with its question rebuilt from the version it was served with."""
    items = list(attempt.items)
    found = versions(item.content_hash for item in items)
    return [(item, found[item.content_hash]) for item in items]


def submit_attempt(attempt: Attempt, form: Mapping[str, Sequence[str]], now: datetime | None = None,
                   due_at: datetime | None = None) -> Submission:
    """Grade and finish an attempt exactly once; raises TamperedAnswer before storing anything.

    Past the server-side deadline (plus a short grace) the answers sent are not counted.
    """
    if attempt.finished:
        return Submission(already=True)
    now = now or utcnow()
    timed_out = too_late(attempt.deadline_at, now)
    parsed: dict[int, Any] = {}
    outcome = Submission(timed_out=timed_out)
    asked = served(attempt)
    for item, question in asked:
        if timed_out:
            parsed[item.position] = None
            continue
        try:
            parsed[item.position] = answer_forms.parse_answer(question, item.position, form)
        except answer_forms.AnswerProblem as problem:
            outcome.problems[item.position] = str(problem)
    if outcome.problems:
        for item, question in asked:
            if item.position in parsed:
                outcome.refill.update(
                    answer_forms.form_values(question, item.position, parsed[item.position]))
        for key, values in form.items():
            outcome.refill.setdefault(key, list(values))
        return outcome
    unsure = {int(k[1:]) for k, v in form.items() if k[:1] == "g" and k[1:].isdigit() and "1" in v}
    graded = [(item.id, item.position, question, grade(question, parsed[item.position]))
              for item, question in asked]
    total = sum(r.score for _, _, _, r in graded) / max(1, len(graded))
    attempt_id, user_id = attempt.id, attempt.user_id
    begin_write()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.state == AttemptState.IN_PROGRESS)
        .values(state=AttemptState.FINISHED, finished_at=now, score=total, timed_out=timed_out,
                late=due_at is not None and is_late(now, due_at)))
    if claimed.rowcount != 1:
        db.session.rollback()
        return Submission(already=True)
    db.session.execute(update(AttemptItem), [
        {"id": item_id, "response": answer_forms.to_json(q, parsed[pos]), "score": r.score}
        for item_id, pos, q, r in graded])
    review.record(user_id, [review.Answered(q, r.score, sure=pos not in unsure)
                            for _, pos, q, r in graded], now, ReviewSource.QUIZ)
    db.session.commit()
    return Submission(graded=True, timed_out=timed_out)


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


@dataclass
class LessonProgress:
    """One learner's standing on one lesson."""

    read: bool = False
    attempts: int = 0
    best: float | None = None
    latest: float | None = None
    reviewed: int = 0
    level: Level = Level.NOT_STARTED

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
