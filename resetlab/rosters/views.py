"""Roster import for a class: a CSV of names and emails → preview (what each row does, every bad row
with its line) → import (all of it, or the valid rows when the instructor says so) → one-time links."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from ..auth.mail import public_link
from ..core.csv import BOM, csv_bytes
from ..core.roster import parse_roster
from ..models import utcnow
from ..teach.services import classroom_for_instructor
from ..web.access import instructor_required
from . import services
from .forms import MAX_FILE, ImportForm

bp = Blueprint("rosters", __name__, url_prefix="/teach/classes")


def _link(token: str) -> str:
    if current_app.config["PUBLIC_URL"]:
        return public_link(current_app, "auth.reset_link", token=token)
    return url_for("auth.reset_link", token=token, _external=True)


@bp.route("/<id:classroom_id>/import", methods=["GET", "POST"])
@instructor_required
def roster_import(classroom_id: int):
    """Import students from a CSV: check first, then import with one-time set-password links."""
    classroom = classroom_for_instructor(current_user, classroom_id)
    form = ImportForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("rosters/import.html", classroom=classroom, form=form, rows=None), status
    upload = form.file.data
    chosen = upload is not None and upload.filename
    data = upload.read(MAX_FILE + 1) if chosen else (form.text.data or "").encode()
    if len(data) > MAX_FILE:
        form.file.errors.append(f"The file is larger than {MAX_FILE // 1000} KB.")
        return render_template("rosters/import.html", classroom=classroom, form=form, rows=None), 422
    good, problems = parse_roster(data)
    planned = services.plan(classroom, good, problems)
    errors = [p for p in planned if not p.ok]
    form.text.data = data.decode("utf-8", errors="replace")
    importing = request.form.get("action") == "import"
    if importing and (not errors or form.valid_only.data) and any(p.ok for p in planned):
        hours = float(current_app.config["INSTRUCTOR_RESET_TOKEN_HOURS"])
        valid = [r for r in good if r.line not in {p.line for p in errors}]
        done = services.apply(classroom, current_user._get_current_object(), valid, utcnow(), hours)
        made = [(d, _link(d.token)) for d in done if d.token]
        table = csv_bytes(["name", "email", "link"], [(d.name, d.email, link) for d, link in made])
        return render_template("rosters/done.html", classroom=classroom, made=made,
                               done=[d for d in done if d.action != services.Action.INVITE],
                               table=table.removeprefix(BOM).decode(), hours=hours, left_out=errors,
                               others=[d for d in done if d.action == services.Action.READMIT],
                               invited=[d for d in done if d.action == services.Action.INVITE])
    status = 422 if importing else 200
    return render_template("rosters/import.html", classroom=classroom, form=form, rows=planned,
                           errors=errors, importing=importing), status
