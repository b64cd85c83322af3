"""Instructor dashboards: a fixed number of queries per page, whatever the class size."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Text, bindparam, cast, text

from ..core import rules as policy
from ..core.item_analysis import (
    MIN_ANSWERS_FOR_ADVICE,
    ItemStats,
    ResponseRow,
    item_analysis,
    score_histogram,
)
from ..core.questions import Question, describe, from_json
from ..extensions import db
from ..grading.services import cells_text
from ..models import Assignment, Attempt, AttemptItem, AttemptState, Classroom, Enrollment, User, WrittenGrade
from ..study.attempts import versions
from .services import assignments_of


class Cell(NamedTuple):
    """One student on one assignment (a NamedTuple: a 1,000-student grid has 20,000 of them)."""

    status: str = policy.NOT_STARTED
    score: float | None = None
    attempts: int = 0

    @property
    def percent(self) -> int | None:
        """The counted score as a percentage."""
        return None if self.score is None else round(self.score * 100)


@dataclass(frozen=True, slots=True)
class Student:
    """What the dashboards show of a student."""

    id: int
    display_name: str
    email: str | None


@dataclass
class StudentRow:
    """A row of the class grid."""

    student: Student
    cells: list[Cell]
    average: float | None
    attention: list[policy.Attention] = field(default_factory=list)

    @property
    def average_percent(self) -> int | None:
        """Mean of counted scores, as a percentage."""
        return None if self.average is None else round(self.average * 100)


@dataclass
class Overview:
    """The class grid and the needs-attention list."""

    assignments: list[Assignment]
    rows: list[StudentRow]
    completion: list[float]

    @property
    def attention(self) -> list[StudentRow]:
        """Students with at least one reason for concern."""
        return [r for r in self.rows if r.attention]


def students_of(classroom: Classroom) -> list[Student]:
    """Active students by name, as light rows (one query)."""
    return [Student(*row) for row in db.session.connection().execute(
        db.select(User.id, User.display_name, User.email)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))
        .order_by(User.display_name, User.id))]


# Plain SQL so rows skip SQLAlchemy's per-value type processing: this query reads every attempt of a
# class (23,000 rows for 1,000 students × 20 assignments) and that processing doubled its cost.
ATTEMPT_ROWS = text("SELECT user_id, assignment_id, state, late, score FROM attempt "
                    "WHERE assignment_id IN :ids ORDER BY id").bindparams(bindparam("ids", expanding=True))


def _attempt_rows(assignment_ids: list[int]):
    """(user id, assignment id, state, late, score) of every attempt, in the order they were made."""
    if not assignment_ids:
        return []
    return db.session.connection().execute(ATTEMPT_ROWS, {"ids": assignment_ids}).all()


SORTS = ("name", "average", "attention")


def class_overview(classroom: Classroom, now: datetime, sort: str = "name") -> Overview:
    """Students × assignments with status and counted score (three queries)."""
    students = students_of(classroom)
    assignments = assignments_of(classroom)
    index = {a.id: i for i, a in enumerate(assignments)}
    rules = [(a.due_at, a.grading) for a in assignments]
    untouched = [Cell(policy.Tally().status(due, now)) for due, _ in rules]
    tallies: dict[int, dict[int, policy.Tally]] = defaultdict(dict)
    for user_id, assignment_id, state, late, score in _attempt_rows(list(index)):
        mine = tallies[user_id]
        i = index[assignment_id]
        tally = mine.get(i) or mine.setdefault(i, policy.Tally())
        tally.add(state == AttemptState.FINISHED, late, score)
    rows = []
    for student in students:
        mine = tallies.get(student.id, {})
        cells = [Cell(t.status(rules[i][0], now, rules[i][1]), t.counted(rules[i][1]), t.attempts)
                 if (t := mine.get(i)) else untouched[i] for i in range(len(rules))]
        scores = [c.score for c in cells if c.score is not None]
        row = StudentRow(student, cells, sum(scores) / len(scores) if scores else None)
        row.attention = policy.needs_attention(
            [(c.status, c.score, due) for c, (due, _) in zip(cells, rules, strict=True)], now)
        rows.append(row)
    if sort == "average":
        rows.sort(key=lambda r: (r.average is None, r.average if r.average is not None else 0))
    elif sort == "attention":
        rows.sort(key=lambda r: (-len(r.attention), r.student.display_name.casefold()))
    completion = [sum(1 for r in rows if r.cells[i].status in policy.SUBMITTED) / len(rows) if rows else 0.0
                  for i in range(len(assignments))]
    return Overview(assignments, rows, completion)


@dataclass
class Analysis:
    """Item analysis and distributions for one assignment."""

    items: list[ItemStats]
    students: int
    histogram: list[tuple[str, int]]
    completion_by_day: list[tuple[str, float]]
    mean: float | None
    min_answers: int = MIN_ANSWERS_FOR_ADVICE  # below this, a question gets no advice


def _counted(finished, student_ids: set[int], grading: str) -> dict[int, tuple[int, float]]:
    """For each student, the attempt whose score counts: {user_id: (attempt_id, score)}. A student
    whose counted score is awaiting grading (a written answer) is left out until it is known."""
    by_student: dict[int, list[tuple[int, float]]] = defaultdict(list)
    tallies: dict[int, policy.Tally] = defaultdict(policy.Tally)
    for attempt_id, user_id, score, _ in finished:
        if user_id in student_ids:
            tallies[user_id].add(True, False, score)
            if score is not None:
                by_student[user_id].append((attempt_id, score))
    chosen = {}
    for user_id, attempts in by_student.items():
        if tallies[user_id].awaiting(grading):
            continue
        target = policy.counted_score([s for _, s in attempts], grading)
        chosen[user_id] = attempts[-1] if grading == "latest" else next(a for a in attempts if a[1] == target)
    return chosen


def snapshots_for(attempt_ids) -> dict[tuple[str, str], Question]:
    """Each distinct question version served in these attempts (one query)."""
    hashes = db.select(AttemptItem.content_hash).where(AttemptItem.attempt_id.in_(attempt_ids)).distinct()
    return {(q.id, h): q for h, q in versions(hashes).items()}


def _chosen_ids(question: Question, raw: str | None) -> tuple[str, ...]:
    """Option ids picked, decoding the stored JSON only for questions whose options are analysed."""
    if raw is None or not question.kind.reports_options:
        return ()
    return question.kind.picked(question, json.loads(raw))


def _completion(finished, student_ids: set[int]) -> list[tuple[str, float]]:
    """Cumulative share of the class with a finished attempt, by day."""
    first_done: dict[int, datetime] = {}
    for _, uid, _, at in finished:
        if uid in student_ids:
            first_done.setdefault(uid, at)
    per_day: dict[str, int] = defaultdict(int)
    for at in first_done.values():
        per_day[at.strftime("%Y-%m-%d")] += 1
    running, completion = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        completion.append((day, 100 * running / max(1, len(student_ids))))
    return completion


def assignment_analysis(assignment: Assignment, classroom: Classroom) -> Analysis:
    """Facility, discrimination and option shares over each student's counted attempt (four queries)."""
    student_ids = {s.id for s in students_of(classroom)}
    connection = db.session.connection()
    finished = connection.execute(
        db.select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.finished_at)
        .where(Attempt.assignment_id == assignment.id, Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.finished_at, Attempt.id)).all()
    counted = _counted(finished, student_ids, assignment.grading)
    attempt_to_student = {attempt_id: uid for uid, (attempt_id, _) in counted.items()}
    questions: dict[str, Question] = {}
    rows: list[ResponseRow] = []
    if attempt_to_student:
        attempt_ids = list(attempt_to_student)
        versions = snapshots_for(attempt_ids)
        for attempt_id, qid, version, raw, score in connection.execute(
                db.select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.content_hash,
                          cast(AttemptItem.response, Text), AttemptItem.score)
                .where(AttemptItem.attempt_id.in_(attempt_ids))).all():
            question = versions[(qid, version)]
            questions.setdefault(qid, question)
            rows.append(ResponseRow(attempt_to_student[attempt_id], qid, score or 0.0,
                                    _chosen_ids(question, raw)))
    totals = {uid: score for uid, (_, score) in counted.items()}
    completion = _completion(finished, student_ids)
    scores = list(totals.values())
    return Analysis(items=item_analysis(rows, totals, questions), students=len(student_ids),
                    histogram=score_histogram(scores), completion_by_day=completion,
                    mean=sum(scores) / len(scores) if scores else None)


