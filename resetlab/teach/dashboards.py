"""Dashboards and exports for one class: overview grid, a student, an assignment's items."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import classes, dashboards, review
from ..auth import instructor_required
from ..core.charts import bar_chart, line_chart
from ..core.csv import csv_bytes, safe_filename
from ..forms import ActionForm
from ..models import utcnow
from ..services import attempts_of, get_catalog, progress_for
from . import bp

GRID_PAGE = 50  # rows of the class grid per page; needs-attention still covers everyone


@bp.get("/classes/<int:classroom_id>")
@instructor_required
def classroom(classroom_id: int):
    """The class grid: students × assignments, and who needs attention."""
    room = classes.classroom_for_instructor(current_user, classroom_id)
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


@bp.get("/classes/<int:classroom_id>/students/<int:user_id>")
@instructor_required
def student(classroom_id: int, user_id: int):
    """One student: lessons read, attempts, scores over time and mastery per lesson."""
    room = classes.classroom_for_instructor(current_user, classroom_id)
    pupil = classes.student_in_class(room, user_id)
    attempts = [a for a in attempts_of(pupil, limit=500) if a.finished]
    attempts.reverse()
    chart = line_chart([(f"{a.finished_at:%d %b}", round(a.score * 100)) for a in attempts[-30:]],
                       f"Quiz scores over time for {pupil.display_name}") if attempts else None
    return render_template("teach/student.html", classroom=room, student=pupil, attempts=attempts,
                           progress=progress_for(pupil), catalog=get_catalog(), chart=chart,
                           activity=review.activity(pupil.id, utcnow()))


@bp.get("/assignments/<int:assignment_id>")
@instructor_required
def assignment(assignment_id: int):
    """Item analysis for one assignment: facility, discrimination and option shares."""
    work, room = classes.assignment_for_instructor(current_user, assignment_id)
    analysis = dashboards.assignment_analysis(work, room)
    analysis.items.sort(key=lambda item: (item.flag is None, item.facility))  # what trips the class first
    histogram = bar_chart(analysis.histogram, "How many students scored in each range") \
        if analysis.mean is not None else None
    completion = line_chart(analysis.completion_by_day, "Share of the class finished, by day") \
        if analysis.completion_by_day else None
    return render_template("teach/assignment.html", assignment=work, classroom=room, analysis=analysis,
                           histogram=histogram, completion=completion, form=ActionForm())


@bp.post("/assignments/<int:assignment_id>/close")
@instructor_required
def close(assignment_id: int):
    """Close to late work, or reopen."""
    work, _ = classes.assignment_for_instructor(current_user, assignment_id)
    if ActionForm().validate_on_submit():
        closing = request.form.get("closed") == "1"
        classes.set_closed(work, closing)
        flash("Assignment closed: no new attempts." if closing else "Assignment reopened.", "success")
    return redirect(url_for("teach.assignment", assignment_id=work.id))


def _csv(name: str, header, rows) -> Response:
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe_filename(name)}.csv"'})


@bp.get("/classes/<int:classroom_id>/gradebook.csv")
@instructor_required
def gradebook_csv(classroom_id: int):
    """One row per student, one column per assignment."""
    room = classes.classroom_for_instructor(current_user, classroom_id)
    header, rows = dashboards.gradebook(room, utcnow())
    return _csv(f"{room.name} gradebook", header, rows)


@bp.get("/classes/<int:classroom_id>/responses.csv")
@instructor_required
def responses_csv(classroom_id: int):
    """One row per answer."""
    room = classes.classroom_for_instructor(current_user, classroom_id)
    header, rows = dashboards.responses(room)
    return _csv(f"{room.name} responses", header, rows)
