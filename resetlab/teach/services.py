"""The instructor's side of classes: classes, join codes, roster, accommodations and assignments.

Every object is fetched through a helper scoped to the instructor (`classroom_for_instructor`,
`assignment_for_instructor`, `student_in_class`); anything else raises NotFound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..classwork.services import accommodation
from ..core.content.model import Bank
from ..core.errors import NotFound
from ..core.selection import drawable, written
from ..database import begin_write
from ..extensions import db
from ..models import Accommodation, Assignment, Attempt, Classroom, Enrollment, User, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read off a projector


def new_join_code() -> str:
    """A random 8-character join code, easy to read aloud."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def classroom_for_instructor(user: User, classroom_id: int) -> Classroom:
    """The instructor's own class; NotFound otherwise."""
    classroom = db.session.scalar(db.select(Classroom).where(
        Classroom.id == classroom_id, Classroom.instructor_id == user.id))
    if classroom is None:
        raise NotFound()
    return classroom


def assignment_for_instructor(user: User, assignment_id: int) -> tuple[Assignment, Classroom]:
    """An assignment in one of the instructor's classes; NotFound otherwise."""
    row = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, Classroom.instructor_id == user.id)).first()
    if row is None:
        raise NotFound()
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
                     new_code: bool = False, share_practice: bool | None = None) -> None:
    """Rename, archive/unarchive, regenerate the join code (the old one stops working), or choose
    whether students' practice is visible to the class's instructors."""
    begin_write()
    if share_practice is not None:
        classroom.share_practice = share_practice
    if name is not None:
        classroom.name = name.strip()
    if archived is not None:
        classroom.archived = archived
    if new_code:
        classroom.join_code = new_join_code()
    db.session.commit()


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
    enrollment.removed_at = utcnow()
    db.session.commit()
    return True


def removed_students(classroom: Classroom) -> list[tuple[User, datetime | None]]:
    """Students taken off the roster, with when: they cannot rejoin until re-admitted."""
    return [(user, at) for user, at in db.session.execute(
        db.select(User, Enrollment.removed_at).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(False))
        .order_by(User.display_name, User.id))]


def readmit_student(classroom: Classroom, user_id: int) -> User:
    """Put a removed student back on the roster (their attempts were kept); NotFound otherwise."""
    begin_write()
    enrollment = db.session.scalar(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id, Enrollment.active.is_(False)))
    if enrollment is None:
        db.session.rollback()
        raise NotFound(user_id)
    enrollment.active, enrollment.removed_at = True, None
    user = db.session.get(User, user_id)
    db.session.commit()
    return user


def _visible_to(classroom: Classroom):
    """Which attempts a class's instructors may see: its assignments', and practice when shared."""
    own = db.select(Assignment.id).where(Assignment.classroom_id == classroom.id)
    visible = Attempt.assignment_id.in_(own)
    return visible | Attempt.assignment_id.is_(None) if classroom.share_practice else visible


def class_attempts(classroom: Classroom, student: User) -> list[Attempt]:
    """A student's attempts that this class may see, oldest first: its assignments' attempts (open ones
    too, with their drafts), and practice only when the class shares practice."""
    return list(db.session.scalars(
        db.select(Attempt).where(Attempt.user_id == student.id, _visible_to(classroom))
        .order_by(Attempt.started_at, Attempt.id)))


def class_attempt(classroom: Classroom, attempt_id: int) -> Attempt:
    """One attempt of a student on this class's roster that the class may see; NotFound otherwise."""
    attempt = db.session.scalar(
        db.select(Attempt).join(Enrollment, Enrollment.user_id == Attempt.user_id)
        .where(Attempt.id == attempt_id, Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True),
               _visible_to(classroom)))
    if attempt is None:
        raise NotFound(attempt_id)
    return attempt


def roster(classroom: Classroom) -> list[User]:
    """Active students, by name."""
    return list(db.session.scalars(
        db.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))
        .order_by(User.display_name, User.id)))


def student_in_class(classroom: Classroom, user_id: int) -> User:
    """A student on this class's roster; NotFound otherwise."""
    user = db.session.scalar(
        db.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id,
               Enrollment.active.is_(True)))
    if user is None:
        raise NotFound()
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
    include_written: bool = False
    written_rubric: list[dict[str, Any]] | None = None  # the instructor's own rubric, as JSON


def assign(classroom: Classroom, banks: list[Bank], settings: AssignmentSettings) -> list[Assignment]:
    """One assignment per chosen lesson quiz, all with the same settings."""
    begin_write()
    made = []
    for bank in banks:
        drawn = sum(1 for q in bank.questions if drawable(q))
        draw = min(settings.draw or bank.draw, drawn if bank.pool == "bank" else 10**6)
        assignment = Assignment(
            classroom_id=classroom.id, bank_slug=bank.slug, title=bank.title,
            open_at=settings.open_at, due_at=settings.due_at,
            attempts_allowed=settings.attempts_allowed, grading=settings.grading, draw=draw,
            time_limit_minutes=settings.time_limit_minutes, reveal=settings.reveal,
            include_written=settings.include_written and bool(written(bank)),
            written_rubric=settings.written_rubric)
        db.session.add(assignment)
        made.append(assignment)
    db.session.commit()
    return made


def set_closed(assignment: Assignment, closed: bool) -> None:
    """Close an assignment to late work, or reopen it."""
    begin_write()
    assignment.closed = closed
    db.session.commit()


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
