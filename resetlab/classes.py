"""Classes, rosters, assignments and accommodations: database glue, scoped to the caller."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy.exc import IntegrityError

from .core import rules as policy
from .core.content.model import Bank
from .database import begin_write
from .extensions import db
from .models import Accommodation, Assignment, Attempt, Classroom, Enrollment, User, utcnow
from .services import create_attempt, get_catalog

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read off a projector


def new_join_code() -> str:
    """A random 8-character join code, easy to read aloud."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def classroom_for_instructor(user: User, classroom_id: int) -> Classroom:
    """The instructor's own class, or 404."""
    classroom = db.session.scalar(db.select(Classroom).where(
        Classroom.id == classroom_id, Classroom.instructor_id == user.id))
    if classroom is None:
        abort(404)
    return classroom


def assignment_for_instructor(user: User, assignment_id: int) -> tuple[Assignment, Classroom]:
    """An assignment in one of the instructor's classes, or 404."""
    row = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, Classroom.instructor_id == user.id)).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def assignment_for_student(user: User, assignment_id: int) -> tuple[Assignment, Classroom]:
    """An assignment of a class the student is an active member of, or 404."""
    row = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Assignment.id == assignment_id, Enrollment.user_id == user.id,
               Enrollment.active.is_(True), Classroom.archived.is_(False))).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def classrooms_of_instructor(user: User) -> list[tuple[Classroom, int]]:
    """The instructor's classes with their active student counts."""
    count = (db.select(db.func.count(Enrollment.id))
             .where(Enrollment.classroom_id == Classroom.id, Enrollment.active.is_(True))
             .correlate(Classroom).scalar_subquery())
    return list(db.session.execute(
        db.select(Classroom, count).where(Classroom.instructor_id == user.id)
        .order_by(Classroom.archived, Classroom.created_at.desc())))


def create_classroom(user: User, name: str) -> Classroom:
    """A new class with a fresh join code."""
    begin_write()
    classroom = Classroom(instructor_id=user.id, name=name.strip(), join_code=new_join_code())
    db.session.add(classroom)
    db.session.commit()
    return classroom


def update_classroom(classroom: Classroom, *, name: str | None = None, archived: bool | None = None,
                     new_code: bool = False) -> None:
    """Rename, archive/unarchive, or regenerate the join code (the old one stops working)."""
    begin_write()
    if name is not None:
        classroom.name = name.strip()
    if archived is not None:
        classroom.archived = archived
    if new_code:
        classroom.join_code = new_join_code()
    db.session.commit()


def classroom_by_code(code: str) -> Classroom | None:
    """An open class by its join code (case and spaces ignored)."""
    cleaned = "".join(code.split()).upper()
    if not cleaned:
        return None
    return db.session.scalar(db.select(Classroom).where(
        Classroom.join_code == cleaned, Classroom.archived.is_(False)))


def join(user: User, classroom: Classroom) -> bool:
    """Add the student to the class (again, if removed earlier); False if already a member."""
    begin_write()
    enrollment = db.session.scalar(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user.id))
    if enrollment is not None and enrollment.active:
        db.session.rollback()
        return False
    if enrollment is None:
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
    else:
        enrollment.active = True
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us: the student is a member either way
        db.session.rollback()
        return False
    return True


def remove_student(classroom: Classroom, user_id: int) -> bool:
    """Take a student off the roster; their attempts and progress stay theirs."""
    begin_write()
    enrollment = db.session.scalar(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id,
        Enrollment.active.is_(True)))
    if enrollment is None:
        db.session.rollback()
        return False
    enrollment.active = False
    db.session.commit()
    return True


def roster(classroom: Classroom) -> list[User]:
    """Active students, by name."""
    return list(db.session.scalars(
        db.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))
        .order_by(User.display_name, User.id)))


def student_in_class(classroom: Classroom, user_id: int) -> User:
    """A student on this class's roster, or 404."""
    user = db.session.scalar(
        db.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id,
               Enrollment.active.is_(True)))
    if user is None:
        abort(404)
    return user


def assignments_of(classroom: Classroom) -> list[Assignment]:
    """The class's assignments by due date."""
    return list(db.session.scalars(db.select(Assignment).where(
        Assignment.classroom_id == classroom.id).order_by(Assignment.due_at, Assignment.id)))


@dataclass(frozen=True)
class AssignmentSettings:
    """What an instructor chose in the assign form (dates already in UTC)."""

    open_at: datetime
    due_at: datetime
    attempts_allowed: int | None
    grading: str
    draw: int | None
    time_limit_minutes: int | None
    reveal: str


