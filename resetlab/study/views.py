"""The learner's side: course home, lessons, quizzes, results and progress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..classwork import services as classwork
from ..core.errors import Conflict
from ..core.markdown import render_answer
from ..core.questions import AnswerProblem, TamperedAnswer, describe, describe_key, from_json, rename_form
from ..core.rules import may_reveal
from ..core.selection import Purpose, available
from ..course import bank_named, get_catalog, lesson_named
from ..grading import services as grading
from ..models import utcnow
from ..review import services as review
from ..web.access import current_learner, guest_ok, public
from ..web.forms import ActionForm
from ..web.rendered import fragment, visitor, visitor_page
from . import attempts, services

bp = Blueprint("study", __name__)


@bp.get("/")
@public
def index():
    """Course home: lessons in order with the learner's status for each (one page kept for visitors)."""
    if visitor():
        return visitor_page("home", _home)
    return _home()


def _home() -> str:
    catalog = get_catalog()
    progress = services.progress_for(current_user)
    exams = [b for b in catalog.banks.values() if b.pool == "course"]
    signed_in = current_user.is_authenticated
    todo = classwork.todo_for(current_user) if signed_in and not current_user.is_guest else []
    if todo:
        attempts.release_reviews(current_user, utcnow())
    activity = review.activity(current_user.id, utcnow()) if signed_in else None
    return render_template("study/index.html", catalog=catalog, progress=progress, exams=exams, todo=todo,
                           activity=activity)


@bp.get("/lessons/<slug>")
@public
def lesson(slug: str):
    """A lesson page: its article rendered once, the page kept whole for visitors; a signed-in learner's
    page adds whether they have read it."""
    item = lesson_named(slug)
    if visitor():
        return visitor_page(("lesson", slug), lambda: _lesson_page(item, read=False))
    read = current_user.is_authenticated and services.has_read(current_user, slug)
    return _lesson_page(item, read)


def _lesson_page(item, read: bool) -> str:
    catalog = get_catalog()
    index = catalog.lessons.index(item)
    neighbours = (catalog.lessons[index - 1] if index else None,
                  catalog.lessons[index + 1] if index + 1 < len(catalog.lessons) else None)
    article = fragment(("lesson", item.slug), "study/_lesson_article.html", lesson=item)
    return render_template("study/lesson.html", lesson=item, article=article,
                           bank=catalog.bank_for_lesson(item.slug), read=read, neighbours=neighbours)


@bp.post("/lessons/<slug>/read")
@guest_ok
def mark_read(slug: str):
    """Record that the learner read the lesson."""
    lesson_named(slug)
    if ActionForm().validate_on_submit():
        services.mark_read(current_learner(), slug)
        flash("Marked as read. Ready for the quiz?", "success")
    return redirect(url_for("study.lesson", slug=slug) + "#lesson-actions")


@bp.get("/quiz/<slug>")
@guest_ok
def quiz(slug: str):
    """A quiz's start page: what it covers, past attempts, start or resume."""
    bank = bank_named(slug, current_user)
    catalog = get_catalog()
    attempts = [a for a in services.attempts_of(current_user) if a.bank_slug == slug] \
        if current_user.is_authenticated else []
    return render_template("study/quiz.html", bank=bank, attempts=attempts, form=ActionForm(),
                           lesson=catalog.lesson(bank.lesson) if bank.lesson else None,
                           practice=available(bank, catalog.banks.values(), Purpose.PRACTICE),
                           open_attempt=next((a for a in attempts if not a.finished
                                              and a.assignment_id is None), None))