@dataclass
class CourseReview:
    """Item analysis of every question over every class's counted attempts, for the course authors."""

    items: dict[str, ItemStats]  # question id -> statistics and advice (answered questions only)
    classes: int
    assignments: int
    attempts: int  # counted attempts: one per student per assignment
    earlier_versions: int  # answers to a version of a question other than the current one, left out


# Every finished assignment attempt of a student still enrolled in the assignment's class.
REVIEW_ATTEMPTS = (
    db.select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.finished_at, Attempt.assignment_id,
              Assignment.grading, Assignment.classroom_id)
    .join(Assignment, Assignment.id == Attempt.assignment_id)
    .join(Enrollment, (Enrollment.classroom_id == Assignment.classroom_id)
          & (Enrollment.user_id == Attempt.user_id))
    .where(Attempt.state == AttemptState.FINISHED, Enrollment.active.is_(True))
    .order_by(Attempt.finished_at, Attempt.id))
REVIEW_ITEMS = (
    db.select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.content_hash,
              cast(AttemptItem.response, Text), AttemptItem.score)
    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
    .where(Attempt.state == AttemptState.FINISHED, Attempt.assignment_id.is_not(None)))


def course_review(questions: Mapping[str, Question]) -> CourseReview:
    """Facility, discrimination, option shares and advice for the course's questions as they are now,
    over each student's counted attempt at every assignment of every class (two queries)."""
    connection = db.session.connection()
    by_assignment: dict[int, list] = defaultdict(list)
    grading: dict[int, str] = {}
    classes: set[int] = set()
    for attempt_id, user_id, score, finished_at, assignment_id, rule, classroom_id in \
            connection.execute(REVIEW_ATTEMPTS):
        by_assignment[assignment_id].append((attempt_id, user_id, score, finished_at))
        grading[assignment_id] = rule
        classes.add(classroom_id)
    # The respondent is a counted attempt, so one student counts once per assignment.
    totals: dict[int, float] = {}
    for assignment_id, finished in by_assignment.items():
        students = {uid for _, uid, _, _ in finished}
        totals.update(dict(_counted(finished, students, grading[assignment_id]).values()))
    rows: list[ResponseRow] = []
    earlier = 0
    for attempt_id, qid, version, raw, score in connection.execute(REVIEW_ITEMS):
        question = questions.get(qid)
        if attempt_id not in totals or question is None:
            continue
        if version != question.content_hash:
            earlier += 1
            continue
        rows.append(ResponseRow(attempt_id, qid, score or 0.0, _chosen_ids(question, raw)))
    stats = item_analysis(rows, totals, questions)
    return CourseReview(items={s.question_id: s for s in stats}, classes=len(classes),
                        assignments=len(by_assignment), attempts=len(totals), earlier_versions=earlier)


