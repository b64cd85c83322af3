"""Graded work over HTTP: opaque option ids, drafts and resuming, confirming blanks, closing, and no key of
a secure question anywhere a student can reach before its reveal."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta

from resetlab.core.questions import form_values, key_answer
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, Attempt, AttemptState, Classroom, ReviewCard, User, utcnow
from resetlab.study import attempts

from ..helpers import PASSWORD, as_page, csrf_token, login, post, signup, submit_attempt

SECURE_EXPLANATION = "Assessment-only explanation"


def make_class(app, instructor, reveal="never", attempts_allowed="1", bank="beta", time_limit=""):
    response = post(instructor, "/teach/classes", {"name": "History 11"})
    classroom_id = int(response.headers["Location"].rsplit("/", 1)[1])
    now = utcnow()
    post(instructor, f"/teach/classes/{classroom_id}/assign", {
        "banks": [bank], "open_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "attempts_allowed": attempts_allowed,
        "grading": "highest", "draw": "", "time_limit_minutes": time_limit, "reveal": reveal})
    with app.app_context():
        room = db.session.get(Classroom, classroom_id)
        work = db.session.scalar(db.select(Assignment).where(Assignment.classroom_id == classroom_id))
        return classroom_id, room.join_code, work.id


def join_and_start(app, student, code, assignment_id) -> int:
    post(student, "/join", {"code": code})
    response = post(student, f"/assignments/{assignment_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def real_ids(app, attempt_id) -> set[str]:
    with app.app_context():
        asked = attempts.served(db.session.get(Attempt, attempt_id))
        return {c.id for _, q in asked for c in q.kind.choices(q)}


def key_form(app, attempt_id, only=None) -> dict:
    with app.app_context():
        form: dict = {}
        for item, q in attempts.served(db.session.get(Attempt, attempt_id)):
            if only is None or item.position in only:
                form.update(form_values(q, item.position, key_answer(q)))
        return form


def test_the_attempt_page_shows_only_opaque_option_ids(app, student):
    attempt_id = int(post(student, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    ids = real_ids(app, attempt_id)
    assert ids and not any(i in page for i in ids)
    pack = student.get("/api/practice/alpha.json").get_data(as_text=True)
    shown = set(re.findall(r'value="(o[0-9a-f]{12})"', page))
    assert shown and not any(i in pack for i in shown)  # a pack's ids say nothing about the page's
    # A script that copies the pack's (real) ids is refused, not graded.
    token = csrf_token(student, f"/attempts/{attempt_id}")
    data = dict(key_form(app, attempt_id), csrf_token=token, confirm="1")
    response = student.post(f"/attempts/{attempt_id}", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == AttemptState.IN_PROGRESS
    assert submit_attempt(app, student, attempt_id, key_form(app, attempt_id)).status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 1.0


def test_answers_are_saved_and_resume_after_logging_in_elsewhere(app, student):
    attempt_id = int(post(student, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    half = key_form(app, attempt_id, only={0, 1, 2})
    data = dict(as_page(app, attempt_id, half), csrf_token=csrf_token(student, f"/attempts/{attempt_id}"))
    saved = student.post(f"/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    other_device = app.test_client()
    assert login(other_device).status_code == 302
    page = other_device.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    for name, values in as_page(app, attempt_id, half).items():
        for value in values:
            assert re.search(rf'name="{re.escape(name)}" value="{re.escape(value)}" checked', page) \
                or re.search(rf'name="{re.escape(name)}"[^>]*value="{re.escape(value)}"', page) \
                or f'value="{value}" selected' in page, (name, value)
    with app.app_context():
        stored = db.session.get(Attempt, attempt_id)
        assert stored.state == AttemptState.IN_PROGRESS and stored.score is None  # a draft is no submission
    # Without JavaScript: "Save and leave" posts the form to the save URL and goes back to the quiz page.
    response = student.post(f"/attempts/{attempt_id}/save", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/quiz/alpha")


def test_saving_after_submitting_is_refused_with_a_reason(app, student):
    attempt_id = int(post(student, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    submit_attempt(app, student, attempt_id, key_form(app, attempt_id))
    data = {"csrf_token": csrf_token(student, f"/attempts/{attempt_id}")}
    response = student.post(f"/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 409 and "already submitted" in response.get_json()["error"]


def test_blank_answers_ask_for_a_confirmation_first(app, student):
    attempt_id = int(post(student, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    some = key_form(app, attempt_id, only={0})
    response = submit_attempt(app, student, attempt_id, some, confirm=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "6 of 7 questions not answered yet" in page
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == AttemptState.IN_PROGRESS
    token = csrf_token(student, f"/attempts/{attempt_id}")
    response = student.post(f"/attempts/{attempt_id}",
                            data={"csrf_token": token, "confirm": "1", "use_draft": "1"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Attempt, attempt_id)
        assert stored.state == AttemptState.FINISHED and 0 < stored.score < 1


def test_closing_stops_an_open_attempt_and_the_instructor_sees_the_draft(app, instructor, student):
    classroom_id, code, assignment_id = make_class(app, instructor, reveal="immediately")
    attempt_id = join_and_start(app, student, code, assignment_id)
    post(instructor, f"/teach/assignments/{assignment_id}/close", {"closed": "1"})
    response = submit_attempt(app, student, attempt_id, key_form(app, attempt_id))
    assert response.status_code == 302
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "closed this assignment" in page and "Submit answers" not in page
    with app.app_context():
        stored = db.session.get(Attempt, attempt_id)
        assert stored.state == AttemptState.IN_PROGRESS and stored.draft
    view = instructor.get(f"/teach/classes/{classroom_id}/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not handed in" in view and "No answer" not in view


def test_a_removed_student_is_refused_until_readmitted(app, instructor, student):
    classroom_id, code, _ = make_class(app, instructor)
    post(student, "/join", {"code": code})
    with app.app_context():
        student_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    post(instructor, f"/teach/classes/{classroom_id}/students/{student_id}/remove")
    response = post(student, "/join", {"code": code}, follow_redirects=True)
    assert "removed you from this class" in response.get_data(as_text=True)
    roster = instructor.get(f"/teach/classes/{classroom_id}/roster").get_data(as_text=True)
    assert "Removed students (1)" in roster
    post(instructor, f"/teach/classes/{classroom_id}/students/{student_id}/readmit")
    assert "Roster (1)" in instructor.get(f"/teach/classes/{classroom_id}/roster").get_data(as_text=True)


def test_a_shared_students_other_classes_stay_private(app, instructor, student):
    mine, my_code, my_work = make_class(app, instructor)
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    theirs, their_code, their_work = make_class(app, other)
    join_and_start(app, student, my_code, my_work)
    their_attempt = join_and_start(app, student, their_code, their_work)
    with app.app_context():
        student_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    page = instructor.get(f"/teach/classes/{mine}/students/{student_id}").get_data(as_text=True)
    assert f"/attempts/{their_attempt}" not in page
    assert instructor.get(f"/teach/classes/{mine}/attempts/{their_attempt}").status_code == 404
    assert instructor.get(f"/teach/classes/{theirs}/attempts/{their_attempt}").status_code == 404


def student_urls(app, attempt_id, assignment_id) -> list[str]:
    with app.app_context():
        catalog = get_catalog()
        banks, lessons = list(catalog.banks), [lesson.slug for lesson in catalog.lessons]
    return (["/", "/progress", "/attempts", f"/attempts/{attempt_id}", f"/assignments/{assignment_id}",
             "/review", "/glossary", "/timeline", "/offline", "/sw.js", "/manifest.webmanifest"]
            + [f"/lessons/{s}" for s in lessons]
            + [u for b in banks for u in (f"/quiz/{b}", f"/practice/{b}", f"/api/practice/{b}.json")])


def test_no_key_of_a_secure_question_reaches_a_student_before_its_reveal(app, instructor, student):
    classroom_id, code, assignment_id = make_class(app, instructor, reveal="never")
    attempt_id = join_and_start(app, student, code, assignment_id)
    with app.app_context():
        asked = attempts.served(db.session.get(Attempt, attempt_id))
        secure = {q.id: q for _, q in asked if q.id.startswith("beta-secure")}
        wrong = {}
        for item, q in asked:
            wrong.update(form_values(q, item.position, q.kind.wrong_answer(q, random.Random(1), None)))
    assert len(secure) == 2
    submit_attempt(app, student, attempt_id, wrong)
    with app.app_context():
        db.session.execute(db.update(ReviewCard).values(due_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    urls = student_urls(app, attempt_id, assignment_id)
    pages = {url: student.get(url).get_data(as_text=True) for url in urls}
    for url, body in pages.items():
        assert SECURE_EXPLANATION not in body, url
        for q in secure.values():
            assert q.prompt not in body, url
    for slug_url in [u for u in pages if u.startswith("/api/practice/")]:
        pack = json.loads(pages[slug_url])
        assert not {q["id"] for q in pack["questions"]} & set(secure), slug_url
    result = pages[f"/attempts/{attempt_id}"]
    assert "chosen not to show the answers" in result and "Right answer" not in result
    # Answering every review card never shows one either.
    for _ in range(12):
        card = student.get("/review").get_data(as_text=True)
        found = re.search(r'action="/review/(\d+)"', card)
        if not found:
            break
        token = csrf_token(student, "/review")
        feedback = student.post(f"/review/{found.group(1)}", data={"csrf_token": token, "version": "1"})
        assert SECURE_EXPLANATION not in feedback.get_data(as_text=True)
    with app.app_context():
        carded = set(db.session.scalars(db.select(ReviewCard.question_id)))
    assert carded and not carded & set(secure)


def test_signing_in_again_keeps_the_draft(app, client):
    assert signup(client).status_code == 302
    attempt_id = int(post(client, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    half = key_form(app, attempt_id, only={0})
    data = dict(as_page(app, attempt_id, half), csrf_token=csrf_token(client, f"/attempts/{attempt_id}"))
    client.post(f"/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    post(client, "/auth/logout")
    assert client.get(f"/attempts/{attempt_id}").status_code == 302  # logged out
    assert login(client, password=PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).draft == {k: [v] if isinstance(v, str) else v
                                                             for k, v in half.items()}


def test_odd_fields_never_break_a_submit_or_a_timed_out_attempt(app, instructor, student):
    """A 'not sure' mark with a non-ASCII digit is ignored; a saved draft holding a value no page could
    send (a made-up option, a position of thousands of digits) counts as blank once time runs out, and
    the rest is graded: the attempt never stays open with every page of it failing."""
    classroom_id, code, assignment_id = make_class(app, instructor, reveal="immediately",
                                                   attempts_allowed="2", time_limit="5")
    first = join_and_start(app, student, code, assignment_id)
    assert submit_attempt(app, student, first, {**key_form(app, first), "g²": "1", "g" + "9" * 5000: "1"}
                          ).status_code == 302
    second = int(post(student, f"/assignments/{assignment_id}/start").headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        asked = attempts.served(db.session.get(Attempt, second))
    form = key_form(app, second)
    for item, q in asked[:1]:  # the first answer: made up, as a script would send it
        for name in form_values(q, item.position, key_answer(q)):
            form[name] = ["c" + "0" * 8] if q.kind.choices(q) and q.type != "order" else ["1" * 5000]
    draft = as_page(app, second, form)
    saved = student.post(f"/attempts/{second}/save", data={**draft, "csrf_token": csrf_token(student)})
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.get(Attempt, second)  # saved in time, and the time is up now
        stored.draft_saved_at = utcnow() - timedelta(minutes=6)
        stored.deadline_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    view = instructor.get(f"/teach/classes/{classroom_id}/attempts/{second}")
    assert view.status_code == 200
    assert student.get(f"/attempts/{second}").status_code == 200
    with app.app_context():
        done = db.session.get(Attempt, second)
        assert done.state == AttemptState.FINISHED and done.timed_out
        assert done.score == (len(asked) - 1) / len(asked)  # every other answer was the key
