"""Operations: /healthz for load balancers, answered in front of Flask's request handling.

A load balancer asks every few seconds, of every worker. The answer needs the catalog's counts and
whether the database answers: no session, login, form, rate limit or template. So `HealthCheck`, a
WSGI middleware, answers GET and HEAD /healthz itself, with the security headers every response
carries (web.security). Everything else goes on to Flask: another method, a query string (checked
there like any input), and a /healthz whose response should carry the LTI score sender's round (that
round runs after Flask's responses: lti.register_sender), so it still runs in a worker only health
checks reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, current_app

from .database import database_probe
from .lti.grades import sender_state
from .web.access import public
from .web.security import security_headers

PATH = "/healthz"
HEALTH = "resetlab.health"
bp = Blueprint("api", __name__)  # the blueprint keeps its old name


class HealthCheck:
    """WSGI middleware: GET and HEAD /healthz; every other request goes to the wrapped app."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.answers = database_probe(app)
        self.headers = [("Content-Type", "application/json"), *security_headers(app)]
        self.sender = sender_state(app)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "HEAD") or environ.get("QUERY_STRING") \
                or self.sender.round_due(float(self.app.config.get("LTI_SEND_EVERY", 30))):
            return self.wsgi_app(environ, start_response)
        body, status = self.answer()
        start_response("200 OK" if status == 200 else "503 SERVICE UNAVAILABLE",
                       [*self.headers, ("Content-Length", str(len(body)))])
        return [body] if method == "GET" else []

    def answer(self) -> tuple[bytes, int]:
        """The JSON body and status: content counts and whether the database answers."""
        catalog = self.app.extensions["resetlab.catalog"]
        database = self.answers()
        return _body(len(catalog.lessons), catalog.question_count, database), 200 if database else 503


def register_health(app: Flask) -> None:
    """Answer /healthz in front of the app (the innermost middleware: a proxy fix still applies)."""
    check = app.extensions[HEALTH] = HealthCheck(app, app.wsgi_app)
    app.wsgi_app = check  # type: ignore[method-assign]


@bp.get(PATH)
@public
def healthz():
    """The same answer through Flask, for a health check that carries the LTI sender's round."""
    body, status = current_app.extensions[HEALTH].answer()
    return current_app.response_class(body, status=status, mimetype="application/json")


@lru_cache(maxsize=16)
def _body(lessons: int, questions: int, database: bool) -> bytes:
    """The JSON answer (a handful of possible bodies, each built once)."""
    return json.dumps({"status": "ok" if database else "degraded", "lessons": lessons,
                       "questions": questions, "database": database}).encode()
