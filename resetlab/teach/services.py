"""The instructor's side of classes: classes, join codes, roster, accommodations and assignments.

Every object is fetched through a helper scoped to the instructor (`classroom_for_instructor`,
`assignment_for_instructor`, `student_in_class`); anything else raises NotFound.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_

from ..classwork.services import accommodation
from ..core.content.model import Bank
from ..core.errors import Conflict, NotFound
from ..core.rules import may_reveal
from ..core.selection import drawable, written
from ..database import begin_write, upsert
from ..extensions import db
from ..grading import services as grading
from ..models import (
    Accommodation,
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    ClassroomInstructor,
    Enrollment,
    User,
    utcnow,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read off a projector


def new_join_code() -> str:
    """A random 8-character join code, easy to read aloud."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def taught_by(user_id: int) -> ColumnElement[bool]:
    """SQL condition: the class is taught by this user, as its owner or as a co-instructor (LMS courses
    have several teachers; see ClassroomInstructor)."""
    return or_(Classroom.instructor_id == user_id, Classroom.id.in_(
        db.select(ClassroomInstructor.classroom_id).where(ClassroomInstructor.user_id == user_id)))


def classroom_for_instructor(user: User, classroom_id: int) -> Classroom:
    """A class the instructor teaches (owner or co-instructor); NotFound otherwise."""
    classroom = db.session.scalar(db.select(Classroom).where(
        Classroom.id == classroom_id, taught_by(user.id)))
    if classroom is None:
        raise NotFound()
    return classroom


def classroom_owned_by(user: User, classroom_id: int) -> Classroom:
    """A class the instructor owns (co-instructors may not delete it); NotFound otherwise."""
    classroom = db.session.scalar(db.select(Classroom).where(
        Classroom.id == classroom_id, Classroom.instructor_id == user.id))
    if classroom is None:
        raise NotFound()
    return classroom


def assignment_for_instructor(user: User, assignment_id: int) -> tuple[Assignment, Classroom]:
    """An assignment in one of the instructor's classes; NotFound otherwise."""
    row = db.session.execute(
        db.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, taught_by(user.id))).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def classrooms_of_instructor(user: User) -> list[tuple[Classroom, int]]:
    """The instructor's classes with their active student counts."""
    count = (db.select(db.func.count(Enrollment.id))
             .where(Enrollment.classroom_id == Classroom.id, Enrollment.active.is_(True))
             .correlate(Classroom).scalar_subquery())
    return list(db.session.execute(
        db.select(Classroom, count).where(taught_by(user.id))
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


def remove_students(classroom: Classroom, user_ids: Sequence[int], now: datetime) -> list[int]:
    """Take students off the roster, all at the same moment (so the removal can be undone as one);
    their attempts and progress stay theirs. Returns the ids actually removed."""
    begin_write()
    enrollments = list(db.session.scalars(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id.in_(list(user_ids)),
        Enrollment.active.is_(True)).with_for_update()))
    for enrollment in enrollments:
        enrollment.active, enrollment.removed_at = False, now
    db.session.commit()
    return sorted(e.user_id for e in enrollments)


def remove_student(classroom: Classroom, user_id: int) -> bool:
    """Take a student off the roster; their attempts and progress stay theirs."""
    return bool(remove_students(classroom, [user_id], utcnow()))


UNDO_WINDOW = timedelta(minutes=15)


def undo_removal(classroom: Classroom, user_ids: Sequence[int], removed_at: datetime,
                 now: datetime) -> list[User]:
    """Re-admit the students removed together at `removed_at`, within UNDO_WINDOW of it; students
    re-admitted or removed again since are left alone. Conflict once the window has passed."""
    if now - removed_at > UNDO_WINDOW:
        raise Conflict("The time to undo has passed: re-admit students one by one below.")
    begin_write()
    enrollments = list(db.session.scalars(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id.in_(list(user_ids)),
        Enrollment.active.is_(False), Enrollment.removed_at == removed_at).with_for_update()))
    for enrollment in enrollments:
        enrollment.active, enrollment.removed_at = True, None
    ids = [e.user_id for e in enrollments]
    users = list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.display_name)))
    db.session.commit()
    return users


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
        draw = _draw_for(bank, settings.draw, bank.draw)
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


