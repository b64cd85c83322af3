"""Written answers: the grading queue, release of grades, revision, reusable comments, and the
statistics per rubric criterion.

Every object is reached through the instructor's assignment (`teach.services.assignment_for_instructor`)
or the student's own attempt; a grade id from another assignment does not exist here. An attempt's
score stays None ("awaiting grading") until each of its written answers is graded and the assignment's
grades are released; then `finalize` computes it like any other score.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, update

from ..core.errors import Conflict, NotFound
from ..core.grading import attempt_score
from ..core.markdown import render_answer
from ..core.questions import AnswerProblem, Question, parse_answer
from ..core.questions.types.essay import word_count
from ..core.rubrics import CriterionStats, Rubric, RubricError, criterion_stats, parse_rubric, weakest
from ..core.selection import written
from ..course import any_bank
from ..database import begin_write, insert_ignoring_duplicates
from ..extensions import db
from ..lti import grades as lti_scores
from ..models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    Classroom,
    CommentSnippet,
    Enrollment,
    GradeStatus,
    User,
    WrittenGrade,
    utcnow,
)
from ..study import summaries
from ..study.attempts import versions

MAX_COMMENT = 5000
MAX_SNIPPETS = 40
NOT_RETURNED = ("This answer is no longer waiting for a revision (it was handed in already, or your "
                "instructor graded it as it stood), so this text was not handed in.")


# --- the queue ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Prompt:
    """One written prompt of an assignment and how far its grading has got."""

    question: Question
    written: int  # answers written (blank ones score 0 and need no grading)
    graded: int
    returned: int
    blank: int
    stats: list[CriterionStats]

    @property
    def to_grade(self) -> int:
        """Answers still waiting for a grade (returned ones wait for the student, not the grader)."""
        return self.written - self.graded - self.returned

    @property
    def weakest(self) -> CriterionStats | None:
        """The criterion where the class earned the smallest share of the points."""
        return weakest(self.stats) if self.graded else None


def _served_questions(assignment: Assignment) -> dict[str, Question]:
    """Each written prompt as it was served in this assignment (the version served last), by id."""
    newest = (db.select(func.max(WrittenGrade.item_id))
              .where(WrittenGrade.assignment_id == assignment.id)
              .group_by(WrittenGrade.question_id))
    hashes = db.select(AttemptItem.content_hash).where(AttemptItem.id.in_(newest))
    return {q.id: q for q in versions(hashes).values()}


def prompts(assignment: Assignment) -> list[Prompt]:
    """The assignment's written prompts with progress and criterion statistics (four queries)."""
    served = _served_questions(assignment)
    bank = any_bank(assignment.bank_slug)
    for question in written(bank) if bank is not None and assignment.include_written else []:
        served.setdefault(question.id, question)
    counts: dict[str, Counter] = defaultdict(Counter)
    levels: dict[str, list[tuple[list, list]]] = defaultdict(list)
    for qid, status, rubric, chosen in db.session.execute(
            db.select(WrittenGrade.question_id, WrittenGrade.status, WrittenGrade.rubric, WrittenGrade.levels)
            .where(WrittenGrade.assignment_id == assignment.id)):
        counts[qid][status] += 1
        if status == GradeStatus.GRADED:
            levels[qid].append((rubric, chosen))
    # Submitted answers to each prompt; those with no grading row were left blank (scored 0 at once).
    submitted = dict(db.session.execute(
        db.select(AttemptItem.question_id, func.count(AttemptItem.id))
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.assignment_id == assignment.id, Attempt.state == AttemptState.FINISHED,
               AttemptItem.question_id.in_(list(served)))
        .group_by(AttemptItem.question_id)).all()) if served else {}
    found = []
    for qid, question in served.items():
        rubric = rubric_in_use(assignment, question)
        same = [c for r, c in levels[qid] if r == rubric.as_json()]  # grades made with another rubric differ
        found.append(Prompt(question, sum(counts[qid].values()), counts[qid][GradeStatus.GRADED],
                            counts[qid][GradeStatus.RETURNED],
                            max(0, submitted.get(qid, 0) - sum(counts[qid].values())),
                            criterion_stats(rubric, same)))
    return found


