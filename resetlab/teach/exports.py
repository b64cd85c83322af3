"""The gradebook and responses CSV files, as a spreadsheet reads them right.

Numeric columns hold only numbers (a status has its own column, a pending score is an empty cell beside
"awaiting grading"); dates are in the instructor's time zone with the UTC offset in the header; questions
are named by id and by their text (Markdown as plain words); file names carry the class and the date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..core import attention as rules
from ..core.csv import safe_filename
from ..core.inline import plain_text
from ..core.questions import describe, from_json
from ..extensions import db
from ..grading.services import cells_text
from ..models import Attempt, AttemptItem, AttemptState, Classroom, WrittenGrade
from ..web.timezones import to_local
from .attention import mark
from .dashboards import Overview, snapshots_for, students_of
from .services import assignments_of

NAME_PART = 40  # characters of the class name kept in a file name, so the unique tail is never cut


def offset(moment: datetime) -> str:
    """An aware time's UTC offset as 'UTC-06:00' ('UTC+00:00' for UTC itself)."""
    text = moment.strftime("%z")
    return f"UTC{text[:3]}:{text[3:]}"


def filename(classroom: Classroom, kind: str, now: datetime, zone: ZoneInfo) -> str:
    """'history-11-c12-gradebook-2026-11-30.csv': two classes never share a name, even with long names."""
    name = safe_filename(classroom.name)[:NAME_PART].rstrip("-.")
    day = to_local(now, zone).strftime("%Y-%m-%d")
    return safe_filename(f"{name}-c{classroom.id}-{kind}-{day}.csv")


def _number(value: float | None) -> float | int | None:
    """A share in 0..1 as a percentage: whole numbers without decimals, others to one place."""
    if value is None:
        return None
    percent = round(value * 100, 1)
    return int(percent) if percent.is_integer() else percent


def gradebook(overview: Overview, zone: ZoneInfo) -> tuple[list[str], list[list[object]]]:
    """One row per student: for each assignment a score column (numbers only) and a status column."""
    header = ["Student", "Email", "Average %"]
    for work in overview.assignments:
        due = to_local(work.due_at, zone)
        name = f"{plain_text(work.title)} (due {due:%Y-%m-%d %H:%M} {offset(due)})"
        header += [f"{name} score %", f"{name} status"]
    rows: list[list[object]] = []
    for row in overview.rows:
        line: list[object] = [row.student.display_name, row.student.email or "", _number(row.average)]
        for cell in row.cells:
            m = mark(cell)
            line += [_number(m.score), rules.PENDING if m.pending else cell.status]
        rows.append(line)
    return header, rows


@dataclass(frozen=True)
class Answer:
    """One answer to one question of a finished assignment attempt."""

    student: str
    email: str
    assignment: str
    attempt_id: int
    finished_at: datetime
    late: bool
    question_id: str
    question: str
    qtype: str
    answer: str
    score: float | None
    written: bool = False  # the student's own text (kept as typed), not authored Markdown
    grading: str = ""  # a written answer's grading status (pending, graded, returned, released...)
    rubric: str = ""  # the rubric cells chosen, in words
    comment: str = ""


def answers(classroom: Classroom) -> list[Answer]:
    """Every answer in the class's finished assignment attempts of students on the roster, with the grading
    of written answers (three queries)."""
    assignments = {a.id: a for a in assignments_of(classroom)}
    students = {s.id: s for s in students_of(classroom)}
    if not assignments or not students:
        return []
    attempt_ids = db.select(Attempt.id).where(
        Attempt.assignment_id.in_(list(assignments)), Attempt.state == AttemptState.FINISHED)
    versions = snapshots_for(attempt_ids)
    result = db.session.execute(
        db.select(Attempt.id, Attempt.user_id, Attempt.assignment_id, Attempt.finished_at, Attempt.late,
                  AttemptItem.question_id, AttemptItem.content_hash, AttemptItem.response, AttemptItem.score,
                  WrittenGrade)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .outerjoin(WrittenGrade, WrittenGrade.item_id == AttemptItem.id)
        .where(Attempt.id.in_(attempt_ids))
        .order_by(Attempt.user_id, Attempt.id, AttemptItem.position))
    found = []
    for attempt_id, uid, aid, finished, late, qid, version, response, score, written in result:
        student = students.get(uid)
        if student is None:
            continue
        question = versions[(qid, version)]
        found.append(Answer(student.display_name, student.email or "", assignments[aid].title, attempt_id,
                            finished, late, qid, question.prompt, question.type,
                            describe(question, from_json(question, response)), score, question.kind.manual,
                            written.status if written else "", cells_text(written) if written else "",
                            written.comment if written else ""))
    return found


def responses(found: Iterable[Answer], zone: ZoneInfo) -> tuple[list[str], list[list[object]]]:
    """One row per answer, with the question's text beside its id and the score as a number."""
    found = list(found)
    times = {}  # an attempt's answers share its time: format each once
    for a in found:
        if a.finished_at not in times:
            moment = to_local(a.finished_at, zone)
            times[a.finished_at] = (moment.strftime("%Y-%m-%d %H:%M"), offset(moment))
    offsets = sorted({zone_offset for _, zone_offset in times.values()})
    varies = len(offsets) > 1  # across a daylight-saving change: each row says its own offset
    when = f"Finished ({zone.key})" if varies or not offsets else f"Finished ({zone.key}, {offsets[0]})"
    header = ["Student", "Email", "Assignment", "Attempt", when] + (["UTC offset"] if varies else []) + [
        "Late", "Question id", "Question", "Type", "Answer", "Score %", "Status",
        "Grading", "Rubric", "Comment"]
    rows: list[list[object]] = []
    for a in found:
        text, zone_offset = times[a.finished_at]
        finished = [text, zone_offset] if varies else [text]
        rows.append([a.student, a.email, plain_text(a.assignment), a.attempt_id, *finished,
                     "yes" if a.late else "no", a.question_id, plain_text(a.question), a.qtype,
                     a.answer if a.written else plain_text(a.answer), _number(a.score),
                     rules.PENDING if a.score is None else "graded",
                     a.grading, a.rubric, a.comment])
    return header, rows
