"""Grade passback (LTI Assignment and Grade Services) through an outbox.

- `score_changed` runs inside the transaction that grades an attempt (or changes a counted score): if the
  assignment is placed in an LMS, it queues the student's *counted* score (the assignment's policy:
  highest, latest or first) for each line item, unless it is the score already queued. A counted score
  that is pending (a finished attempt awaiting an instructor's grading) is queued as
  `gradingProgress: PendingManual` with no score. The row commits with the grade or not at all.
- `send_due` posts queued rows: after the response of the request that queued them, on later requests
  (at most every LTI_SEND_EVERY seconds per process), and from `flask --app app lti send-scores` (cron).
  Each score carries the timestamp of its change, so an old score resent late never overwrites a newer
  one (AGS platforms apply only newer timestamps), and resending one the platform already took is harmless.
- Failures: connection errors, timeouts, 5xx and 429 are retried with backoff (1 min … 1 day, 10 tries);
  a 401 drops the cached token and retries at once; 400/403/404/422 are final ("dead", shown on the
  class's LMS page with a button to send again).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from flask import Flask, current_app, has_app_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..core.rules import Tally
from ..database import begin_write
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
from .storage import DbCache

log = logging.getLogger("resetlab.lti")
BACKOFF = (60, 300, 1800, 7200, 43200, 86400)
MAX_TRIES = 10
FINAL = frozenset({400, 403, 404, 405, 409, 410, 413, 415, 422})
CLAIM_FOR = timedelta(minutes=2)  # a row being sent is left alone by other workers for this long
QUEUED = "resetlab.lti_scores_queued"
SENDER = "resetlab.lti_sender"


@dataclass
class _Sender:
    """Per app: whether this process committed a queued score (send it after the response), and when
    it last looked for due scores. Per app, not per module: two apps in one process (tests) must not
    take each other's wake-up."""

    queued: threading.Event = field(default_factory=threading.Event)
    last_round: float = 0.0


def _sender(app: Flask | None = None) -> _Sender:
    extensions = (app or current_app).extensions
    return extensions.setdefault(SENDER, _Sender())


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(QUEUED, False) and has_app_context():
        _sender().queued.set()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(QUEUED, None)


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


class CachedTokenConnector(ServiceConnector):
    """pylti1p3's connector with access tokens kept (in lti_cache, shared by workers) until shortly before
    `expires_in` (pylti1p3 keeps them per connector and ignores the expiry)."""

    def __init__(self, registration: Registration, platform_id: int, session: requests.Session):
        """A connector for one registration."""
        super().__init__(registration, session)
        self._platform_id = platform_id

    def _key(self, scopes: Any) -> str:
        digest = hashlib.sha256("|".join(sorted(scopes)).encode()).hexdigest()[:32]
        return f"lti-token-{self._platform_id}-{digest}"

    def get_access_token(self, scopes: Any) -> str:
        """A cached token, else one from the platform's token endpoint (a signed client assertion)."""
        cache = DbCache()
        token = cache.get(self._key(scopes))
        if isinstance(token, str):
            return token
        reg = self._registration
        now = int(time.time())
        claim = {"iss": reg.get_client_id(), "sub": reg.get_client_id(),
                 "aud": reg.get_auth_audience() or reg.get_auth_token_url(), "iat": now - 5, "exp": now + 60,
                 "jti": "resetlab-" + uuid.uuid4().hex}
        assertion = self.encode_jwt(claim, reg.get_tool_private_key(), {"kid": reg.get_kid()})
        answer = self._requests_session.post(reg.get_auth_token_url(), data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, "scope": " ".join(scopes)})
        if not answer.ok:
            raise LtiServiceException(answer)
        body = answer.json()
        token = body["access_token"]
        lifetime = int(body.get("expires_in", 3600)) - 60
        if lifetime > 0:
            cache.set(self._key(scopes), token, lifetime)
        return token

    def forget(self, scopes: Any) -> None:
        """Drop the cached token (the platform refused it)."""
        DbCache().delete(self._key(scopes))


