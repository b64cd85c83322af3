"""Spaced review: database glue around the pure scheduling rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, update

from ..core import schedule as scheduling
from ..core.errors import NotFound
from ..core.questions import Question
from ..course import question_named
from ..database import DriverSQL, begin_write, insert_ignoring_duplicates
from ..extensions import db
from ..models import Attempt, AttemptState, ReviewCard, ReviewLog, ReviewSource, User, utcnow


@dataclass(frozen=True)
class Answered:
    """One graded answer to feed the schedule."""

    question: Question
    score: float
    sure: bool = True
    client_id: str | None = None
    when: datetime | None = None  # when it was answered, if not the time of recording (offline answers)


def record(user_id: int, answers: Iterable[Answered], now: datetime, source: str) -> None:
    """Create or advance review cards for these answers, in the order given (inside the caller's write
    transaction).

    Safe against parallel writers (a quiz submit racing an offline sync): missing cards are inserted
    with ON CONFLICT DO NOTHING, then every card involved is locked (FOR UPDATE on PostgreSQL; SQLite
    already holds the write lock) in one statement, in question-id order, before any is read and
    advanced — every writer takes its locks in the same order, so none waits on another in a circle.
    """
    answers = [a for a in answers if not a.question.kind.manual]  # written answers are graded, not drilled
    if not answers:
        return
    fresh = {a.question.id: a.question for a in answers if scheduling.needs_card(a.score, a.sure)}
    insert_ignoring_duplicates(ReviewCard, [
        {"user_id": user_id, "question_id": qid, "lesson_slug": q.lesson, "state": {}, "due_at": now,
         "reviews": 0, "lapses": 0, "version": 0, "created_at": now} for qid, q in sorted(fresh.items())])
    ids = sorted({a.question.id for a in answers})
    # Plain rows and two batched writes (not ORM objects and a flush): this runs inside every quiz
    # submit's write transaction, where each statement holds up the next writer.
    cards = {row["question_id"]: row for row in _cards_of(len(ids)).rows(
        {"user_id": user_id, **{f"q{i}": qid for i, qid in enumerate(ids)}})}
    logs = []
    for a in answers:
        when = a.when or now
        logs.append({"user_id": user_id, "question_id": a.question.id, "lesson_slug": a.question.lesson,
                     "source": source, "score": a.score, "sure": a.sure, "reviewed_at": when,
                     "client_id": a.client_id})
        card = cards.get(a.question.id)
        if card is None:  # a right, sure answer to a question with no card: nothing to schedule
            continue
        state = scheduling.review(card["state"] or None, a.score, a.sure, when)
        card.update(state=state.data, due_at=state.due, version=card["version"] + 1,
                    reviews=card["reviews"] + 1, lapses=card["lapses"] + (1 if a.score < 1.0 else 0),
                    changed=True)
    LOG.run(logs)
    changed = [{"card_id": c["id"], **{k: c[k] for k in CARD_FIELDS}}
               for c in cards.values() if c.get("changed")]
    if changed:
        CARD_UPDATE.run(changed)


# As the driver's own SQL (database.DriverSQL): these run inside every quiz submit's write transaction.
CARD_FIELDS = ("state", "due_at", "version", "reviews", "lapses")
CARDS, LOGS = ReviewCard.__table__, ReviewLog.__table__
LOG_FIELDS = ("user_id", "question_id", "lesson_slug", "source", "score", "sure", "reviewed_at", "client_id")
LOG = DriverSQL(f"INSERT INTO review_log ({', '.join(LOG_FIELDS)}) "
                f"VALUES ({', '.join(':' + name for name in LOG_FIELDS)})",
                sure=LOGS.c.sure.type, reviewed_at=LOGS.c.reviewed_at.type)
CARD_UPDATE = DriverSQL(
    f"UPDATE review_card SET {', '.join(f'{name} = :{name}' for name in CARD_FIELDS)} WHERE id = :card_id",
    state=CARDS.c.state.type, due_at=CARDS.c.due_at.type)


@lru_cache(maxsize=64)
def _cards_of(count: int) -> DriverSQL:
    """A user's cards of `count` questions (parameters user_id, q0 …), locked in question order."""
    return DriverSQL(
        "SELECT id, question_id, state, version, reviews, lapses FROM review_card "
        f"WHERE user_id = :user_id AND question_id IN ({', '.join(f':q{i}' for i in range(count))}) "
        "ORDER BY question_id", for_update=True, state=CARDS.c.state.type)


