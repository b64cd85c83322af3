"""Instructors: classes, joining, assignments with rules, dashboards, exports and access."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from resetlab.core.questions import form_values, key_answer
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, Attempt, Classroom, Enrollment, User, utcnow
from resetlab.study import attempts

from ..helpers import as_page, csrf_token, post, signup, submit_attempt

FMT = "%Y-%m-%dT%H:%M"


def make_class(instructor, name="History 101") -> int:
    response = post(instructor, "/teach/classes", {"name": name})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def code_of(app, classroom_id) -> str:
    with app.app_context():
        return db.session.get(Classroom, classroom_id).join_code


def assign(instructor, classroom_id, banks=("alpha",), open_delta=-1, due_delta=48, **extra):
    now = utcnow()
    data = {"banks": list(banks), "open_at": (now + timedelta(hours=open_delta)).strftime(FMT),
            "due_at": (now + timedelta(hours=due_delta)).strftime(FMT), "grading": "highest",
            "reveal": "immediately", **extra}
    return post(instructor, f"/teach/classes/{classroom_id}/assign", data)


def assignment_ids(app, classroom_id):
    with app.app_context():
        return list(db.session.scalars(db.select(Assignment.id).where(
            Assignment.classroom_id == classroom_id).order_by(Assignment.id)))


def key_data(app, attempt_id):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        data = {}
        for item, q in attempts.served(attempt):
            data.update(form_values(q, item.position, key_answer(q)))
        return data


def start(client, assignment_id):
    response = post(client, f"/assignments/{assignment_id}/start")
    assert response.status_code == 302
    location = response.headers["Location"]
    return int(location.rsplit("/", 1)[1]) if "/attempts/" in location else None


def submit(client, attempt_id, data):
    return submit_attempt(client.application, client, attempt_id, data)


@pytest.fixture
def room(app, instructor, student):
    """A class with the `student` in it and one open assignment on alpha."""
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id).lower()}).status_code == 302
    assert assign(instructor, classroom_id).status_code == 302
    return classroom_id, assignment_ids(app, classroom_id)[0]



def test_a_class_without_a_name_comes_back_with_the_problem_beside_the_field(app, instructor):
    for name in ("", "   ", "x" * 121):
        response = post(instructor, "/teach/classes", {"name": name})
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        field = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field and 'aria-describedby="name-error"' in field
        assert '<p class="error" id="name-error">Give the class a name (up to 120 characters).</p>' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Classroom)) == 0


def test_create_and_join_by_code_and_link(app, instructor, student):
    classroom_id = make_class(instructor, "Russia & the West <b>")
    page = instructor.get(f"/teach/classes/{classroom_id}").get_data(as_text=True)
    assert "Russia &amp; the West &lt;b&gt;" in page
    code = code_of(app, classroom_id)
    assert len(code) == 8 and code.isalnum()
    link_page = student.get(f"/join/{code}")
    assert "Join the class" in link_page.get_data(as_text=True)
    post(student, f"/join/{code}")
    post(student, f"/join/{code}")  # a double click joins once
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 1
    roster = instructor.get(f"/teach/classes/{classroom_id}/roster").get_data(as_text=True)
    assert "Ana" in roster


def test_an_instructor_account_never_joins_a_class_as_a_student(app, instructor):
    """A class's instructor sees its students' work and can issue them reset links: one instructor joining
    another's class would hand the second one their account."""
    classroom_id = make_class(instructor)
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    refused = post(other, "/join", {"code": code_of(app, classroom_id)})
    assert refused.status_code == 302
    assert "cannot join a class as a student" in other.get(refused.headers["Location"]).get_data(as_text=True)
    assert post(other, f"/join/{code_of(app, classroom_id)}", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 0
        other_id = db.session.scalar(db.select(User.id).where(User.email == "other@example.org"))
        db.session.add(Enrollment(classroom_id=classroom_id, user_id=other_id))  # made before this rule
        db.session.commit()
    reset = post(instructor, f"/teach/classes/{classroom_id}/students/{other_id}/reset-link", {})
    assert reset.status_code == 404


def test_bad_code_is_a_clear_error(student):
    response = post(student, "/join", {"code": "NOPE1234"})
    assert response.status_code == 422
    assert "No open class has that code" in response.get_data(as_text=True)


def test_join_link_sends_anonymous_visitors_to_sign_up_and_back(app, instructor, client):
    code = code_of(app, make_class(instructor))
    response = client.get(f"/join/{code}")
    assert response.status_code == 302 and f"next=%2Fjoin%2F{code}" in response.headers["Location"]


def test_regenerated_code_stops_the_old_one(app, instructor, student):
    classroom_id = make_class(instructor)
    old = code_of(app, classroom_id)
    post(instructor, f"/teach/classes/{classroom_id}/settings", {"action": "new-code"})
    assert code_of(app, classroom_id) != old
    assert post(student, "/join", {"code": old}).status_code == 422


def test_rename_archive_and_remove_keep_student_data(app, instructor, student, room):
    classroom_id, assignment_id = room
    attempt_id = start(student, assignment_id)
    submit(student, attempt_id, key_data(app, attempt_id))
    post(instructor, f"/teach/classes/{classroom_id}/settings", {"action": "rename", "name": "History 102"})
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
        assert db.session.get(Classroom, classroom_id).name == "History 102"
    post(instructor, f"/teach/classes/{classroom_id}/students/{user_id}/remove")
    assert ">Ana</a>" not in instructor.get(f"/teach/classes/{classroom_id}").get_data(as_text=True)
    assert student.get(f"/attempts/{attempt_id}").status_code == 200  # still theirs
    assert student.get(f"/assignments/{assignment_id}").status_code == 404
    post(instructor, f"/teach/classes/{classroom_id}/settings", {"action": "archive"})
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 422


def test_assign_validates_dates(instructor, app):
    classroom_id = make_class(instructor)
    response = assign(instructor, classroom_id, open_delta=5, due_delta=1)
    assert response.status_code == 422
    assert "due date must be after the opening date" in response.get_data(as_text=True)
    for banks in ((), ("no-such-bank",)):
        response = assign(instructor, classroom_id, banks=banks)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        # the problem is tied to the group of lessons, and each box is marked invalid
        group = re.search(r'<fieldset class="field has-error"([^>]*)>\s*<legend>Lessons to assign', page)
        assert group and 'aria-describedby="banks-error"' in group.group(1)
        assert re.search(r'<p class="error" id="banks-error">\S', page)
        boxes = re.findall(r'<input[^>]*name="banks"[^>]*>', page)
        assert boxes and all('aria-invalid="true"' in box for box in boxes)
    assert assignment_ids(app, classroom_id) == []


def test_dates_use_the_viewers_time_zone(app, instructor):
    classroom_id = make_class(instructor)
    instructor.set_cookie("tz", "America/New_York")
    post(instructor, f"/teach/classes/{classroom_id}/assign", {
        "banks": ["alpha"], "open_at": "2026-01-10T09:00", "due_at": "2026-01-17T17:00",
        "grading": "highest", "reveal": "immediately"})
    with app.app_context():
        work = db.session.get(Assignment, assignment_ids(app, classroom_id)[0])
        assert work.due_at.strftime(FMT) == "2026-01-17T22:00"  # stored in UTC
    page = instructor.get(f"/teach/assignments/{work.id}").get_data(as_text=True)
    assert "17:00 EST" in page


def test_student_todo_orders_overdue_first(app, instructor, student, room):
    classroom_id, _ = room
    assign(instructor, classroom_id, banks=("beta",), open_delta=-72, due_delta=-24)
    home = student.get("/").get_data(as_text=True)
    assert "Your assignments" in home
    assert home.index("Beta quiz") < home.index("Alpha quiz") and "Overdue" in home


def test_attempt_limit_and_grading_rule(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, attempts_allowed="2", grading="latest")
    assignment_id = assignment_ids(app, classroom_id)[0]
    first = start(student, assignment_id)
    submit(student, first, key_data(app, first))
    second = start(student, assignment_id)
    submit(student, second, {})
    assert start(student, assignment_id) is None
    page = student.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    assert "You have used all 2 attempts." in page and "Your grade" in page and "0%" in page


def test_accommodation_gives_extra_attempts_and_time(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, attempts_allowed="1", time_limit_minutes="10")
    assignment_id = assignment_ids(app, classroom_id)[0]
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    post(instructor, f"/teach/classes/{classroom_id}/students/{user_id}/accommodation",
         {"time_multiplier": "1.5", "extra_attempts": "1"})
    first = start(student, assignment_id)
    with app.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt.deadline_at - attempt.started_at == timedelta(minutes=15)
    submit(student, first, {})
    assert start(student, assignment_id) is not None


def timed_attempt(app, instructor, student) -> int:
    """A started attempt at a 5-minute assignment of a class the student joined."""
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, time_limit_minutes="5")
    return start(student, assignment_ids(app, classroom_id)[0])


