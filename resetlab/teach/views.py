"""The instructor's pages: classes, join codes, roster, accommodations, assignments, dashboards, exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..banks.services import banks_of
from ..core import attention as rules
from ..core.charts import bar_chart, line_chart
from ..core.csv import csv_bytes
from ..core.rubrics import parse_rubric_text
from ..course import any_bank, get_catalog
from ..grading import services as grading
from ..models import utcnow
from ..review import services as review
from ..study.attempts import attempt_answers
from ..study.services import progress_for
from ..web.access import instructor_required
from ..web.forms import ActionForm
from ..web.memory import gives_memory_back
from ..web.timezones import to_local, to_utc, viewer_zone
from . import dashboards, exports, services
from .attention import GRID_SORTS, SHOW, TOP, mark, read_grid
from .forms import (
    AccommodationForm,
    AssignForm,
    AssignmentRulesForm,
    ClassForm,
    CopyForm,
    EditAssignmentForm,
    SelectedAccommodationForm,
    SelectedForm,
)

bp = Blueprint("teach", __name__, url_prefix="/teach")
GRID_PAGE = 50  # rows of the class grid per page; the attention list still covers everyone
UNDO = "teach_undo"  # session key: the last removal, which the roster offers to undo for a while


@bp.app_template_global()
def page_url(page: int, **changes: str | None) -> str:
    """This page's address with another page number, keeping the search, filter and sort (a change to
    None drops that argument)."""
    args = request.args.to_dict()
    args["page"] = str(page)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint or "teach.home", **(request.view_args or {}), **args)


bp.add_app_template_global(rules.band, "band")
bp.add_app_template_global(mark, "mark")


@bp.app_template_filter("local_date")
def local_date(value: datetime, fmt: str = "%-d %b %Y") -> str:
    """A stored time as a date in the viewer's zone ('23 Sep 2026'), for when the hour does not matter."""
    return to_local(value, viewer_zone()).strftime(fmt)


def plural(count: int, noun: str) -> str:
    """'1 student', '3 students'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _mine(classroom_id: int):
    return services.classroom_for_instructor(current_user, classroom_id)


@bp.get("/")
@instructor_required
def home():
    """The instructor's classes, a form for a new one, and the course they can assign."""
    return _home(ClassForm())


def _home(form: ClassForm, status: int = 200):
    return render_template("teach/home.html", rooms=services.classrooms_of_instructor(current_user),
                           form=form, catalog=get_catalog()), status


@bp.post("/classes")
@instructor_required
def create():
    """Create a class and go to it."""
    form = ClassForm()
    if not form.validate_on_submit():  # the form comes back with the problem beside the name (422)
        form.name.errors = ["Give the class a name (up to 120 characters)."]
        return _home(form, 422)
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


CONFIRM = {  # class settings that ask first: (title, what happens, button)
    "new-code": ("Make a new join code?",
                 "The code {code}, its join link and its QR code stop working at once; students already in "
                 "the class stay in it. Anyone who has not joined yet will need the new code.",
                 "Make a new join code"),
    "archive": ("Archive “{name}”?",
                "Students can no longer join the class or see its assignments, and attempts still open "
                "can no longer be handed in (their answers stay as drafts you can read). Nothing is "
                "deleted: you can restore the class at any time from this page.",
                "Archive the class"),
}


def _confirm_setting(classroom_id: int, action: str):
    classroom = _mine(classroom_id)
    title, words, button = CONFIRM[action]
    return render_template("teach/confirm.html", classroom=classroom, form=ActionForm(),
                           title=title.format(name=classroom.name),
                           words=words.format(code=classroom.join_code, name=classroom.name),
                           action=url_for("teach.settings", classroom_id=classroom.id), button=button,
                           fields={"action": action},
                           cancel=url_for("teach.roster", classroom_id=classroom.id))


@bp.get("/classes/<id:classroom_id>/new-code")
@instructor_required
def confirm_new_code(classroom_id: int):
    """Ask in words before making a new join code."""
    return _confirm_setting(classroom_id, "new-code")


@bp.get("/classes/<id:classroom_id>/archive")
@instructor_required
def confirm_archive(classroom_id: int):
    """Ask in words before archiving the class."""
    return _confirm_setting(classroom_id, "archive")