def assign(classroom: Classroom, banks: list[Bank], settings: AssignmentSettings) -> list[Assignment]:
    """One assignment per chosen lesson quiz, all with the same settings."""
    begin_write()
    made = []
    for bank in banks:
        draw = min(settings.draw or bank.draw, len(bank.questions) if bank.pool == "bank" else 10**6)
        assignment = Assignment(
            classroom_id=classroom.id, bank_slug=bank.slug, title=bank.title,
            open_at=settings.open_at, due_at=settings.due_at,
            attempts_allowed=settings.attempts_allowed, grading=settings.grading, draw=draw,
            time_limit_minutes=settings.time_limit_minutes, reveal=settings.reveal)
        db.session.add(assignment)
        made.append(assignment)
    db.session.commit()
    return made


def set_closed(assignment: Assignment, closed: bool) -> None:
    """Close an assignment to late work, or reopen it."""
    begin_write()
    assignment.closed = closed
    db.session.commit()


def accommodation(classroom_id: int, user_id: int) -> Accommodation | None:
    """A student's accommodation in a class, if any."""
    return db.session.scalar(db.select(Accommodation).where(
        Accommodation.classroom_id == classroom_id, Accommodation.user_id == user_id))


def accommodations(classroom: Classroom) -> dict[int, Accommodation]:
    """Every accommodation in a class, by student id (one query)."""
    return {a.user_id: a for a in db.session.scalars(
        db.select(Accommodation).where(Accommodation.classroom_id == classroom.id))}


def set_accommodation(classroom: Classroom, user_id: int, multiplier: float, extra_attempts: int) -> None:
    """Give a student extra time and/or extra attempts in this class."""
    begin_write()
    row = accommodation(classroom.id, user_id)
    if row is None:
        row = Accommodation(classroom_id=classroom.id, user_id=user_id)
        db.session.add(row)
    row.time_multiplier = multiplier
    row.extra_attempts = extra_attempts
    db.session.commit()


def rules_for(assignment: Assignment, user_id: int) -> policy.Rules:
    """The assignment's rules with the student's accommodation applied."""
    extra = accommodation(assignment.classroom_id, user_id)
    return policy.Rules(open_at=assignment.open_at, due_at=assignment.due_at,
                        attempts_allowed=assignment.attempts_allowed,
                        time_limit_minutes=assignment.time_limit_minutes, closed=assignment.closed,
                        extra_attempts=extra.extra_attempts if extra else 0,
                        time_multiplier=extra.time_multiplier if extra else 1.0)


def attempts_on(user: User, assignment: Assignment) -> list[Attempt]:
    """The student's attempts at this assignment, oldest first."""
    return list(db.session.scalars(db.select(Attempt).where(
        Attempt.user_id == user.id, Attempt.assignment_id == assignment.id)
        .order_by(Attempt.started_at, Attempt.id)))


class StartRefused(Exception):
    """The student may not start an attempt now; the message says why."""


def start_assignment_attempt(user: User, assignment: Assignment, now: datetime | None = None,
                             rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt, or start one if the rules allow, with a server-side deadline."""
    now = now or utcnow()
    previous = attempts_on(user, assignment)
    open_one = next((a for a in previous if not a.finished), None)
    if open_one is not None:
        return open_one
    rules = rules_for(assignment, user.id)
    refusal = policy.start_refusal(rules, now, len(previous))
    if refusal:
        raise StartRefused(refusal)
    bank = get_catalog().bank(assignment.bank_slug)
    if bank is None:
        raise StartRefused("This quiz is no longer in the course.")
    return create_attempt(user, bank, assignment.draw, rng or random.Random(), title=assignment.title,
                          assignment_id=assignment.id, started_at=now,
                          deadline_at=policy.deadline(rules, now))


def enrolled_classrooms(user: User) -> list[Classroom]:
    """Open classes the student belongs to."""
    return list(db.session.scalars(
        db.select(Classroom).join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(Enrollment.user_id == user.id, Enrollment.active.is_(True),
               Classroom.archived.is_(False)).order_by(Classroom.name)))


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
    tallies = {i: policy.Tally() for i in ids}
    if ids:
        for aid, state, late, score in db.session.execute(
                db.select(Attempt.assignment_id, Attempt.state, Attempt.late, Attempt.score)
                .where(Attempt.user_id == user.id, Attempt.assignment_id.in_(ids))
                .order_by(Attempt.started_at, Attempt.id)):
            tallies[aid].add(state == "finished", late, score)
    items = []
    for assignment, classroom in rows:
        tally = tallies[assignment.id]
        status = tally.status(assignment.due_at, now)
        overdue = status in (policy.NOT_STARTED, policy.MISSING, policy.IN_PROGRESS) \
            and assignment.due_at < now
        items.append(TodoItem(assignment, classroom, status, tally.counted(assignment.grading),
                              tally.attempts, overdue))
    done = (policy.DONE, policy.LATE)
    items.sort(key=lambda t: (t.status in done, not t.overdue, t.assignment.due_at))
    return items
