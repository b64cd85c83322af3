"""The instructor's pages: classes, join codes, roster, accommodations, assignments, dashboards, exports."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..core.charts import bar_chart, line_chart
from ..core.csv import csv_bytes, safe_filename
from ..core.rubrics import parse_rubric_text
from ..course import get_catalog
from ..grading import services as grading
from ..models import utcnow
from ..review import services as review
from ..study.attempts import attempt_answers
from ..study.services import progress_for
from ..web.access import instructor_required
from ..web.forms import ActionForm
from ..web.timezones import to_utc, viewer_zone
from . import dashboards, services
from .forms import AccommodationForm, AssignForm, ClassForm

bp = Blueprint("teach", __name__, url_prefix="/teach")
GRID_PAGE = 50  # rows of the class grid per page; needs-attention still covers everyone


def _mine(classroom_id: int):
    return services.classroom_for_instructor(current_user, classroom_id)


@bp.get("/")
@instructor_required
def home():
    """The instructor's classes, a form for a new one, and the course they can assign."""
    return render_template("teach/home.html", rooms=services.classrooms_of_instructor(current_user),
                           form=ClassForm(), catalog=get_catalog())


@bp.post("/classes")
@instructor_required
def create():
    """Create a class and go to it."""
    form = ClassForm()
    if not form.validate_on_submit():
        flash("Give the class a name (up to 120 characters).", "error")
        return redirect(url_for("teach.home"))
    classroom = services.create_classroom(current_user, form.name.data)
    flash(f"Class “{classroom.name}” created. Share the join code with your students.", "success")
    return redirect(url_for("teach.classroom", classroom_id=classroom.id))


def join_url(classroom) -> str:
    """The link students open to join."""
    return url_for("classwork.join_link", code=classroom.join_code, _external=True)


@bp.get("/classes/<id:classroom_id>/join-code")
@instructor_required
def join_code(classroom_id: int):
    """A projector-sized join code, link and QR code (SVG, made on the server)."""
    classroom = _mine(classroom_id)
    link = join_url(classroom)
    qr = segno.make(link, error="m").svg_inline(scale=10, dark="#000", light="#fff", omitsize=True)
    return render_template("teach/join_code.html", classroom=classroom, link=link, qr=Markup(qr))


@bp.post("/classes/<id:classroom_id>/settings")
@instructor_required
def settings(classroom_id: int):
    """Rename, archive or unarchive a class, or regenerate its join code."""
    classroom = _mine(classroom_id)
    action = request.form.get("action", "")
    form = ClassForm() if action == "rename" else ActionForm()
    if not form.validate_on_submit():
        flash("That change could not be saved: check the form and try again.", "error")
    elif action == "rename":
        services.update_classroom(classroom, name=form.name.data)
        flash("Class renamed.", "success")
    elif action in ("archive", "unarchive"):
        services.update_classroom(classroom, archived=action == "archive")
        flash("Class archived: students can no longer join it or see its assignments."
              if action == "archive" else "Class restored.", "success")
    elif action == "new-code":
        services.update_classroom(classroom, new_code=True)
        flash("New join code made. The old code and link no longer work.", "success")
    elif action in ("share-practice", "private-practice"):
        services.update_classroom(classroom, share_practice=action == "share-practice")
        flash("Students' practice is now visible on their pages in this class." if action == "share-practice"
              else "Students' practice is private again: you see only this class's assignments.", "success")
    else:
        abort(400)
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.get("/classes/<id:classroom_id>/roster")
@instructor_required
def roster(classroom_id: int):
    """Students, accommodations and class settings."""
    classroom = _mine(classroom_id)
    students = services.roster(classroom)
    extras = services.accommodations(classroom)
    return render_template("teach/roster.html", classroom=classroom, students=students, extras=extras,
                           rename=ClassForm(name=classroom.name), accommodation=AccommodationForm(),
                           link=join_url(classroom), removed=services.removed_students(classroom))


@bp.post("/classes/<id:classroom_id>/students/<id:user_id>/remove")
@instructor_required
def remove(classroom_id: int, user_id: int):
    """Take a student off the roster (their own work stays theirs)."""
    classroom = _mine(classroom_id)
    student = services.student_in_class(classroom, user_id)
    if ActionForm().validate_on_submit() and services.remove_student(classroom, student.id):
        flash(f"{student.display_name} was removed from the class. Open attempts can no longer be handed in, "
              "and the join code will not let them back in unless you re-admit them.", "success")
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.post("/classes/<id:classroom_id>/students/<id:user_id>/readmit")
@instructor_required
def readmit(classroom_id: int, user_id: int):
    """Put a removed student back on the roster."""
    classroom = _mine(classroom_id)
    if ActionForm().validate_on_submit():
        student = services.readmit_student(classroom, user_id)
        flash(f"{student.display_name} is back on the roster.", "success")
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.post("/classes/<id:classroom_id>/students/<id:user_id>/accommodation")
@instructor_required
def accommodate(classroom_id: int, user_id: int):
    """Save a student's extra time and extra attempts."""
    classroom = _mine(classroom_id)
    student = services.student_in_class(classroom, user_id)
    form = AccommodationForm()
    if form.validate_on_submit():
        services.set_accommodation(classroom, student.id, float(form.time_multiplier.data),
                                  form.extra_attempts.data)
        flash(f"Accommodation saved for {student.display_name}.", "success")
    else:
        flash("Time multiplier must be between 1 and 4, extra attempts between 0 and 20.", "error")
    return redirect(url_for("teach.roster", classroom_id=classroom.id) + f"#student-{student.id}")