def rubric_in_use(assignment: Assignment, question: Question) -> Rubric:
    """The rubric new answers to this prompt are graded with in this assignment."""
    return parse_rubric(assignment.written_rubric) if assignment.written_rubric else question.body.rubric


def prompt_of(assignment: Assignment, question_id: str) -> Prompt:
    """One prompt of the assignment; NotFound when it has none with this id."""
    found = next((p for p in prompts(assignment) if p.question.id == question_id), None)
    if found is None:
        raise NotFound(question_id)
    return found


def queue(assignment: Assignment, question_id: str) -> list[tuple[int, str]]:
    """(grade id, status) of every written answer to one prompt, in the order they were submitted."""
    return [(gid, status) for gid, status in db.session.execute(
        db.select(WrittenGrade.id, WrittenGrade.status)
        .where(WrittenGrade.assignment_id == assignment.id, WrittenGrade.question_id == question_id)
        .order_by(WrittenGrade.id))]


def next_to_grade(order: Sequence[tuple[int, str]], after: int | None = None) -> int | None:
    """The first answer still to grade after `after` (wrapping round to the start), else None."""
    ids = [gid for gid, status in order if status == GradeStatus.PENDING]
    later = [gid for gid in ids if after is None or gid > after]
    return (later or [gid for gid in ids if gid != after] or [None])[0]


@dataclass(frozen=True)
class Response:
    """One written answer as the grader sees it: the text, the rubric, where it sits in the queue."""

    grade: WrittenGrade
    attempt: Attempt
    student: User
    question: Question
    rubric: Rubric
    text: str
    html: str
    words: int
    number: int  # 1-based place in the queue
    total: int
    previous_id: int | None
    next_id: int | None
    next_pending_id: int | None


