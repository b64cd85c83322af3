"""Spaced review sessions: the due cards, one question per screen."""

from __future__ import annotations

import random

from flask import Blueprint, abort, flash, render_template, request, session
from flask_login import current_user

from . import review, services
from .auth import current_learner
from .core.grading import grade
from .core.questions import (
    AnswerProblem,
    TamperedAnswer,
    describe,
    describe_key,
    form_values,
    in_order,
    parse_answer,
    present,
)
from .core.schedule import SESSION_SIZE
from .database import begin_write
from .extensions import db
from .models import utcnow

bp = Blueprint("review", __name__, url_prefix="/review")


def _question(card):
    """The card's question as the course has it now (None if it left the course)."""
    return services.get_catalog().questions.get(card.question_id)


def _choices(question):
    return in_order(question, present(question, random.Random()))


@bp.get("")
def home():
    """The next due card, or how the schedule stands."""
    if not current_user.is_authenticated:
        return render_template("review/empty.html", activity=None, due=0)
    now = utcnow()
    if request.args.get("new") or session.get("review_day") != now.date().isoformat():
        session["review_done"], session["review_day"] = [], now.date().isoformat()
    done = session["review_done"]
    if len(done) >= SESSION_SIZE:
        return render_template("review/finished.html", count=len(done),
                               activity=review.activity(current_user.id, now))
    card = review.next_due(current_user, now, done)
    while card is not None and (question := _question(card)) is None:
        begin_write()
        db.session.delete(card)  # the question left the course: nothing to review
        db.session.commit()
        card = review.next_due(current_user, now, done)
    if card is None:
        return render_template("review/finished.html" if done else "review/empty.html", count=len(done),
                               activity=review.activity(current_user.id, now), due=0)
    return render_template("review/card.html", card=card, q=question, choices=_choices(question),
                           refill={}, problem=None, position=len(done) + 1,
                           due=review.due_count(current_user, now))


@bp.post("/<int:card_id>")
def answer(card_id: int):
    """Grade one review answer, reschedule the card once, and show the explanation."""
    learner = current_learner()
    card = review.card_for(learner, card_id)
    if card is None:
        abort(404)
    question = _question(card)
    if question is None:
        abort(404)
    try:
        parsed = parse_answer(question, 0, request.form.to_dict(flat=False))
    except TamperedAnswer as err:
        return render_template("errors/error.html", code=400, message=f"That answer could not be accepted "
                               f"({err}). Nothing was saved."), 400
    except AnswerProblem as problem:
        return render_template("review/card.html", card=card, q=question, choices=_choices(question),
                               refill=request.form.to_dict(flat=False), problem=str(problem),
                               position=len(session.get("review_done", [])) + 1,
                               due=review.due_count(learner, utcnow())), 422
    result = grade(question, parsed)
    seen = request.form.get("version", "")
    recorded = seen.isdigit() and review.answer_card(learner, card, question, result.score, int(seen),
                                                     utcnow())
    if not recorded:
        flash("This answer was already recorded.", "info")
    done = session.get("review_done", [])
    if card_id not in done:
        session["review_done"] = done + [card_id]
    return render_template("review/feedback.html", q=question, result=result,
                           answer=describe(question, parsed), key=describe_key(question),
                           refill=form_values(question, 0, parsed))