def gradebook(classroom: Classroom, now: datetime) -> tuple[list[str], list[list[object]]]:
    """Header and rows for the gradebook CSV: one row per student, one column per assignment."""
    overview = class_overview(classroom, now)
    header = ["Student", "Email"] + [f"{a.title} (due {a.due_at:%Y-%m-%d})" for a in overview.assignments]
    header.append("Average %")
    rows = []
    for row in overview.rows:
        rows.append([row.student.display_name, row.student.email or ""]
                    + [c.percent if c.percent is not None else c.status for c in row.cells]
                    + [row.average_percent if row.average_percent is not None else ""])
    return header, rows


def responses(classroom: Classroom) -> tuple[list[str], list[list[object]]]:
    """Header and rows for the responses CSV: one row per answer to an assignment question."""
    header = ["Student", "Email", "Assignment", "Attempt", "Finished (UTC)", "Late", "Question",
              "Type", "Answer", "Score", "Grading", "Rubric", "Comment"]
    assignments = {a.id: a for a in assignments_of(classroom)}
    students = {s.id: s for s in students_of(classroom)}
    rows: list[list[object]] = []
    if not assignments or not students:
        return header, rows
    attempt_ids = db.select(Attempt.id).where(
        Attempt.assignment_id.in_(list(assignments)), Attempt.state == AttemptState.FINISHED)
    versions = snapshots_for(attempt_ids)
    result = db.session.execute(
        db.select(Attempt.id, Attempt.user_id, Attempt.assignment_id, Attempt.finished_at, Attempt.late,
                  AttemptItem.question_id, AttemptItem.content_hash, AttemptItem.response,
                  AttemptItem.score, WrittenGrade)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .outerjoin(WrittenGrade, WrittenGrade.item_id == AttemptItem.id)
        .where(Attempt.id.in_(attempt_ids))
        .order_by(Attempt.user_id, Attempt.id, AttemptItem.position))
    for attempt_id, uid, aid, finished, late, qid, version, response, score, written in result:
        student = students.get(uid)
        if student is None:
            continue
        question = versions[(qid, version)]
        rows.append([student.display_name, student.email or "", assignments[aid].title, attempt_id,
                     f"{finished:%Y-%m-%d %H:%M}", "yes" if late else "no", qid, question.type,
                     describe(question, from_json(question, response)), score,
                     written.status if written else "", cells_text(written) if written else "",
                     written.comment if written else ""])
    return header, rows