def due_count(user: User, now: datetime) -> int:
    """How many cards are due now."""
    return db.session.scalar(db.select(func.count(ReviewCard.id)).where(
        ReviewCard.user_id == user.id, ReviewCard.due_at <= now)) or 0


def next_due(user: User, now: datetime, skip: Iterable[int] = ()) -> ReviewCard | None:
    """The most overdue card, leaving out ones answered earlier in this session."""
    query = db.select(ReviewCard).where(ReviewCard.user_id == user.id, ReviewCard.due_at <= now)
    skip = list(skip)
    if skip:
        query = query.where(ReviewCard.id.not_in(skip))
    return db.session.scalar(query.order_by(ReviewCard.due_at, ReviewCard.id).limit(1))


def _reviewable(question_id: str) -> Question | None:
    """The question as the catalog has it now (the course or an instructor's bank), if it can be reviewed
    (a written answer cannot)."""
    question = question_named(question_id)
    return question if question is not None and not question.kind.manual else None


def card_for(user: User, card_id: int) -> tuple[ReviewCard, Question]:
    """The user's own card and its question as the course has it now; NotFound otherwise."""
    card = db.session.scalar(db.select(ReviewCard).where(
        ReviewCard.id == card_id, ReviewCard.user_id == user.id))
    question = _reviewable(card.question_id) if card is not None else None
    if card is None or question is None:
        raise NotFound(card_id)
    return card, question


def next_card(user: User, now: datetime, skip: Iterable[int] = ()) -> tuple[ReviewCard, Question] | None:
    """The most overdue card whose question is still in the catalog (the course or an instructor's bank),
    and that question.

    Cards whose question has left the catalog (or is a written one) are deleted on the way: there is
    nothing to review.
    """
    skip = list(skip)
    while (card := next_due(user, now, skip)) is not None:
        question = _reviewable(card.question_id)
        if question is not None:
            return card, question
        begin_write()
        db.session.delete(card)
        db.session.commit()
    return None


def answer_card(user: User, card: ReviewCard, question: Question, score: float, seen_version: int,
                now: datetime) -> bool:
    """Apply one review answer once: False if this card was already answered (double submit)."""
    state = scheduling.review(card.state, score, True, now)
    card_id = card.id
    begin_write()
    claimed = db.session.execute(
        update(ReviewCard).where(ReviewCard.id == card_id, ReviewCard.version == seen_version)
        .values(state=state.data, due_at=state.due, version=seen_version + 1,
                reviews=ReviewCard.reviews + 1, lapses=ReviewCard.lapses + (1 if score < 1.0 else 0)))
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(ReviewLog(user_id=user.id, question_id=question.id, lesson_slug=question.lesson,
                             source=ReviewSource.REVIEW, score=score, reviewed_at=now))
    db.session.commit()
    return True


def study_days(user_id: int) -> set[date]:
    """UTC days on which the learner finished a quiz or answered a review (two queries)."""
    days = {d.date() for d in db.session.scalars(db.select(ReviewLog.reviewed_at).where(
        ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= _recent()))}
    days |= {d.date() for d in db.session.scalars(db.select(Attempt.finished_at).where(
        Attempt.user_id == user_id, Attempt.state == AttemptState.FINISHED,
        Attempt.finished_at >= _recent()))}
    return days


def _recent() -> datetime:
    return utcnow() - timedelta(days=400)


@dataclass(frozen=True)
class Activity:
    """Review activity for the instructor's per-student page and the learner's home."""

    due_now: int
    due_week: int
    cards: int
    reviews_week: int
    streak: int


def activity(user_id: int, now: datetime) -> Activity:
    """Due load, recent reviews and the streak (a fixed number of queries)."""
    week = now + timedelta(days=7)
    due_now, due_week, cards = db.session.execute(db.select(
        func.count(ReviewCard.id).filter(ReviewCard.due_at <= now),
        func.count(ReviewCard.id).filter(ReviewCard.due_at <= week),
        func.count(ReviewCard.id)).where(ReviewCard.user_id == user_id)).one()
    reviews_week = db.session.scalar(db.select(func.count(ReviewLog.id)).where(
        ReviewLog.user_id == user_id, ReviewLog.source != ReviewSource.QUIZ,
        ReviewLog.reviewed_at >= now - timedelta(days=7))) or 0
    return Activity(due_now, due_week, cards, reviews_week,
                    scheduling.streak(study_days(user_id), now.date()))
