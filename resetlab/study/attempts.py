"""Attempts: drawing and starting them under the database's rules, drafts saved as the learner goes,
submitting exactly once, deadlines, and the per-attempt names that hide choice ids.

Every answer form reaches these functions with the real choice ids (`unmask` turns a page's opaque
ids back); drafts are stored the same way.
"""

from __future__ import annotations

import hmac
import random
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, event, insert, update
from sqlalchemy.exc import IntegrityError

from ..core import questions as answer_forms
from ..core.content.model import Bank
from ..core.errors import Conflict, NotFound
from ..core.grading import attempt_score, grade
from ..core.questions import Choice, Question, in_order, opaque_ids, present, rename_form, renamed
from ..core.questions.types.essay import MAX_CHARACTERS as ESSAY_CHARACTERS
from ..core.rubrics import rubric_for
from ..core.rules import GRACE, is_late, may_reveal, too_late
from ..core.selection import Purpose, draw_questions
from ..course import get_catalog, question_named
from ..database import DriverSQL, begin_write, insert_ignoring_duplicates, retrying
from ..extensions import db
from ..lti import grades as lti_scores
from ..models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    GradeStatus,
    QuestionVersion,
    ReviewSource,
    User,
    WrittenGrade,
    utcnow,
)
from ..review import services as review
from . import summaries

ANSWER_FIELD = re.compile(r"\A[ag][0-9]{1,3}(-[A-Za-z0-9]{1,40})?\Z")  # a3, a3-<choice id>, g3 ("not sure")
MAX_DRAFT_FIELDS = 400
MAX_DRAFT_VALUE = ESSAY_CHARACTERS  # a written answer is the longest value (requests are capped in config)


OWN_ATTEMPT = db.select(Attempt).where(Attempt.id == bindparam("attempt_id"),
                                     Attempt.user_id == bindparam("user_id"))  # built once: every submit asks