def response(assignment: Assignment, question_id: str, grade_id: int) -> Response:
    """One answer in this assignment's queue for this prompt; NotFound for any other id."""
    row = db.session.execute(
        db.select(WrittenGrade, AttemptItem, Attempt, User)
        .join(AttemptItem, AttemptItem.id == WrittenGrade.item_id)
        .join(Attempt, Attempt.id == WrittenGrade.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(WrittenGrade.id == grade_id, WrittenGrade.assignment_id == assignment.id,
               WrittenGrade.question_id == question_id)).first()
    if row is None:
        raise NotFound(grade_id)
    grade, item, attempt, student = row
    question = versions([item.content_hash])[item.content_hash]
    order = queue(assignment, question_id)
    ids = [gid for gid, _ in order]
    at = ids.index(grade.id)
    text = item.response if isinstance(item.response, str) else ""
    html = render_answer(text)
    return Response(grade, attempt, student, question, parse_rubric(grade.rubric), text, html,
                    word_count(text), at + 1, len(ids), ids[at - 1] if at else None,
                    ids[at + 1] if at + 1 < len(ids) else None, next_to_grade(order, grade.id))


# --- grading --------------------------------------------------------------------------------------

def _locked(grade_id: int) -> WrittenGrade:
    """Start a write and lock this grade's row (two graders, or an autosave racing a click, queue)."""
    begin_write()
    grade = db.session.get(WrittenGrade, grade_id, populate_existing=True, with_for_update=True)
    if grade is None:
        db.session.rollback()
        raise NotFound(grade_id)
    return grade


def save_grade(grade: WrittenGrade, levels: list[int | None], comment: str, grader: User,
               now: datetime | None = None) -> WrittenGrade:
    """Keep the levels picked so far and the comment; graded once every criterion has a level. After
    release, the attempt's score follows at once."""
    now = now or utcnow()
    rubric = parse_rubric(grade.rubric)
    if not rubric.valid(levels):
        raise RubricError("the levels do not fit the rubric")
    grade = _locked(grade.id)
    points = rubric.points(levels)
    grade.levels, grade.points, grade.comment = list(levels), points, comment[:MAX_COMMENT]
    grade.grader_id, grade.updated_at = grader.id, now
    grade.status = GradeStatus.GRADED if points is not None else GradeStatus.PENDING
    grade.graded_at = now if points is not None else None
    _finalize([grade.attempt_id])
    db.session.commit()
    return grade


def return_for_revision(grade: WrittenGrade, comment: str, grader: User, now: datetime | None = None) -> None:
    """Send the answer back with a comment saying what to revise; the student sees it at once and the
    attempt's score waits for the revision."""
    if not comment.strip():
        raise Conflict("Say in the comment what the student should revise: it is all they will see.")
    now = now or utcnow()
    grade = _locked(grade.id)
    grade.status, grade.comment = GradeStatus.RETURNED, comment.strip()[:MAX_COMMENT]
    grade.points, grade.graded_at, grade.grader_id, grade.updated_at = None, None, grader.id, now
    _finalize([grade.attempt_id])
    db.session.commit()


@dataclass(frozen=True)
class Released:
    """What releasing did: attempts now scored, and written answers still to grade."""

    scored: int
    waiting: int


def release(assignment: Assignment, now: datetime | None = None) -> Released:
    """Show every graded written answer to its student, and score each attempt fully graded. Answers
    graded later appear as they are graded."""
    now = now or utcnow()
    assignment_id = assignment.id
    begin_write()
    db.session.execute(update(Assignment).where(Assignment.id == assignment_id,
                                                Assignment.grades_released_at.is_(None))
                       .values(grades_released_at=now))
    attempt_ids = list(db.session.scalars(db.select(WrittenGrade.attempt_id).distinct()
                                          .where(WrittenGrade.assignment_id == assignment_id)))
    scored = _finalize(attempt_ids)
    waiting = db.session.scalar(db.select(func.count(WrittenGrade.id)).where(
        WrittenGrade.assignment_id == assignment_id, WrittenGrade.status != GradeStatus.GRADED)) or 0
    db.session.commit()
    return Released(scored, waiting)


def _finalize(attempt_ids: Iterable[int]) -> int:
    """Inside a write: give each attempt its score if its assignment's grades are released and every
    written answer is graded, else none (awaiting grading), recount its student's summary for the
    dashboards, and queue the LMS's copy of any counted score that changed (LTI AGS). Returns how many
    are scored."""
    ids = list(set(attempt_ids))
    if not ids:
        return 0
    released = {aid for aid, at in db.session.execute(
        db.select(Attempt.id, Assignment.grades_released_at)
        .join(Assignment, Assignment.id == Attempt.assignment_id).where(Attempt.id.in_(ids))) if at}
    grades: dict[int, list[WrittenGrade]] = defaultdict(list)
    for grade in db.session.scalars(db.select(WrittenGrade).where(WrittenGrade.attempt_id.in_(ids))):
        grades[grade.attempt_id].append(grade)
    items: dict[int, list[AttemptItem]] = defaultdict(list)
    for item in db.session.scalars(db.select(AttemptItem).where(AttemptItem.attempt_id.in_(ids))):
        items[item.attempt_id].append(item)
    scored = 0
    for attempt_id in ids:
        mine = grades[attempt_id]
        final = attempt_id in released and all(g.status == GradeStatus.GRADED for g in mine)
        by_item = {g.item_id: g for g in mine}
        for item in items[attempt_id]:
            if item.id in by_item:
                g = by_item[item.id]
                item.score = g.points / g.max_points if final and g.max_points else (0.0 if final else None)
        total = attempt_score([i.score for i in items[attempt_id]])
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(score=total))
        scored += final
    # The dashboards' per-student rows follow the scores just given (or taken back for a revision).
    summaries.refresh((assignment_id, user_id) for assignment_id, user_id in db.session.execute(
        db.select(Attempt.assignment_id, Attempt.user_id)
        .where(Attempt.id.in_(ids), Attempt.assignment_id.is_not(None))))
    lti_scores.enqueue_many(ids, utcnow())  # the LMS's copy of each counted score, in this transaction
    return scored


