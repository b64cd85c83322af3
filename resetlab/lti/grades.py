"""Grade passback (LTI Assignment and Grade Services) through an outbox: the queueing half.

- `score_changed` runs inside the transaction that grades an attempt (or changes a counted score): if the
  assignment is placed in an LMS, it queues the student's *counted* score (the assignment's policy:
  highest, latest or first) for each line item, unless it is the score already queued. A counted score
  that is pending (a finished attempt awaiting an instructor's grading) is queued as
  `gradingProgress: PendingManual` with no score. The row commits with the grade or not at all.
- Queued rows are posted by `lti.sender` (requests and pylti1p3, imported only when there is something to
  send, so web workers do not carry the network stack): after the response of the request that queued
  them, on later requests (at most every LTI_SEND_EVERY seconds per process; `lti.register_sender`), and
  from `flask --app app lti send-scores` (cron). Retries, backoff and dead rows: see `lti.sender`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.rules import Tally
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    LtiContext,
    LtiIdentity,
    LtiPlatform,
    LtiResourceLink,
    LtiScoreOutbox,
)

QUEUED = "resetlab.lti_scores_queued"
SENDER = "resetlab.lti_sender"


@dataclass
class _Sender:
    """Per app: whether this process committed a queued score (send it after the response), and when
    it last looked for due scores. Per app, not per module: two apps in one process (tests) must not
    take each other's wake-up."""

    queued: threading.Event = field(default_factory=threading.Event)
    last_round: float = 0.0

    def round_due(self, every: float) -> bool:
        """Whether the next response should look for due scores: one was queued in this process, or
        `every` seconds (0: never) passed since the last look."""
        return self.queued.is_set() or (every > 0 and time.monotonic() - self.last_round >= every)


def sender_state(app: Flask | None = None) -> _Sender:
    """This app's sender state (the current app's when none is given)."""
    extensions = (app or current_app).extensions
    return extensions.setdefault(SENDER, _Sender())


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(QUEUED, False) and has_app_context():
        wake()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(QUEUED, None)


def wake() -> None:
    """Have this app's after-response sender look for due scores after the current response."""
    sender_state().queued.set()


def counted(assignment: Assignment, user_id: int) -> tuple[str, float | None]:
    """('graded', score) | ('pending', None) | ('none', None): the student's counted score now, as the
    gradebook counts it (core.rules.Tally: pending while the attempt that could count awaits grading)."""
    tally = Tally()
    for late, score in db.session.execute(db.select(Attempt.late, Attempt.score).where(
            Attempt.user_id == user_id, Attempt.assignment_id == assignment.id,
            Attempt.state == AttemptState.FINISHED).order_by(Attempt.started_at, Attempt.id)):
        tally.add(True, bool(late), score)
    if not tally.finished:
        return "none", None
    if tally.awaiting(assignment.grading):
        return "pending", None
    return "graded", tally.counted(assignment.grading)


def payload(sub: str, state: str, score: float | None, now: datetime) -> dict[str, Any]:
    """The AGS score JSON, its timestamp fixed at the change."""
    stamp = now.replace(tzinfo=UTC).isoformat()
    if state == "pending":
        return {"userId": sub, "activityProgress": "Submitted", "gradingProgress": "PendingManual",
                "timestamp": stamp}
    return {"userId": sub, "scoreGiven": round((score or 0.0) * 100, 2), "scoreMaximum": 100,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": stamp}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def plain(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "timestamp"}

    return plain(a) == plain(b)


def enqueue(attempt_id: int, now: datetime) -> None:
    """Queue the LMS score an attempt just changed (in the caller's transaction; nothing for practice or
    for assignments no LMS placed)."""
    enqueue_many([attempt_id], now)


def enqueue_many(attempt_ids: Iterable[int], now: datetime) -> None:
    """Queue the LMS scores these attempts changed (grading written answers, releasing grades): one query
    finds the students on LMS-placed assignments, then each counted score is queued if it changed."""
    ids = sorted(set(attempt_ids))
    if not ids:
        return
    pairs = db.session.execute(
        db.select(Attempt.assignment_id, Attempt.user_id).distinct()
        .join(LtiResourceLink, LtiResourceLink.assignment_id == Attempt.assignment_id)
        .where(Attempt.id.in_(ids)).order_by(Attempt.assignment_id, Attempt.user_id)).all()
    for assignment_id, user_id in pairs:
        score_changed(assignment_id, user_id, now)


def score_changed(assignment_id: int, user_id: int, now: datetime) -> int:
    """Queue the student's counted score on this assignment for every LMS line item it is placed in, when
    it differs from the one last queued (in the caller's transaction); how many rows were queued.

    Call it wherever a counted score can change: an attempt finished (study.attempts.submit), an
    instructor's grading of a pending written response."""
    links = db.session.execute(
        db.select(LtiResourceLink.id, LtiResourceLink.lineitem_url, LtiPlatform.issuer)
        .join(LtiContext, LtiContext.id == LtiResourceLink.lti_context_id)
        .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .where(LtiResourceLink.assignment_id == assignment_id,
               LtiResourceLink.lineitem_url.is_not(None))).all()
    assignment = db.session.get(Assignment, assignment_id) if links else None
    if assignment is None:
        return 0
    state, score = counted(assignment, user_id)
    if state == "none":
        return 0
    queued = 0
    for link_id, lineitem_url, issuer in links:
        sub = db.session.scalar(db.select(LtiIdentity.sub).where(LtiIdentity.issuer == issuer,
                                                                 LtiIdentity.user_id == user_id))
        if sub is None:  # the student never came from this LMS (joined with a code): it has no grade for them
            continue
        body = payload(sub, state, score, now)
        last = db.session.scalar(db.select(LtiScoreOutbox).where(
            LtiScoreOutbox.link_id == link_id, LtiScoreOutbox.user_id == user_id,
            LtiScoreOutbox.status != "superseded").order_by(LtiScoreOutbox.id.desc()).limit(1))
        if last is not None and last.status != "dead" and _same(last.payload, body):
            continue
        db.session.execute(db.update(LtiScoreOutbox).where(
            LtiScoreOutbox.link_id == link_id, LtiScoreOutbox.user_id == user_id,
            LtiScoreOutbox.status.in_(("pending", "dead"))).values(status="superseded"))
        db.session.add(LtiScoreOutbox(link_id=link_id, user_id=user_id, lineitem_url=lineitem_url,
                                      payload=body, status="pending", next_try_at=now, created_at=now))
        queued += 1
    if queued:
        db.session.info[QUEUED] = True  # raises the process flag once the transaction commits
    return queued


def due(now: datetime, limit: int) -> list[int]:
    """The queued scores due for sending, oldest first (the read transaction ends here, before the
    sender claims them one by one)."""
    ids = list(db.session.scalars(db.select(LtiScoreOutbox.id).where(
        LtiScoreOutbox.status == "pending", LtiScoreOutbox.next_try_at <= now)
        .order_by(LtiScoreOutbox.id).limit(limit)))
    db.session.commit()
    return ids