@bp.route("/classes/<id:classroom_id>/assign", methods=["GET", "POST"])
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
        settings = services.AssignmentSettings(
            open_at=to_utc(form.open_at.data, zone), due_at=to_utc(form.due_at.data, zone),
            attempts_allowed=form.attempts_allowed.data, grading=form.grading.data,
            draw=form.draw.data, time_limit_minutes=form.time_limit_minutes.data, reveal=form.reveal.data,
            include_written=form.include_written.data,
            written_rubric=parse_rubric_text(form.written_rubric.data).as_json()
            if form.written_rubric.data else None)
        made = services.assign(classroom, [b for b in banks if b is not None], settings)
        flash(f"{len(made)} assignment{'s' if len(made) != 1 else ''} created.", "success")
        return redirect(url_for("teach.classroom", classroom_id=classroom.id))
    if request.method == "GET":
        now = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
        form.open_at.data = now
    status = 422 if request.method == "POST" else 200
    return render_template("teach/assign.html", classroom=classroom, form=form, zone=zone.key), status


@bp.get("/classes/<id:classroom_id>")
@instructor_required
def classroom(classroom_id: int):
    """The class grid: students × assignments, and who needs attention."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    sort = request.args.get("sort", "name")
    sort = sort if sort in dashboards.SORTS else "name"
    overview = dashboards.class_overview(room, utcnow(), sort)
    pages = max(1, -(-len(overview.rows) // GRID_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = overview.rows[(page - 1) * GRID_PAGE:page * GRID_PAGE]
    chart = bar_chart([(a.title, round(c * 100)) for a, c in zip(overview.assignments, overview.completion,
                                                                  strict=True)],
                      "Share of students who finished each assignment", "%") if overview.assignments else None
    return render_template("teach/classroom.html", classroom=room, overview=overview, sort=sort,
                           chart=chart, form=ActionForm(), shown=shown, page=page, pages=pages,
                           first=(page - 1) * GRID_PAGE + 1)


@bp.get("/classes/<id:classroom_id>/students/<id:user_id>")
@instructor_required
def student(classroom_id: int, user_id: int):
    """One student in this class: its assignments' attempts (open ones with their drafts), scores over
    time; their practice, reading, mastery and review only when the class shares practice."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    pupil = services.student_in_class(room, user_id)
    seen = services.class_attempts(room, pupil)
    finished = [a for a in seen if a.finished]
    scored = [a for a in finished if a.score is not None]  # those awaiting grading have no score yet
    chart = line_chart([(f"{a.finished_at:%d %b}", round(a.score * 100)) for a in scored[-30:]],
                       f"Quiz scores over time for {pupil.display_name}") if scored else None
    shared = room.share_practice
    return render_template("teach/student.html", classroom=room, student=pupil, attempts=finished,
                           open_attempts=[a for a in seen if not a.finished], chart=chart,
                           catalog=get_catalog(),
                           progress=progress_for(pupil) if shared else None,
                           activity=review.activity(pupil.id, utcnow()) if shared else None)


@bp.get("/classes/<id:classroom_id>/attempts/<id:attempt_id>")
@instructor_required
def attempt(classroom_id: int, attempt_id: int):
    """One attempt of a student in this class, as the instructor sees it: every answer with the key,
    or, for an attempt not handed in, the answers saved so far (a draft, not graded)."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    work = services.class_attempt(room, attempt_id)
    pupil = services.student_in_class(room, work.user_id)
    by_item = grading.grades_by_item(item.id for item in work.items)
    written = {item.position: by_item[item.id] for item in work.items if item.id in by_item}
    return render_template("teach/attempt.html", classroom=room, student=pupil, attempt=work,
                           rows=attempt_answers(work), written=written)


@bp.get("/assignments/<id:assignment_id>")
@instructor_required
def assignment(assignment_id: int):
    """Item analysis for one assignment: facility, discrimination and option shares."""
    work, room = services.assignment_for_instructor(current_user, assignment_id)
    analysis = dashboards.assignment_analysis(work, room)
    analysis.items.sort(key=lambda item: (item.flag is None, item.facility))  # what trips the class first
    histogram = bar_chart(analysis.histogram, "How many students scored in each range") \
        if analysis.mean is not None else None
    completion = line_chart(analysis.completion_by_day, "Share of the class finished, by day") \
        if analysis.completion_by_day else None
    return render_template("teach/assignment.html", assignment=work, classroom=room, analysis=analysis,
                           histogram=histogram, completion=completion, form=ActionForm(),
                           prompts=grading.prompts(work))


@bp.post("/assignments/<id:assignment_id>/close")
@instructor_required
def close(assignment_id: int):
    """Close to late work, or reopen."""
    work, _ = services.assignment_for_instructor(current_user, assignment_id)
    if ActionForm().validate_on_submit():
        closing = request.form.get("closed") == "1"
        services.set_closed(work, closing)
        flash("Assignment closed: no new attempts." if closing else "Assignment reopened.", "success")
    return redirect(url_for("teach.assignment", assignment_id=work.id))


def _csv(name: str, header, rows) -> Response:
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe_filename(name)}.csv"'})


@bp.get("/classes/<id:classroom_id>/gradebook.csv")
@instructor_required
def gradebook_csv(classroom_id: int):
    """One row per student, one column per assignment."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    header, rows = dashboards.gradebook(room, utcnow())
    return _csv(f"{room.name} gradebook", header, rows)


@bp.get("/classes/<id:classroom_id>/responses.csv")
@instructor_required
def responses_csv(classroom_id: int):
    """One row per answer."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    header, rows = dashboards.responses(room)
    return _csv(f"{room.name} responses", header, rows)
