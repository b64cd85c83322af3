"""Input every view can trust: no NUL characters anywhere, JSON of sane depth. Checked before any view.

A NUL byte is never meaningful in this app's text, PostgreSQL refuses it in text columns, and SQLite
would store it silently; so a request carrying one (path, query, form field or name, JSON string or
key) gets a 400 that says why, and nothing runs. JSON nested deeper than MAX_JSON_DEPTH (or deep
enough to exhaust the parser) gets a 400 too; a JSON body sent to a page (not /api/) is a 415.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

MAX_JSON_DEPTH = 20
JSON_PREFIX = "/api/"  # only these addresses take JSON bodies; pages take forms
NUL = "\x00"


class RejectedInput(BadRequest):
    """A request refused before any view ran; the description is shown to the client."""


def _has_nul(value: Any, depth: int = 0) -> bool:
    """Whether a parsed JSON value holds a NUL in any string or key; RejectedInput when too deep."""
    if depth > MAX_JSON_DEPTH:
        raise RejectedInput(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep. Nothing was saved.")
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in key or _has_nul(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def _nul_in_multidict(pairs) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs.lists())


def check_request() -> None:
    """before_request: refuse NUL characters and over-deep JSON with a clear 400."""
    message = "The request contained a NUL character, which is never valid here. Nothing was saved."
    if NUL in request.path or (request.environ.get("QUERY_STRING") and _nul_in_multidict(request.args)):
        raise RejectedInput(message)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        if not request.path.startswith(JSON_PREFIX):  # Flask-WTF would read a JSON body as form data
            raise UnsupportedMediaType()
        try:
            body = request.get_json(silent=True)  # cached: the view reads the same parsed value
        except RecursionError:
            raise RejectedInput(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep. "
                                "Nothing was saved.") from None
        if _has_nul(body):
            raise RejectedInput(message)
        return
    if _nul_in_multidict(request.form) or any(
            NUL in (upload.filename or "") or NUL in key for key, upload in request.files.items(multi=True)):
        raise RejectedInput(message)


def register_input_guard(app: Flask) -> None:
    """Run the check first, before CSRF and login checks and before any view."""
    app.before_request(check_request)