def attempt_for(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; NotFound otherwise (another learner's attempt does not exist for them)."""
    attempt = db.session.scalar(OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user.id})
    if attempt is None:
        raise NotFound(attempt_id)
    return attempt


def open_attempt(user: User, bank_slug: str) -> Attempt | None:
    """The user's unfinished practice attempt at this bank (assignments keep their own)."""
    return db.session.scalar(
        db.select(Attempt).where(Attempt.user_id == user.id, Attempt.bank_slug == bank_slug,
                                 Attempt.assignment_id.is_(None), Attempt.state == AttemptState.IN_PROGRESS))


def store_versions(questions: Iterable[Question]) -> None:
    """Save each question version once (inside the caller's write transaction; races are harmless). Rows
    go in hash order, so two starts inserting the same versions take their locks in the same order
    and never wait on each other in a circle (PostgreSQL)."""
    unique = {q.content_hash: q for q in questions}
    insert_ignoring_duplicates(QuestionVersion, [
        {"content_hash": h, "question_id": q.id, "snapshot": q.to_snapshot(), "created_at": utcnow()}
        for h, q in sorted(unique.items())])


def add_attempt(user: User, bank: Bank, questions: Sequence[Question], rng: random.Random,
                title: str | None = None, **fields: Any) -> Attempt:
    """A new attempt with the drawn questions, their versions and option orders, added to the caller's
    write transaction (the caller commits and handles a rule the database refuses)."""
    store_versions(questions)
    attempt = Attempt(user_id=user.id, bank_slug=bank.slug, bank_title=title or bank.title,
                      lesson_slug=bank.lesson, **fields)
    attempt.items = [AttemptItem(position=i, question_id=q.id, content_hash=q.content_hash,
                                 presentation=list(present(q, rng))) for i, q in enumerate(questions)]
    db.session.add(attempt)
    if fields.get("assignment_id") is not None:
        summaries.count_start(user.id, fields["assignment_id"])
    return attempt


def create_attempt(user: User, bank: Bank, count: int, rng: random.Random, title: str | None = None,
                   purpose: Purpose = Purpose.PRACTICE, **fields: Any) -> Attempt:
    """Draw `count` questions and save an attempt with them (no attempt rules: tests, demo, bench)."""
    questions = draw_questions(bank, get_catalog().banks.values(), count, rng, purpose)
    begin_write()
    attempt = add_attempt(user, bank, questions, rng, title, **fields)
    db.session.commit()
    return attempt


def start_practice(user: User, bank: Bank, rng: random.Random | None = None) -> Attempt:
    """Start a practice attempt, or return the one already in progress (the database allows one)."""
    rng = rng or random.Random()
    questions = draw_questions(bank, get_catalog().banks.values(), bank.draw, rng, Purpose.PRACTICE)
    if not questions:
        raise Conflict("This quiz has no practice questions: it is for graded assignments only.")
    begin_write()
    existing = open_attempt(user, bank.slug)
    if existing is not None:
        db.session.rollback()
        return existing
    attempt = add_attempt(user, bank, questions, rng)
    try:
        db.session.commit()
    except IntegrityError:  # a parallel start won the one open slot: go to its attempt
        db.session.rollback()
        existing = open_attempt(user, bank.slug)
        if existing is None:
            raise
        return existing
    return attempt


# A content hash names one version of a question for good (the snapshot is never rewritten), so the
# questions rebuilt from snapshots are kept, a bounded number of them, by hash.
_SERVED_VERSIONS: OrderedDict[str, Question] = OrderedDict()
SERVED_VERSIONS_KEPT = 1024


def _remember(found: dict[str, Question]) -> dict[str, Question]:
    for content_hash, question in found.items():
        _SERVED_VERSIONS[content_hash] = question
        _SERVED_VERSIONS.move_to_end(content_hash)
    while len(_SERVED_VERSIONS) > SERVED_VERSIONS_KEPT:
        _SERVED_VERSIONS.popitem(last=False)
    return found


def versions(hashes: Iterable[str] | Select) -> dict[str, Question]:
    """Questions exactly as served, by content hash (at most one query); takes hashes or a subquery."""
    if isinstance(hashes, Select):
        wanted: Select | list[str] = hashes
        found: dict[str, Question] = {}
    else:
        asked = set(hashes)
        found = {h: q for h in asked if (q := _SERVED_VERSIONS.get(h)) is not None}
        wanted = [h for h in asked if h not in found]
        if not wanted:
            return found
    return found | _remember({h: Question.from_snapshot(snap) for h, snap in db.session.execute(
        db.select(QuestionVersion.content_hash, QuestionVersion.snapshot)
        .where(QuestionVersion.content_hash.in_(wanted)))})


@dataclass(frozen=True, slots=True)
class ServedItem:
    """An attempt's item as read to show or grade it: a plain row, not an ORM object (nothing changes an
    item through it; the submit writes its answers with ITEMS)."""

    id: int
    attempt_id: int
    position: int
    question_id: str
    content_hash: str
    presentation: list[str]
    response: Any
    score: float | None


_ATTEMPTS, _ITEMS = Attempt.__table__, AttemptItem.__table__
# Every submit and attempt page reads its items: as the driver's own SQL, since the ORM's loading of
# ten items cost more than the rest of reading the form.
ITEMS_OF = DriverSQL(
    "SELECT id, attempt_id, position, question_id, content_hash, presentation, response, score "
    "FROM attempt_item WHERE attempt_id = :attempt_id ORDER BY position",
    presentation=_ITEMS.c.presentation.type, response=_ITEMS.c.response.type)


Item = AttemptItem | ServedItem  # an item as `served` gives it


def served(attempt: Attempt) -> list[tuple[Item, Question]]:
    """Each item with its question rebuilt from the version it was served with (worked out once per
    loaded attempt: a submit asks for it to read the form and again to grade it; forgotten when the
    attempt is expired, as every commit and `begin_write` do, so a page after a write reads the items
    as written). Items the session already holds (an attempt just added, or one whose items were
    loaded) are used as they are."""
    known = attempt.__dict__.get("_resetlab_served")
    if known is not None:
        return known
    if "items" in attempt.__dict__ or attempt.id is None:
        items: list[Item] = list(attempt.items)
    else:
        items = [ServedItem(**row) for row in ITEMS_OF.rows({"attempt_id": attempt.id})]
    found = versions(item.content_hash for item in items)
    result = [(item, found[item.content_hash]) for item in items]
    attempt._resetlab_served = result  # type: ignore[attr-defined]
    return result


@event.listens_for(Attempt, "expire")
def _forget_served(attempt: Attempt | None, _attributes: object) -> None:
    if attempt is not None:  # None: the object was already collected (the session holds it weakly)
        attempt.__dict__.pop("_resetlab_served", None)


# --- opaque choice ids ----------------------------------------------------------------------

def _names_key(attempt: Attempt) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.digest(secret, f"attempt-choices:{attempt.id}".encode(), "sha256")


def names_for(attempt: Attempt, asked: Sequence[tuple[Item, Question]]) -> dict[str, str]:
    """Real choice id -> the opaque name this attempt's page uses (different for every attempt)."""
    key = _names_key(attempt)
    names: dict[str, str] = {}
    for _, question in asked:
        names.update(opaque_ids(question, key))
    return names


@dataclass(frozen=True)
class Shown:
    """One question as an attempt's page shows it: opaque choice ids, options in the attempt's order."""

    item: Item
    question: Question
    choices: list[Choice]


def shown(attempt: Attempt) -> tuple[list[Shown], dict[str, list[str]]]:
    """The attempt's questions with opaque choice ids, and its saved draft in the same names."""
    asked = served(attempt)
    names = names_for(attempt, asked)
    rows = []
    for item, question in asked:
        hidden = renamed(question, names)
        rows.append(Shown(item, hidden, in_order(hidden, [names.get(i, i) for i in item.presentation])))
    return rows, rename_form(attempt.draft or {}, names)


NOT_SHOWN = "not-shown"


def unmask(attempt: Attempt, form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A posted form with the page's opaque choice ids turned back into real ones. A real id sent as
    is never came from this attempt's page (a script copying a practice pack, say): it becomes an id
    no question has, so it is refused as tampering or ignored, never graded."""
    names = names_for(attempt, served(attempt))
    back = {real: NOT_SHOWN for real in names} | {opaque: real for real, opaque in names.items()}
    return rename_form(form, back)


# --- drafts ---------------------------------------------------------------------------------

def draft_of(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The answer fields of a form, as a draft is stored (CSRF tokens and buttons left out)."""
    kept: dict[str, list[str]] = {}
    for name, values in form.items():
        if ANSWER_FIELD.match(name) and len(kept) < MAX_DRAFT_FIELDS:
            kept[name] = [v[:MAX_DRAFT_VALUE] for v in values[:20] if isinstance(v, str) and v.strip()]
    return {k: v for k, v in kept.items() if v}


def save_draft(attempt: Attempt, form: Mapping[str, Sequence[str]], now: datetime) -> datetime:
    """Keep the learner's answers so far (never a submission); Conflict once submitted or out of time."""
    if attempt.finished:
        raise Conflict("This quiz was already submitted, so there is nothing left to save.")
    if too_late(attempt.deadline_at, now):
        raise Conflict("Time ran out: answers sent now are not counted.")
    attempt_id = attempt.id
    begin_write()
    saved = db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id, Attempt.state == AttemptState.IN_PROGRESS)
        .values(draft=draft_of(form), draft_saved_at=now))
    if saved.rowcount != 1:
        db.session.rollback()
        raise Conflict("This quiz was already submitted, so there is nothing left to save.")
    db.session.commit()
    return now