@dataclass
class SendReport:
    """What one round of sending did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0


def _claim(row_id: int, now: datetime) -> bool:
    begin_write()
    claimed = db.session.execute(db.update(LtiScoreOutbox).where(
        LtiScoreOutbox.id == row_id, LtiScoreOutbox.status == "pending", LtiScoreOutbox.next_try_at <= now)
        .values(next_try_at=now + CLAIM_FOR, tries=LtiScoreOutbox.tries + 1)).rowcount
    db.session.commit()
    return claimed == 1


def _grade(body: dict[str, Any]) -> Grade:
    grade = (Grade().set_user_id(body["userId"]).set_timestamp(body["timestamp"])
             .set_activity_progress(body["activityProgress"]).set_grading_progress(body["gradingProgress"]))
    if "scoreGiven" in body:
        grade.set_score_given(body["scoreGiven"]).set_score_maximum(body["scoreMaximum"])
    return grade


def _post(row: LtiScoreOutbox) -> None:
    """POST the score to <line item>/scores; raises LtiServiceException / requests errors."""
    from .keys import registration_for
    from .launch import http_session

    link, platform = db.session.execute(
        db.select(LtiResourceLink, LtiPlatform)
        .join(LtiContext, LtiContext.id == LtiResourceLink.lti_context_id)
        .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .where(LtiResourceLink.id == row.link_id)).one()
    connector = CachedTokenConnector(registration_for(platform), platform.id, http_session())
    service = {"scope": link.scopes, "lineitem": row.lineitem_url, "lineitems": link.lineitems_url or ""}
    ags = AssignmentsGradesService(connector, service)  # type: ignore[arg-type]
    try:
        ags.put_grade(_grade(row.payload))
    except LtiServiceException as err:
        if err.response.status_code != 401:
            raise
        connector.forget(link.scopes)  # an expired or revoked token: one more try with a new one
        ags.put_grade(_grade(row.payload))


def _finish(row_id: int, now: datetime, status: str, code: int | None, error: str | None,
            retry_in: int | None = None) -> None:
    begin_write()
    values: dict[str, Any] = {"status": status, "last_status": code,
                              "last_error": error[:500] if error else None}
    if status == "sent":
        values["sent_at"] = now
    if retry_in is not None:
        values["next_try_at"] = now + timedelta(seconds=retry_in)
    db.session.execute(db.update(LtiScoreOutbox).where(LtiScoreOutbox.id == row_id).values(**values))
    db.session.commit()


def send_one(row_id: int, now: datetime, report: SendReport) -> None:
    """Send one queued score (if no other worker holds it) and record what happened."""
    if not _claim(row_id, now):
        return
    row = db.session.get(LtiScoreOutbox, row_id)
    code: int | None = None
    try:
        _post(row)
    except LtiServiceException as err:
        code = err.response.status_code
        error = f"HTTP {code}: {err.response.text[:300]}"
    except (requests.RequestException, ValueError) as err:
        error = f"{type(err).__name__}: {err}"
    except (LtiException, Conflict) as err:  # a missing scope, no tool key: retrying will not help soon
        code, error = None, f"{type(err).__name__}: {err}"
        if isinstance(err, LtiException):
            _finish(row_id, now, "dead", code, error)
            report.dead += 1
            return
    else:
        _finish(row_id, now, "sent", 200, None)
        report.sent += 1
        return
    tries = row.tries
    if (code is not None and code in FINAL) or tries >= MAX_TRIES:
        log.warning("LTI score %s not delivered (final): %s", row_id, error)
        _finish(row_id, now, "dead", code, error)
        report.dead += 1
    else:
        log.info("LTI score %s not delivered yet (try %s): %s", row_id, tries, error)
        _finish(row_id, now, "pending", code, error, BACKOFF[min(tries, len(BACKOFF)) - 1])
        report.retried += 1


def send_due(now: datetime, limit: int = 50) -> SendReport:
    """Send the queued scores that are due, oldest first."""
    report = SendReport()
    ids = list(db.session.scalars(db.select(LtiScoreOutbox.id).where(
        LtiScoreOutbox.status == "pending", LtiScoreOutbox.next_try_at <= now)
        .order_by(LtiScoreOutbox.id).limit(limit)))
    db.session.commit()
    for row_id in ids:
        send_one(row_id, now, report)
    return report


def send_again(classroom_id: int, row_id: int, now: datetime) -> None:
    """Put a dead score of this class back in the queue (the instructor fixed something in the LMS)."""
    link_ids = (db.select(LtiResourceLink.id)
                .join(LtiContext, LtiContext.id == LtiResourceLink.lti_context_id)
                .where(LtiContext.classroom_id == classroom_id))
    begin_write()
    done = db.session.execute(db.update(LtiScoreOutbox).where(
        LtiScoreOutbox.id == row_id, LtiScoreOutbox.status == "dead", LtiScoreOutbox.link_id.in_(link_ids))
        .values(status="pending", tries=0, next_try_at=now)).rowcount
    db.session.commit()
    if not done:
        raise Conflict("That score is no longer waiting to be sent again.")
    _sender().queued.set()


def register_sender(app: Flask) -> None:
    """After a response, send due scores if this process queued one, or every LTI_SEND_EVERY seconds."""
    from ..models import utcnow

    def send_later() -> None:
        with app.app_context():
            try:
                send_due(utcnow(), limit=20)
            except Exception:  # a failing LMS or database must never break a response already sent
                log.exception("sending LTI scores failed")
                db.session.rollback()
            finally:
                db.session.remove()

    state = _sender(app)

    @app.after_request
    def _after(response):
        every = float(app.config.get("LTI_SEND_EVERY", 30))
        due = time.monotonic() - state.last_round >= every
        if state.queued.is_set() or (every > 0 and due):
            state.queued.clear()
            state.last_round = time.monotonic()
            response.call_on_close(send_later)
        return response