def run_out_of_time(app, attempt_id: int, saved_in_time: bool = False) -> None:
    """Move the attempt's start and deadline ten minutes back (and its draft to a minute before the
    deadline, when asked)."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(minutes=10)
        attempt.deadline_at -= timedelta(minutes=10)
        if saved_in_time:
            attempt.draft_saved_at = attempt.deadline_at - timedelta(minutes=1)
        db.session.commit()


def test_time_limit_is_enforced_by_the_server(app, instructor, student):
    attempt_id = timed_attempt(app, instructor, student)
    data = key_data(app, attempt_id)
    run_out_of_time(app, attempt_id)
    response = submit(student, attempt_id, data)
    assert response.status_code == 302
    assert "Time ran out" in student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.timed_out and attempt.score == 0.0


COUNTED = re.compile(r"counted: (\d+) of (\d+)")


def test_opening_an_attempt_whose_time_ran_out_grades_and_shows_what_was_saved(app, instructor, student):
    attempt_id = timed_attempt(app, instructor, student)
    data = as_page(app, attempt_id, key_data(app, attempt_id))
    data["csrf_token"] = csrf_token(student, f"/attempts/{attempt_id}")
    assert student.post(f"/attempts/{attempt_id}/save", data=data).status_code == 302
    run_out_of_time(app, attempt_id, saved_in_time=True)
    first = student.get(f"/attempts/{attempt_id}")  # grades the saved answers, then shows them graded
    assert first.status_code == 200
    counted = COUNTED.search(first.get_data(as_text=True))
    assert counted and counted.group(1) == counted.group(2) != "0"
    again = COUNTED.search(student.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    assert again and again.groups() == counted.groups()
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 1.0


def test_late_work_is_marked_and_closing_stops_it(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, open_delta=-48, due_delta=-1)
    assignment_id = assignment_ids(app, classroom_id)[0]
    attempt_id = start(student, assignment_id)
    submit(student, attempt_id, key_data(app, attempt_id))
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).late is True
    grid = instructor.get(f"/teach/classes/{classroom_id}").get_data(as_text=True)
    assert "late" in grid and "100%" in grid
    post(instructor, f"/teach/assignments/{assignment_id}/close", {"closed": "1"})
    assert start(student, assignment_id) is None
    assert "closed this assignment" in student.get(f"/assignments/{assignment_id}").get_data(as_text=True)


def test_not_yet_open_assignment_is_hidden_and_cannot_start(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, open_delta=24, due_delta=48)
    assignment_id = assignment_ids(app, classroom_id)[0]
    assert "Your assignments" not in student.get("/").get_data(as_text=True)
    assert start(student, assignment_id) is None


@pytest.mark.parametrize("reveal", ["never", "after_due"])
def test_answers_hidden_until_reveal_allows(app, instructor, student, reveal):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, reveal=reveal)
    attempt_id = start(student, assignment_ids(app, classroom_id)[0])
    submit(student, attempt_id, {})
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "0%" in page and "Right answer" not in page and "perezagruzka or" not in page


def test_item_analysis_and_exports(app, instructor, student, room):
    classroom_id, assignment_id = room
    attempt_id = start(student, assignment_id)
    submit(student, attempt_id, key_data(app, attempt_id))
    page = instructor.get(f"/teach/assignments/{assignment_id}").get_data(as_text=True)
    assert "Facility" in page and "Discrimination" in page and "alpha-single" in page
    assert "<svg" in page
    book = instructor.get(f"/teach/classes/{classroom_id}/gradebook.csv")
    assert book.mimetype == "text/csv" and book.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(book.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Student", "Email"] and rows[1][0] == "Ana" and rows[1][2] == "100"
    answers = instructor.get(f"/teach/classes/{classroom_id}/responses.csv")
    lines = list(csv.reader(io.StringIO(answers.data.decode("utf-8-sig"))))
    assert len(lines) == 1 + 7 and {line[6] for line in lines[1:]} >= {"alpha-single", "alpha-match"}


def test_csv_neutralises_formulas_in_names(app, instructor):
    classroom_id = make_class(instructor)
    hostile = app.test_client()
    signup(hostile, email="evil@example.org", name="=HYPERLINK(\"http://x\")")
    post(hostile, "/join", {"code": code_of(app, classroom_id)})
    book = instructor.get(f"/teach/classes/{classroom_id}/gradebook.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in book


def urls_for(classroom_id, assignment_id, user_id):
    return [f"/teach/classes/{classroom_id}", f"/teach/classes/{classroom_id}/roster",
            f"/teach/classes/{classroom_id}/assign", f"/teach/classes/{classroom_id}/join-code",
            f"/teach/classes/{classroom_id}/students/{user_id}", f"/teach/assignments/{assignment_id}",
            f"/teach/classes/{classroom_id}/gradebook.csv", f"/teach/classes/{classroom_id}/responses.csv"]


def test_every_dashboard_is_private(app, instructor, student, room):
    classroom_id, assignment_id = room
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    urls = urls_for(classroom_id, assignment_id, user_id)
    for url in urls:
        assert instructor.get(url).status_code == 200, url
    other = app.test_client()
    signup(other, "other@example.org", "Other Teacher", code="teach-2026")
    anonymous = app.test_client()
    for url in urls:
        assert other.get(url).status_code == 404, url
        assert student.get(url).status_code == 403, url
        assert anonymous.get(url).status_code == 302, url
    token = csrf_token(other)
    for url in (f"/teach/classes/{classroom_id}/settings", f"/teach/assignments/{assignment_id}/close",
                f"/teach/classes/{classroom_id}/students/{user_id}/remove",
                f"/teach/classes/{classroom_id}/assign"):
        assert other.post(url, data={"csrf_token": token, "action": "archive", "closed": "1"}
                          ).status_code == 404, url
    with app.app_context():
        assert db.session.get(Classroom, classroom_id).archived is False
        assert db.session.get(Assignment, assignment_id).closed is False


def test_student_cannot_open_assignments_of_other_classes(app, instructor, student):
    classroom_id = make_class(instructor)
    assign(instructor, classroom_id)
    assignment_id = assignment_ids(app, classroom_id)[0]
    assert student.get(f"/assignments/{assignment_id}").status_code == 404
    assert post(student, f"/assignments/{assignment_id}/start").status_code == 404


def populate(app, classroom_id, n_students):
    """n students in the class, each with a finished attempt on every assignment."""
    rng = random.Random(7)
    with app.app_context():
        room = db.session.get(Classroom, classroom_id)
        works = list(db.session.scalars(db.select(Assignment).where(Assignment.classroom_id == classroom_id)))
        catalog = get_catalog()
        for i in range(n_students):
            user = User(email=f"s{i}-{classroom_id}@example.org", display_name=f"Student {i:03d}",
                        role="student")
            db.session.add(user)
            db.session.flush()
            db.session.add(Enrollment(classroom_id=room.id, user_id=user.id))
            db.session.commit()
            for work in works:
                attempt = attempts.create_attempt(user, catalog.bank(work.bank_slug), work.draw, rng,
                                                  assignment_id=work.id)
                attempts.submit(attempt, {})


def count_queries(app, client, url):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_dashboard_query_count_does_not_grow_with_class_size(app, instructor):
    counts = {}
    for size in (3, 30):
        classroom_id = make_class(instructor, f"Size {size}")
        assign(instructor, classroom_id, banks=("alpha", "beta"))
        populate(app, classroom_id, size)
        works = assignment_ids(app, classroom_id)
        with app.app_context():
            some_student = db.session.scalar(db.select(Enrollment.user_id).where(
                Enrollment.classroom_id == classroom_id))
        counts[size] = [count_queries(app, instructor, url) for url in (
            f"/teach/classes/{classroom_id}",
            f"/teach/classes/{classroom_id}?show=attention&sort=average&page=2",
            f"/teach/classes/{classroom_id}?sort=urgency&page=9", f"/teach/classes/{classroom_id}/roster",
            f"/teach/assignments/{works[0]}",
            f"/teach/classes/{classroom_id}/students/{some_student}",
            f"/teach/classes/{classroom_id}/gradebook.csv", f"/teach/classes/{classroom_id}/responses.csv")]
    assert counts[3] == counts[30], counts
    assert max(counts[30]) <= 16, counts


def test_item_analysis_page_gives_advice_with_the_rule_that_fired(app, instructor):
    classroom_id = make_class(instructor, "Advice")
    assign(instructor, classroom_id)
    populate(app, classroom_id, 10)  # every attempt left blank: facility 0 on every question
    page = instructor.get(f"/teach/assignments/{assignment_ids(app, classroom_id)[0]}").get_data(as_text=True)
    assert "<code>[very-hard]</code> Very hard (facility 0.00, 10 students)" in page
    assert "Too few answers" not in page


def test_item_analysis_page_says_too_few_answers_below_the_minimum(app, instructor):
    classroom_id = make_class(instructor, "Small")
    assign(instructor, classroom_id)
    populate(app, classroom_id, 3)
    page = instructor.get(f"/teach/assignments/{assignment_ids(app, classroom_id)[0]}").get_data(as_text=True)
    assert "Too few answers for advice (3 of 10)." in page and "[very-hard]" not in page


def test_large_dashboard_pages_give_freed_memory_back_after_the_response(app, instructor, student, room,
                                                                          monkeypatch):
    from resetlab.web import memory

    trims = []
    monkeypatch.setattr(memory, "_MALLOC_TRIM", lambda pad: trims.append(pad))
    classroom_id, work = room
    pages = [f"/teach/classes/{classroom_id}", f"/teach/classes/{classroom_id}/gradebook.csv",
             f"/teach/assignments/{work}"]
    for path in pages:
        response = instructor.get(path)
        assert response.status_code == 200
        response.close()
    assert trims == [0] * len(pages)
    instructor.get("/teach/").close()  # an ordinary page does not
    assert len(trims) == len(pages)
    monkeypatch.setattr(memory, "_MALLOC_TRIM", None)  # a C library without malloc_trim
    assert instructor.get(f"/teach/classes/{classroom_id}").status_code == 200
