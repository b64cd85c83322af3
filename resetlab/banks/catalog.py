"""Instructors' banks as the catalog sees them: Banks and Questions rebuilt from their current versions,
and who may practise them. Read-only, and importing nothing of the attempts or the course (which uses it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ..core.content.model import Bank
from ..core.content.owned import bank_number, bank_slug, reserved
from ..core.questions import Question
from ..extensions import db
from ..models import (
    BankQuestion,
    Classroom,
    ClassroomInstructor,
    Enrollment,
    QuestionBank,
    QuestionVersion,
    User,
)


def _questions(rows: Iterable[tuple[BankQuestion, dict[str, Any]]], practice: bool) -> list[Question]:
    """Questions rebuilt from their current versions, with the bank's policy (group, secure) on top."""
    return [dataclasses.replace(Question.from_snapshot(snapshot), group=row.data.get("group"),
                                secure=bool(row.data.get("secure", False)) or not practice)
            for row, snapshot in rows]


def _as_bank(bank: QuestionBank) -> Bank:
    rows = db.session.execute(
        db.select(BankQuestion, QuestionVersion.snapshot)
        .join(QuestionVersion, QuestionVersion.content_hash == BankQuestion.content_hash)
        .where(BankQuestion.bank_id == bank.id).order_by(BankQuestion.position)).all()
    questions = _questions(rows, bank.practice)
    return Bank(slug=bank_slug(bank.id), title=bank.title, lesson=bank.lesson_slug,
                draw=min(bank.draw, max(1, len(questions))), pool="bank", questions=tuple(questions),
                path=bank.title, lines={r.local_id: r.position + 1 for r, _ in rows})


def catalog_bank(slug: str) -> Bank | None:
    """An instructor's bank by catalog slug (b<id>), for anyone already allowed to it (an assignment)."""
    number = bank_number(slug)
    bank = db.session.get(QuestionBank, number) if number else None
    return _as_bank(bank) if bank is not None else None


def _teaches_learner(owner_id: Any, learner_id: int):
    """SQL condition: the bank's owner teaches an open class the learner is active in."""
    taught = db.select(Classroom.id).where(
        Classroom.archived.is_(False),
        (Classroom.instructor_id == owner_id) | Classroom.id.in_(
            db.select(ClassroomInstructor.classroom_id).where(ClassroomInstructor.user_id == owner_id)))
    return db.exists(db.select(Enrollment.id).where(
        Enrollment.user_id == learner_id, Enrollment.active.is_(True), Enrollment.classroom_id.in_(taught)))


def _practicable(viewer_id: int):
    """SQL condition on QuestionBank: the viewer owns it, or it is open for practice to their class."""
    return (QuestionBank.owner_id == viewer_id) | (
        QuestionBank.practice.is_(True) & _teaches_learner(QuestionBank.owner_id, viewer_id))


def practice_bank(viewer: User, slug: str) -> Bank | None:
    """An instructor's bank the viewer may practise: their own, or one opened for practice by an
    instructor of a class they are in."""
    number = bank_number(slug)
    if number is None or not getattr(viewer, "is_authenticated", False):
        return None
    bank = db.session.scalar(db.select(QuestionBank).where(QuestionBank.id == number,
                                                           _practicable(viewer.id)))
    return _as_bank(bank) if bank is not None else None


def catalog_question(qid: str) -> Question | None:
    """A question of an instructor's bank by catalog id, as it is now (None if gone)."""
    if not reserved(qid):
        return None
    row = db.session.execute(
        db.select(BankQuestion, QuestionVersion.snapshot, QuestionBank.practice)
        .join(QuestionVersion, QuestionVersion.content_hash == BankQuestion.content_hash)
        .join(QuestionBank, QuestionBank.id == BankQuestion.bank_id)
        .where(BankQuestion.question_id == qid)).first()
    if row is None:
        return None
    return _questions([(row[0], row[1])], row[2])[0]


def practice_questions(viewer: User | None, ids: Iterable[str]) -> dict[str, Question]:
    """Questions of instructors' banks among `ids` that the viewer may practise (one query)."""
    wanted = sorted({i for i in ids if isinstance(i, str) and reserved(i)})
    if not wanted or viewer is None or not getattr(viewer, "is_authenticated", False):
        return {}
    rows = db.session.execute(
        db.select(BankQuestion, QuestionVersion.snapshot, QuestionBank.practice)
        .join(QuestionVersion, QuestionVersion.content_hash == BankQuestion.content_hash)
        .join(QuestionBank, QuestionBank.id == BankQuestion.bank_id)
        .where(BankQuestion.question_id.in_(wanted), _practicable(viewer.id))).all()
    return {q.id: q for row in rows for q in _questions([(row[0], row[1])], row[2])}
