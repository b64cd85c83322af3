"""Error pages: HTML for browsers, JSON for /api and /healthz; never a traceback."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..core.errors import Conflict, Forbidden, NotFound

log = logging.getLogger("resetlab")

MESSAGES = {
    400: "The request could not be understood. Nothing was saved.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The link may be old or mistyped.",
    405: "That action is not allowed here.",
    409: "That clashes with a change made meanwhile. Reload the page and try again.",
    413: "That was too much data to send at once.",
    422: "Some of what was sent needs fixing.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is busy or down for a moment. Try again shortly.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" \
        or request.accept_mimetypes.best == "application/json"


def _respond(code: int, message: str):
    if _wants_json():
        return jsonify({"error": message, "status": code, "request_id": g.get("request_id")}), code
    return render_template("errors/error.html", code=code, message=message,
                           request_id=g.get("request_id")), code


def register_errors(app: Flask) -> None:
    """Handlers for every HTTP error, CSRF failures and unexpected exceptions."""

    @app.before_request
    def _request_id() -> None:
        g.request_id = uuid.uuid4().hex[:12]

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return _respond(400, "This form has expired or was sent from elsewhere. "
                             "Go back, reload the page and try again. Nothing was saved.")

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
        log.exception("unhandled error (request %s)", g.get("request_id"))
        from ..extensions import db

        db.session.rollback()
        return _respond(InternalServerError.code, MESSAGES[500])