@bp.post("/classes/<id:classroom_id>/settings")
@instructor_required
def settings(classroom_id: int):
    """Rename, archive or unarchive a class, or regenerate its join code (the roster links to a page that
    asks first for the last two)."""
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
        flash(f"New join code {classroom.join_code}. The old code and link no longer work.", "success")
    elif action in ("share-practice", "private-practice"):
        services.update_classroom(classroom, share_practice=action == "share-practice")
        flash("Students' practice is now visible on their pages in this class." if action == "share-practice"
              else "Students' practice is private again: you see only this class's assignments.", "success")
    else:
        abort(400)
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


def _int_arg(name: str, default: int = 1) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else default


def _choice(name: str, choices, default: str) -> str:
    value = request.args.get(name, default)
    return value if value in choices else default


@bp.get("/classes/<id:classroom_id>/roster")
@instructor_required
def roster(classroom_id: int):
    """Students (search, filter, sort, pages, bulk actions), removed students and class settings."""
    classroom = _mine(classroom_id)
    q = request.args.get("q", "")[:100]
    show = _choice("show", services.ROSTER_FILTERS, "all")
    sort = _choice("sort", services.ROSTER_SORTS, "name")
    found = services.roster_page(classroom, utcnow(), q, show, sort, _int_arg("page"))
    return render_template("teach/roster.html", classroom=classroom, found=found, q=q, show=show, sort=sort,
                           filters=services.ROSTER_FILTERS, sorts=services.ROSTER_SORTS,
                           rename=ClassForm(name=classroom.name), form=ActionForm(),
                           undo=_undo_offer(classroom), link=join_url(classroom),
                           removed=services.removed_students(classroom))


def _undo_offer(classroom) -> dict | None:
    """The last removal in this class, while it can still be undone."""
    last = session.get(UNDO)
    if not last or last.get("classroom") != classroom.id:
        return None
    at = datetime.fromisoformat(last["at"])
    if utcnow() - at > services.UNDO_WINDOW:
        session.pop(UNDO, None)
        return None
    return {**last, "until": at + services.UNDO_WINDOW}


def _removed(classroom, removed: list[int], names: list[str], at: datetime) -> None:
    """Say who was removed and keep what the roster needs to offer an undo."""
    if not removed:
        flash("Nobody was removed: they were already off the roster.", "info")
        return
    session[UNDO] = {"classroom": classroom.id, "ids": removed, "names": names[:3], "count": len(removed),
                     "at": at.isoformat()}
    who = names[0] if len(names) == 1 else f"{len(removed)} students"
    flash(f"{who} removed from the class. Open attempts can no longer be handed in, and the join code will "
          "not let them back in unless you re-admit them. You can undo this for 15 minutes.", "success")


@bp.route("/classes/<id:classroom_id>/students/<id:user_id>/remove", methods=["GET", "POST"])
@instructor_required
def remove(classroom_id: int, user_id: int):
    """Ask in words (GET), then take a student off the roster (POST); their own work stays theirs."""
    classroom = _mine(classroom_id)
    student = services.student_in_class(classroom, user_id)
    if request.method == "GET":
        return render_template("teach/remove.html", classroom=classroom, students=[student],
                               form=ActionForm())
    if ActionForm().validate_on_submit():
        at = utcnow()
        _removed(classroom, services.remove_students(classroom, [student.id], at), [student.display_name], at)
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.get("/classes/<id:classroom_id>/students/selected")
@instructor_required
def selected(classroom_id: int):
    """What to do with the students ticked on the roster: confirm removing them, or give them one
    accommodation (a GET form, so the page works without JavaScript and asks before anything changes)."""
    classroom = _mine(classroom_id)
    ids = [int(v) for v in request.args.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10][:1000]
    students = services.students_in_class(classroom, ids)
    if not students:
        flash("Select at least one student first.", "error")
        return redirect(url_for("teach.roster", classroom_id=classroom.id))
    if request.args.get("action") == "accommodate":
        return render_template("teach/accommodation.html", classroom=classroom, students=students,
                               form=SelectedAccommodationForm(),
                               action=url_for("teach.accommodate_selected", classroom_id=classroom.id))
    return render_template("teach/remove.html", classroom=classroom, students=students, form=ActionForm())


