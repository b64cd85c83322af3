"""Operations: /healthz for load balancers (the blueprint keeps its old name, 'api')."""

from __future__ import annotations

from flask import Blueprint, jsonify

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
    body = {"status": "ok" if database else "degraded", "lessons": len(catalog.lessons),
            "questions": catalog.question_count, "database": database}
    return jsonify(body), 200 if database else 503
