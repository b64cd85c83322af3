"""Guest practice, saving progress, review cards and sessions, through HTTP."""

from __future__ import annotations

import random
from datetime import timedelta

from resetlab.core.questions import form_values, key_answer
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Attempt, LessonRead, ReviewCard, ReviewLog, User, utcnow
from resetlab.study import attempts

from ..helpers import PASSWORD, csrf_token, login, logout, post, signup, submit_attempt


def start(client, slug="alpha") -> int:
    response = post(client, f"/quiz/{slug}/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def answer_all(app, client, attempt_id, right: set[str] = frozenset(), unsure: set[str] = frozenset()):
    data: dict = {}
    with app.app_context():
        for item, q in attempts.served(db.session.get(Attempt, attempt_id)):
            if q.id in right:
                data.update(form_values(q, item.position, key_answer(q)))
            if q.id in unsure:
                data[f"g{item.position}"] = "1"
    return submit_attempt(app, client, attempt_id, data)


def users(app):
    with app.app_context():
        return db.session.scalars(db.select(User)).all()


def cards(app):
    with app.app_context():
        return {c.question_id: c for c in db.session.scalars(db.select(ReviewCard))}


def test_visitor_practises_as_guest_without_signing_up(app, client):
    attempt_id = start(client)
    (guest,) = users(app)
    assert guest.is_guest and guest.email is None and guest.password_hash is None
    assert answer_all(app, client, attempt_id).status_code == 302
    assert "0%" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Save my progress" in client.get("/").get_data(as_text=True)
    post(client, "/lessons/beta/read")
    assert "Lessons read: 1 of 2" in client.get("/progress").get_data(as_text=True)


def test_missed_and_unsure_questions_become_cards(app, student):
    attempt_id = start(student)
    answer_all(app, student, attempt_id, right={"alpha-tf", "alpha-year"}, unsure={"alpha-year"})
    found = cards(app)
    assert set(found) == {"alpha-single", "alpha-multi", "alpha-text", "alpha-order", "alpha-match",
                          "alpha-year"}
    assert all(c.due_at <= utcnow() + timedelta(minutes=10) for c in found.values())
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewLog)) == 7


def test_save_progress_keeps_everything(app, client):
    attempt_id = start(client)
    answer_all(app, client, attempt_id)
    post(client, "/lessons/alpha/read")
    (guest,) = users(app)
    response = signup(client, email="kim@example.org", name="Kim")
    assert response.status_code == 302
    (user,) = users(app)
    assert user.id == guest.id and not user.is_guest and user.email == "kim@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert client.get(f"/attempts/{attempt_id}").status_code == 200
    logout(client)
    login(client, "kim@example.org")
    assert "Lessons read: 1 of 2" in client.get("/progress").get_data(as_text=True)


def test_guest_logging_in_merges_into_the_account(app, client):
    signup(client)
    logout(client)
    attempt_id = start(client)
    answer_all(app, client, attempt_id)
    assert len(users(app)) == 2
    assert login(client).status_code == 302
    (account,) = users(app)
    assert account.email == "ana@example.org"
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).user_id == account.id
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewCard)) == 7


def test_guests_are_asked_to_save_before_joining_a_class(client):
    start(client)
    response = client.get("/join")
    assert response.status_code == 302 and "/auth/signup" in response.headers["Location"]


def make_due(app):
    """Move every card's due time into the past (a missed card is due a minute after the quiz)."""
    with app.app_context():
        db.session.execute(db.update(ReviewCard).values(due_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()


def review_answer(app, client, right: bool):
    page = client.get("/review").get_data(as_text=True)
    assert "Check my answer" in page
    card_id = int(page.split('action="/review/')[1].split('"')[0])
    version = page.split('name="version" value="')[1].split('"')[0]
    with app.app_context():
        card = db.session.get(ReviewCard, card_id)
        question = next(q for b in get_catalog().banks.values() for q in b.questions
                        if q.id == card.question_id)
    data = {"csrf_token": csrf_token(client, "/review"), "version": version}
    answer = key_answer(question) if right else question.kind.wrong_answer(question, random.Random(1), None)
    data.update(form_values(question, 0, answer))
    return card_id, data, client.post(f"/review/{card_id}", data=data)


def test_review_session_reschedules_each_card_once(app, student):
    answer_all(app, student, start(student))
    assert "Review — 0 due" in student.get("/").get_data(as_text=True)
    make_due(app)
    assert "Review — 7 due" in student.get("/").get_data(as_text=True)
    card_id, data, response = review_answer(app, student, right=True)
    assert response.status_code == 200 and "Right" in response.get_data(as_text=True)
    with app.app_context():
        card = db.session.get(ReviewCard, card_id)
        assert card.due_at > utcnow() and card.version == 2
    again = student.post(f"/review/{card_id}", data=data)  # double click / resend
    assert "already recorded" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ReviewCard, card_id).version == 2
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewLog).where(
            ReviewLog.source == "review")) == 1
    _, _, wrong = review_answer(app, student, right=False)
    assert "Not yet" in wrong.get_data(as_text=True) and "Right answer" in wrong.get_data(as_text=True)