@bp.post("/classes/<id:classroom_id>/students/remove")
@instructor_required
def remove_selected(classroom_id: int):
    """Take the confirmed students off the roster at once (one undo brings them all back)."""
    classroom = _mine(classroom_id)
    form = SelectedForm()
    if form.validate_on_submit():
        students = services.students_in_class(classroom, form.ids.data)
        at = utcnow()
        removed = services.remove_students(classroom, [s.id for s in students], at)
        _removed(classroom, removed, [s.display_name for s in students if s.id in removed], at)
    else:
        flash("Nobody was removed: select students and confirm again.", "error")
    return redirect(url_for("teach.roster", classroom_id=classroom.id))


@bp.post("/classes/<id:classroom_id>/students/undo")
@instructor_required
def undo_remove(classroom_id: int):
    """Put back the students of the last removal, within the time allowed."""
    classroom = _mine(classroom_id)
    last = _undo_offer(classroom)
    if not ActionForm().validate_on_submit() or last is None:
        flash("There is no removal to undo any more: re-admit students one by one below.", "error")
        return redirect(url_for("teach.roster", classroom_id=classroom.id))
    back = services.undo_removal(classroom, last["ids"], datetime.fromisoformat(last["at"]), utcnow())
    session.pop(UNDO, None)
    flash(f"Undone: {plural(len(back), 'student')} back on the roster.", "success")
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


BACK = {"overview": "teach.classroom", "roster": "teach.roster"}


def _back(classroom, student_id: int | None = None) -> str:
    """Where a form opened from the overview, the roster or a student's page returns to."""
    where = request.values.get("back", "roster")
    if where == "student" and student_id is not None:
        return url_for("teach.student", classroom_id=classroom.id, user_id=student_id)
    url = url_for(BACK.get(where, "teach.roster"), classroom_id=classroom.id)
    return url + (f"#student-{student_id}" if student_id is not None and where == "roster" else "")


@bp.route("/classes/<id:classroom_id>/students/<id:user_id>/accommodation", methods=["GET", "POST"])
@instructor_required
def accommodate(classroom_id: int, user_id: int):
    """A student's extra time and extra attempts: the form (GET), then save (POST)."""
    classroom = _mine(classroom_id)
    student = services.student_in_class(classroom, user_id)
    if request.method == "GET":
        current = services.accommodation_of(classroom, student.id)
        form = AccommodationForm(time_multiplier=current.time_multiplier if current else 1,
                                 extra_attempts=current.extra_attempts if current else 0)
    else:
        form = AccommodationForm()
        if form.validate_on_submit():
            services.set_accommodation(classroom, student.id, float(form.time_multiplier.data),
                                       form.extra_attempts.data)
            flash(f"Accommodation saved for {student.display_name}.", "success")
            return redirect(_back(classroom, student.id))
    status = 422 if request.method == "POST" else 200
    return render_template("teach/accommodation.html", classroom=classroom, students=[student], form=form,
                           back=request.values.get("back", "roster"),
                           action=url_for("teach.accommodate", classroom_id=classroom.id,
                                          user_id=student.id)), status


@bp.post("/classes/<id:classroom_id>/students/accommodation")
@instructor_required
def accommodate_selected(classroom_id: int):
    """One accommodation for every selected student."""
    classroom = _mine(classroom_id)
    form = SelectedAccommodationForm()
    students = services.students_in_class(classroom, form.ids.data or [])
    if form.validate_on_submit() and students:
        services.set_accommodations(classroom, [s.id for s in students], float(form.time_multiplier.data),
                                    form.extra_attempts.data)
        flash(f"Accommodation saved for {plural(len(students), 'student')}.", "success")
        return redirect(url_for("teach.roster", classroom_id=classroom.id))
    return render_template("teach/accommodation.html", classroom=classroom, students=students, form=form,
                           action=url_for("teach.accommodate_selected", classroom_id=classroom.id)), 422


def _catalog_choices(form: AssignForm) -> dict[str, str]:
    """The course's quizzes and the instructor's own banks as choices; returns the own ones by slug."""
    catalog = get_catalog()
    lesson_banks = [catalog.bank_for_lesson(lesson.slug) for lesson in catalog.lessons]
    exams = [b for b in catalog.banks.values() if b.pool == "course"]
    own = {f"b{bank.id}": bank.title for bank, _ in banks_of(current_user)}
    form.banks.choices = [SelectChoice(b.slug, b.title) for b in lesson_banks + exams if b is not None] \
        + [SelectChoice(slug, f"{title} (your bank)") for slug, title in own.items()]
    return own


