"""Operations: /healthz for load balancers (the blueprint keeps its old name, 'api')."""

from __future__ import annotations

import json

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
    body = {"status": "ok" if database else "degraded", "lessons": len(catalog.lessons),
            "questions": catalog.question_count, "database": database}
    # json.dumps straight into the response: Flask's jsonify would cost more than the database check.
    return current_app.response_class(json.dumps(body), status=200 if database else 503,
                                      mimetype="application/json")
