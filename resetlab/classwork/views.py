"""A student's classes: join with a code or link, see assignments and start them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import utcnow
from ..web.forms import ActionForm
from . import services as classes

bp = Blueprint("classwork", __name__)


@bp.before_request
def _accounts_only():
    """Classes need a real account: a guest is asked to save their progress first."""
    if current_user.is_authenticated and current_user.is_guest:
        flash("Save your progress as an account first: classes need your name and email.", "info")
        return redirect(url_for("auth.signup", next=request.path))
    return None


def _join(classroom):
    try:
        joined = classes.join(current_user, classroom)
    except classes.Removed as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("study.index"))
    if joined:
        flash(f"You joined “{classroom.name}”. Its assignments are on your home page.", "success")
    else:
        flash(f"You are already in “{classroom.name}”.", "info")
    return redirect(url_for("study.index"))


@bp.route("/join", methods=["GET", "POST"])
def join():
    """Join a class by typing its code."""
    error = None
    if request.method == "POST" and ActionForm().validate_on_submit():
        classroom = classes.classroom_by_code(request.form.get("code", "")[:32])
        if classroom is not None:
            return _join(classroom)
        error = "No open class has that code. Check it with your instructor (letters and digits only)."
    return render_template("classwork/join.html", error=error,
                           code=request.form.get("code", "")[:32]), 422 if error else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
def join_link(code: str):
    """The join link (and QR code) lands here; one button confirms."""
    classroom = classes.classroom_by_code(code[:32])
    if classroom is None:
        flash("That join link is no longer valid. Ask your instructor for the current code.", "error")
        return redirect(url_for("classwork.join"))
    if request.method == "POST" and ActionForm().validate_on_submit():
        return _join(classroom)
    return render_template("classwork/join_link.html", classroom=classroom, code=classroom.join_code)


@bp.get("/assignments/<id:assignment_id>")
def assignment(assignment_id: int):
    """An assignment's rules, the student's attempts and a start button."""
    work, room = classes.assignment_for_student(current_user, assignment_id)
    now = utcnow()
    at = classes.standing(current_user, work, now)
    return render_template("classwork/assignment.html", assignment=work, classroom=room, attempts=at.attempts,
                           rules=at.rules, refusal=at.refusal, left=at.left, counted=at.counted,
                           awaiting=at.awaiting, written=at.written, now=now, late=at.late, form=ActionForm())


@bp.post("/assignments/<id:assignment_id>/start")
def start(assignment_id: int):
    """Start (or resume) an attempt at an assignment."""
    work, _ = classes.assignment_for_student(current_user, assignment_id)
    if not ActionForm().validate_on_submit():
        flash("That form had expired; try again.", "error")
        return redirect(url_for("classwork.assignment", assignment_id=work.id))
    try:
        attempt = classes.start_assignment_attempt(current_user, work)
    except classes.StartRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("classwork.assignment", assignment_id=work.id))
    return redirect(url_for("study.attempt", attempt_id=attempt.id))