def _settings(form: AssignmentRulesForm, zone) -> services.AssignmentSettings:
    return services.AssignmentSettings(
        open_at=to_utc(form.open_at.data, zone), due_at=to_utc(form.due_at.data, zone),
        attempts_allowed=form.attempts_allowed.data, grading=form.grading.data,
        draw=form.draw.data, time_limit_minutes=form.time_limit_minutes.data, reveal=form.reveal.data)


@bp.route("/classes/<id:classroom_id>/assign", methods=["GET", "POST"])
@instructor_required
def assign(classroom_id: int):
    """Assign lesson quizzes with an open date, a due date and attempt rules."""
    classroom = _mine(classroom_id)
    form = AssignForm()
    own = _catalog_choices(form)
    zone = viewer_zone()
    if form.validate_on_submit():
        banks = [any_bank(slug) for slug in form.banks.data]
        settings = replace(_settings(form, zone), include_written=form.include_written.data,
                           written_rubric=parse_rubric_text(form.written_rubric.data).as_json()
                           if form.written_rubric.data else None)
        made = services.assign(classroom, [b for b in banks if b is not None], settings)
        flash(f"{plural(len(made), 'assignment')} created.", "success")
        return redirect(url_for("teach.classroom", classroom_id=classroom.id) + "#assignments-h")
    if request.method == "GET":
        form.open_at.data = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
        form.banks.data = [request.args["bank"]] if request.args.get("bank") in own else None
    status = 422 if request.method == "POST" else 200
    return render_template("teach/assign.html", classroom=classroom, form=form, zone=zone.key), status


@bp.get("/classes/<id:classroom_id>")
@instructor_required
@gives_memory_back
def classroom(classroom_id: int):
    """The class overview: a summary strip, who needs attention and why (at most ten, then everyone by
    rule), the assignments, and the grid of students × assignments."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    with dashboards.collector_paused():
        # Rendered in a function of its own: by the time the collector runs again the grid (hundreds
        # of thousands of objects at 10,000 students) is gone, so it is never walked.
        return _overview_page(room)


def _overview_page(room) -> str:
    now = utcnow()
    grid = dashboards.class_grid(room, now)
    view = read_grid(grid, now)
    show = _choice("show", SHOW, "all")
    sort = _choice("sort", GRID_SORTS, "urgency" if show != "all" else "name")
    students = view.order(grid, show, sort)
    pages = max(1, -(-len(students) // GRID_PAGE))
    page = min(max(_int_arg("page"), 1), pages)
    shown = view.rows(grid, students[(page - 1) * GRID_PAGE:page * GRID_PAGE])
    ranked = view.ranked()
    return render_template(
        "teach/classroom.html", classroom=room, grid=grid, view=view, top=ranked[:TOP],
        listed=len(ranked), counts=view.counts(), rules=rules, show=show, sort=sort, shows=SHOW,
        sorts=GRID_SORTS, form=ActionForm(), shown=shown, matching=len(students), page=page, pages=pages,
        first=(page - 1) * GRID_PAGE + 1, per_page=GRID_PAGE, now=now,
        to_grade=[(a, n) for a, n in zip(grid.assignments, grid.awaiting, strict=True) if n],
        completion=dict(zip((a.id for a in grid.assignments), grid.completion, strict=True)))


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
    chart = line_chart([(f"{to_local(a.finished_at, viewer_zone()):%-d %b}", round(a.score * 100))
                        for a in scored[-30:]],
                       f"Quiz scores over time for {pupil.display_name}") if scored else None
    shared = room.share_practice
    return render_template("teach/student.html", classroom=room, student=pupil, attempts=finished,
                           open_attempts=[a for a in seen if not a.finished], chart=chart,
                           catalog=get_catalog(), extra=services.accommodation_of(room, pupil.id),
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
@gives_memory_back
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
    work, room = services.assignment_for_instructor(current_user, assignment_id)
    if ActionForm().validate_on_submit():
        closing = request.form.get("closed") == "1"
        services.set_closed(work, closing)
        flash(f"“{work.title}” closed: no new attempts." if closing
              else f"“{work.title}” reopened: late work is accepted again.", "success")
    if request.form.get("back") == "overview":
        return redirect(url_for("teach.classroom", classroom_id=room.id))
    return redirect(url_for("teach.assignment", assignment_id=work.id))


@bp.route("/assignments/<id:assignment_id>/edit", methods=["GET", "POST"])
@instructor_required
def edit_assignment(assignment_id: int):
    """Change an assignment's dates and rules; the page says what happens to attempts already made."""
    work, room = services.assignment_for_instructor(current_user, assignment_id)
    zone = viewer_zone()
    form = EditAssignmentForm()
    if form.validate_on_submit():
        bank = any_bank(work.bank_slug)  # the assignment is theirs, so its bank is too (shipped or own)
        if bank is None:
            abort(404, "This assignment's quiz is no longer in the course or in your banks.")
        relabelled = services.update_assignment(work, bank, _settings(form, zone))
        moved = f" {plural(relabelled, 'attempt')} changed between on time and late with the new due date." \
            if relabelled else ""
        flash(f"“{work.title}” saved.{moved}", "success")
        return redirect(url_for("teach.classroom", classroom_id=room.id) + "#assignments-h")
    if request.method == "GET":
        for name in ("attempts_allowed", "grading", "draw", "time_limit_minutes", "reveal"):
            getattr(form, name).data = getattr(work, name)
        form.open_at.data = to_local(work.open_at, zone).replace(tzinfo=None)
        form.due_at.data = to_local(work.due_at, zone).replace(tzinfo=None)
    status = 422 if request.method == "POST" else 200
    return render_template("teach/edit_assignment.html", assignment=work, classroom=room, form=form,
                           zone=zone.key, made=services.footprint(work, utcnow())), status