def counted_draft(attempt: Attempt) -> dict[str, list[str]]:
    """The saved answers that count when time runs out: those the server had by the deadline."""
    if attempt.draft is None or attempt.draft_saved_at is None:
        return {}
    if attempt.deadline_at is not None and attempt.draft_saved_at > attempt.deadline_at + GRACE:
        return {}
    return attempt.draft


# --- submitting -----------------------------------------------------------------------------

@dataclass
class Submission:
    """What happened to a submit: graded now, already graded, refused, to confirm, or to fix."""

    graded: bool = False
    already: bool = False
    timed_out: bool = False
    refused: str | None = None
    unanswered: list[int] = field(default_factory=list)  # positions; set when the learner must confirm
    problems: dict[int, str] = field(default_factory=dict)
    refill: dict[str, list[str]] = field(default_factory=dict)


def submit(attempt: Attempt, form: Mapping[str, Sequence[str]], now: datetime | None = None, *,
           assignment: Assignment | None = None, refusal: str | None = None, confirmed: bool = True,
           use_draft: bool = False, lms: bool = True) -> Submission:
    """Grade and finish an attempt exactly once; raises TamperedAnswer before storing anything.

    - Past the server-side deadline (plus a short grace) the answers saved by the deadline count,
      never the ones sent late.
    - `refusal` (the assignment was closed, the learner removed, the class archived) keeps the answers
      as a draft and grades nothing.
    - With unanswered questions and not `confirmed`, the answers are saved and nothing is graded yet.
    - `lms` False (the caller read that no LMS placed the assignment) skips looking for LMS line items.
    """
    if attempt.finished:
        return Submission(already=True)
    now = now or utcnow()
    timed_out = too_late(attempt.deadline_at, now)
    if timed_out or use_draft:
        answers: Mapping[str, Sequence[str]] = counted_draft(attempt) if timed_out else (attempt.draft or {})
    else:
        answers = form
    if refusal is not None:
        if not timed_out and not use_draft:
            save_draft(attempt, form, now)
        return Submission(refused=refusal, timed_out=timed_out)
    parsed: dict[int, Any] = {}
    outcome = Submission(timed_out=timed_out)
    asked = served(attempt)
    for item, question in asked:
        try:
            parsed[item.position] = answer_forms.parse_answer(question, item.position, answers)
        except answer_forms.TamperedAnswer:
            if not timed_out:
                raise
            parsed[item.position] = None  # saved, yet no page of the attempt could have sent it: blank
        except answer_forms.AnswerProblem as problem:
            if timed_out:  # a saved half-answer the learner can no longer fix: what of it can count
                parsed[item.position] = question.kind.salvage(question, item.position, answers)
            else:
                outcome.problems[item.position] = str(problem)
    if outcome.problems:
        for item, question in asked:
            if item.position in parsed:
                outcome.refill.update(
                    answer_forms.form_values(question, item.position, parsed[item.position]))
        for key, values in answers.items():
            outcome.refill.setdefault(key, list(values))
        return outcome
    blank = [item.position for item, _ in asked if parsed[item.position] is None]
    if blank and not confirmed and not timed_out:
        if not use_draft:
            save_draft(attempt, answers, now)
        return Submission(unanswered=blank)
    unsure = {int(k[1:]) for k, v in answers.items()
              if k[:1] == "g" and k[1:].isascii() and k[1:].isdigit() and len(k) <= 5 and "1" in v}
    # A written answer waits for its instructor (no score yet; a blank one scores 0 at once), and
    # while one waits, so does the attempt's score: None is "awaiting grading", never a low score.
    scores: dict[int, float | None] = {
        item.position: (None if parsed[item.position] is not None else 0.0) if question.kind.manual
        else grade(question, parsed[item.position]).score for item, question in asked}
    awaiting = [(item, q) for item, q in asked if q.kind.manual and scores[item.position] is None]
    # Without an assignment nobody grades a written answer: the attempt is scored on the rest.
    total = attempt_score([scores[item.position] for item, q in asked
                           if assignment is not None or not q.kind.manual])
    revealed = assignment is None or may_reveal(assignment.reveal, now, assignment.due_at)
    feed = [review.Answered(q, scores[item.position], sure=item.position not in unsure) for item, q in asked
            if not q.kind.manual and (revealed or not _secure(q))]
    to_grade = [written_grade(item, q, assignment) for item, q in awaiting] if assignment is not None else []
    attempt_id, user_id, assignment_id = attempt.id, attempt.user_id, attempt.assignment_id
    late = assignment is not None and is_late(now, assignment.due_at)
    # Everything is worked out before the write lock is taken; inside it, only writes.
    claim = {"attempt_id": attempt_id, "finished_at": now, "score": total, "timed_out": timed_out,
             "late": late, "review_fed": revealed, "draft": dict(answers) if timed_out else None}
    items = [{"item_id": item.id, "response": answer_forms.to_json(q, parsed[item.position]),
              "score": scores[item.position]} for item, q in asked]
    written = [{**row, "updated_at": now} for row in to_grade]

    def finish() -> Submission:
        begin_write()
        if CLAIM.run(claim).rowcount != 1:
            db.session.rollback()
            return Submission(already=True)
        if items:
            ITEMS.run(items)
        if written:  # in the same transaction that finishes the attempt
            db.session.execute(insert(WrittenGrade), written)
        review.record(user_id, feed, now, ReviewSource.QUIZ)
        if assignment_id is not None:
            summaries.count_finish(user_id, assignment_id, attempt_id, total, late, now)
        if lms and assignment_id is not None:  # the LMS's copy of the counted score, in this transaction
            lti_scores.enqueue(attempt_id, now)
        db.session.commit()
        return Submission(graded=True, timed_out=timed_out)

    return retrying(finish)


