"""`flask content review`: advice per question over every class's counted attempts (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import event

from resetlab.core.questions import form_values
from resetlab.course import bank_named, get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, AttemptItem, Classroom, Enrollment, Role, User, utcnow
from resetlab.study import attempts
from resetlab.teach.dashboards import course_review

from .conftest import make_user

_codes = itertools.count(1)


def make_assignment(instructor: User, grading: str = "highest") -> Assignment:
    """A class of its own with one assignment on the alpha bank."""
    room = Classroom(instructor_id=instructor.id, name="History", join_code=f"CODE{next(_codes):04d}")
    db.session.add(room)
    db.session.flush()
    now = utcnow()
    work = Assignment(classroom_id=room.id, bank_slug="alpha", title="Alpha", open_at=now - timedelta(days=1),
                      due_at=now + timedelta(days=1), grading=grading, draw=7, reveal="immediately")
    db.session.add(work)
    db.session.commit()
    return work


def enrol(work: Assignment, active: bool = True) -> User:
    """A new student in the assignment's class."""
    user = make_user()
    db.session.add(Enrollment(classroom_id=work.classroom_id, user_id=user.id, active=active))
    db.session.commit()
    return user


def option(text: str) -> str:
    return next(c.id for c in get_catalog().questions["alpha-single"].body.options if c.text == text)


def answer(user: User, work: Assignment | None, single: str | None, tf: bool | None = None) -> None:
    """A finished attempt on alpha answering only alpha-single (and perhaps alpha-tf)."""
    bank = bank_named("alpha")
    fields = {"assignment_id": work.id} if work is not None else {}
    attempt = attempts.create_attempt(user, bank, 7, random.Random(1), **fields)
    form: dict[str, list[str]] = {}
    for item, question in attempts.served(attempt):
        if question.id == "alpha-single" and single is not None:
            form.update(form_values(question, item.position, option(single)))
        if question.id == "alpha-tf" and tf is not None:
            form.update(form_values(question, item.position, tf))
    assert attempts.submit(attempt, form).graded


def test_review_counts_each_students_counted_attempt_in_every_class(ctx):
    teacher = make_user(Role.INSTRUCTOR, "Ms T")
    first, second = make_assignment(teacher, "highest"), make_assignment(teacher, "latest")
    picks = ["peregruzka"] * 5 + ["perestroika"] * 6 + ["perezagruzka"]
    for n, pick in enumerate(picks):
        answer(enrol(first if n < 8 else second), first if n < 8 else second, pick, tf=True)
    # Not counted: a lower second attempt under "highest", an earlier one under "latest", a student who
    # left the class, and practice outside any assignment.
    keen = enrol(first)
    answer(keen, first, "peregruzka")
    answer(keen, first, "glasnost")
    changed = enrol(second)
    answer(changed, second, "peregruzka")
    answer(changed, second, "perestroika")
    answer(enrol(first, active=False), first, "glasnost")
    answer(make_user(), None, "glasnost")

    report = course_review(get_catalog().questions)
    assert (report.classes, report.assignments, report.attempts) == (2, 2, 14)
    single = report.items["alpha-single"]
    assert single.n == 14 and single.answered == 14
    counts = {o.text: o.count for o in single.options}
    assert counts == {"peregruzka": 6, "perestroika": 7, "perezagruzka": 1, "glasnost": 0}
    assert [a.rule for a in single.advice] == ["misconception", "implausible-distractor"]
    assert "“perestroika” (50%, 7 of 14) is chosen more than the key (6)" in single.advice[0].message
    tf = report.items["alpha-tf"]
    assert tf.n == 14 and tf.facility == 12 / 14  # two counted attempts left it blank
    assert report.earlier_versions == 0


def test_answers_to_an_earlier_version_are_left_out(ctx):
    teacher = make_user(Role.INSTRUCTOR, "Ms T")
    work = make_assignment(teacher)
    for _ in range(3):
        answer(enrol(work), work, "peregruzka")
    current = get_catalog().questions["alpha-single"]
    old = replace(current, prompt="Which word was on the button?")
    attempts.store_versions([old])
    item = db.session.scalar(db.select(AttemptItem).where(AttemptItem.question_id == "alpha-single"))
    item.content_hash = old.content_hash
    db.session.commit()
    report = course_review(get_catalog().questions)
    assert report.items["alpha-single"].n == 2 and report.earlier_versions == 1
    assert not report.items["alpha-single"].enough_answers


def test_review_reads_a_fixed_number_of_queries_whatever_the_size(ctx):
    teacher = make_user(Role.INSTRUCTOR, "Ms T")
    counts = []
    for size in (3, 30):
        work = make_assignment(teacher)
        for _ in range(size):
            answer(enrol(work), work, "perestroika")
        statements: list[str] = []

        def record(conn, cursor, statement, *args, seen=statements):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            course_review(get_catalog().questions)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts


def test_content_review_command_prints_advice_with_rule_and_sample_sizes(ctx):
    teacher = make_user(Role.INSTRUCTOR, "Ms T")
    work = make_assignment(teacher)
    for pick in ["peregruzka"] * 3 + ["perestroika"] * 8:
        answer(enrol(work), work, pick, tf=None)
    result = ctx.test_cli_runner().invoke(args=["content", "review"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 class(es), 1 assignment(s), 11 counted attempt(s)" in out
    assert "alpha-single (single): 11 students · facility 0.27" in out
    assert "[misconception] “perestroika” (73%, 8 of 11) is chosen more than the key (3)" in out
    assert "[very-hard]" in out and "[implausible-distractor]" in out
    assert "alpha-multi (multi): 11 students" in out
    assert "beta-city" not in out  # never assigned: counted among the unanswered
    assert "not yet answered in any class" in out


def test_content_review_says_too_few_answers_below_the_minimum(ctx):
    teacher = make_user(Role.INSTRUCTOR, "Ms T")
    work = make_assignment(teacher)
    for _ in range(4):
        answer(enrol(work), work, "glasnost")
    out = ctx.test_cli_runner().invoke(args=["content", "review"]).output
    assert "alpha-single (single): 4 students" in out
    assert "too few answers (4 of 10 needed for advice)" in out
    assert "[" not in out.split("alpha-single (single)")[1].split("\n  alpha-")[0]