@bp.route("/assignments/<id:assignment_id>/delete", methods=["GET", "POST"])
@instructor_required
def delete_assignment(assignment_id: int):
    """Ask in words what deleting changes (GET), then delete (POST)."""
    work, room = services.assignment_for_instructor(current_user, assignment_id)
    if request.method == "POST" and ActionForm().validate_on_submit():
        title = work.title
        gone = services.delete_assignment(work, utcnow())
        kept = f"; {plural(gone.kept, 'finished attempt')} kept in students' history as practice" \
            if gone.kept else ""
        flash(f"“{title}” deleted{kept}.", "success")
        return redirect(url_for("teach.classroom", classroom_id=room.id) + "#assignments-h")
    return render_template("teach/delete_assignment.html", assignment=work, classroom=room, form=ActionForm(),
                           made=services.footprint(work, utcnow()))


@bp.route("/assignments/<id:assignment_id>/copy", methods=["GET", "POST"])
@instructor_required
def copy_assignment(assignment_id: int):
    """Copy an assignment, with its rules, to another of the instructor's classes."""
    work, room = services.assignment_for_instructor(current_user, assignment_id)
    zone = viewer_zone()
    others = [(c, n) for c, n in services.classrooms_of_instructor(current_user) if c.id != room.id]
    form = CopyForm()
    form.target.choices = [(c.id, f"{c.name}{' (archived)' if c.archived else ''} · {n} students")
                           for c, n in others]
    if others and form.validate_on_submit():
        target = services.classroom_for_instructor(current_user, form.target.data)
        services.copy_assignment(work, target, to_utc(form.open_at.data, zone),
                                 to_utc(form.due_at.data, zone))
        flash(f"“{work.title}” copied to “{target.name}”.", "success")
        return redirect(url_for("teach.classroom", classroom_id=target.id) + "#assignments-h")
    if request.method == "GET":
        form.open_at.data = to_local(work.open_at, zone).replace(tzinfo=None)
        form.due_at.data = to_local(work.due_at, zone).replace(tzinfo=None)
    status = 422 if request.method == "POST" else 200
    return render_template("teach/copy_assignment.html", assignment=work, classroom=room, form=form,
                           others=others, zone=zone.key), status


def _csv(name: str, header, rows) -> Response:
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/classes/<id:classroom_id>/gradebook.csv")
@instructor_required
@gives_memory_back
def gradebook_csv(classroom_id: int):
    """One row per student: per assignment a score column (numbers only) and a status column."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    now, zone = utcnow(), viewer_zone()
    header, rows = exports.gradebook(dashboards.class_overview(room, now), zone)
    return _csv(exports.filename(room, "gradebook", now, zone), header, rows)


@bp.get("/classes/<id:classroom_id>/responses.csv")
@instructor_required
@gives_memory_back
def responses_csv(classroom_id: int):
    """One row per answer, with each question's text beside its id."""
    room = services.classroom_for_instructor(current_user, classroom_id)
    now, zone = utcnow(), viewer_zone()
    header, rows = exports.responses(exports.answers(room), zone)
    return _csv(exports.filename(room, "responses", now, zone), header, rows)