def settle(assignment_ids: Iterable[int] | Select) -> None:
    """Inside a write, before these assignments are deleted: give each attempt still awaiting grading
    the score of what was graded (a written answer never graded is left out of the mean), so the
    student's history keeps a score instead of waiting for a grade that can no longer come."""
    waiting = list(db.session.scalars(
        db.select(Attempt.id).where(Attempt.assignment_id.in_(assignment_ids),
                                    Attempt.state == AttemptState.FINISHED, Attempt.score.is_(None))))
    if not waiting:
        return
    grades = {g.item_id: g for g in db.session.scalars(
        db.select(WrittenGrade).where(WrittenGrade.attempt_id.in_(waiting)))}
    items: dict[int, list[AttemptItem]] = defaultdict(list)
    for item in db.session.scalars(db.select(AttemptItem).where(AttemptItem.attempt_id.in_(waiting))):
        grade = grades.get(item.id)
        if grade is not None:
            done = grade.status == GradeStatus.GRADED and grade.max_points
            item.score = grade.points / grade.max_points if done else None
        items[item.attempt_id].append(item)
    for attempt_id in waiting:
        total = attempt_score([i.score for i in items[attempt_id] if i.score is not None])
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(score=total))


# --- the student's side ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Feedback:
    """What a student sees of one written answer: its state, and once released the rubric cells."""

    grade: WrittenGrade
    rubric: Rubric
    released: bool

    @property
    def shown(self) -> bool:
        """Whether the grade (levels, points, comment) may be shown to the student now."""
        return self.grade.status == GradeStatus.GRADED and self.released

    @property
    def returned(self) -> bool:
        """Sent back to revise: the comment says what to change."""
        return self.grade.status == GradeStatus.RETURNED


def feedback_for(attempt: Attempt, assignment: Assignment | None) -> dict[int, Feedback]:
    """The student's written answers in this attempt, by attempt item id."""
    released = assignment is not None and assignment.grades_released_at is not None
    return {g.item_id: Feedback(g, parse_rubric(g.rubric), released) for g in db.session.scalars(
        db.select(WrittenGrade).where(WrittenGrade.attempt_id == attempt.id))}


def revise(user: User, attempt: Attempt, item_id: int, form: dict[str, list[str]],
           now: datetime | None = None) -> None:
    """Replace a returned answer with the student's revision (the earlier text is kept with the comment
    it was returned with) and put it back in the queue. Conflict when it is not returned, or the
    student has left the class; AnswerProblem when the text does not fit the prompt."""
    now = now or utcnow()
    row = db.session.execute(
        db.select(WrittenGrade, AttemptItem)
        .join(AttemptItem, AttemptItem.id == WrittenGrade.item_id)
        .where(WrittenGrade.attempt_id == attempt.id, WrittenGrade.item_id == item_id)).first()
    if row is None or attempt.user_id != user.id:
        raise NotFound(item_id)
    grade, item = row
    if grade.status != GradeStatus.RETURNED:
        raise Conflict(NOT_RETURNED)
    member = db.session.scalar(
        db.select(Enrollment.id).join(Classroom, Classroom.id == Enrollment.classroom_id)
        .join(Assignment, Assignment.classroom_id == Classroom.id)
        .where(Assignment.id == grade.assignment_id, Enrollment.user_id == user.id,
               Enrollment.active.is_(True), Classroom.archived.is_(False)))
    if member is None:
        raise Conflict("You are no longer in this class, so the revision cannot be handed in.")
    question = versions([item.content_hash])[item.content_hash]
    text = parse_answer(question, item.position, form)
    if text is None:
        raise AnswerProblem("Write your revised answer before handing it in.")
    grade_id, item_pk, previous = grade.id, item.id, item.response
    earlier = [*grade.revisions, {"text": previous, "comment": grade.comment,
                                  "returned_at": f"{grade.updated_at:%Y-%m-%d %H:%M}"}]
    begin_write()
    # Compare-and-set on the status: of two revisions sent at once (two tabs, a double tap), one lands.
    claimed = db.session.execute(
        update(WrittenGrade).where(WrittenGrade.id == grade_id, WrittenGrade.status == GradeStatus.RETURNED)
        .values(status=GradeStatus.PENDING, revisions=earlier, comment="", points=None, updated_at=now))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Conflict(NOT_RETURNED)
    db.session.execute(update(AttemptItem).where(AttemptItem.id == item_pk).values(response=text))
    db.session.commit()


