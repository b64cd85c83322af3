"""Graded work a teacher can trust, through the services: secure questions, attempt rules, closing,
drafts, deadlines and review cards only after the reveal."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from resetlab.classwork import services as classwork
from resetlab.core.errors import Conflict, NotFound
from resetlab.core.questions import form_values, key_answer
from resetlab.course import bank_named, get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, Attempt, AttemptState, ReviewCard, Role, utcnow
from resetlab.study import attempts
from resetlab.teach import services as teach

from .conftest import make_user

SECURE = {"beta-secure-why", "beta-secure-tf"}


def key_form(attempt: Attempt, wrong: set[str] = frozenset()) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for item, question in attempts.served(attempt):
        if question.id not in wrong:
            form.update(form_values(question, item.position, key_answer(question)))
    return form


def wrong_form(attempt: Attempt) -> dict[str, list[str]]:
    """Every question answered, every answer wrong (a single choice's other option, the other truth)."""
    form: dict[str, list[str]] = {}
    for item, question in attempts.served(attempt):
        kind = question.kind
        form.update(form_values(question, item.position, kind.wrong_answer(question, random.Random(1), None)))
    return form


def make_class(reveal: str = "never", attempts_allowed: int | None = 1, due_in: timedelta = timedelta(days=2),
               time_limit: int | None = None, bank: str = "beta"):
    teacher = make_user(Role.INSTRUCTOR, "Teacher")
    room = teach.create_classroom(teacher, "History")
    now = utcnow()
    settings = teach.AssignmentSettings(open_at=now - timedelta(days=1), due_at=now + due_in,
                                        attempts_allowed=attempts_allowed, grading="highest", draw=None,
                                        time_limit_minutes=time_limit, reveal=reveal)
    (work,) = teach.assign(room, [bank_named(bank)], settings)
    pupil = make_user(name="Pupil")
    classwork.join(pupil, room)
    return room, work, pupil


def test_practice_never_serves_secure_questions(ctx):
    user = make_user()
    for seed in range(20):
        attempt = attempts.start_practice(user, bank_named("beta"), random.Random(seed))
        assert not {item.question_id for item in attempt.items} & SECURE
        attempts.submit(attempt, {})


def test_an_assignment_draws_secure_questions_first(ctx):
    _, work, pupil = make_class()
    attempt = classwork.start_assignment_attempt(pupil, work, rng=random.Random(3))
    ids = [item.question_id for item in attempt.items]
    assert SECURE <= set(ids) and len(ids) == 3 and attempt.number == 1


def test_one_attempt_means_one(ctx):
    _, work, pupil = make_class(attempts_allowed=1)
    first = classwork.start_assignment_attempt(pupil, work)
    assert classwork.start_assignment_attempt(pupil, work).id == first.id  # resumed, not a second
    attempts.submit(first, key_form(first))
    with pytest.raises(classwork.StartRefused, match="used your one attempt"):
        classwork.start_assignment_attempt(pupil, work)
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1


def test_the_database_refuses_a_second_open_attempt_and_a_repeated_number(ctx):
    """The rules hold even for a writer that skips the checks (what a race looks like)."""
    _, work, pupil = make_class(attempts_allowed=None)
    bank = bank_named("beta")
    first = classwork.start_assignment_attempt(pupil, work)
    for fields in ({"assignment_id": work.id, "number": 2}, {"assignment_id": work.id, "number": 1,
                                                             "state": AttemptState.FINISHED}):
        with pytest.raises(IntegrityError):
            attempts.create_attempt(pupil, bank, 1, random.Random(), **fields)
        db.session.rollback()
    practice = attempts.start_practice(pupil, bank)
    with pytest.raises(IntegrityError):
        attempts.create_attempt(pupil, bank, 1, random.Random())
    db.session.rollback()
    assert {first.id, practice.id} == set(db.session.scalars(db.select(Attempt.id)))


@pytest.mark.parametrize("how", ["close", "remove", "archive"])
def test_closing_removing_or_archiving_stops_an_open_attempt(ctx, how):
    room, work, pupil = make_class()
    attempt = classwork.start_assignment_attempt(pupil, work)
    if how == "close":
        teach.set_closed(work, True)
    elif how == "remove":
        teach.remove_student(room, pupil.id)
    else:
        teach.update_classroom(room, archived=True)
    refusal = classwork.submission_refusal(attempt)
    assert refusal
    outcome = attempts.submit(attempt, key_form(attempt), assignment=work, refusal=refusal)
    assert outcome.refused and not outcome.graded
    stored = db.session.get(Attempt, attempt.id)
    assert stored.state == AttemptState.IN_PROGRESS and stored.score is None
    assert stored.draft  # kept as a draft the instructor can see
    if how == "remove":
        rows = teach.class_attempts(room, pupil)
        assert rows == [stored]
        draft_answers = attempts.attempt_answers(stored)
        assert all(row.answer != "No answer" for row in draft_answers)


@pytest.mark.parametrize("how", ["open", "close", "remove", "archive", "practice"])
def test_the_submits_one_query_answers_as_the_attempt_and_its_hand_in_check_do(ctx, how):
    """`attempt_to_hand_in` (a submit's one query) says what `attempt_for` and `hand_in` say, whatever
    the state of the assignment, the class and the student; another user's attempt is not found."""
    room, work, pupil = make_class()
    if how == "practice":
        attempt = attempts.start_practice(pupil, bank_named("beta"))
    else:
        attempt = classwork.start_assignment_attempt(pupil, work)
    if how == "close":
        teach.set_closed(work, True)
    elif how == "remove":
        teach.remove_student(room, pupil.id)
    elif how == "archive":
        teach.update_classroom(room, archived=True)
    db.session.expire_all()
    found, handing_in = classwork.attempt_to_hand_in(pupil, attempt.id)
    expected = classwork.hand_in(attempts.attempt_for(pupil, attempt.id))
    assert found is attempts.attempt_for(pupil, attempt.id)
    assert (handing_in.assignment, handing_in.refusal, handing_in.lms) == \
        (expected.assignment, expected.refusal, expected.lms)
    assert (handing_in.refusal is None) == (how in ("open", "practice"))
    assert (handing_in.assignment is None) == (how == "practice")
    with pytest.raises(NotFound):
        classwork.attempt_to_hand_in(make_user(name="Someone else"), attempt.id)


def test_a_removed_student_cannot_rejoin_until_readmitted(ctx):
    room, _, pupil = make_class()
    teach.remove_student(room, pupil.id)
    with pytest.raises(classwork.Removed):
        classwork.join(pupil, room)
    teach.readmit_student(room, pupil.id)
    assert classwork.join(pupil, room) is False  # already a member again
    assert classwork.submission_refusal(Attempt(user_id=pupil.id, assignment_id=None)) is None


def test_instructors_see_only_their_own_classes_work(ctx):
    room, work, pupil = make_class()
    other_room, other_work, _ = make_class()
    classwork.join(pupil, other_room)
    mine = classwork.start_assignment_attempt(pupil, work)
    theirs = classwork.start_assignment_attempt(pupil, other_work)
    practice = attempts.start_practice(pupil, bank_named("alpha"))
    assert teach.class_attempts(room, pupil) == [mine]
    assert teach.class_attempts(other_room, pupil) == [theirs]
    teach.update_classroom(room, share_practice=True)
    assert {a.id for a in teach.class_attempts(room, pupil)} == {mine.id, practice.id}
    with pytest.raises(NotFound):
        teach.class_attempt(other_room, mine.id)
    assert teach.class_attempt(room, mine.id).id == mine.id


def test_drafts_are_saved_restored_and_never_count(ctx):
    user = make_user()
    attempt = attempts.start_practice(user, bank_named("alpha"), random.Random(2))
    form = key_form(attempt)
    first_half = dict(list(form.items())[: len(form) // 2])
    attempts.save_draft(attempt, {**first_half, "csrf_token": ["x"], "leave": ["1"]}, utcnow())
    stored = db.session.get(Attempt, attempt.id)
    assert stored.state == AttemptState.IN_PROGRESS and stored.draft == first_half
    rows, refill = attempts.shown(stored)
    assert len(rows) == len(stored.items) and len(refill) == len(first_half)  # in the page's own names
    assert set(refill).isdisjoint(set(first_half) - {k for k in first_half if "-" not in k})
    assert attempts.submit(stored, form).graded
    with pytest.raises(Conflict):
        attempts.save_draft(db.session.get(Attempt, attempt.id), form, utcnow())


def test_unanswered_questions_ask_before_grading(ctx):
    user = make_user()
    attempt = attempts.start_practice(user, bank_named("alpha"), random.Random(2))
    form = key_form(attempt)
    some = dict(list(form.items())[:1])
    outcome = attempts.submit(attempt, some, confirmed=False)
    assert outcome.unanswered and not outcome.graded
    assert db.session.get(Attempt, attempt.id).draft == some
    assert attempts.submit(db.session.get(Attempt, attempt.id), {}, use_draft=True).graded


def test_when_time_runs_out_the_answers_saved_by_then_count(ctx):
    _, work, pupil = make_class(time_limit=10, attempts_allowed=None)
    start = utcnow()
    attempt = classwork.start_assignment_attempt(pupil, work, now=start)
    form = key_form(attempt)
    attempts.save_draft(attempt, form, start + timedelta(minutes=9))
    late = start + timedelta(minutes=20)
    with pytest.raises(Conflict, match="Time ran out"):
        attempts.save_draft(attempt, {}, late)
    outcome = attempts.submit(db.session.get(Attempt, attempt.id), {}, late, assignment=work)
    assert outcome.graded and outcome.timed_out
    stored = db.session.get(Attempt, attempt.id)
    assert stored.timed_out and stored.score == 1.0  # the saved answers, not the empty late post

    second = classwork.start_assignment_attempt(pupil, work, now=late)
    assert attempts.finish_if_expired(second, late + timedelta(minutes=30), work)
    assert db.session.get(Attempt, second.id).score == 0.0


def cards(user) -> set[str]:
    return set(db.session.scalars(db.select(ReviewCard.question_id).where(ReviewCard.user_id == user.id)))


def test_secure_questions_become_review_cards_only_once_revealed(ctx):
    _, work, pupil = make_class(reveal="never")
    attempt = classwork.start_assignment_attempt(pupil, work)
    attempts.submit(attempt, wrong_form(attempt), assignment=work)
    assert not cards(pupil) & SECURE
    assert attempts.release_reviews(pupil, utcnow() + timedelta(days=30)) == 0

    _, later, pupil2 = make_class(reveal="after_due", due_in=timedelta(hours=1))
    attempt = classwork.start_assignment_attempt(pupil2, later)
    attempts.submit(attempt, wrong_form(attempt), assignment=later)
    assert not cards(pupil2) & SECURE
    assert attempts.release_reviews(pupil2, utcnow()) == 0  # not due yet
    assert attempts.release_reviews(pupil2, utcnow() + timedelta(hours=2)) == 1
    assert SECURE <= cards(pupil2)
    assert attempts.release_reviews(pupil2, utcnow() + timedelta(hours=3)) == 0  # once


def test_review_counters_add_up(ctx):
    user = make_user()
    question = get_catalog().questions["alpha-single"]
    from resetlab.review import services as review

    for i in range(5):
        from resetlab.database import begin_write

        begin_write()
        review.record(user.id, [review.Answered(question, 0.0)], utcnow() + timedelta(minutes=i), "quiz")
        db.session.commit()
    card = db.session.scalar(db.select(ReviewCard).where(ReviewCard.user_id == user.id))
    assert (card.reviews, card.lapses, card.version) == (5, 5, 5)


def test_assignments_of_a_class_still_show_for_students(ctx):
    _, work, pupil = make_class()
    assert [t.assignment.id for t in classwork.todo_for(pupil)] == [work.id]
    assert db.session.get(Assignment, work.id).draw == 3


def test_a_unit_of_work_is_repeated_when_postgresql_breaks_a_deadlock(ctx):
    from sqlalchemy.exc import OperationalError

    from resetlab.database import retrying

    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def unit():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("UPDATE review_card", {}, Deadlock())
        return "done"

    assert retrying(unit) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(OperationalError):
        retrying(lambda: (_ for _ in ()).throw(OperationalError("x", {}, Exception("disk full"))))


def test_deleting_a_class_with_an_open_attempt_keeps_the_students_practice(ctx):
    from resetlab.account.services import delete_classroom

    room, work, pupil = make_class(bank="alpha")
    open_id = classwork.start_assignment_attempt(pupil, work).id
    practice_id = attempts.start_practice(pupil, bank_named("alpha")).id
    assert delete_classroom(room, room.name)
    assert db.session.get(Attempt, open_id) is None  # a draft for a class that is gone
    assert db.session.get(Attempt, practice_id).state == AttemptState.IN_PROGRESS
