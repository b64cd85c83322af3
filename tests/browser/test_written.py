"""Written answers on a phone: a student writes with a live word count and the draft survives a reload;
an instructor grades three answers with the keyboard alone at 390×844, names hidden, saved as they go."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from resetlab.auth.services import create_user
from resetlab.classwork import services as classwork
from resetlab.extensions import db
from resetlab.models import Attempt, GradeStatus, Role, WrittenGrade, utcnow
from resetlab.study import attempts
from resetlab.teach import services as teach

pytestmark = pytest.mark.browser
PASSWORD = "a long enough secret"
BANK = "obama-medvedev"
ESSAYS = ["Interests decided it: Libya in March 2011 and Crimea in 2014 mattered more than ideology.",
          "Ideology came first, with the Duma election protests of December 2011 and the Magnitsky Act.",
          "Both: the Kremlin saw democracy promotion as a threat to its own power, so the two overlap."]


def written_assignment(app, students: int = 3) -> tuple[int, list[str]]:
    """An assignment of the Obama bank with its essay; `students` learners have submitted an answer."""
    with app.app_context():
        teacher = create_user("tutor@example.org", "Tutor", PASSWORD, Role.INSTRUCTOR)
        room = teach.create_classroom(teacher, "History 11")
        now = utcnow()
        settings = teach.AssignmentSettings(open_at=now - timedelta(hours=1), due_at=now + timedelta(days=1),
                                            attempts_allowed=1, grading="highest", draw=3,
                                            time_limit_minutes=None, reveal="immediately",
                                            include_written=True)
        (work,) = teach.assign(room, [app.extensions["resetlab.catalog"].bank(BANK)], settings)
        names = []
        for i in range(students):
            name = f"Student Number{i}"
            pupil = create_user(f"pupil{i}@example.org", name, PASSWORD)
            classwork.join(pupil, room)
            attempt = classwork.start_assignment_attempt(pupil, work, rng=random.Random(i))
            essay = next(item for item in attempt.items if item.question_id.startswith("obama-written"))
            attempts.submit(attempt, {f"a{essay.position}": [ESSAYS[i]]}, assignment=work)
            names.append(name)
        return work.id, names


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Welcome back").wait_for()


def test_an_instructor_grades_three_answers_with_the_keyboard_alone_on_a_phone(live_server, phone):
    app, base = live_server
    work_id, names = written_assignment(app)
    with app.app_context():
        rubric = db.session.scalar(db.select(WrittenGrade.rubric))
    tops = [str(c["levels"][-1]["points"]) for c in rubric]
    page = phone
    log_in(page, base, "tutor@example.org")
    page.goto(f"{base}/teach/assignments/{work_id}/grading")
    page.get_by_text("0 of 3 graded").wait_for()
    page.get_by_role("link", name="Start grading").focus()
    page.keyboard.press("Enter")
    for n in range(1, 4):
        page.get_by_role("heading", name=f"Response {n} of 3").wait_for()
        text = page.content()
        assert not any(name in text for name in names)  # anonymous grading
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        levels = tops if n != 2 else ["0"] * len(tops)
        for digit in levels:
            page.keyboard.press(digit)
        if n == 1:  # saved as you go, before any button is pressed
            page.get_by_role("status").filter(has_text="Saved:").wait_for()
        if n == 2:  # back from "Save and next" to the comment box, type, and send with Ctrl+Enter
            assert page.evaluate("document.activeElement.textContent") == "Save and next"
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("document.activeElement.name") == "comment"
            page.keyboard.type("Name two dated events.")
            page.keyboard.press("Control+Enter")
        else:
            page.keyboard.press("Enter")
    page.get_by_text("3 of 3 graded").wait_for()
    with app.app_context():
        grades = list(db.session.scalars(db.select(WrittenGrade).order_by(WrittenGrade.id)))
        top = sum(int(t) for t in tops)
        assert [g.status for g in grades] == [GradeStatus.GRADED] * 3
        assert [g.points for g in grades] == [top, 0, top]
        assert grades[1].comment == "Name two dated events."
        assert all(a.score is None for a in db.session.scalars(db.select(Attempt)))  # not released yet


def test_a_student_writes_with_a_live_word_count_and_the_draft_survives_a_reload(live_server, phone):
    app, base = live_server
    work_id, _ = written_assignment(app, students=0)
    with app.app_context():
        create_user("writer@example.org", "Writer", PASSWORD)
    page = phone
    log_in(page, base, "writer@example.org")
    with app.app_context():
        from resetlab.models import Assignment, Classroom

        code = db.session.scalar(db.select(Classroom.join_code).join(
            Assignment, Assignment.classroom_id == Classroom.id).where(Assignment.id == work_id))
    page.goto(f"{base}/join/{code}")
    page.get_by_role("button", name="Join the class").click()
    page.goto(f"{base}/assignments/{work_id}")
    page.get_by_role("button", name="Start").click()
    box = page.get_by_label("Your written answer")
    while not box.is_visible():  # a phone shows one question at a time; the written one comes last
        page.get_by_role("button", name="Next", exact=True).click()
    box.fill("The reset started in Geneva")
    page.get_by_text("5 words").wait_for()
    box.press_sequentially(" and ended in Crimea.")
    page.get_by_text("9 words").wait_for()
    page.get_by_text("Answers saved").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.reload()
    box = page.get_by_label("Your written answer")
    while not box.is_visible():
        page.get_by_role("button", name="Next", exact=True).click()
    assert box.input_value() == "The reset started in Geneva and ended in Crimea."
    page.get_by_text("9 words").wait_for()
