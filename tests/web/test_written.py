"""Written answers over HTTP: pending scores everywhere a score appears, the grading queue (access,
saving, autosave, tampering), release, return for revision, reusable comments and the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from resetlab.core.questions import form_values, key_answer
from resetlab.extensions import db
from resetlab.models import (
    Assignment,
    Attempt,
    AttemptItem,
    Classroom,
    CommentSnippet,
    GradeStatus,
    ReviewCard,
    WrittenGrade,
    utcnow,
)
from resetlab.study import attempts
from resetlab.teach.dashboards import assignment_analysis

from ..helpers import csrf_token, post, signup, submit_attempt

LOW = re.compile(r"<strong>0%</strong>")  # a pending score shown as zero (a chart axis may say 0%)
ESSAY = "The button was a joke that worked: it showed the *symbol* mattered more than the word on it."


def assign_written(app, instructor, rubric: str = "", bank: str = "alpha", name: str = "History 11"):
    response = post(instructor, "/teach/classes", {"name": name})
    classroom_id = int(response.headers["Location"].rsplit("/", 1)[1])
    now = utcnow()
    response = post(instructor, f"/teach/classes/{classroom_id}/assign", {
        "banks": [bank], "open_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "attempts_allowed": "",
        "grading": "highest", "draw": "", "time_limit_minutes": "", "reveal": "immediately",
        "include_written": "y", "written_rubric": rubric})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        code = db.session.get(Classroom, classroom_id).join_code
        work = db.session.scalar(db.select(Assignment).where(Assignment.classroom_id == classroom_id))
        assert work.include_written
        return classroom_id, code, work.id


def take(app, client, code: str, assignment_id: int, essay: str | None = ESSAY) -> int:
    """Join, start, answer every machine-graded question right and write the essay (or leave it blank)."""
    post(client, "/join", {"code": code})
    response = post(client, f"/assignments/{assignment_id}/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        form: dict = {}
        for item, q in attempts.served(db.session.get(Attempt, attempt_id)):
            if q.kind.manual:
                if essay is not None:
                    form[f"a{item.position}"] = [essay]
            else:
                form.update(form_values(q, item.position, key_answer(q)))
    assert submit_attempt(app, client, attempt_id, form).status_code == 302
    return attempt_id


def new_student(app, email: str, name: str):
    client = app.test_client()
    assert signup(client, email, name).status_code == 302
    return client


def grade_ids(app, assignment_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(WrittenGrade.id).where(
            WrittenGrade.assignment_id == assignment_id).order_by(WrittenGrade.id)))


def grade_url(assignment_id: int, grade_id: int) -> str:
    return f"/teach/assignments/{assignment_id}/grading/alpha-essay/{grade_id}"


def send_grade(client, assignment_id, grade_id, levels=("2", "3"), action="next", comment="", **extra):
    token = csrf_token(client, grade_url(assignment_id, grade_id))
    data = {"csrf_token": token, "action": action, "comment": comment, **extra}
    data.update({f"c{i}": level for i, level in enumerate(levels)})
    return client.post(grade_url(assignment_id, grade_id), data=data, headers=extra.pop("headers", {}))


@pytest.fixture
def graded_class(app, student, instructor):
    """An assignment of alpha with its essay, taken by two students (Ana and Boris)."""
    classroom_id, code, work_id = assign_written(app, instructor)
    first = take(app, student, code, work_id)
    boris = new_student(app, "boris@example.org", "Boris")
    second = take(app, boris, code, work_id)
    return {"classroom": classroom_id, "work": work_id, "attempts": (first, second), "boris": boris,
            "code": code}


def test_written_answers_wait_for_grading_and_never_look_like_a_low_score(app, student, instructor,
                                                                           graded_class):
    work, room = graded_class["work"], graded_class["classroom"]
    first, _ = graded_class["attempts"]
    with app.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt.score is None and attempt.pending
        essay = next(i for i in attempt.items if i.question_id == "alpha-essay")
        assert essay.response == ESSAY and essay.score is None
        assert all(i.score == 1.0 for i in attempt.items if i.question_id != "alpha-essay")
    result = student.get(f"/attempts/{first}").get_data(as_text=True)
    assert "Awaiting grading" in result and "7 of 7 machine-graded questions fully right" in result
    assert not LOW.search(result)
    home = student.get("/").get_data(as_text=True)
    assert "Awaiting grading" in home
    grid = instructor.get(f"/teach/classes/{room}").get_data(as_text=True)
    assert "awaiting grading" in grid and not LOW.search(grid)
    gradebook = instructor.get(f"/teach/classes/{room}/gradebook.csv").get_data(as_text=True)
    ana = list(csv.reader(io.StringIO(gradebook)))[1]
    assert ana[2:5] == ["", "", "awaiting grading"]  # average and score empty, the status beside them
    overview = instructor.get(f"/teach/assignments/{work}/grading").get_data(as_text=True)
    assert "0 of 2 graded" in overview


def test_grading_keeps_scores_pending_until_release_then_scores_every_attempt(app, student, instructor,
                                                                             graded_class):
    work = graded_class["work"]
    first, second = graded_class["attempts"]
    one, two = grade_ids(app, work)
    start = instructor.get(f"/teach/assignments/{work}/grading/alpha-essay")
    assert start.status_code == 302 and start.headers["Location"].endswith(grade_url(work, one))
    page = instructor.get(grade_url(work, one)).get_data(as_text=True)
    assert "Response 1 of 2" in page and "Ana" not in page  # names hidden by default
    assert ESSAY.split("*")[0] in page and "<em>symbol</em>" in page
    response = send_grade(instructor, work, one, ("2", "3"), comment="Strong claim; date the button.")
    assert response.status_code == 302 and response.headers["Location"].endswith(grade_url(work, two))
    response = send_grade(instructor, work, two, ("1", "1"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assignments/{work}/grading")
    assert "2 of 2 graded" in instructor.get(f"/teach/assignments/{work}/grading").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, first).score is None  # graded, not released
    hidden = student.get(f"/attempts/{first}").get_data(as_text=True)
    assert "Awaiting grading" in hidden and "date the button" not in hidden
    confirm = instructor.get(f"/teach/assignments/{work}/grading/release").get_data(as_text=True)
    assert "2 graded written answers will be shown" in confirm
    response = post(instructor, f"/teach/assignments/{work}/grading/release")
    assert response.status_code == 302
    with app.app_context():
        a, b = db.session.get(Attempt, first), db.session.get(Attempt, second)
        assert a.score == pytest.approx((7 + 5 / 5) / 8)
        assert b.score == pytest.approx((7 + 2 / 5) / 8)
        assert db.session.get(Assignment, work).grades_released_at is not None
    shown = student.get(f"/attempts/{first}").get_data(as_text=True)
    assert "Graded: <strong>5 of 5 points</strong>" in shown and "Strong claim; date the button." in shown
    assert "Specific facts, weighed against each other." in shown  # the rubric cell chosen
    assert f"{round((7 + 1) / 8 * 100)}%" in shown
    # A regrade after release reaches the score at once.
    send_grade(instructor, work, two, ("2", "3"), action="save")
    with app.app_context():
        assert db.session.get(Attempt, second).score == pytest.approx(1.0)


def test_only_the_assignments_instructor_reaches_its_queue(app, student, instructor, graded_class):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    base = f"/teach/assignments/{work}/grading"
    for path in (base, grade_url(work, one), f"{base}/alpha-essay", f"{base}/release"):
        assert other.get(path).status_code == 404, path
        assert student.get(path).status_code == 403, path
    assert send_grade(other, work, one).status_code in (400, 404)  # no form to read a token from
    token = csrf_token(other, "/teach/")
    assert other.post(grade_url(work, one), data={"csrf_token": token, "c0": "2", "c1": "3",
                                                  "action": "next"}).status_code == 404
    assert other.post(f"/teach/assignments/{work}/grading/release",
                      data={"csrf_token": token}).status_code == 404
    # A grade id from another of the instructor's own assignments is not in this queue.
    _, code, second_work = assign_written(app, instructor, name="History 12")
    take(app, new_student(app, "cleo@example.org", "Cleo"), code, second_work)
    [foreign] = grade_ids(app, second_work)
    assert instructor.get(grade_url(work, foreign)).status_code == 404
    assert instructor.get(f"/teach/assignments/{work}/grading/no-such-prompt").status_code == 404
    with app.app_context():
        assert all(g.status == GradeStatus.PENDING for g in db.session.scalars(db.select(WrittenGrade)))


@pytest.mark.parametrize("levels", [("3", "3"), ("2", "4"), ("-1", "0"), ("x", "1"), ("²", "1"),
                                    ("2", "999999")])
def test_a_tampered_level_is_refused_and_saves_nothing(app, instructor, graded_class, levels):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    response = send_grade(instructor, work, one, levels, comment="kept?")
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        grade = db.session.get(WrittenGrade, one)
        assert grade.status == GradeStatus.PENDING and grade.comment == "" and grade.levels == [None, None]


def test_autosave_keeps_a_partial_grade_as_a_draft(app, instructor, graded_class):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    response = send_grade(instructor, work, one, ("1", ""), action="save", comment="Half way",
                          headers={"X-Autosave": "1"})
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "status": "pending", "points": None, "max_points": 5}
    with app.app_context():
        grade = db.session.get(WrittenGrade, one)
        assert grade.levels == [1, None] and grade.comment == "Half way" and grade.status == "pending"
    page = instructor.get(grade_url(work, one)).get_data(as_text=True)
    assert 'name="c0" value="1" data-points="1" checked' in page and "Half way" in page
    # "Save and next" with a criterion missing stays on the answer and says what is missing.
    response = send_grade(instructor, work, one, ("1", ""), action="next")
    assert response.headers["Location"].endswith(grade_url(work, one))


def test_return_for_revision_needs_a_comment_then_the_student_revises(app, student, instructor, graded_class):
    work = graded_class["work"]
    first, _ = graded_class["attempts"]
    one, _ = grade_ids(app, work)
    refused = send_grade(instructor, work, one, ("", ""), action="return")
    assert refused.status_code == 422 and "Say in the comment" in refused.get_data(as_text=True)
    response = send_grade(instructor, work, one, ("", ""), action="return", comment="Name the date.")
    assert response.status_code == 302
    page = student.get(f"/attempts/{first}").get_data(as_text=True)
    assert "Returned for revision" in page and "Name the date." in page
    with app.app_context():
        item_id = db.session.get(WrittenGrade, one).item_id
        position = db.session.get(AttemptItem, item_id).position
    url = f"/attempts/{first}/written/{item_id}"
    too_long = " ".join(["word"] * 61)
    response = student.post(url, data={"csrf_token": csrf_token(student, f"/attempts/{first}"),
                                       f"a{position}": too_long})
    assert response.status_code == 422 and "Keep this answer to 60 words" in response.get_data(as_text=True)
    assert too_long in response.get_data(as_text=True)  # the text is kept in the box
    revised = ESSAY + " It was handed over in Geneva on 6 March 2009."
    response = student.post(url, data={"csrf_token": csrf_token(student, f"/attempts/{first}"),
                                       f"a{position}": revised})
    assert response.status_code == 302
    with app.app_context():
        grade = db.session.get(WrittenGrade, one)
        assert grade.status == GradeStatus.PENDING and grade.revisions[0]["text"] == ESSAY
        assert grade.revisions[0]["comment"] == "Name the date."
        assert db.session.get(AttemptItem, item_id).response == revised
    again = student.post(url, data={"csrf_token": csrf_token(student, f"/attempts/{first}"),
                                    f"a{position}": "A second revision sent from another tab"})
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "no longer waiting for a revision" in page
    assert "A second revision sent from another tab" in page  # shown back, to copy: not lost
    # Another student cannot revise Ana's answer.
    boris = graded_class["boris"]
    sent = {"csrf_token": csrf_token(boris, "/"), f"a{position}": "x"}
    assert boris.post(url, data=sent).status_code == 404
    page = instructor.get(grade_url(work, one)).get_data(as_text=True)
    assert "revision 1" in page and "Name the date." in page


def test_saved_comments_are_reused_and_private_to_their_author(app, instructor, graded_class):
    work = graded_class["work"]
    one, two = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "2"), comment="Cite a date for each claim.", keep_comment="y")
    send_grade(instructor, work, one, ("2", "2"), comment="Cite a date for each claim.", keep_comment="y")
    with app.app_context():
        [snippet] = db.session.scalars(db.select(CommentSnippet)).all()  # saved once
        snippet_id = snippet.id
    page = instructor.get(grade_url(work, two)).get_data(as_text=True)
    assert "Add: Cite a date for each claim." in page
    send_grade(instructor, work, two, ("1", "1"), comment="Good start.", snippet=str(snippet_id))
    with app.app_context():
        assert db.session.get(WrittenGrade, two).comment == "Good start.\n\nCite a date for each claim."
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    assert post(other, f"/teach/snippets/{snippet_id}/delete").status_code == 404
    assert post(instructor, f"/teach/snippets/{snippet_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(CommentSnippet)) is None


def test_a_blank_written_answer_scores_zero_at_once_and_needs_no_grading(app, instructor):
    _, code, work = assign_written(app, instructor)
    pupil = new_student(app, "dana@example.org", "Dana")
    attempt_id = take(app, pupil, code, work, essay=None)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score == pytest.approx(7 / 8) and not attempt.pending
    assert grade_ids(app, work) == []
    assert "1 left blank" in instructor.get(f"/teach/assignments/{work}/grading").get_data(as_text=True)
    assert "Left blank: 0 points." in pupil.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_the_responses_export_has_the_text_the_rubric_cells_and_the_comment(app, instructor, graded_class):
    work, room = graded_class["work"], graded_class["classroom"]
    one, _ = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "1"), comment="Say more, with dates.")
    rows = list(csv.DictReader(io.StringIO(
        instructor.get(f"/teach/classes/{room}/responses.csv").get_data(as_text=True))))
    essays = [r for r in rows if r["Question id"] == "alpha-essay"]
    assert len(essays) == 2 and {r["Answer"] for r in essays} == {ESSAY}
    graded = next(r for r in essays if r["Comment"])
    assert graded["Comment"] == "Say more, with dates."
    assert graded["Rubric"] == \
        "Claim: 2/2 A clear answer to the question asked.; Evidence: 1/3 One general fact."
    assert graded["Grading"] == "graded" and graded["Score %"] == ""  # not released: no score yet
    assert graded["Status"] == "awaiting grading"
    assert next(r for r in essays if not r["Comment"])["Grading"] == "pending"


def test_an_instructors_own_rubric_replaces_the_prompts(app, instructor):
    bad = post(instructor, "/teach/classes", {"name": "R"})
    room = int(bad.headers["Location"].rsplit("/", 1)[1])
    now = utcnow()
    refused = post(instructor, f"/teach/classes/{room}/assign", {
        "banks": ["alpha"], "open_at": now.strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "grading": "highest",
        "reveal": "immediately", "include_written": "y", "written_rubric": "Just a line without levels"})
    assert refused.status_code == 422 and "This rubric cannot be used" in refused.get_data(as_text=True)
    own = "Argument: none | weak | clear\nSources: none | one"
    _, code, work = assign_written(app, instructor, rubric=own)
    take(app, new_student(app, "eve@example.org", "Eve"), code, work)
    [one] = grade_ids(app, work)
    page = instructor.get(grade_url(work, one)).get_data(as_text=True)
    assert "Argument" in page and "Sources" in page and "Evidence" not in page
    assert send_grade(instructor, work, one, ("2", "1")).status_code == 302
    with app.app_context():
        grade = db.session.get(WrittenGrade, one)
        assert (grade.points, grade.max_points, grade.status) == (3, 3, GradeStatus.GRADED)


def test_the_queue_pages_cost_the_same_queries_for_two_or_eight_students(app, instructor):
    from .test_teach import count_queries

    counts = {}
    for size in (2, 8):
        room, code, work = assign_written(app, instructor, name=f"Size {size}")
        for i in range(size):
            take(app, new_student(app, f"s{size}-{i}@example.org", f"S{i}"), code, work)
        first = grade_ids(app, work)[0]
        send_grade(instructor, work, first, ("2", "3"))
        counts[size] = [count_queries(app, instructor, url) for url in (
            f"/teach/assignments/{work}/grading", grade_url(work, first),
            f"/teach/assignments/{work}", f"/teach/classes/{room}/responses.csv")]
    assert counts[2] == counts[8], counts


def test_a_source_excerpt_is_shown_with_the_question_that_cites_it(app, student):
    attempt_id = int(post(student, "/quiz/alpha/start").headers["Location"].rsplit("/", 1)[1])
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count("We worked hard to get the right Russian word") == 1
    assert 'aria-label="Source: Remarks in Geneva, 6 March 2009"' in page
    assert "Hillary Rodham Clinton, remarks with Foreign Minister Lavrov" in page
    assert "alpha-essay" not in page and "How much did the mistranslated button matter" not in page


# --- edges: autosave, class deletion, review, hostile input, the student's own exports ----------------

AUTOSAVE = {"X-Autosave": "1", "Accept": "application/json"}


def test_autosave_never_keeps_a_half_typed_comment(app, instructor, graded_class):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    response = send_grade(instructor, work, one, ("2", ""), action="save", comment="Good cla",
                          keep_comment="y", headers=AUTOSAVE)
    assert response.status_code == 200 and response.get_json()["saved"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CommentSnippet.id))) == 0
        assert db.session.get(WrittenGrade, one).comment == "Good cla"  # the draft comment is kept
    send_grade(instructor, work, one, ("2", "3"), action="save", comment="Good claim.", keep_comment="y")
    with app.app_context():
        assert [s.text for s in db.session.scalars(db.select(CommentSnippet))] == ["Good claim."]


def test_autosave_does_not_take_a_returned_answer_back_from_the_student(app, instructor, graded_class):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    assert send_grade(instructor, work, one, ("", ""), action="return",
                      comment="Date the button.").status_code == 302
    late = send_grade(instructor, work, one, ("2", ""), action="save", comment="Date the button.",
                      headers=AUTOSAVE)
    assert late.status_code == 409 and "returned for revision" in late.get_json()["error"]
    with app.app_context():
        assert db.session.get(WrittenGrade, one).status == GradeStatus.RETURNED
    # Pressing Save on purpose grades it as it stands, and says so.
    on_purpose = send_grade(instructor, work, one, ("2", "3"), action="save", comment="Fine as it is.")
    assert on_purpose.status_code == 302
    assert "no longer returned" in instructor.get(on_purpose.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WrittenGrade, one).status == GradeStatus.GRADED


def test_deleting_a_class_settles_every_score_awaiting_grading(app, instructor, graded_class):
    work, room = graded_class["work"], graded_class["classroom"]
    first, second = graded_class["attempts"]
    one, _ = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "3"), action="save")  # Ana graded 5 of 5, not released
    response = post(instructor, f"/teach/classes/{room}/delete", {"name": "History 11"})
    assert response.status_code == 302
    with app.app_context():
        ana, boris = db.session.get(Attempt, first), db.session.get(Attempt, second)
        assert ana.assignment_id is None and ana.score == pytest.approx(1.0)  # 7 right + 5/5
        assert boris.score == pytest.approx(1.0) and not boris.pending  # the ungraded essay left out
        assert db.session.scalar(db.select(db.func.count(WrittenGrade.id))) == 0


def test_review_never_drills_a_written_answer(app, student, instructor):
    _, code, work = assign_written(app, instructor)
    with app.app_context():
        assignment = db.session.get(Assignment, work)
        assignment.reveal = "after_due"
        db.session.commit()
    attempt_id = take(app, student, code, work)
    with app.app_context():
        assignment = db.session.get(Assignment, work)
        assignment.due_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert student.get("/review").status_code == 200  # releases the assignment's questions to review
    assert student.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).review_fed
        cards = set(db.session.scalars(db.select(ReviewCard.question_id)))
        assert "alpha-essay" not in cards


@pytest.mark.parametrize("back", ["/teach/x\r\nSet-Cookie: a=b", "/teach/\\\\evil.example", "/teach//evil",
                                  "https://evil.example/teach/"])
def test_a_hostile_back_address_goes_to_the_teach_home(app, instructor, graded_class, back):
    work = graded_class["work"]
    one, _ = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "3"), action="save", comment="Keep this one.", keep_comment="y")
    with app.app_context():
        snippet = db.session.scalar(db.select(CommentSnippet.id))
    response = post(instructor, f"/teach/snippets/{snippet}/delete", {"back": back})
    assert response.status_code == 302 and response.headers["Location"] in ("/teach", "/teach/")
    assert post(instructor, f"/teach/snippets/{snippet}/delete", {"back": "/teach/\x00"}).status_code == 400


def test_pending_in_the_students_own_pages_and_exports(app, student, instructor, graded_class):
    work = graded_class["work"]
    first, _ = graded_class["attempts"]
    page = student.get(f"/assignments/{work}").get_data(as_text=True)
    assert "Awaiting grading" in page and "and a written answer, graded by your instructor" in page
    rows = list(csv.reader(io.StringIO(student.get("/account/attempts.csv").get_data(as_text=True))))
    assert rows[1][3] == "awaiting grading" and rows[1][6] == ""
    one, _ = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "3"), action="save", comment="Strong claim.")
    exported = json.loads(student.get("/account/export.json").get_data(as_text=True))
    essay = next(a for a in exported["attempts"][0]["answers"] if a["question"] == "alpha-essay")
    assert essay["response"] == ESSAY
    assert essay["grading"]["status"] == "awaiting grading"  # graded but not released: nothing shown yet
    assert essay["grading"]["comment"] == "" and essay["grading"]["points"] is None
    assert post(instructor, f"/teach/assignments/{work}/grading/release").status_code == 302
    exported = json.loads(student.get("/account/export.json").get_data(as_text=True))
    essay = next(a for a in exported["attempts"][0]["answers"] if a["question"] == "alpha-essay")
    assert essay["grading"] == {"status": "graded", "points": 5, "max_points": 5, "comment": "Strong claim.",
                                "earlier_versions": []}


def test_item_analysis_counts_a_student_only_once_their_score_is_known(app, instructor, graded_class):
    work, room = graded_class["work"], graded_class["classroom"]
    with app.app_context():
        assignment = db.session.get(Assignment, work)
        assert not assignment_analysis(assignment, db.session.get(Classroom, room)).items  # both await
    page = instructor.get(f"/teach/assignments/{work}").get_data(as_text=True)
    assert "2 more students have handed in and await the grading of a written answer" in page
    overview = instructor.get(f"/teach/classes/{room}").get_data(as_text=True)  # points to the queue
    assert re.search(rf'Written answers to grade or release:</strong> '
                     rf'<a href="/teach/assignments/{work}/grading">[^<]+</a> \(2 students waiting\)',
                     overview)
    assert "No scores yet: every hand-in so far awaits the grading of a written answer." in page
    one, two = grade_ids(app, work)
    send_grade(instructor, work, one, ("2", "3"), action="save")
    post(instructor, f"/teach/assignments/{work}/grading/release")
    with app.app_context():
        assignment = db.session.get(Assignment, work)
        assert [i.n for i in assignment_analysis(assignment, db.session.get(Classroom, room)).items][0] == 1
    assert "1 more student has handed in and awaits" in instructor.get(f"/teach/assignments/{work}").get_data(
        as_text=True)
    assert "(1 student waiting)" in instructor.get(f"/teach/classes/{room}").get_data(as_text=True)
    send_grade(instructor, work, two, ("2", "3"), action="save")
    post(instructor, f"/teach/assignments/{work}/grading/release")
    assert "Written answers to grade or release" not in instructor.get(f"/teach/classes/{room}").get_data(
        as_text=True)
    assert instructor.get(grade_url(work, two)).status_code == 200
