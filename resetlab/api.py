"""Machine-facing endpoints (JSON)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from .extensions import db
from .services import get_catalog

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness for load balancers: content counts and whether the database answers."""
    catalog = get_catalog()
    try:
        db.session.execute(text("SELECT 1"))
        database = True
    except Exception:  # any driver error means "not reachable" here
        db.session.rollback()
        database = False
    body = {"status": "ok" if database else "degraded", "lessons": len(catalog.lessons),
            "questions": catalog.question_count, "database": database}
    return jsonify(body), 200 if database else 503