def test_review_rejects_tampered_answers_and_other_peoples_cards(app, student):
    answer_all(app, student, start(student))
    make_due(app)
    with app.app_context():
        found = {c.id: next(q for b in get_catalog().banks.values() for q in b.questions
                            if q.id == c.question_id) for c in db.session.scalars(db.select(ReviewCard))}
    assert {q.type for q in found.values()} == {"single", "multi", "text", "numeric", "order", "match",
                                                "truefalse"}
    for card_id, question in found.items():
        bad = {"csrf_token": csrf_token(student, "/review"), "version": "1"}
        expected = 400
        if question.type == "order":
            bad[f"a0-{question.body.items[0].id}"] = "9"
        elif question.type == "match":
            bad[f"a0-{question.body.lefts[0].id}"] = "c00000000"
        elif question.type == "text":
            bad["a0"], expected = "x" * 500, 422
        elif question.type == "numeric":
            bad["a0"], expected = "not a year", 422
        else:  # single, multi, truefalse
            bad["a0"] = "c00000000"
        assert student.post(f"/review/{card_id}", data=bad).status_code == expected, question.type
    with app.app_context():
        assert {c.version for c in db.session.scalars(db.select(ReviewCard))} == {1}
    card_id = next(iter(found))
    other = app.test_client()
    signup(other, email="bo@example.org", name="Bo")
    assert other.post(f"/review/{card_id}", data={"csrf_token": csrf_token(other), "version": "1"}
                      ).status_code == 404


def test_checking_before_answering_records_nothing(app, student):
    answer_all(app, student, start(student))
    make_due(app)
    ids = list(cards(app).values())
    for card in ids:  # every question type: a blank form is a prompt to answer, never a miss
        response = student.post(f"/review/{card.id}", data={"csrf_token": csrf_token(student, "/review"),
                                                             "version": "1"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Answer the question first" in page, card.question_id
        assert 'id="q0-error"' in page and "Not yet" not in page
    with app.app_context():
        assert {c.version for c in db.session.scalars(db.select(ReviewCard))} == {1}
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewLog).where(
            ReviewLog.source == "review")) == 0


def test_nothing_due_page_and_streak(app, student):
    assert "Nothing is due" in student.get("/review").get_data(as_text=True)
    answer_all(app, student, start(student), right={"alpha-single", "alpha-multi", "alpha-tf", "alpha-text",
                                                     "alpha-year", "alpha-order", "alpha-match"})
    assert "Streak: 1 day" in student.get("/").get_data(as_text=True)


def test_review_can_raise_mastery(app, student):
    everything = {"alpha-single", "alpha-multi", "alpha-tf", "alpha-text", "alpha-year", "alpha-order",
                  "alpha-match"}
    answer_all(app, student, start(student), right=everything - {"alpha-single", "alpha-tf", "alpha-year"})
    assert 'level-2">Familiar' not in student.get("/progress").get_data(as_text=True)
    make_due(app)
    for _ in range(3):
        review_answer(app, student, right=True)
    progress = student.get("/progress").get_data(as_text=True)
    assert 'level-3">Proficient' in progress  # a day's review of 3+ questions counts as a perfect attempt


def test_instructor_sees_review_activity_only_when_the_class_shares_practice(app, instructor, student):
    response = post(instructor, "/teach/classes", {"name": "R"})
    classroom_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        from resetlab.models import Classroom

        code = db.session.get(Classroom, classroom_id).join_code
        student_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    post(student, "/join", {"code": code})
    answer_all(app, student, start(student))
    make_due(app)
    url = f"/teach/classes/{classroom_id}/students/{student_id}"
    page = instructor.get(url).get_data(as_text=True)
    assert "review cards" not in page and "stay private to the student" in page  # practice is private
    post(instructor, f"/teach/classes/{classroom_id}/settings", {"action": "share-practice"})
    page = instructor.get(url).get_data(as_text=True)
    assert "7 review cards" in page and "<strong>7</strong> due now" in page


def test_purge_guests_cli(app, client, runner):
    start(client)
    with app.app_context():
        guest = db.session.scalars(db.select(User)).one()
        guest.created_at -= timedelta(days=100)
        db.session.execute(db.update(Attempt).values(started_at=Attempt.started_at - timedelta(days=100)))
        db.session.commit()
    result = runner.invoke(args=["users", "purge-guests", "--days", "90", "--yes"])
    assert result.exit_code == 0 and "1 guest" in result.output
    assert users(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LessonRead)) == 0
    assert PASSWORD
