"""The session cookie under parallel requests: written only when a request changed it, and renewed
whole (CSRF secret included) whenever the identity changes.

The session is a signed cookie, and a browser keeps whichever Set-Cookie arrives last. A browser sends
several requests with one cookie (the page, the service worker's precache, a script's fetch, a second
tab); had each answered with a Set-Cookie computed from that cookie, a late answer would put an older
session back (another CSRF secret, or the identity from before a log-in) and the next form would fail
with 400. So a page that only renders sends no session cookie at all.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_login import login_user
from itsdangerous import BadSignature

from ..models import User
from .signing import KeptSerializer, csrf_token, kept_serializer

# A permanent (guest) session is re-signed at most this often, so it lives 14 days past the last visit.
REFRESH_AFTER = timedelta(days=1)


class CookieSession(SecureCookieSession):
    """A signed-cookie session that remembers what it held, and when it was signed, as the request began."""

    def __init__(self, initial: Any = None, signed_at: datetime | None = None) -> None:
        super().__init__(initial)
        self.loaded = copy.deepcopy(dict(self)) if self else {}
        self.signed_at = signed_at

    def changed(self) -> bool:
        """True when the request left the session different from the cookie it came with."""
        return dict(self) != self.loaded


class QuietSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, sent only when its content changed (or, for a permanent one, is a day old)."""

    session_class = CookieSession

    def get_signing_serializer(self, app: Flask) -> KeptSerializer | None:  # type: ignore[override]
        """Flask's serializer (same keys, salt, JSON tags and signature), kept per app (web.signing)."""
        if not app.secret_key:
            return None
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]
        return kept_serializer(app, "session", keys, salt=self.salt, serializer=self.serializer,
                               signer_kwargs={"key_derivation": self.key_derivation,
                                              "digest_method": self.digest_method})

    def open_session(self, app: Flask, request: Any) -> CookieSession | None:
        """The session in the request's cookie (empty when missing, tampered with or expired)."""
        if not app.secret_key:
            return None
        # No Cookie header at all (a first visit, a load balancer): nothing to parse or verify.
        value = request.cookies.get(self.get_cookie_name(app)) if "HTTP_COOKIE" in request.environ else None
        if value:
            signer = self.get_signing_serializer(app)
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                data, signed_at = signer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            return self.session_class(data, signed_at)
        return self.session_class()

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """A changed session; or a permanent one signed long enough ago to need rolling forward."""
        if session.modified:
            return True
        signed_at = getattr(session, "signed_at", None)
        return bool(session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
                    and (signed_at is None or datetime.now(UTC) - signed_at >= REFRESH_AFTER))

    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        """Flask's save, where 'modified' means the content differs (a write of the same value is none)."""
        if isinstance(session, CookieSession):
            session.modified = session.changed()
            if session.accessed:  # Flask's save would parse the Vary header into a set to add it
                vary_on_cookie(response)
                session.accessed = False
            if not session and not session.modified:  # nothing held and nothing to delete: no cookie
                return
        super().save_session(app, session, response)


def vary_on_cookie(response: Any) -> None:
    """`Vary: Cookie`, as Flask adds it when a response read the session (without parsing the header
    into a set and writing it back when it is not there yet)."""
    vary = response.headers.get("Vary")
    if vary is None:
        response.headers["Vary"] = "Cookie"
    elif not any(name.strip().lower() in ("cookie", "*") for name in vary.split(",")):
        response.vary.add("Cookie")  # (a header named, say, X-Cookie-Consent is not Cookie)


def new_session(user: User | None = None) -> None:
    """On every change of identity (log-in, sign-up, log-out, new password): nothing from before survives,
    and this response's cookie already holds the new session's CSRF secret and login keys, so the
    requests that follow (the redirected page, the service worker's precache) need not write any."""
    session.clear()
    if user is not None:
        login_user(user)
    # The token is cached for the request: this request's forms signed the old secret.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    csrf_token()


def shows_messages() -> bool:
    """Whether this response is a page a person sees: a script's fetch (the service worker's precache,
    offline.js fetching a fresh token) must leave flashed messages for the page that follows."""
    mode = request.headers.get("Sec-Fetch-Mode")
    return mode is None or mode in ("navigate", "nested-navigate")
