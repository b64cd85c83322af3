"""Written answers on the web, the instructor's side: the grading queue (one answer at a time, names
hidden by default, keyboard first, saved as you go), releasing grades and reusable comments. The
student's side (feedback and revision) is on the result page (`study.views`)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from ..core.errors import Conflict
from ..core.rubrics import RubricError, read_levels
from ..models import GradeStatus, utcnow
from ..teach.services import assignment_for_instructor
from ..web.access import instructor_required
from ..web.forms import ActionForm
from . import services
from .forms import GradeForm

bp = Blueprint("grading", __name__)
ACTIONS = ("save", "next", "return")


def _work(assignment_id: int):
    return assignment_for_instructor(current_user, assignment_id)


def _names() -> bool:
    """Whether the grader chose to see students' names (hidden by default: anonymous grading)."""
    return request.args.get("names") == "1"


def _there(endpoint: str, **values):
    return url_for(endpoint, **values, **({"names": "1"} if _names() else {}))


@bp.get("/teach/assignments/<id:assignment_id>/grading")
@instructor_required
def overview(assignment_id: int):
    """The assignment's written prompts: progress, statistics per criterion, release."""
    work, room = _work(assignment_id)
    return render_template("grading/overview.html", assignment=work, classroom=room,
                           prompts=services.prompts(work), form=ActionForm(), names=_names())


@bp.get("/teach/assignments/<id:assignment_id>/grading/<slug:prompt>")
@instructor_required
def start(assignment_id: int, prompt: str):
    """Go to the next answer to grade for this prompt (or the first answer when all are graded)."""
    work, _ = _work(assignment_id)
    order = services.queue(work, services.prompt_of(work, prompt).question.id)
    target = services.next_to_grade(order) or (order[0][0] if order else None)
    if target is None:
        flash("Nobody has written an answer to this prompt yet.", "info")
        return redirect(_there("grading.overview", assignment_id=work.id))
    return redirect(_there("grading.grade", assignment_id=work.id, prompt=prompt, grade_id=target))


def _read_levels(rubric) -> list[int | None]:
    try:
        sent = [request.form.get(f"c{i}", "") for i in range(len(rubric.criteria))]
        return read_levels(rubric, sent)
    except RubricError as problem:
        raise BadRequest(f"The grade could not be read: {problem}. Nothing was saved.") from None


ONE = "/teach/assignments/<id:assignment_id>/grading/<slug:prompt>/<id:grade_id>"


@bp.route(ONE, methods=["GET", "POST"])
@instructor_required
def grade(assignment_id: int, prompt: str, grade_id: int):
    """One answer: the text, the rubric as radio buttons, a comment; save, save and go on, or return
    it for revision. Autosave posts here too and gets JSON back."""
    work, room = _work(assignment_id)
    shown = services.response(work, prompt, grade_id)
    form = GradeForm()
    autosave = request.headers.get("X-Autosave") == "1"
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            if autosave:
                return jsonify({"saved": False, "errors": form.errors}), 422
            status = 422
        else:
            levels = _read_levels(shown.rubric)
            chosen = services.snippet_texts(current_user, prompt, request.form.getlist("snippet"))
            comment = "\n\n".join([form.comment.data or "", *chosen]).strip()
            action = request.form.get("action", "save")
            if action not in ACTIONS:
                raise BadRequest("Unknown action. Nothing was saved.")
            if action == "return":
                try:
                    services.return_for_revision(shown.grade, comment, current_user, utcnow())
                except Conflict as refusal:
                    form.comment.errors = [str(refusal)]
                    return _page(work, room, services.response(work, prompt, grade_id), form, 422)
                flash(f"Response {shown.number} returned for revision: the student sees your comment now.",
                      "success")
            elif autosave and shown.grade.status == GradeStatus.GRADED and None in levels:
                # Radio buttons cannot be unticked: only a late, older autosave would undo a grade.
                return jsonify({"saved": False, "error": "This answer is already graded: reload the page "
                                "to see its grade."}), 409
            elif autosave and shown.grade.status == GradeStatus.RETURNED:
                # Saving would take the answer back from the student who is revising it: only on purpose.
                return jsonify({"saved": False, "error": "This answer is returned for revision, so it is not "
                                "saved as you go. Press Save to grade it as it stands instead."}), 409
            else:
                was_returned = shown.grade.status == GradeStatus.RETURNED
                saved = services.save_grade(shown.grade, levels, comment, current_user, utcnow())
                if was_returned:
                    flash("This answer is no longer returned: the student cannot revise it now.", "info")
                if form.keep_comment.data and form.comment.data and not autosave:
                    try:
                        services.add_snippet(current_user, prompt, form.comment.data)
                    except Conflict as refusal:
                        flash(str(refusal), "error")
                if autosave:
                    return jsonify({"saved": True, "status": saved.status, "points": saved.points,
                                    "max_points": saved.max_points})
                if action == "save" or saved.status != GradeStatus.GRADED:
                    if saved.status != GradeStatus.GRADED:
                        flash("Saved. Pick a level for every criterion to finish this grade.", "info")
                    else:
                        flash("Saved.", "success")
                    return redirect(_there("grading.grade", assignment_id=work.id, prompt=prompt,
                                           grade_id=grade_id))
            following = services.next_to_grade(services.queue(work, prompt), grade_id)
            if following is None:
                flash("Every answer to this prompt is graded or returned. Release the grades when ready.",
                      "success")
                return redirect(_there("grading.overview", assignment_id=work.id))
            return redirect(_there("grading.grade", assignment_id=work.id, prompt=prompt,
                                   grade_id=following))
    return _page(work, room, shown, form, status)


def _page(work, room, shown, form, status):
    if not form.is_submitted():
        form.comment.data = shown.grade.comment
    prompt = services.prompt_of(work, shown.question.id)
    return render_template("grading/response.html", assignment=work, classroom=room, r=shown, form=form,
                           prompt=prompt, names=_names(),
                           snippets=services.snippets(current_user, shown.question.id)), status


@bp.route("/teach/assignments/<id:assignment_id>/grading/release", methods=["GET", "POST"])
@instructor_required
def release(assignment_id: int):
    """Release every graded answer to its student (asks first; a POST with the token does it)."""
    work, room = _work(assignment_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        done = services.release(work, utcnow())
        waiting = f" {done.waiting} answer{'s' if done.waiting != 1 else ''} still to grade will appear " \
                  "to students as you grade them." if done.waiting else ""
        flash(f"Grades released: {done.scored} attempt{'s are' if done.scored != 1 else ' is'} now "
              f"scored.{waiting}", "success")
        return redirect(url_for("grading.overview", assignment_id=work.id))
    return render_template("grading/release.html", assignment=work, classroom=room, form=form,
                           prompts=services.prompts(work)), 422 if request.method == "POST" else 200


@bp.post("/teach/snippets/<id:snippet_id>/delete")
@instructor_required
def delete_snippet(snippet_id: int):
    """Forget one saved comment, then go back where the grader was."""
    if ActionForm().validate_on_submit():
        services.delete_snippet(current_user, snippet_id)
        flash("Saved comment deleted.", "success")
    back = request.form.get("back", "")
    return redirect(back if _local_teach_path(back) else url_for("teach.home"))


def _local_teach_path(path: str) -> bool:
    """Whether a 'go back' address is one of our teach pages (printable, no scheme, host or backslash)."""
    return (path.startswith("/teach/") and path.isascii() and path.isprintable() and "//" not in path
            and "\\" not in path and len(path) < 2000)
