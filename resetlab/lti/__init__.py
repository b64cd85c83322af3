"""LTI 1.3 Advantage tool (pylti1p3's Flask adapter): launches, Deep Linking, grade passback through an
outbox (AGS), roster sync (NRPS). Design and pylti1p3's traps: docs/lti-design.md."""

from __future__ import annotations

from flask import Flask, request, session

from ..web.sessions import QuietSessionInterface
from .grades import register_sender


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
    csp = response.headers.get("Content-Security-Policy")
    if origins and csp and "frame-ancestors 'none'" in csp:
        allowed = " ".join(o for o in origins if isinstance(o, str) and " " not in o and ";" not in o)
        response.headers["Content-Security-Policy"] = csp.replace("frame-ancestors 'none'",
                                                                  f"frame-ancestors 'self' {allowed}")
        response.headers.pop("X-Frame-Options", None)
    return response


def register_lti(app: Flask) -> None:
    """The LTI session cookie, framing for LTI sessions, and the score sender after responses."""
    from . import services

    app.session_interface = LtiSessionInterface()
    app.jinja_env.globals["lms_class"] = services.is_lms_class
    app.after_request(frame_ancestors)  # registered before the security headers' hook, so it runs after it
    register_sender(app)
