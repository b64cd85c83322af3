"""A student's side of classes: joining, the assignments they may see, starting attempts, the to-do list."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from ..core import rules
from ..core.errors import Forbidden, NotFound
from ..core.selection import Purpose, draw_questions, with_sources_together, written
from ..course import any_bank, get_catalog
from ..database import begin_write
from ..extensions import db
from ..models import (
    Accommodation,
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    Enrollment,
    LtiResourceLink,
    User,
    utcnow,
)
from ..study.attempts import add_attempt


def classroom_by_code(code: str) -> Classroom | None:
    """An open class by its join code (case and spaces ignored)."""
    cleaned = "".join(code.split()).upper()
    if not cleaned:
        return None
    return db.session.scalar(db.select(Classroom).where(
        Classroom.join_code == cleaned, Classroom.archived.is_(False)))


class Removed(Forbidden):
    """The student was removed from this class (only an instructor can let them back in), or the account
    is an instructor's, which never joins a class as a student."""


def join(user: User, classroom: Classroom) -> bool:
    """Add the student to the class; False if already a member. A removed student is refused
    (Removed) until an instructor re-admits them; so is an instructor's account: a class's instructor can
    see its students' work and issue them password reset links, which no instructor may have over another."""
    if user.is_instructor:
        raise Removed("An instructor account cannot join a class as a student. To see a class as your "
                      "students do, sign up a separate student account.")
    begin_write()
    enrollment = db.session.scalar(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user.id))
    if enrollment is not None:
        db.session.rollback()
        if not enrollment.active:
            raise Removed("Your instructor removed you from this class. Ask them to re-admit you.")
        return False
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us: the student is a member either way
        db.session.rollback()
        return False
    return True


def assignment_for_student(user: User, assignment_id: int) -> tuple[Assignment, Classroom]:
    """An assignment of an open class the student is an active member of; NotFound otherwise."""
    row = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Assignment.id == assignment_id, Enrollment.user_id == user.id,
               Enrollment.active.is_(True), Classroom.archived.is_(False))).first()
    if row is None:
        raise NotFound(assignment_id)
    return row[0], row[1]


def assignment_of(attempt: Attempt) -> Assignment | None:
    """The assignment an attempt was made for (None for practice)."""
    return db.session.get(Assignment, attempt.assignment_id) if attempt.assignment_id else None


@dataclass(frozen=True)
class HandIn:
    """What a submit needs to know of an attempt's assignment, read in one query."""

    assignment: Assignment | None
    refusal: str | None  # why work may no longer be handed in, or None
    lms: bool  # an LMS placed the assignment: a new counted score is queued for it


def hand_in(attempt: Attempt) -> HandIn:
    """The attempt's assignment, why an open attempt may no longer be submitted (closed assignment,
    removed student, archived class), and whether an LMS placed it, in one query. Practice attempts
    have no assignment and are always open to submit. (`lms` is read before the submit's write: an LMS
    placement made in the milliseconds between is not looked for by this submit; placements are made
    when an instructor sets the assignment up, before students hand in.)"""
    if attempt.assignment_id is None:
        return HandIn(None, None, False)
    row = db.session.execute(HAND_IN, {"assignment_id": attempt.assignment_id,
                                       "user_id": attempt.user_id}).first()
    return _judged(*(row or (None, False, None, False)))


def attempt_to_hand_in(user: User, attempt_id: int) -> tuple[Attempt, HandIn]:
    """The user's own attempt (NotFound otherwise, as `attempts.attempt_for`) and what `hand_in` says of
    it, in one query: a quiz submit needs both."""
    row = db.session.execute(OWN_ATTEMPT_HAND_IN, {"attempt_id": attempt_id, "user_id": user.id}).first()
    if row is None:
        raise NotFound(attempt_id)
    attempt, *found = row
    return attempt, (HandIn(None, None, False) if attempt.assignment_id is None else _judged(*found))


