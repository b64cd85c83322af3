"""Your account (views): change password, download your data, delete your account; and for
instructors, deleting a class and issuing a student a one-time password reset link."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user

from ..auth import tokens
from ..auth.forms import ChangePasswordForm
from ..auth.mail import public_link
from ..auth.services import authenticate, set_password
from ..core.csv import csv_bytes
from ..core.errors import Conflict
from ..models import utcnow
from ..teach.services import classroom_for_instructor
from ..web.access import instructor_required
from ..web.forms import ActionForm
from ..web.sessions import new_session
from . import services
from .forms import DeleteAccountForm, DeleteClassForm

bp = Blueprint("account", __name__)


@bp.before_request
def _accounts_only():
    """A guest has no password or email yet: saving the progress comes first."""
    if current_user.is_authenticated and current_user.is_guest:
        flash("Save your progress as an account first.", "info")
        return redirect(url_for("auth.signup"))
    return None


def _password_form() -> ChangePasswordForm:
    form = ChangePasswordForm()
    form.account_email, form.account_name = current_user.email, current_user.display_name
    return form


@bp.get("/account")
def settings():
    """Password, data download and account deletion, on one page."""
    return render_template("account/settings.html", form=_password_form())


@bp.post("/account/password")
def change_password():
    """Change the password (the current one is required); every other session ends, this one goes on."""
    form = _password_form()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if authenticate(user.email or "", form.current_password.data) is None:
            form.current_password.errors.append("That is not your current password.")
        else:
            set_password(user, form.password.data)
            new_session(user)
            flash("Password changed. Every other device was logged out.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/settings.html", form=form), 422


@bp.get("/account/export.json")
def export_json():
    """Everything the app holds about you, as one JSON file."""
    body = json.dumps(services.export(current_user, utcnow()), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="resetlab-my-data.json"'})


@bp.get("/account/attempts.csv")
def attempts_csv():
    """Your attempts as a spreadsheet."""
    header, rows = services.attempts_table(current_user)
    return Response(csv_bytes(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="resetlab-my-attempts.csv"'})


@bp.route("/account/delete", methods=["GET", "POST"])
def delete():
    """Delete your account after confirming with your password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if authenticate(user.email or "", form.password.data) is None:
            form.password.errors.append("That is not your password. Nothing was deleted.")
        else:
            try:
                services.delete_account(user, utcnow())
            except Conflict as refusal:
                flash(str(refusal), "error")
                return redirect(url_for("account.delete"))
            logout_user()
            new_session()
            flash("Your account and your data are deleted.", "success")
            return redirect(url_for("study.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("account/delete.html", form=form), status


@bp.route("/teach/classes/<id:classroom_id>/delete", methods=["GET", "POST"])
@instructor_required
def delete_class(classroom_id: int):
    """Delete a class and its assignments, after its name is typed out."""
    classroom = classroom_for_instructor(current_user, classroom_id)
    form = DeleteClassForm()
    if form.validate_on_submit():
        name = classroom.name
        if services.delete_classroom(classroom, form.name.data or ""):
            flash(f"Class “{name}” and its assignments are deleted.", "success")
            return redirect(url_for("teach.home"))
        form.name.errors.append("That is not the class's name. Nothing was deleted.")
    status = 422 if request.method == "POST" else 200
    return render_template("account/delete_class.html", form=form, classroom=classroom), status


@bp.post("/teach/classes/<id:classroom_id>/students/<id:user_id>/reset-link")
@instructor_required
def student_reset_link(classroom_id: int, user_id: int):
    """A one-time password reset link for a student in the class, shown once."""
    classroom = classroom_for_instructor(current_user, classroom_id)
    student = services.class_student(classroom, user_id)
    if not ActionForm().validate_on_submit():
        flash("That form had expired; try again.", "error")
        return redirect(url_for("teach.roster", classroom_id=classroom.id))
    hours = float(current_app.config["INSTRUCTOR_RESET_TOKEN_HOURS"])
    token = tokens.issue(student, hours, utcnow(), issued_by=current_user._get_current_object())
    link = public_link(current_app, "auth.reset_link", token=token) if current_app.config["PUBLIC_URL"] \
        else url_for("auth.reset_link", token=token, _external=True)
    return render_template("account/reset_link.html", classroom=classroom, student=student, link=link,
                           hours=hours)
