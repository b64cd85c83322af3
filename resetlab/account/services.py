"""Data rights (database side): everything held about a user, deleting an account, deleting a class.

Deleting an account removes the person's data and all their practice (lessons read, practice quizzes,
review cards and answers, accommodations, reset links). Attempts at class assignments are the
class's record: they stay in each gradebook under "Deleted student", with no email, on a row that
can no longer log in, so every average an instructor already saw stays the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.errors import Conflict, NotFound
from ..core.rules import may_reveal
from ..database import begin_write
from ..extensions import db
from ..grading import services as grading
from ..models import (
    Accommodation,
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    Classroom,
    Enrollment,
    GradeStatus,
    LessonRead,
    PasswordResetToken,
    ReviewCard,
    ReviewLog,
    Role,
    User,
    WrittenGrade,
)

DELETED_NAME = "Deleted student"
EXPORT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _rows(model, *where, order=None) -> list[Any]:
    query = db.select(model).where(*where)
    return list(db.session.scalars(query.order_by(*(order or [model.id]))))


def export(user: User, now: datetime) -> dict[str, Any]:
    """Everything the app holds about `user`, as JSON-ready data (a fixed number of queries)."""
    attempts = _rows(Attempt, Attempt.user_id == user.id)
    items: dict[int, list[AttemptItem]] = {}
    if attempts:
        for item in _rows(AttemptItem, AttemptItem.attempt_id.in_([a.id for a in attempts]),
                          order=[AttemptItem.attempt_id, AttemptItem.position]):
            items.setdefault(item.attempt_id, []).append(item)
    work = _assignments(a.assignment_id for a in attempts)
    grades = grading.grades_by_item(i.id for rows in items.values() for i in rows)
    rooms = {r.id: r for r in db.session.scalars(db.select(Classroom).join(
        Enrollment, Enrollment.classroom_id == Classroom.id).where(Enrollment.user_id == user.id))}
    return {
        "format": "resetlab-export", "version": EXPORT_VERSION, "exported_at": _when(now),
        "account": {"id": user.id, "email": user.email, "display_name": user.display_name,
                    "role": user.role, "guest": user.is_guest, "created_at": _when(user.created_at)},
        "lessons_read": [{"lesson": r.lesson_slug, "read_at": _when(r.read_at)}
                         for r in _rows(LessonRead, LessonRead.user_id == user.id)],
        "attempts": [{
            "id": a.id, "quiz": a.bank_slug, "title": a.bank_title, "lesson": a.lesson_slug,
            "assignment": work[a.assignment_id].title if a.assignment_id in work else None,
            "state": a.state, "started_at": _when(a.started_at), "deadline_at": _when(a.deadline_at),
            "finished_at": _when(a.finished_at), "score": a.score, "late": a.late, "timed_out": a.timed_out,
            "answers_marked": (marked := _marked(work.get(a.assignment_id), now)),
            "answers": [{"position": i.position, "question": i.question_id, "response": i.response,
                         "score": i.score if marked else None,
                         **_written(grades.get(i.id), work.get(a.assignment_id))}
                        for i in items.get(a.id, [])],
        } for a in attempts],
        "review_cards": [{"question": c.question_id, "lesson": c.lesson_slug, "due_at": _when(c.due_at),
                          "reviews": c.reviews, "lapses": c.lapses, "schedule": c.state}
                         for c in _rows(ReviewCard, ReviewCard.user_id == user.id)],
        "review_answers": [{"question": r.question_id, "lesson": r.lesson_slug, "source": r.source,
                            "score": r.score, "sure": r.sure, "answered_at": _when(r.reviewed_at)}
                           for r in _rows(ReviewLog, ReviewLog.user_id == user.id)],
        "classes": [{"class": rooms[e.classroom_id].name, "joined_at": _when(e.joined_at),
                     "active": e.active}
                    for e in _rows(Enrollment, Enrollment.user_id == user.id) if e.classroom_id in rooms],
        "accommodations": [{"class": room.name, "time_multiplier": a.time_multiplier,
                            "extra_attempts": a.extra_attempts}
                           for a in _rows(Accommodation, Accommodation.user_id == user.id)
                           if (room := db.session.get(Classroom, a.classroom_id)) is not None],
        "classes_taught": [{"class": c.name, "created_at": _when(c.created_at), "archived": c.archived}
                           for c in _rows(Classroom, Classroom.instructor_id == user.id)],
    }


def _marked(work: Assignment | None, now: datetime) -> bool:
    """Whether the attempt's page shows which answers were right (as `study.views` decides): a question's
    score says whether the answer chosen is the key, so until then the export leaves it out too."""
    return work is None or may_reveal(work.reveal, now, work.due_at)


def _written(grade: WrittenGrade | None, work: Assignment | None) -> dict[str, Any]:
    """A written answer's grading as its student may see it: the grade once released, the comment when
    returned for revision, and every earlier version they handed in."""
    if grade is None:
        return {}
    shown = grade.status == GradeStatus.GRADED and work is not None and work.grades_released_at is not None
    returned = grade.status == GradeStatus.RETURNED
    return {"grading": {
        "status": grade.status if shown or returned else "awaiting grading",
        "points": grade.points if shown else None, "max_points": grade.max_points,
        "comment": grade.comment if shown or returned else "",
        "earlier_versions": grade.revisions}}


def _assignments(ids) -> dict[int, Assignment]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {a.id: a for a in db.session.scalars(db.select(Assignment).where(Assignment.id.in_(wanted)))}


ATTEMPTS_HEADER = ["Attempt", "Quiz", "Assignment", "State", "Started (UTC)", "Finished (UTC)", "Score %",
                   "Late"]


def attempts_table(user: User) -> tuple[list[str], list[list[object]]]:
    """The user's attempts as CSV header and rows, oldest first."""
    attempts = _rows(Attempt, Attempt.user_id == user.id)
    work = _assignments(a.assignment_id for a in attempts)
    return ATTEMPTS_HEADER, [[
        a.id, a.bank_title, work[a.assignment_id].title if a.assignment_id in work else "",
        "awaiting grading" if a.pending else a.state, f"{a.started_at:%Y-%m-%d %H:%M}",
        f"{a.finished_at:%Y-%m-%d %H:%M}" if a.finished_at else "", a.percent, "yes" if a.late else "no",
    ] for a in attempts]


