"""Instructors' own banks in the database: create from a checked upload, load as catalog Banks, edit a
question (a new version; attempts keep theirs), who may practise, export.

Every bank is fetched through a helper scoped to its owner (`bank_for_owner`); students reach a bank only
through an assignment of a class, or for practice when its owner opened it and teaches their class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.content.gift import to_gift
from ..core.content.model import Problem
from ..core.content.owned import (
    Checked,
    Upload,
    bank_slug,
    check_upload,
    lint_findings,
    question_id,
    read_upload,
)
from ..core.content.toml_write import bank_to_toml
from ..core.errors import Conflict, NotFound
from ..core.questions import TYPES
from ..database import begin_write
from ..extensions import db
from ..models import (
    BankQuestion,
    QuestionBank,
    User,
    utcnow,
)
from ..study.attempts import store_versions

MAX_DRAW = 60


@dataclass(frozen=True)
class Settings:
    """What the instructor chose for a bank: its title, lesson, practice and questions per attempt."""

    title: str
    lesson: str | None
    practice: bool
    draw: int | None


def anchors() -> dict[str, frozenset[str]]:
    """Every shipped lesson's headings, which a question's `section` may name."""
    from ..course import get_catalog

    return {lesson.slug: lesson.anchors for lesson in get_catalog().lessons}


def check(upload: Upload, settings: Settings, prefix: str = "", context: list[dict[str, Any]] | None = None
          ) -> Checked:
    """An upload checked against the course's rules and lint, with the bank's lesson and practice
    (`context`: the rest of the bank's questions, whose source excerpts the upload may name)."""
    return check_upload(upload, lesson=settings.lesson, anchors=anchors(), practice=settings.practice,
                        prefix=prefix, context=context or ())


def banks_of(user: User) -> list[tuple[QuestionBank, int]]:
    """The instructor's banks with their question counts, newest first."""
    count = (db.select(db.func.count(BankQuestion.id)).where(BankQuestion.bank_id == QuestionBank.id)
             .correlate(QuestionBank).scalar_subquery())
    return list(db.session.execute(db.select(QuestionBank, count).where(QuestionBank.owner_id == user.id)
                                   .order_by(QuestionBank.created_at.desc(), QuestionBank.id.desc())))


def bank_for_owner(user: User, bank_id: int) -> QuestionBank:
    """The user's own bank; NotFound otherwise (another instructor's bank does not exist for them)."""
    bank = db.session.scalar(db.select(QuestionBank).where(QuestionBank.id == bank_id,
                                                           QuestionBank.owner_id == user.id))
    if bank is None:
        raise NotFound(bank_id)
    return bank


def _draw(settings: Settings, count: int) -> int:
    return max(1, min(settings.draw or min(count, 20), count, MAX_DRAW))


def _drawable(data: list[dict[str, Any]]) -> int:
    """How many questions a draw may pick (not source excerpts nor written answers, which an assignment
    adds on purpose)."""
    kinds = [TYPES.get(d.get("type")) for d in data]
    return sum(1 for kind in kinds if kind is not None and kind.answerable and not kind.manual)


def _rows(bank_id: int, checked: Checked) -> list[BankQuestion]:
    now = utcnow()
    return [BankQuestion(bank_id=bank_id, position=i, local_id=data["id"], question_id=q.id, data=data,
                         content_hash=q.content_hash, updated_at=now)
            for i, (q, data) in enumerate(zip(checked.questions, checked.data, strict=True))]


def create_bank(user: User, upload: Upload, settings: Settings) -> QuestionBank:
    """Save a bank and a version of every question, in one transaction; Conflict if it does not check."""
    begin_write()
    bank = QuestionBank(owner_id=user.id, title=settings.title.strip(), lesson_slug=settings.lesson,
                        practice=settings.practice, draw=1)
    db.session.add(bank)
    db.session.flush()
    checked = check(upload, settings, prefix=question_id(bank.id, ""))
    if not checked.ok:
        db.session.rollback()
        raise Conflict("The bank has errors; nothing was saved. Check it again.")
    bank.draw = _draw(settings, _drawable(list(checked.data)))
    store_versions(checked.questions)
    db.session.add_all(_rows(bank.id, checked))
    db.session.commit()
    return bank


def update_settings(bank: QuestionBank, settings: Settings) -> None:
    """Rename, re-pair with a lesson, open or close for practice, change questions per attempt.

    A question's `section` names a heading of the bank's lesson, so changing the lesson is refused while
    a question names a section (Conflict)."""
    begin_write()
    rows = list(db.session.scalars(db.select(BankQuestion).where(BankQuestion.bank_id == bank.id)))
    if settings.lesson != bank.lesson_slug and any("section" in r.data for r in rows):
        db.session.rollback()
        raise Conflict("Some questions name a section of the current lesson: edit them first, or keep "
                       "the lesson.")
    bank.title, bank.lesson_slug, bank.practice = settings.title.strip(), settings.lesson, settings.practice
    bank.draw = _draw(settings, _drawable([r.data for r in rows]))
    bank.updated_at = utcnow()
    db.session.commit()


def delete_bank(bank: QuestionBank) -> None:
    """Delete a bank; attempts keep their questions (versions stay), its assignments can no longer start."""
    begin_write()
    db.session.execute(db.delete(BankQuestion).where(BankQuestion.bank_id == bank.id))
    db.session.execute(db.delete(QuestionBank).where(QuestionBank.id == bank.id))
    db.session.commit()


def questions_of(bank: QuestionBank) -> list[BankQuestion]:
    """The bank's question rows in order."""
    return list(db.session.scalars(db.select(BankQuestion).where(BankQuestion.bank_id == bank.id)
                                   .order_by(BankQuestion.position)))


def question_row(bank: QuestionBank, local_id: str) -> BankQuestion:
    """One question of the bank by its id in the bank; NotFound otherwise."""
    row = db.session.scalar(db.select(BankQuestion).where(BankQuestion.bank_id == bank.id,
                                                          BankQuestion.local_id == local_id))
    if row is None:
        raise NotFound(local_id)
    return row


def settings_of(bank: QuestionBank) -> Settings:
    """The bank's current settings."""
    return Settings(bank.title, bank.lesson_slug, bank.practice, bank.draw)


def check_edit(bank: QuestionBank, row: BankQuestion, upload: Upload) -> Checked:
    """One edited question, checked as part of its bank; it keeps its id whatever the text says."""
    if len(upload.questions) != 1:
        upload.problems.append(Problem(upload.source, 1, f"the text holds {len(upload.questions)} questions: "
                                                         "edit exactly one"))
    for question in upload.questions:
        question["id"] = row.local_id
    others = [r.data for r in questions_of(bank) if r.id != row.id]
    return check(upload, settings_of(bank), prefix=question_id(bank.id, ""), context=others)


def save_edit(bank: QuestionBank, row: BankQuestion, checked: Checked) -> bool:
    """Store the edited question as a new version (attempts keep the one they served); False if the text
    did not change the question."""
    if not checked.ok or len(checked.questions) != 1:
        raise Conflict("The question has errors; nothing was saved.")
    (question,), (data,) = checked.questions, checked.data
    if question.content_hash == row.content_hash and data == row.data:
        return False
    row_id, local = row.id, row.local_id
    begin_write()
    store_versions([question])
    db.session.execute(db.update(BankQuestion).where(BankQuestion.id == row_id)
                       .values(data=data, content_hash=question.content_hash, updated_at=utcnow()))
    if data.get("type") == "source":  # the questions shown with it carry the excerpt: new versions too
        _restamp([r for r in questions_of(bank) if r.data.get("source") == local], bank, data)
    db.session.execute(db.update(QuestionBank).where(QuestionBank.id == bank.id).values(updated_at=utcnow()))
    db.session.commit()
    return True


def _restamp(rows: list[BankQuestion], bank: QuestionBank, source: dict[str, Any]) -> None:
    """New versions of the questions shown with an edited source excerpt (inside the caller's write)."""
    if not rows:
        return
    upload = Upload("bank", "toml", questions=[dict(r.data) for r in rows], starts=[1] * len(rows))
    checked = check(upload, settings_of(bank), prefix=question_id(bank.id, ""), context=[source])
    if not checked.ok or len(checked.questions) != len(rows):
        db.session.rollback()
        raise Conflict("The questions shown with this source no longer check; nothing was saved.")
    store_versions(list(checked.questions))
    for row, question in zip(rows, checked.questions, strict=True):
        db.session.execute(db.update(BankQuestion).where(BankQuestion.id == row.id)
                           .values(content_hash=question.content_hash, updated_at=utcnow()))


def export_dict(bank: QuestionBank) -> dict[str, Any]:
    """The bank as the dict a TOML bank file holds (ids as written in the bank)."""
    out: dict[str, Any] = {"title": bank.title}
    if bank.lesson_slug:
        out["lesson"] = bank.lesson_slug
    out["draw"] = bank.draw
    out["questions"] = [dict(r.data) for r in questions_of(bank)]
    return out


def export_toml(bank: QuestionBank) -> str:
    """The bank as TOML (our bank format)."""
    return bank_to_toml(export_dict(bank))


def export_gift(bank: QuestionBank) -> str:
    """The bank as GIFT for Moodle (GiftExportError if a question cannot be written)."""
    return to_gift(export_dict(bank), slug=bank_slug(bank.id))


def edit_text(row: BankQuestion, fmt: str) -> str:
    """One question as editable text: its GIFT block (with our comment) or its TOML table."""
    if fmt == "toml":
        return bank_to_toml({"questions": [row.data]})
    blocks = to_gift({"title": "edit", "questions": [row.data]}).split("\n\n")
    return "\n\n".join(blocks[2:])


def findings(bank: QuestionBank, rows: list[BankQuestion]) -> tuple[list[Problem], dict[str, list[Problem]]]:
    """The lint on the saved bank: bank-wide findings, and each question's (by local id)."""
    lines = {r.local_id: r.position + 2 for r in rows}  # line 1 is the bank's own (bank-wide rules)
    by_line = {line: local for local, line in lines.items()}
    per: dict[str, list[Problem]] = {}
    bank_wide = []
    for problem in lint_findings([r.data for r in rows], lines, bank.title, bank.lesson_slug):
        local = by_line.get(problem.line)
        if local is None:
            bank_wide.append(problem)
        else:
            per.setdefault(local, []).append(problem)
    return bank_wide, per


def read(data: bytes, source: str, fmt: str) -> Upload:
    """An upload read (GIFT or TOML); see resetlab.core.content.owned."""
    return read_upload(data, source, fmt)