def accommodation_of(classroom: Classroom, user_id: int) -> Accommodation | None:
    """One student's accommodation in this class, if any."""
    return accommodation(classroom.id, user_id)


def set_accommodations(classroom: Classroom, user_ids: Sequence[int], multiplier: float,
                       extra_attempts: int) -> None:
    """Give students of this class extra time and/or extra attempts (one upsert for all of them)."""
    begin_write()
    upsert(Accommodation, [{"classroom_id": classroom.id, "user_id": uid, "time_multiplier": multiplier,
                            "extra_attempts": extra_attempts} for uid in dict.fromkeys(user_ids)],
           keys=("classroom_id", "user_id"), update=("time_multiplier", "extra_attempts"))
    db.session.commit()


def set_accommodation(classroom: Classroom, user_id: int, multiplier: float, extra_attempts: int) -> None:
    """Give a student extra time and/or extra attempts in this class."""
    set_accommodations(classroom, [user_id], multiplier, extra_attempts)


# --- the roster for a class of hundreds: search, filter, sort and pages (one query) ------------------
ROSTER_PAGE = 50
ROSTER_SORTS = {"name": "name", "email": "email", "joined": "newest first"}
ROSTER_FILTERS = {"all": "Everyone", "accommodated": "With accommodations",
                  "new": "Joined in the last 7 days"}


@dataclass(frozen=True)
class RosterEntry:
    """One active student on the roster, with their accommodation if they have one."""

    id: int
    display_name: str
    email: str | None
    joined_at: datetime
    time_multiplier: float | None
    extra_attempts: int | None

    @property
    def accommodated(self) -> bool:
        """Extra time or extra attempts."""
        return (self.time_multiplier or 1) != 1 or bool(self.extra_attempts)


@dataclass(frozen=True)
class RosterPage:
    """One page of the roster after search and filter."""

    entries: list[RosterEntry]
    matching: int
    everyone: int
    page: int
    pages: int
    first: int  # 1-based position of the first entry shown


def fold(text: str) -> str:
    """Case and accents ignored, so 'chloe' finds 'Chloé' and 'елена' finds 'Елена'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def roster_page(classroom: Classroom, now: datetime, q: str = "", show: str = "all", sort: str = "name",
                page: int = 1, per_page: int = ROSTER_PAGE) -> RosterPage:
    """Active students matching a search (name or email) and a filter, sorted, one page of them."""
    rows = db.session.execute(
        db.select(User.id, User.display_name, User.email, Enrollment.joined_at,
                  Accommodation.time_multiplier, Accommodation.extra_attempts)
        .join(Enrollment, Enrollment.user_id == User.id)
        .outerjoin(Accommodation, (Accommodation.classroom_id == Enrollment.classroom_id)
                   & (Accommodation.user_id == User.id))
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))).all()
    everyone = [RosterEntry(*row) for row in rows]
    wanted = fold(q.strip())
    found = [e for e in everyone
             if not wanted or wanted in fold(e.display_name) or wanted in fold(e.email or "")]
    if show == "accommodated":
        found = [e for e in found if e.accommodated]
    elif show == "new":
        found = [e for e in found if e.joined_at >= now - timedelta(days=7)]
    if sort == "email":
        found.sort(key=lambda e: (fold(e.email or "~"), e.id))
    elif sort == "joined":
        found.sort(key=lambda e: (e.joined_at, e.id), reverse=True)
    else:
        found.sort(key=lambda e: (fold(e.display_name), e.id))
    pages = max(1, -(-len(found) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return RosterPage(found[start:start + per_page], len(found), len(everyone), page, pages, start + 1)


def students_in_class(classroom: Classroom, user_ids: Sequence[int]) -> list[User]:
    """The active students of this class among these ids, by name (others are ignored)."""
    if not user_ids:
        return []
    return list(db.session.scalars(
        db.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True),
               User.id.in_(list(user_ids)))
        .order_by(User.display_name, User.id)))


# --- changing assignments: edit, delete, copy ---------------------------------------------------------
def _draw_for(bank: Bank | None, wanted: int | None, current: int) -> int:
    """Questions per attempt: what was asked for, never more than the bank holds (written prompts are
    drawn apart, when the assignment includes them)."""
    if bank is None:
        return wanted or current
    drawn = sum(1 for q in bank.questions if drawable(q))
    return min(wanted or bank.draw, drawn if bank.pool == "bank" else 10**6)


def update_assignment(assignment: Assignment, bank: Bank | None, settings: AssignmentSettings) -> int:
    """Change an assignment's dates and rules. Attempts already made keep their questions, scores and
    time limits; 'late' is worked out again against the new due date. Returns how many late marks changed."""
    begin_write()
    assignment.open_at, assignment.due_at = settings.open_at, settings.due_at
    assignment.attempts_allowed, assignment.grading = settings.attempts_allowed, settings.grading
    assignment.draw = _draw_for(bank, settings.draw, assignment.draw)
    assignment.time_limit_minutes, assignment.reveal = settings.time_limit_minutes, settings.reveal
    relabel = (db.update(Attempt)
               .where(Attempt.assignment_id == assignment.id, Attempt.state == AttemptState.FINISHED,
                      Attempt.late != (Attempt.finished_at > settings.due_at))
               .values(late=Attempt.finished_at > settings.due_at)
               .execution_options(synchronize_session=False))
    changed = db.session.execute(relabel).rowcount
    db.session.commit()
    return changed


@dataclass(frozen=True)
class Footprint:
    """What deleting an assignment would touch, for the confirmation page."""

    finished: int
    open: int
    students: int
    revealed: bool  # answers may already be shown: finished attempts can stay as practice history

    @property
    def kept(self) -> int:
        """Finished attempts that stay in students' history."""
        return self.finished if self.revealed else 0