def _judged(assignment: Assignment | None, archived: bool, active: bool | None, lms: bool) -> HandIn:
    """`hand_in`'s answer from its row (no assignment: it was deleted)."""
    if assignment is None:
        return HandIn(None, "This assignment no longer exists.", False)
    refusal = None
    if archived:
        refusal = "This class has been archived, so work can no longer be handed in."
    elif not active:
        refusal = "You are no longer on this class's roster, so work can no longer be handed in."
    elif assignment.closed:
        refusal = "Your instructor has closed this assignment."
    return HandIn(assignment, refusal, bool(lms))


# Built once (every quiz submit reads them): the assignment, its class's state, the student's enrollment
# and whether an LMS placed it; from the assignment, or from the user's own attempt (outer joins: a
# practice attempt has none).
_HAND_IN_COLUMNS = (Assignment, Classroom.archived, Enrollment.active, db.select(LtiResourceLink.id).where(
    LtiResourceLink.assignment_id == Assignment.id).exists())
HAND_IN = (
    db.select(*_HAND_IN_COLUMNS)
    .join(Classroom, Classroom.id == Assignment.classroom_id)
    .outerjoin(Enrollment, (Enrollment.classroom_id == Classroom.id)
               & (Enrollment.user_id == bindparam("user_id")))
    .where(Assignment.id == bindparam("assignment_id")))
