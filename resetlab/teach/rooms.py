"""Classes: create, rename, archive, join codes, roster, accommodations and assigning lessons."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from .. import classes
from ..auth import instructor_required
from ..forms import ActionForm
from ..services import get_catalog
from ..timezones import to_utc, viewer_zone
from . import bp
from .forms import AccommodationForm, AssignForm, ClassForm


def _mine(classroom_id: int):
    return classes.classroom_for_instructor(current_user, classroom_id)


@bp.get("/")
@instructor_required
def home():
    """The instructor's classes, a form for a new one, and the course they can assign."""
    return render_template("teach/home.html", rooms=classes.classrooms_of_instructor(current_user),
                           form=ClassForm(), catalog=get_catalog())


@bp.post("/classes")
@instructor_required
def create():
    """Create a class and go to it."""
    form = ClassForm()
    if not form.validate_on_submit():
        flash("Give the class a name (up to 120 characters).", "error")
        return redirect(url_for("teach.home"))
    classroom = classes.create_classroom(current_user, form.name.data)
    flash(f"Class “{classroom.name}” created. Share the join code with your students.", "success")
    return redirect(url_for("teach.classroom", classroom_id=classroom.id))


def join_url(classroom) -> str:
    """The link students open to join."""
    return url_for("classwork.join_link", code=classroom.join_code, _external=True)


@bp.get("/classes/<int:classroom_id>/join-code")
@instructor_required
def join_code(classroom_id: int):
    """A projector-sized join code, link and QR code (SVG, made on the server)."""
    classroom = _mine(classroom_id)
    link = join_url(classroom)
    qr = segno.make(link, error="m").svg_inline(scale=10, dark="#000", light="#fff", omitsize=True)
    return render_template("teach/join_code.html", classroom=classroom, link=link, qr=Markup(qr))


@bp.post("/classes/<int:classroom_id>/settings")
@instructor_required
def settings(classroom_id: int):
    """Rename, archive or unarchive a class, or regenerate its join code."""
    classroom = _mine(classroom_id)
    action = request.form.get("action", "")
    form = ClassForm() if action == "rename" else ActionForm()
    if not form.validate_on_submit():
        flash("That change could not be saved: check the form and try again.", "error")
    elif action == "rename":
        classes.update_classroom(classroom, name=form.name.data)
        flash("Class renamed.", "success")
    elif action in ("archive", "unarchive"):
        classes.update_classroom(classroom, archived=action == "archive")
        flash("Class archived: students can no longer join it or see its assignments."
              if action == "archive" else "Class restored.", "success")
    elif action == "new-code":
        classes.update_classroom(classroom, new_code=True)
        flash("New join code made. The old code and link no longer work.", "success")
    else:
        abort(400)
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.get("/classes/<int:classroom_id>/roster")
@instructor_required
def roster(classroom_id: int):
    """Students, accommodations and class settings."""
    classroom = _mine(classroom_id)
    students = classes.roster(classroom)
    extras = classes.accommodations(classroom)
    return render_template("teach/roster.html", classroom=classroom, students=students, extras=extras,
                           rename=ClassForm(name=classroom.name), accommodation=AccommodationForm(),
                           link=join_url(classroom))


@bp.post("/classes/<int:classroom_id>/students/<int:user_id>/remove")
@instructor_required
def remove(classroom_id: int, user_id: int):
    """Take a student off the roster (their own work stays theirs)."""
    classroom = _mine(classroom_id)
    student = classes.student_in_class(classroom, user_id)
    if ActionForm().validate_on_submit() and classes.remove_student(classroom, student.id):
        flash(f"{student.display_name} was removed from the class.", "success")
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.post("/classes/<int:classroom_id>/students/<int:user_id>/accommodation")
@instructor_required
def accommodate(classroom_id: int, user_id: int):
    """Save a student's extra time and extra attempts."""
    classroom = _mine(classroom_id)
    student = classes.student_in_class(classroom, user_id)
    form = AccommodationForm()
    if form.validate_on_submit():
        classes.set_accommodation(classroom, student.id, float(form.time_multiplier.data),
                                  form.extra_attempts.data)
        flash(f"Accommodation saved for {student.display_name}.", "success")
    else:
        flash("Time multiplier must be between 1 and 4, extra attempts between 0 and 20.", "error")
    return redirect(url_for("teach.roster", classroom_id=classroom.id) + f"#student-{student.id}")


@bp.route("/classes/<int:classroom_id>/assign", methods=["GET", "POST"])
@instructor_required
def assign(classroom_id: int):
    """Assign lesson quizzes with an open date, a due date and attempt rules."""
    classroom = _mine(classroom_id)
    catalog = get_catalog()
    form = AssignForm()
    lesson_banks = [catalog.bank_for_lesson(lesson.slug) for lesson in catalog.lessons]
    exams = [b for b in catalog.banks.values() if b.pool == "course"]
    form.banks.choices = [SelectChoice(b.slug, b.title) for b in lesson_banks + exams if b is not None]
    zone = viewer_zone()
    if form.validate_on_submit():
        banks = [catalog.bank(slug) for slug in form.banks.data]
        settings = classes.AssignmentSettings(
            open_at=to_utc(form.open_at.data, zone), due_at=to_utc(form.due_at.data, zone),
            attempts_allowed=form.attempts_allowed.data, grading=form.grading.data,
            draw=form.draw.data, time_limit_minutes=form.time_limit_minutes.data, reveal=form.reveal.data)
        made = classes.assign(classroom, [b for b in banks if b is not None], settings)
        flash(f"{len(made)} assignment{'s' if len(made) != 1 else ''} created.", "success")
        return redirect(url_for("teach.classroom", classroom_id=classroom.id))
    if request.method == "GET":
        now = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
        form.open_at.data = now
    status = 422 if request.method == "POST" else 200
    return render_template("teach/assign.html", classroom=classroom, form=form, zone=zone.key), status
