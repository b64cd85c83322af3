"""Offline practice answers sent from a device: check each one strictly, grade it, record it once.

Each answer carries the device's own id (`client_id`); the UNIQUE constraint on ReviewLog.client_id
makes an answer count exactly once however often the device resends it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..core.content.model import Catalog
from ..core.grading import grade
from ..core.questions import AnswerProblem, Question, TamperedAnswer, form_values, from_json, parse_answer
from ..core.selection import drawable
from ..course import practice_questions
from ..database import begin_write, retrying
from ..extensions import db
from ..models import QuestionVersion, ReviewLog, ReviewSource, User
from ..review import services as review

MAX_ITEMS = 200
MAX_AGE = timedelta(days=30)
CLIENT_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")  # \Z: "$" would let a trailing newline in


class Rejected(ValueError):
    """One item cannot be accepted; the message says why (shown to the learner)."""


@dataclass(frozen=True)
class Checked:
    """An item that passed every check, graded on the server."""

    client_id: str
    question: Question
    score: float
    sure: bool
    when: datetime


@dataclass
class SyncReport:
    """What happened to each id sent: every id is in exactly one list."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The response body."""
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


MAX_FIELDS = 20
MAX_VALUES = 20


def device_form(question: Question, item: Mapping[str, Any]) -> Mapping[str, list[str]]:
    """The answer as form fields: `form` (what the practice page's controls hold, field -> values)
    or, from devices that queued answers before forms were sent, the canonical JSON `answer`."""
    form = item.get("form")
    if form is not None:
        if not isinstance(form, dict) or len(form) > MAX_FIELDS or not all(
                isinstance(k, str) and isinstance(v, list) and len(v) <= MAX_VALUES
                and all(isinstance(x, str) for x in v) for k, v in form.items()):
            raise Rejected("form must map each field name to a list of values")
        return form
    raw = item.get("answer")
    if raw is None or not question.kind.json_fits(question, raw):
        raise Rejected(f"the answer does not fit a {question.type} question")
    return form_values(question, 0, from_json(question, raw))


def parse_device_answer(question: Question, item: Mapping[str, Any]) -> Any:
    """The canonical answer from the device, through the same checks as a submitted quiz form."""
    form = device_form(question, item)
    try:
        parsed = parse_answer(question, 0, form)
    except TamperedAnswer as err:
        raise Rejected(f"the answer names something this question never offered ({err})") from None
    except AnswerProblem as err:
        raise Rejected(str(err)) from None
    if parsed is None:
        raise Rejected("no answer was given")
    return parsed


def parse_when(raw: Any, now: datetime) -> datetime:
    """When the device says it was answered (naive UTC), kept within the last 30 days."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise Rejected("answered_at must be an ISO date and time")
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise Rejected("answered_at must be an ISO date and time") from None
    if when.tzinfo is not None:
        try:
            when = when.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 with an offset: outside the range anyway
            raise Rejected("answered_at is out of range") from None
    return min(now, max(now - MAX_AGE, when))


def check_item(questions: Mapping[str, Question], old_versions: set[tuple[str, str]], raw: dict[str, Any],
               now: datetime) -> Checked:
    """Check and grade one item; raises Rejected with the reason."""
    question = questions.get(raw.get("question_id")) if isinstance(raw.get("question_id"), str) else None
    if question is None or question.secure:  # assessment-only questions are never practised
        raise Rejected("unknown question")
    if not drawable(question):  # a written answer or a source excerpt: never in a practice pack
        raise Rejected("this question is not practised offline")
    version = raw.get("content_hash")
    if version != question.content_hash:
        if isinstance(version, str) and (version, question.id) in old_versions:
            raise Rejected("the question has changed since it was downloaded; reload the practice page")
        raise Rejected("unknown version of this question")
    sure = raw.get("sure", True)
    if not isinstance(sure, bool):
        raise Rejected("sure must be true or false")
    answer = parse_device_answer(question, raw)
    when = parse_when(raw.get("answered_at"), now)
    return Checked(raw["id"], question, grade(question, answer).score, sure, when)


def _stored_versions(items: list[dict[str, Any]], questions: Mapping[str, Question]) -> set[tuple[str, str]]:
    """(hash, question id) pairs of stored older versions among the items' hashes (one query)."""
    hashes = {i.get("content_hash") for i in items if isinstance(i.get("content_hash"), str)
              and isinstance(i.get("question_id"), str) and i["question_id"] in questions
              and i["content_hash"] != questions[i["question_id"]].content_hash}
    if not hashes:
        return set()
    return {(h, qid) for h, qid in db.session.execute(
        db.select(QuestionVersion.content_hash, QuestionVersion.question_id)
        .where(QuestionVersion.content_hash.in_(hashes)))}


