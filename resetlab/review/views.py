"""Spaced review sessions: the due cards, one question per screen."""

from __future__ import annotations

import random

from flask import Blueprint, flash, render_template, request, session
from flask_login import current_user

from ..core.grading import grade
from ..core.questions import (
    AnswerProblem,
    TamperedAnswer,
    describe,
    describe_key,
    form_values,
    in_order,
    parse_answer,
    present,
)
from ..core.schedule import SESSION_SIZE
from ..models import utcnow
from ..study import attempts
from ..web.access import current_learner, guest_ok
from ..web.forms import ascii_int
from . import services as review

bp = Blueprint("review", __name__, url_prefix="/review")


def _choices(question):
    return in_order(question, present(question, random.Random()))


@bp.get("")
@guest_ok
def home():
    """The next due card, or how the schedule stands."""
    if not current_user.is_authenticated:
        return render_template("review/empty.html", activity=None, due=0)
    now = utcnow()
    attempts.release_reviews(current_user, now)
    if request.args.get("new") or session.get("review_day") != now.date().isoformat():
        session["review_done"], session["review_day"] = [], now.date().isoformat()
    done = session["review_done"]
    if len(done) >= SESSION_SIZE:
        return render_template("review/finished.html", count=len(done),
                               activity=review.activity(current_user.id, now))
    found = review.next_card(current_user, now, done)
    if found is None:
        return render_template("review/finished.html" if done else "review/empty.html", count=len(done),
                               activity=review.activity(current_user.id, now), due=0)
    card, question = found
    return render_template("review/card.html", card=card, q=question, choices=_choices(question),
                           refill={}, problem=None, position=len(done) + 1,
                           due=review.due_count(current_user, now))


BLANK = "Answer the question first, then check it. Nothing was recorded."


def _card_again(learner, card, question, problem: str):
    """The same card with the problem beside the question and what was sent filled in (422)."""
    return render_template("review/card.html", card=card, q=question, choices=_choices(question),
                           refill=request.form.to_dict(flat=False), problem=problem,
                           position=len(session.get("review_done", [])) + 1,
                           due=review.due_count(learner, utcnow())), 422


@bp.post("/<id:card_id>")
def answer(card_id: int):
    """Grade one review answer, reschedule the card once, and show the explanation."""
    learner = current_learner()
    card, question = review.card_for(learner, card_id)
    try:
        parsed = parse_answer(question, 0, request.form.to_dict(flat=False))
    except TamperedAnswer as err:
        return render_template("errors/error.html", code=400, message=f"That answer could not be accepted "
                               f"({err}). Nothing was saved."), 400
    except AnswerProblem as problem:
        return _card_again(learner, card, question, str(problem))
    if parsed is None:  # a tap on "Check my answer" before answering: not a miss, and the card is kept
        return _card_again(learner, card, question, BLANK)
    result = grade(question, parsed)
    seen = ascii_int(request.form.get("version"))
    if seen is None:
        return render_template("errors/error.html", code=400, message="That answer could not be accepted "
                               "(the card's version is missing or not a number). Nothing was saved."), 400
    if not review.answer_card(learner, card, question, result.score, seen, utcnow()):
        flash("This answer was already recorded.", "info")
    done = session.get("review_done", [])
    if card_id not in done:
        session["review_done"] = done + [card_id]
    return render_template("review/feedback.html", q=question, result=result,
                           answer=describe(question, parsed), key=describe_key(question),
                           refill=form_values(question, 0, parsed))
