"""The instructor's side."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import instructor_required
from .services import get_catalog

bp = Blueprint("teach", __name__, url_prefix="/teach")


@bp.get("/")
@instructor_required
def home():
    """The instructor's home: the course they can assign, bank by bank."""
    return render_template("teach/home.html", catalog=get_catalog())