def _existing(client_ids: list[str]) -> set[str]:
    if not client_ids:
        return set()
    return set(db.session.scalars(db.select(ReviewLog.client_id).where(ReviewLog.client_id.in_(client_ids))))


def _record(user_id: int, items: list[Checked]) -> None:
    """Feed the schedule in the order the answers were given, locking every card involved at once."""
    ordered = sorted(items, key=lambda i: i.when)
    answers = [review.Answered(i.question, i.score, i.sure, i.client_id, i.when) for i in ordered]
    review.record(user_id, answers, ordered[-1].when, ReviewSource.OFFLINE)


def save(user_id: int, items: list[Checked]) -> tuple[list[str], list[str]]:
    """Record the items in one transaction: (accepted, duplicates).

    If another request stored some of them meanwhile (the UNIQUE client_id fires), retry one by one.
    """
    def all_at_once() -> bool:
        begin_write()
        try:
            _record(user_id, items)
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False

    if retrying(all_at_once):
        return [i.client_id for i in items], []
    accepted: list[str] = []
    duplicates: list[str] = []
    for item in sorted(items, key=lambda i: i.when):
        for tries in range(3):
            begin_write()
            if _existing([item.client_id]):
                db.session.rollback()
                duplicates.append(item.client_id)
                break
            try:
                _record(user_id, [item])
                db.session.commit()
            except IntegrityError:  # a concurrent sync made the same card or log: look again
                db.session.rollback()
                if tries == 2:
                    raise
                continue
            accepted.append(item.client_id)
            break
    return accepted, duplicates


def sync(catalog: Catalog, raw_items: list[Any], learner: Callable[[], User], now: datetime,
         viewer: User | None = None) -> SyncReport:
    """Check every item, then record the new ones for `learner()` (only called when there are some).

    Questions are the course's and, for a signed-in `viewer`, those of instructors' banks open to them."""
    report = SyncReport()
    dicts = [i for i in raw_items if isinstance(i, dict)]
    questions = practice_questions(viewer, (i.get("question_id") for i in dicts)) if viewer is not None \
        else catalog.questions
    old_versions = _stored_versions(dicts, questions)
    seen: set[str] = set()
    checked: list[Checked] = []
    for raw in raw_items:
        client_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            report.rejected.append({"id": client_id if isinstance(client_id, str) else None,
                                    "reason": "each answer needs an id of 1–64 letters, digits or hyphens"})
            continue
        if client_id in seen:
            continue  # sent twice in one batch: the first copy decides
        seen.add(client_id)
        try:
            checked.append(check_item(questions, old_versions, raw, now))
        except Rejected as err:
            report.rejected.append({"id": client_id, "reason": str(err)})
    known = _existing([c.client_id for c in checked])
    report.duplicates = [c.client_id for c in checked if c.client_id in known]
    fresh = [c for c in checked if c.client_id not in known]
    if fresh:
        accepted, duplicates = save(learner().id, fresh)
        report.accepted = accepted
        report.duplicates += duplicates
    return report