# Built once: the claim (only an attempt still in progress is finished, so a submit counts once) and
# the answers, written in one batch; as the driver's own SQL (database.DriverSQL), since every submit
# runs them inside the write lock.
CLAIM = DriverSQL(
    f"UPDATE attempt SET state = '{AttemptState.FINISHED.value}', finished_at = :finished_at, "
    "score = :score, timed_out = :timed_out, late = :late, review_fed = :review_fed, draft = :draft "
    f"WHERE id = :attempt_id AND state = '{AttemptState.IN_PROGRESS.value}'",
    **{name: _ATTEMPTS.c[name].type for name in ("finished_at", "timed_out", "late", "review_fed", "draft")})
ITEMS = DriverSQL("UPDATE attempt_item SET response = :response, score = :score WHERE id = :item_id",
                  response=_ITEMS.c.response.type)


def written_grade(item: Item, question: Question, assignment: Assignment) -> dict[str, Any]:
    """The grading-queue row of one written answer, with the rubric in force for this assignment."""
    rubric = rubric_for(assignment.written_rubric, question.body.rubric)
    return {"item_id": item.id, "attempt_id": item.attempt_id, "assignment_id": assignment.id,
            "question_id": question.id, "status": GradeStatus.PENDING, "rubric": rubric.as_json(),
            "levels": [None] * len(rubric.criteria), "points": None, "max_points": rubric.max_points,
            "comment": "", "revisions": []}


