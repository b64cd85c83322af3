"""Grade passback: posting the queued scores (lti.grades queues them) to the LMS's line items.

Imported only where scores are sent (the after-response sender once a score is due, "send again", the
`lti send-scores` command, the roster sync's connector): requests and pylti1p3 stay out of web workers
until then.

Each score carries the timestamp of its change, so an old score resent late never overwrites a newer one
(AGS platforms apply only newer timestamps), and resending one the platform already took is harmless.
Failures: connection errors, timeouts, 5xx and 429 are retried with backoff (1 min … 1 day, 10 tries);
a 401 drops the cached token and retries at once; 400/403/404/422 are final ("dead", shown on the class's
LMS page with a button to send again).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

from ..core.errors import Conflict
from ..database import begin_write
from ..extensions import db
from ..models import LtiContext, LtiPlatform, LtiResourceLink, LtiScoreOutbox
from .grades import due, wake
from .storage import DbCache

log = logging.getLogger("resetlab.lti")
BACKOFF = (60, 300, 1800, 7200, 43200, 86400)
MAX_TRIES = 10
FINAL = frozenset({400, 403, 404, 405, 409, 410, 413, 415, 422})
CLAIM_FOR = timedelta(minutes=2)  # a row being sent is left alone by other workers for this long


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


def send(ids: Iterable[int], now: datetime) -> SendReport:
    """Send these queued scores (found by grades.due), in order."""
    report = SendReport()
    for row_id in ids:
        send_one(row_id, now, report)
    return report


def send_due(now: datetime, limit: int = 50) -> SendReport:
    """Send the queued scores that are due, oldest first."""
    return send(due(now, limit), now)


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
    wake()
