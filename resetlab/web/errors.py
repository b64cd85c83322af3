"""Error pages: HTML for browsers, JSON for /api and /healthz; never a traceback.

The database being unreachable (or too busy to answer) is a 503 with Retry-After, not a 500.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..core.errors import Conflict, Forbidden, NotFound
from .input_guard import RejectedInput

log = logging.getLogger("resetlab")

MESSAGES = {
    400: "The request could not be understood. Nothing was saved.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The link may be old or mistyped.",
    405: "That action is not allowed here.",
    409: "That clashes with a change made meanwhile. Reload the page and try again.",
    413: "That was too much data to send at once.",
    415: "This address takes a form, not JSON. Nothing was saved.",
    422: "Some of what was sent needs fixing.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is busy or down for a moment. Try again shortly.",
}
CSRF_MESSAGE = ("This form has expired or was sent from elsewhere. Go back, reload the page and try again. "
                "Nothing was saved.")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" \
        or request.accept_mimetypes.best == "application/json"


def request_id() -> str:
    """This request's id for error pages and the log, made the first time it is asked for (most
    requests never need one)."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def _respond(code: int, message: str):
    if _wants_json():
        return jsonify({"error": message, "status": code, "request_id": request_id()}), code
    return render_template("errors/error.html", code=code, message=message, request_id=request_id()), code


def register_errors(app: Flask) -> None:
    """Handlers for every HTTP error, CSRF failures and unexpected exceptions."""

    @app.errorhandler(RejectedInput)
    def _rejected(err: RejectedInput):
        return _respond(400, err.description or MESSAGES[400])

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(err: Exception):
        return database_unavailable(err)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        if _wants_json() or not _same_origin():
            return _respond(400, CSRF_MESSAGE)
        return _send_again()

    @app.errorhandler(NotFound)
    def _not_found(err: NotFound):
        return _respond(404, MESSAGES[404])

    @app.errorhandler(Forbidden)
    def _forbidden(err: Forbidden):
        return _respond(403, str(err) or MESSAGES[403])

    @app.errorhandler(Conflict)
    def _conflict(err: Conflict):
        return _respond(409, str(err) or MESSAGES[409])

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        code = err.code or 500
        return _respond(code, MESSAGES.get(code, err.description or "Error"))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        log.exception("unhandled error (request %s)", request_id())
        from ..extensions import db

        db.session.rollback()
        return _respond(InternalServerError.code, MESSAGES[500])


def _same_origin() -> bool:
    """The form came from one of our own pages (a stale one), not from another site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    source = request.headers.get("Origin") or request.referrer
    if not source:
        return False
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}/" == request.host_url


def _send_again():
    """A stale token on one of our own forms: nothing is done, but nothing typed is lost either. The form
    comes back, with a fresh token and the values as sent (passwords asked again, never echoed), to resend
    with one press; the real checks and the real answer come then. Status 400."""
    token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != token_field]
    response = current_app.make_response((render_template(
        "errors/send_again.html", action=request.full_path.rstrip("?"),
        kept=[(name, value) for name, value in fields if "password" not in name],
        passwords=list(dict.fromkeys(name for name, _ in fields if "password" in name)),
        request_id=request_id()), 400))
    response.headers["Cache-Control"] = "no-store"  # what was typed is in the page
    return response


def database_unavailable(err: Exception):
    """503 with Retry-After: the database is down or too busy; nothing was saved, try again shortly."""
    from ..extensions import db, login_manager

    log.warning("database unavailable (request %s): %s", request_id(), type(err).__name__)
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too; the session is discarded at teardown anyway
        log.debug("rollback after a database error failed", exc_info=True)
    g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is here
    response, code = _respond(503, "The database is not answering right now. Nothing was saved; "
                                   "try again in a minute.")
    response = current_app.make_response((response, code))
    response.headers["Retry-After"] = str(current_app.config.get("DB_RETRY_AFTER_SECONDS", 30))
    return response
