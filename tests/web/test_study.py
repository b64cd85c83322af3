"""Reading, quizzes, results and progress through HTTP, as a student does it."""

from __future__ import annotations

import re
import shutil

from resetlab.core.questions import key_answer
from resetlab.extensions import db
from resetlab.factory import create_app
from resetlab.models import Attempt, AttemptItem, LessonRead
from resetlab.study import attempts

from .. import helpers
from ..helpers import csrf_token, post, signup, submit_attempt


def start_quiz(client, slug="alpha") -> int:
    response = post(client, f"/quiz/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def served(app, attempt_id):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return [(item.position, q, list(item.presentation)) for item, q in attempts.served(attempt)]


def key_form(app, attempt_id, wrong: set[str] = frozenset()) -> dict:
    """Form data answering every question with its key (or blank for ids in `wrong`)."""
    from resetlab.core.questions import form_values

    data: dict = {}
    for position, q, _ in served(app, attempt_id):
        if q.id not in wrong:
            data.update(form_values(q, position, key_answer(q)))
    return data


def submit(client, attempt_id, data):
    return submit_attempt(client.application, client, attempt_id, data)


def test_home_lists_lessons_in_order(client):
    page = client.get("/").get_data(as_text=True)
    assert page.index("Alpha: the first lesson") < page.index("Beta: the second lesson")
    assert "Fixture final exam" in page
    assert page.count("<h1") == 1


def test_anonymous_can_read_and_see_the_quiz_page(client):
    page = client.get("/lessons/alpha").get_data(as_text=True)
    assert 'id="button"' in page and "In this lesson" in page and "1 min read" in page
    assert "Mark as read" in page
    assert "Start the quiz" in client.get("/quiz/alpha").get_data(as_text=True)
    assert client.get("/progress").status_code == 302  # nothing to show until they practise
    assert client.get("/lessons/nope").status_code == 404


def test_mark_read_records_once(app, student):
    post(student, "/lessons/alpha/read")
    post(student, "/lessons/alpha/read")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LessonRead)) == 1
    assert "You have read this lesson" in student.get("/lessons/alpha").get_data(as_text=True)
    assert post(student, "/lessons/zzz/read").status_code == 404


def test_quiz_flow_full_marks(app, student):
    attempt_id = start_quiz(student)
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count('class="question') == 7
    response = submit(student, attempt_id, key_form(app, attempt_id))
    assert response.status_code == 302
    result = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "100%" in result and "7 of 7 fully right" in result
    assert "/lessons/beta#meeting" in result  # the section link of the cross-lesson question
    progress = student.get("/progress").get_data(as_text=True)
    assert "Proficient" in progress


def test_result_shows_answer_key_and_explanation(app, student):
    attempt_id = start_quiz(student)
    submit(student, attempt_id, key_form(app, attempt_id, wrong={"alpha-text", "alpha-single"}))
    result = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'perezagruzka or <span lang="ru">перезагрузка</span>' in result  # language of parts
    assert "It showed <em>peregruzka</em>, which means overload." in result
    assert "No answer" in result and "Reread: The button" in result
    with app.app_context():
        assert round(db.session.get(Attempt, attempt_id).score, 4) == round(5 / 7, 4)


def test_options_are_shuffled_per_attempt(app, student):
    orders = set()
    for _ in range(6):
        attempt_id = start_quiz(student)
        single = next(p for _, q, p in served(app, attempt_id) if q.id == "alpha-single")
        orders.add(tuple(single))
        submit(student, attempt_id, {})
    assert len(orders) > 1


def test_double_submit_grades_once(app, student):
    attempt_id = start_quiz(student)
    data = key_form(app, attempt_id)
    first = submit(student, attempt_id, data)
    second = submit(student, attempt_id, {})  # e.g. the back button and an empty form
    assert first.status_code == second.status_code == 302
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "already submitted" in page and "100%" in page
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1.0


def test_start_resumes_open_attempt(student):
    assert start_quiz(student) == start_quiz(student)


def test_tampered_option_is_rejected_and_nothing_stored(app, student):
    attempt_id = start_quiz(student)
    single_pos = next(p for p, q, _ in served(app, attempt_id) if q.id == "alpha-single")
    data = key_form(app, attempt_id)
    data[f"a{single_pos}"] = "c00000000"
    response = submit(student, attempt_id, data)
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "in_progress" and attempt.score is None
        assert all(item.response is None for item in attempt.items)


