"""LTI 1.3 Advantage tool (pylti1p3's Flask adapter): launches, Deep Linking, grade passback through an
outbox (AGS), roster sync (NRPS). Design and pylti1p3's traps: docs/lti-design.md."""

from __future__ import annotations

import logging
import time

from flask import Flask, request, session

from ..extensions import db
from ..web.sessions import QuietSessionInterface
from . import grades

log = logging.getLogger("resetlab.lti")


class LtiSessionInterface(QuietSessionInterface):
    """In embed mode, a session started by an LTI launch lives in an LMS iframe, where only a
    `SameSite=None; Secure` (and, for browsers that block third-party cookies, `Partitioned`) cookie
    arrives. Every other session keeps the app's own cookie settings (Lax). Like every session here, the
    cookie is written only when the session changed (web.sessions)."""

    @staticmethod
    def _framed(app: Flask) -> bool:
        return bool(app.config.get("LTI_EMBED")) and bool(session.get("lti"))

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """None for framed LTI sessions."""
        return "None" if self._framed(app) else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Always secure for framed LTI sessions."""
        return True if self._framed(app) else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """Partitioned (CHIPS) for framed LTI sessions."""
        return True if self._framed(app) else super().get_cookie_partitioned(app)


def frame_ancestors(response):
    """An LTI session's pages may be shown in its LMS's frame (and only its LMS's: frame-ancestors lists the
    registered origins, X-Frame-Options cannot); so may the LTI pages before a session exists (the cookie
    check, a refused launch), for every registered LMS. Every other page keeps frame-ancestors 'none'."""
    lti = session.get("lti") if session else None
    origins = lti.get("frame") if isinstance(lti, dict) else None
    if origins is None and request.blueprint == "lti" and request.endpoint in ("lti.login", "lti.launch"):
        from .services import all_frame_origins

        origins = all_frame_origins()
    if not origins:
        return response
    csp = response.headers.get("Content-Security-Policy")
    if csp and "frame-ancestors 'none'" in csp:
        allowed = " ".join(o for o in origins if isinstance(o, str) and " " not in o and ";" not in o)
        response.headers["Content-Security-Policy"] = csp.replace("frame-ancestors 'none'",
                                                                  f"frame-ancestors 'self' {allowed}")
        response.headers.pop("X-Frame-Options", None)
    return response


def register_sender(app: Flask) -> None:
    """After a response, send due scores if this process queued one, or every LTI_SEND_EVERY seconds.
    The sending module (requests, pylti1p3) is imported only when a score is due."""
    from ..models import utcnow

    def send_later() -> None:
        state.queued.clear()  # scores queued from here on wake the next round
        with app.app_context():
            try:
                now = utcnow()
                ids = grades.due(now, limit=20)
                if ids:
                    from .sender import send

                    send(ids, now)
            except Exception:  # a failing LMS or database must never break a response already sent
                log.exception("sending LTI scores failed")
                db.session.rollback()
            finally:
                db.session.remove()

    state = grades.sender_state(app)

    @app.after_request
    def _after(response):
        if state.round_due(float(app.config.get("LTI_SEND_EVERY", 30))):
            # The wake-up is cleared when the send starts, not here: a server may drop a response without
            # closing it (Werkzeug's, when the client resets the connection), and the next response
            # must then take the send over. Two responses in that window both look; one sends.
            state.last_round = time.monotonic()
            response.call_on_close(send_later)
        return response


def register_lti(app: Flask) -> None:
    """The LTI session cookie, framing for LTI sessions, and the score sender after responses."""
    from . import services

    app.session_interface = LtiSessionInterface()
    app.jinja_env.globals["lms_class"] = services.is_lms_class
    app.after_request(frame_ancestors)  # registered before the security headers' hook, so it runs after it
    register_sender(app)