@bp.post("/quiz/<slug>/start")
@guest_ok
def start(slug: str):
    """Start (or resume) an attempt and go to it."""
    bank = bank_named(slug, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt = attempts.start_practice(current_learner(), bank)
    return redirect(url_for("study.attempt", attempt_id=attempt.id))


def _render_attempt(attempt, problems=None, refill=None, status=200, revision=None):
    work = classwork.assignment_of(attempt)
    now = utcnow()
    if attempts.finish_if_expired(attempt, now, work):
        flash("Time ran out, so the quiz was submitted with the answers saved by then.", "info")
    if attempt.finished:
        reveal = work is None or may_reveal(work.reveal, now, work.due_at)
        feedback = grading.feedback_for(attempt, work)
        rows, written = [], []
        for item, question in attempts.served(attempt):
            answer = from_json(question, item.response)
            if question.kind.manual:  # written answers: their own section, graded by the instructor
                written.append({"item": item, "q": question, "html": render_answer(answer or ""),
                                "feedback": feedback.get(item.id)})
                continue
            rows.append({"item": item, "q": question, "answer": describe(question, answer),
                         "key": describe_key(question)})
        answered = sum(1 for row in rows + written if row["item"].response is not None)
        return render_template("study/result.html", attempt=attempt, rows=rows, written=written,
                               catalog=get_catalog(), assignment=work, reveal=reveal, revision=revision or {},
                               answered=answered), status
    rows, draft = attempts.shown(attempt)
    return render_template("study/attempt.html", attempt=attempt, rows=rows, problems=problems or {},
                           refill=refill if refill is not None else draft, assignment=work,
                           refusal=classwork.submission_refusal(attempt)), status


@bp.get("/attempts/<id:attempt_id>")
def attempt(attempt_id: int):
    """Take an attempt in progress (answers saved so far filled in), or review a finished one."""
    return _render_attempt(attempts.attempt_for(current_user, attempt_id))


def _posted(attempt) -> dict[str, list[str]]:
    """The answers posted for an attempt, with the page's opaque choice ids turned back into real ones."""
    return attempts.unmask(attempt, request.form.to_dict(flat=False))


@bp.post("/attempts/<id:attempt_id>")
def submit(attempt_id: int):
    """Grade an attempt once; repeats show the stored result. Unanswered questions ask for a confirmation."""
    attempt, handing_in = classwork.attempt_to_hand_in(current_user, attempt_id)
    work = handing_in.assignment
    try:
        outcome = attempts.submit(attempt, _posted(attempt), utcnow(), assignment=work,
                                  refusal=handing_in.refusal, lms=handing_in.lms,
                                  confirmed=request.form.get("confirm") == "1",
                                  use_draft=request.form.get("use_draft") == "1")
    except TamperedAnswer as err:
        return render_template("errors/tampered.html", message=str(err), attempt=attempt), 400
    if outcome.refused:
        flash(f"{outcome.refused} Your answers are kept as a draft; nothing was graded.", "error")
        return redirect(url_for("study.attempt", attempt_id=attempt_id))
    if outcome.problems:
        flash("Some answers need fixing before the quiz can be graded. Nothing was lost.", "error")
        rows, _ = attempts.shown(attempt)
        names = attempts.names_for(attempt, attempts.served(attempt))
        return render_template("study/attempt.html", attempt=attempt, rows=rows, problems=outcome.problems,
                               refill=rename_form(outcome.refill, names), assignment=work, refusal=None), 422
    if outcome.unanswered:
        return render_template("study/confirm.html", attempt=attempt, unanswered=outcome.unanswered,
                               total=len(attempt.items))
    if outcome.already:
        flash("This quiz was already submitted; here is the stored result.", "info")
    elif outcome.timed_out:
        flash("Time ran out before these answers arrived: the answers saved by then were counted.", "error")
    return redirect(url_for("study.attempt", attempt_id=attempt_id))


@bp.post("/attempts/<id:attempt_id>/save")
def save(attempt_id: int):
    """Keep the answers so far (autosave, or 'Save and leave' without JavaScript); never a submission."""
    attempt = attempts.attempt_for(current_user, attempt_id)
    saved_at = attempts.save_draft(attempt, _posted(attempt), utcnow())
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"saved": True, "saved_at": saved_at.isoformat() + "Z"})
    flash("Your answers are saved. Come back any time before the deadline to finish and submit.", "success")
    work = classwork.assignment_of(attempt)
    if work is not None:
        return redirect(url_for("classwork.assignment", assignment_id=work.id))
    return redirect(url_for("study.quiz", slug=attempt.bank_slug))


@bp.post("/attempts/<id:attempt_id>/written/<id:item_id>")
def revise(attempt_id: int, item_id: int):
    """Hand in a revision of a written answer the instructor returned (the text is kept on any problem)."""
    attempt = attempts.attempt_for(current_user, attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        grading.revise(current_user, attempt, item_id, request.form.to_dict(flat=False), utcnow())
    except Conflict as refusal:  # no longer returned (handed in already) or no longer in the class
        sent = request.form.to_dict(flat=False)
        kept = next((values[0] for key, values in sent.items() if key != "csrf_token" and values), "")
        return _render_attempt(attempt, status=409, revision={
            "item_id": item_id, "problem": str(refusal), "kept": kept})
    except AnswerProblem as problem:  # the box comes back with the text and the problem beside it
        return _render_attempt(attempt, status=422, revision={
            "item_id": item_id, "problem": str(problem), "form": request.form.to_dict(flat=False)})
    except TamperedAnswer:
        abort(400, "The revision could not be read. Nothing was saved.")
    flash("Revision handed in: your instructor will grade it again.", "success")
    return redirect(url_for("study.attempt", attempt_id=attempt.id) + f"#written-{item_id}")


@bp.get("/attempts", endpoint="attempts")
def past_attempts():
    """Every past attempt, newest first."""
    return render_template("study/attempts.html", attempts=services.attempts_of(current_user))


@bp.get("/progress")
def progress():
    """Lessons read, attempts, best and latest score and mastery per lesson."""
    catalog = get_catalog()
    progress = services.progress_for(current_user)
    read_count = sum(1 for lesson in catalog.lessons if progress[lesson.slug].read)
    return render_template("study/progress.html", catalog=catalog, progress=progress,
                           read_count=read_count)


@bp.get("/glossary")
@public
def glossary():
    """Every key term, linked to where it is taught."""
    catalog = get_catalog()
    return render_template("study/glossary.html", catalog=catalog, terms=catalog.glossary)


@bp.get("/timeline")
@public
def timeline():
    """Every dated event of the course, in order."""
    catalog = get_catalog()
    return render_template("study/timeline.html", catalog=catalog, events=catalog.timeline)
