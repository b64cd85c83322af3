"""The instructor's side: classes, assignments, dashboards and exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("teach", __name__, url_prefix="/teach")

from . import dashboards, rooms  # noqa: E402,F401  (routes register on bp)