# --- reusable comments ----------------------------------------------------------------------------

def snippets(owner: User, question_id: str) -> list[CommentSnippet]:
    """The instructor's saved comments for one prompt, oldest first."""
    return list(db.session.scalars(db.select(CommentSnippet).where(
        CommentSnippet.owner_id == owner.id, CommentSnippet.question_id == question_id)
        .order_by(CommentSnippet.id)))


def add_snippet(owner: User, question_id: str, text: str) -> None:
    """Save a comment for reuse on this prompt (once; saving it again changes nothing)."""
    text = text.strip()[:MAX_COMMENT]
    if not text:
        return
    begin_write()
    count = db.session.scalar(db.select(func.count(CommentSnippet.id)).where(
        CommentSnippet.owner_id == owner.id, CommentSnippet.question_id == question_id)) or 0
    if count >= MAX_SNIPPETS:
        db.session.rollback()
        raise Conflict(f"You have {MAX_SNIPPETS} saved comments for this prompt: delete one first.")
    insert_ignoring_duplicates(CommentSnippet, [{
        "owner_id": owner.id, "question_id": question_id, "text": text, "created_at": utcnow(),
        "digest": hashlib.sha256(text.encode()).hexdigest()}])
    db.session.commit()


def delete_snippet(owner: User, snippet_id: int) -> None:
    """Forget one of the instructor's saved comments; NotFound for anyone else's."""
    begin_write()
    gone = db.session.execute(db.delete(CommentSnippet).where(
        CommentSnippet.id == snippet_id, CommentSnippet.owner_id == owner.id)).rowcount
    if not gone:
        db.session.rollback()
        raise NotFound(snippet_id)
    db.session.commit()


def snippet_texts(owner: User, question_id: str, ids: Iterable[str]) -> list[str]:
    """The texts of the chosen saved comments (ids as sent by a form; others are ignored)."""
    wanted = {int(i) for i in ids if i.isascii() and i.isdigit() and len(i) < 12}
    return [s.text for s in snippets(owner, question_id) if s.id in wanted]


# --- exports --------------------------------------------------------------------------------------

def grades_by_item(item_ids: Iterable[int]) -> dict[int, WrittenGrade]:
    """The grades of these attempt items, by item id (one query)."""
    ids = list(item_ids)
    if not ids:
        return {}
    return {g.item_id: g for g in db.session.scalars(
        db.select(WrittenGrade).where(WrittenGrade.item_id.in_(ids)))}


def cells_text(grade: WrittenGrade) -> str:
    """The rubric cells chosen, in words: 'Claim: 2/2 A clear answer; Evidence: 1/3 One general fact'."""
    rubric = parse_rubric(grade.rubric)
    parts = []
    for criterion, level in zip(rubric.criteria, grade.levels, strict=False):
        if level is not None:
            cell = criterion.levels[level]
            parts.append(f"{criterion.name}: {cell.points}/{criterion.max_points} {cell.text}")
    return "; ".join(parts)