def _secure(question: Question) -> bool:
    """Whether the catalog marks this question assessment-only (as it stands now)."""
    current = question_named(question.id)
    return current is None or current.secure


def finish_if_expired(attempt: Attempt, now: datetime, assignment: Assignment | None) -> bool:
    """Grade a timed attempt whose time ran out with what was saved by then; True if it did."""
    if attempt.finished or not too_late(attempt.deadline_at, now):
        return False
    return submit(attempt, {}, now, assignment=assignment).graded


def release_reviews(user: User, now: datetime) -> int:
    """Feed the review schedule with assessment questions whose answers may now be shown (the due
    date of an 'after the due date' assignment has passed); returns how many attempts were released."""
    waiting = db.session.scalars(
        db.select(Attempt).join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(Attempt.user_id == user.id, Attempt.state == AttemptState.FINISHED,
               Attempt.review_fed.is_(False), Assignment.reveal != "never")).all()
    released = 0
    for attempt in waiting:
        work = db.session.get(Assignment, attempt.assignment_id)
        if work is None or not may_reveal(work.reveal, now, work.due_at):
            continue
        answered = [review.Answered(q, item.score or 0.0) for item, q in served(attempt)
                    if _secure(q) and not q.kind.manual]
        attempt_id, finished_at = attempt.id, attempt.finished_at or now
        begin_write()
        claimed = db.session.execute(update(Attempt).where(Attempt.id == attempt_id,
                                                           Attempt.review_fed.is_(False))
                                     .values(review_fed=True))
        if claimed.rowcount == 1:
            review.record(user.id, answered, finished_at, ReviewSource.QUIZ)
            released += 1
        db.session.commit()
    return released


@dataclass(frozen=True)
class AnswerRow:
    """One question of an attempt as an instructor reads it: the answer in words, the key, the score."""

    position: int
    question: Question
    answer: str
    key: str
    score: float | None


def attempt_answers(attempt: Attempt) -> list[AnswerRow]:
    """Every answer of an attempt in words: as graded, or as saved so far for one not handed in."""
    rows = []
    draft = attempt.draft or {}
    for item, question in served(attempt):
        if attempt.finished:
            answer = answer_forms.from_json(question, item.response)
        else:
            try:
                answer = answer_forms.parse_answer(question, item.position, draft)
            except (answer_forms.AnswerProblem, answer_forms.TamperedAnswer):
                answer = None
        rows.append(AnswerRow(item.position, question, answer_forms.describe(question, answer),
                              answer_forms.describe_key(question), item.score))
    return rows