OWN_ATTEMPT_HAND_IN = (
    db.select(Attempt, *_HAND_IN_COLUMNS)
    .outerjoin(Assignment, Assignment.id == Attempt.assignment_id)
    .outerjoin(Classroom, Classroom.id == Assignment.classroom_id)
    .outerjoin(Enrollment, (Enrollment.classroom_id == Classroom.id)
               & (Enrollment.user_id == Attempt.user_id))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")))


def submission_refusal(attempt: Attempt) -> str | None:
    """Why an open attempt may no longer be submitted, or None (see `hand_in`)."""
    return hand_in(attempt).refusal


def accommodation(classroom_id: int, user_id: int) -> Accommodation | None:
    """A student's accommodation in a class, if any."""
    return db.session.scalar(db.select(Accommodation).where(
        Accommodation.classroom_id == classroom_id, Accommodation.user_id == user_id))


def rules_for(assignment: Assignment, user_id: int) -> rules.Rules:
    """The assignment's rules with the student's accommodation applied."""
    extra = accommodation(assignment.classroom_id, user_id)
    return rules.Rules(open_at=assignment.open_at, due_at=assignment.due_at,
                       attempts_allowed=assignment.attempts_allowed,
                       time_limit_minutes=assignment.time_limit_minutes, closed=assignment.closed,
                       extra_attempts=extra.extra_attempts if extra else 0,
                       time_multiplier=extra.time_multiplier if extra else 1.0)


def attempts_on(user: User, assignment: Assignment) -> list[Attempt]:
    """The student's attempts at this assignment, oldest first."""
    return list(db.session.scalars(db.select(Attempt).where(
        Attempt.user_id == user.id, Attempt.assignment_id == assignment.id)
        .order_by(Attempt.started_at, Attempt.id)))


@dataclass(frozen=True)
class Standing:
    """Where a student stands on one assignment: attempts, what the rules allow now, the grade."""

    attempts: list[Attempt]
    rules: rules.Rules
    refusal: str | None
    left: int | None
    counted: float | None
    late: bool
    awaiting: bool = False  # the grade that counts waits for a written answer to be graded
    written: int = 0  # written prompts each attempt has besides the drawn questions


def standing(user: User, assignment: Assignment, now: datetime) -> Standing:
    """The student's attempts and the rules as they apply right now."""
    attempts = attempts_on(user, assignment)
    applied = rules_for(assignment, user.id)
    used = len(attempts)
    refusal = None if any(not a.finished for a in attempts) else rules.start_refusal(applied, now, used)
    tally = rules.Tally()
    for attempt in attempts:
        tally.add(attempt.finished, attempt.late, attempt.score)
    return Standing(attempts, applied, refusal, rules.attempts_left(applied, used),
                    tally.counted(assignment.grading), rules.is_late(now, assignment.due_at),
                    tally.awaiting(assignment.grading), written_prompts(assignment))


def written_prompts(assignment: Assignment) -> int:
    """How many written prompts an attempt at this assignment has (the bank's, when it includes them)."""
    bank = any_bank(assignment.bank_slug) if assignment.include_written else None
    return len(written(bank)) if bank is not None else 0


class StartRefused(Exception):
    """The student may not start an attempt now; the message says why."""


def start_assignment_attempt(user: User, assignment: Assignment, now: datetime | None = None,
                             rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt, or start one if the rules allow, with a server-side deadline.

    The rules hold under parallel requests because the database holds them: at most one open attempt
    per student and assignment, and attempts numbered 1, 2, … (two starts cannot both take number 2).
    The count is read inside the write transaction.
    """
    now = now or utcnow()
    rng = rng or random.Random()
    bank = any_bank(assignment.bank_slug)
    if bank is None:
        raise StartRefused("This quiz is no longer in the course.")
    essays = written(bank) if assignment.include_written else []  # after the drawn questions
    questions = with_sources_together(draw_questions(bank, get_catalog().banks.values(), assignment.draw, rng,
                                                     Purpose.ASSESSMENT, taken=essays) + essays)
    applied = rules_for(assignment, user.id)
    begin_write()
    previous = attempts_on(user, assignment)
    open_one = next((a for a in previous if not a.finished), None)
    refusal = None if open_one else rules.start_refusal(applied, now, len(previous))
    if open_one is not None or refusal:
        db.session.rollback()
        if refusal:
            raise StartRefused(refusal)
        return open_one
    try:  # adding it counts the start in the summary, a statement that flushes the new attempt first
        attempt = add_attempt(user, bank, questions, rng, title=assignment.title, assignment_id=assignment.id,
                              number=len(previous) + 1, started_at=now,
                              deadline_at=rules.deadline(applied, now))
        db.session.commit()
    except IntegrityError:  # a parallel start took the open slot or this number first
        db.session.rollback()
        open_one = next((a for a in attempts_on(user, assignment) if not a.finished), None)
        if open_one is None:
            raise StartRefused("Another attempt was just started or submitted; reload the page.") from None
        return open_one
    return attempt


@dataclass
class TodoItem:
    """One assignment on a student's to-do list."""

    assignment: Assignment
    classroom: Classroom
    status: str
    score: float | None
    attempts: int
    overdue: bool


def todo_for(user: User, now: datetime | None = None) -> list[TodoItem]:
    """The student's assignments: overdue first, then by due date (fixed number of queries)."""
    now = now or utcnow()
    rows = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Enrollment.user_id == user.id, Enrollment.active.is_(True),
               Classroom.archived.is_(False), Assignment.open_at <= now)).all()
    ids = [a.id for a, _ in rows]
    tallies = {i: rules.Tally() for i in ids}
    if ids:
        for aid, state, late, score in db.session.execute(
                db.select(Attempt.assignment_id, Attempt.state, Attempt.late, Attempt.score)
                .where(Attempt.user_id == user.id, Attempt.assignment_id.in_(ids))
                .order_by(Attempt.started_at, Attempt.id)):
            tallies[aid].add(state == AttemptState.FINISHED, late, score)
    items = []
    for assignment, classroom in rows:
        tally = tallies[assignment.id]
        status = tally.status(assignment.due_at, now, assignment.grading)
        overdue = status in (rules.NOT_STARTED, rules.MISSING, rules.IN_PROGRESS) \
            and assignment.due_at < now
        items.append(TodoItem(assignment, classroom, status, tally.counted(assignment.grading),
                              tally.attempts, overdue))
    items.sort(key=lambda t: (t.status in rules.SUBMITTED, not t.overdue, t.assignment.due_at))
    return items