def test_fixable_mistake_keeps_every_answer(app, student):
    attempt_id = start_quiz(student)
    items = {q.id: (p, q) for p, q, _ in served(app, attempt_id)}
    data = key_form(app, attempt_id)
    order_pos, order_q = items["alpha-order"]
    for item in order_q.body.items:
        data[f"a{order_pos}-{item.id}"] = "1"  # every event in position 1
    year_pos, _ = items["alpha-year"]
    data[f"a{year_pos}"] = "the year two thousand"
    response = submit(student, attempt_id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use each position once" in page and "Enter a number" in page
    text_pos, _ = items["alpha-text"]
    assert f'name="a{text_pos}"' in page and 'value="perezagruzka"' in page
    assert "the year two thousand" in page
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "in_progress"


def test_other_students_attempt_is_404(app, student):
    attempt_id = start_quiz(student)
    other = app.test_client()
    signup(other, email="bo@example.org", name="Bo")
    assert other.get(f"/attempts/{attempt_id}").status_code == 404
    token = csrf_token(other)
    assert other.post(f"/attempts/{attempt_id}", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "in_progress"


def test_submit_without_csrf_is_refused(app, student):
    attempt_id = start_quiz(student)
    response = student.post(f"/attempts/{attempt_id}", data=key_form(app, attempt_id))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "in_progress"


def test_unknown_quiz_is_404(student):
    assert student.get("/quiz/nope").status_code == 404
    assert post(student, "/quiz/nope/start").status_code == 404


def test_final_exam_draws_across_lessons(app, student):
    attempt_id = start_quiz(student, "final-exam")
    ids = {q.id for _, q, _ in served(app, attempt_id)}
    assert len(ids) == 4
    assert any(i.startswith("alpha-") for i in ids) and any(i.startswith("beta-") for i in ids)


def test_editing_a_bank_never_changes_a_past_attempt(app, student, tmp_path):
    attempt_id = start_quiz(student)
    submit(student, attempt_id, key_form(app, attempt_id))
    before = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    course = tmp_path / "edited"
    shutil.copytree(helpers.CONTENT, course)
    bank = course / "quizzes" / "alpha.toml"
    bank.write_text(bank.read_text().replace("answer = 0\nexplanation = \"It showed",
                                             "answer = 2\nexplanation = \"Now it says").replace(
        "Which word did the button show?", "Edited prompt?"))
    config = helpers.make_config(tmp_path, LESSONS_DIR=str(course / "lessons"),
                                  QUIZZES_DIR=str(course / "quizzes"), CONTENT_ROOT=str(course))
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    edited = create_app(config)
    client = edited.test_client()
    with client.session_transaction() as s, student.session_transaction() as old:
        s.update(dict(old))
    after = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    strip = re.compile(r'name="csrf[_-]token"[^>]*>|request id <code>\w+</code>')
    assert strip.sub("", before) .replace("This quiz was already submitted", "") == strip.sub("", after)
    assert "100%" in after and "Edited prompt?" not in after
    with edited.app_context():
        db.engine.dispose()


def test_snapshot_stores_hash_and_presentation(app, student):
    attempt_id = start_quiz(student)
    with app.app_context():
        items = db.session.scalars(db.select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id)).all()
        stored = attempts.versions(item.content_hash for item in items)
        for item in items:
            q = stored[item.content_hash]
            assert item.content_hash == q.content_hash and q.id == item.question_id
            if q.type in ("single", "multi"):
                assert sorted(item.presentation) == sorted(c.id for c in q.body.options)


def test_progress_page_and_history(app, student):
    post(student, "/lessons/beta/read")
    attempt_id = start_quiz(student, "beta")
    submit(student, attempt_id, {})
    page = student.get("/progress").get_data(as_text=True)
    assert "Lessons read: 1 of 2" in page and "Attempted" in page and "0%" in page
    history = student.get("/attempts").get_data(as_text=True)
    assert "Beta quiz" in history
    home = student.get("/").get_data(as_text=True)
    assert "Best 0%" in home


def test_glossary_and_timeline_pages(client):
    glossary = client.get("/glossary").get_data(as_text=True)
    assert '<span lang="ru">перегрузка</span> (peregruzka)' in glossary  # marked as Russian
    assert "/lessons/alpha#button" in glossary
    timeline = client.get("/timeline").get_data(as_text=True)
    assert timeline.index("16 June 2001") < timeline.index("6 March 2009")
    assert "/lessons/beta#meeting" in timeline