def delete_account(user: User, now: datetime) -> bool:
    """Delete the account and its practice; True when assignment attempts remain as "Deleted student".

    An instructor must delete their classes first (their students' records live there): Conflict.
    """
    if user.role == Role.INSTRUCTOR and db.session.scalar(
            db.select(Classroom.id).where(Classroom.instructor_id == user.id).limit(1)) is not None:
        raise Conflict("Delete your classes first (each class's roster page has “Delete this class”).")
    uid = user.id
    begin_write()
    for model in (LessonRead, ReviewCard, ReviewLog, Accommodation, PasswordResetToken):
        db.session.execute(db.delete(model).where(model.user_id == uid))
    db.session.execute(db.delete(Attempt).where(Attempt.user_id == uid, Attempt.assignment_id.is_(None)))
    kept = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == uid).limit(1)) is not None
    if kept:
        db.session.execute(db.update(User).where(User.id == uid).values(
            email=None, display_name=DELETED_NAME, password_hash=None, is_guest=False, deleted_at=now,
            session_version=User.session_version + 1))
    else:
        db.session.execute(db.delete(User).where(User.id == uid))
    db.session.commit()
    return kept


def delete_classroom(classroom: Classroom, typed_name: str) -> bool:
    """Delete a class, its assignments, roster and accommodations when `typed_name` is its name.

    Students keep their own attempts (as practice history); deleted students' rows that kept nothing
    else go too. False (and nothing changes) when the name does not match.
    """
    if typed_name.strip() != classroom.name.strip():
        return False
    room_id = classroom.id
    begin_write()
    work = db.select(Assignment.id).where(Assignment.classroom_id == room_id)
    deleted = db.select(User.id).where(User.deleted_at.is_not(None))
    # Attempts still open at these assignments hold only drafts; kept, they would become open practice
    # attempts (assignment_id SET NULL) and could collide with a practice attempt the student has open.
    db.session.execute(db.delete(Attempt).where(Attempt.assignment_id.in_(work),
                                                Attempt.state == AttemptState.IN_PROGRESS))
    db.session.execute(db.delete(Attempt).where(Attempt.assignment_id.in_(work),
                                                Attempt.user_id.in_(deleted)))
    grading.settle(work)
    db.session.execute(db.delete(Classroom).where(Classroom.id == room_id))
    leftover = db.select(Attempt.id).where(Attempt.user_id == User.id).correlate(User).exists()
    db.session.execute(db.delete(User).where(User.deleted_at.is_not(None), ~leftover))
    db.session.commit()
    return True


def class_student(classroom: Classroom, user_id: int) -> User:
    """An active student of the class who can log in (a student's account: not a guest, not deleted, not
    an instructor's); NotFound otherwise."""
    user = db.session.scalar(db.select(User).join(Enrollment, Enrollment.user_id == User.id).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == user_id, Enrollment.active.is_(True),
        User.deleted_at.is_(None), User.is_guest.is_(False), User.role == Role.STUDENT))
    if user is None:
        raise NotFound()
    return user
