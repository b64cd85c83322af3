"""`flask demo`: a demo class whose data is real (graded by the app's own grader) and usable."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import pytest

from resetlab.core.grading import grade
from resetlab.core.questions import from_json
from resetlab.core.rubrics import parse_rubric
from resetlab.extensions import db
from resetlab.models import (
    Assignment,
    Attempt,
    AttemptItem,
    Classroom,
    Enrollment,
    GradeStatus,
    QuestionVersion,
    User,
    WrittenGrade,
)
from resetlab.study.attempts import versions

from ..helpers import fresh_app, login, make_config

LOGIN_LINE = re.compile(r"Log in at http://127\.0\.0\.1:5000/auth/login as (\S+) / (\S+)$", re.M)
ATTENTION = re.compile(r"Needs attention \((\d+)\)")


def run_demo(runner, students: int, assignments: int, seed: int = 1):
    result = runner.invoke(args=["demo", "--students", str(students), "--assignments", str(assignments),
                                 "--seed", str(seed)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    match = LOGIN_LINE.search(result.output)
    assert match, result.output
    return match.group(1), match.group(2)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_demo_builds_a_graded_class_the_instructor_can_open(app, runner, client):
    email, password = run_demo(runner, 30, 3)
    with app.app_context():
        assert count(User) == 31 and count(Enrollment) == 30 and count(Classroom) == 1
        instructor = db.session.scalar(db.select(User).where(User.email == email))
        assert instructor.role == "instructor"
        room = db.session.scalar(db.select(Classroom))
        assert room.instructor_id == instructor.id and "30 students" in room.name
        works = list(db.session.scalars(db.select(Assignment).order_by(Assignment.id)))
        assert [w.bank_slug for w in works] == ["alpha", "beta", "final-exam"]
        assert all(w.classroom_id == room.id for w in works)
        students = set(db.session.scalars(db.select(User.id).where(User.role == "student")))
        assert len({h for h in db.session.scalars(db.select(User.password_hash)
                                                  .where(User.role == "student"))}) == 1
        attempts = list(db.session.scalars(db.select(Attempt)))
        assert attempts and {a.user_id for a in attempts} <= students
        assert {a.assignment_id for a in attempts} <= {w.id for w in works}
        finished = [a for a in attempts if a.state == "finished"]
        assert len(finished) > 30
        items = defaultdict(list)
        for item in db.session.scalars(db.select(AttemptItem)):
            items[item.attempt_id].append(item)
        questions = versions(db.select(QuestionVersion.content_hash))
        graded = 0
        for attempt in attempts:
            mine = items[attempt.id]
            assert sorted(i.position for i in mine) == list(range(len(mine)))
            work = next(w for w in works if w.id == attempt.assignment_id)
            assert len(mine) == work.draw
            if attempt.state != "finished":
                assert attempt.score is None and all(i.score is None for i in mine)
                continue
            assert math.isclose(attempt.score, sum(i.score for i in mine) / len(mine), abs_tol=1e-9)
            assert attempt.late == (attempt.finished_at > work.due_at)
            for item in mine:
                question = questions[item.content_hash]
                assert question.id == item.question_id
                assert item.score == grade(question, from_json(question, item.response)).score
                graded += 1
        assert graded > 100
        scores = [a.score for a in finished]
        assert 0 < sum(scores) / len(scores) < 1 and min(scores) < 0.6 < max(scores)
        assert any(a.late for a in finished)
        overview_url = f"/teach/classes/{room.id}"
        analysis_url = f"/teach/assignments/{works[0].id}"
        student_url = f"/teach/classes/{room.id}/students/{finished[0].user_id}"
    assert login(client, email, password).status_code == 302
    page = client.get(overview_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    attention = ATTENTION.search(html)
    assert attention and int(attention.group(1)) >= 1
    assert "Zoë" in html or "Łukasz" in html or "Елена" in html or "Søren" in html
    analysis = client.get(analysis_url)
    assert analysis.status_code == 200 and "Facility" in analysis.get_data(as_text=True)
    assert client.get(student_url).status_code == 200


def test_a_second_run_makes_a_separate_class(app, runner, client):
    first_email, _ = run_demo(runner, 5, 2, seed=2)
    second_email, second_password = run_demo(runner, 5, 2, seed=2)
    assert first_email != second_email
    with app.app_context():
        assert count(User) == 12 and count(Classroom) == 2 and count(Assignment) == 4
        rooms = {r.id: r.instructor_id for r in db.session.scalars(db.select(Classroom))}
        assert len(set(rooms.values())) == 2
        per_room = db.session.execute(db.select(Enrollment.classroom_id, db.func.count())
                                      .group_by(Enrollment.classroom_id)).all()
        assert sorted(n for _, n in per_room) == [5, 5]
        second_room = next(rid for rid, uid in rooms.items()
                           if db.session.get(User, uid).email == second_email)
    assert login(client, second_email, second_password).status_code == 302
    assert client.get(f"/teach/classes/{second_room}").status_code == 200
    # New rows after the demo get fresh ids (PostgreSQL sequences were moved past the demo's rows).
    assert runner.invoke(args=["users", "create-instructor", "--email", "new@example.org",
                               "--name", "New", "--password", "a fine password"]).exit_code == 0


@pytest.fixture
def course_app(tmp_path):
    """The app on the shipped course (the demo's written assignment needs the real Obama essay)."""
    root = Path(__file__).resolve().parents[2]
    yield from fresh_app(make_config(tmp_path, LESSONS_DIR=str(root / "lessons"),
                                     QUIZZES_DIR=str(root / "quizzes"), CONTENT_ROOT=str(root),
                                     CONTENT_RULES={}))


def test_the_demo_has_written_answers_half_graded_and_awaiting_release(course_app):
    email, password = run_demo(course_app.test_cli_runner(), 30, 4)
    with course_app.app_context():
        work = db.session.scalar(db.select(Assignment).where(Assignment.include_written.is_(True)))
        assert work is not None and work.bank_slug == "obama-medvedev" and work.grades_released_at is None
        finished = list(db.session.scalars(db.select(Attempt).where(Attempt.assignment_id == work.id,
                                                                    Attempt.state == "finished")))
        grades = list(db.session.scalars(
            db.select(WrittenGrade).where(WrittenGrade.assignment_id == work.id)))
        assert finished and len(grades) == len(finished)
        assert all(a.pending for a in finished)  # nothing released: every score awaits grading
        graded = [g for g in grades if g.status == GradeStatus.GRADED]
        assert 0 < len(graded) < len(grades)
        assert all(g.points == parse_rubric(g.rubric).points(g.levels) for g in graded)
        texts = {db.session.get(AttemptItem, g.item_id).response for g in grades}
        assert len(texts) >= 2 and all(isinstance(t, str) and t for t in texts)
    client = course_app.test_client()
    assert login(client, email, password).status_code == 302
    page = client.get(f"/teach/assignments/{work.id}/grading").get_data(as_text=True)
    assert f"{len(graded)} of {len(grades)} graded" in page