def footprint(assignment: Assignment, now: datetime) -> Footprint:
    """Counts of the attempts at an assignment (one query)."""
    finished, open_, students = db.session.execute(
        db.select(db.func.count().filter(Attempt.state == AttemptState.FINISHED),
                  db.func.count().filter(Attempt.state == AttemptState.IN_PROGRESS),
                  db.func.count(db.distinct(Attempt.user_id)))
        .where(Attempt.assignment_id == assignment.id)).one()
    return Footprint(finished, open_, students, may_reveal(assignment.reveal, now, assignment.due_at))


def delete_assignment(assignment: Assignment, now: datetime) -> Footprint:
    """Delete an assignment. Attempts still open hold only drafts and go first (kept, they would become
    open practice attempts and could collide with one the student has open). Finished attempts stay in
    students' history as practice when the answers may already be shown; otherwise they go too, as
    practice history would show answers the instructor chose to keep hidden."""
    begin_write()
    done = footprint(assignment, now)
    mine = Attempt.assignment_id == assignment.id
    gone = db.select(User.id).where(User.deleted_at.is_not(None))
    db.session.execute(db.delete(Attempt).where(mine, Attempt.state == AttemptState.IN_PROGRESS))
    if done.revealed:
        db.session.execute(db.delete(Attempt).where(mine, Attempt.user_id.in_(gone)))
        grading.settle([assignment.id])  # kept attempts awaiting grading get what was graded so far
    else:
        db.session.execute(db.delete(Attempt).where(mine))
    db.session.execute(db.delete(Assignment).where(Assignment.id == assignment.id))
    db.session.commit()
    return done


def copy_assignment(assignment: Assignment, target: Classroom, open_at: datetime,
                    due_at: datetime) -> Assignment:
    """The same lesson quiz and rules in another class, with its own dates."""
    begin_write()
    copy = Assignment(classroom_id=target.id, bank_slug=assignment.bank_slug, title=assignment.title,
                      open_at=open_at, due_at=due_at, attempts_allowed=assignment.attempts_allowed,
                      grading=assignment.grading, draw=assignment.draw,
                      time_limit_minutes=assignment.time_limit_minutes, reveal=assignment.reveal,
                      include_written=assignment.include_written, written_rubric=assignment.written_rubric)
    db.session.add(copy)
    db.session.commit()
    return copy
