"""Operations: /healthz for load balancers (the blueprint keeps its old name, 'api')."""

from __future__ import annotations

import json
from functools import lru_cache

from flask import Blueprint, current_app

from .course import get_catalog
from .database import database_answers
from .web.access import public

bp = Blueprint("api", __name__)


@bp.get("/healthz")
@public
def healthz():
    """Liveness for load balancers: content counts and whether the database answers."""
    catalog = get_catalog()
    database = database_answers()
    return current_app.response_class(_body(len(catalog.lessons), catalog.question_count, database),
                                      status=200 if database else 503, mimetype="application/json")


@lru_cache(maxsize=16)
def _body(lessons: int, questions: int, database: bool) -> bytes:
    """The JSON answer (a handful of possible bodies; Flask's jsonify would cost more than the check)."""
    return json.dumps({"status": "ok" if database else "degraded", "lessons": lessons,
                       "questions": questions, "database": database}).encode()
