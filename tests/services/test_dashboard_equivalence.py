"""The dashboards read per-student summaries and let the database count answers (issue 13); their numbers
must be exactly those of the old way, which read every attempt and tallied it in Python. The old way is
kept here as the reference, and both run on a generated class (the demo, plus attempts started and
handed in through the services: in progress, late, several per student), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Text, bindparam, cast, text

from resetlab.classwork.services import start_assignment_attempt
from resetlab.cli.demo_data import build_demo
from resetlab.core import attention
from resetlab.core import rules as policy
from resetlab.core.item_analysis import ResponseRow, item_analysis, score_histogram
from resetlab.core.questions import form_values, key_answer
from resetlab.database import begin_write
from resetlab.extensions import db
from resetlab.models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    AttemptSummary,
    Classroom,
    Enrollment,
    User,
    utcnow,
)
from resetlab.study import attempts, summaries
from resetlab.teach import dashboards, exports
from resetlab.teach.attention import mark, read_grid
from resetlab.teach.services import assignments_of

# --- the reference: the dashboards as they were before the summaries --------------------------------

ATTEMPT_ROWS = text("SELECT user_id, assignment_id, state, late, score FROM attempt "
                    "WHERE assignment_id IN :ids ORDER BY id").bindparams(bindparam("ids", expanding=True))


def reference_overview(classroom: Classroom, now: datetime, sort: str = "name") -> dashboards.Overview:
    """class_overview before issue 13: every attempt of the class, tallied in Python."""
    students = dashboards.students_of(classroom)
    assignments = assignments_of(classroom)
    index = {a.id: i for i, a in enumerate(assignments)}
    rules = [(a.due_at, a.grading) for a in assignments]
    untouched = [dashboards.Cell(policy.Tally().status(due, now)) for due, _ in rules]
    tallies: dict[int, dict[int, policy.Tally]] = defaultdict(dict)
    rows_ = db.session.connection().execute(ATTEMPT_ROWS, {"ids": list(index)}).all() if index else []
    for user_id, assignment_id, state, late, score in rows_:
        mine = tallies[user_id]
        i = index[assignment_id]
        tally = mine.get(i) or mine.setdefault(i, policy.Tally())
        tally.add(state == AttemptState.FINISHED, late, score)
    rows = []
    for student in students:
        mine = tallies.get(student.id, {})
        cells = [dashboards.Cell(t.status(rules[i][0], now, rules[i][1]), t.counted(rules[i][1]), t.attempts,
                                 t.finished > 0 and t.all_late)
                 if (t := mine.get(i)) else untouched[i] for i in range(len(rules))]
        scores = [c.score for c in cells if c.score is not None]
        row = dashboards.StudentRow(student, cells, sum(scores) / len(scores) if scores else None)
        row.attention = policy.needs_attention(
            [(c.status, c.score, due) for c, (due, _) in zip(cells, rules, strict=True)], now)
        rows.append(row)
    if sort == "average":
        rows.sort(key=lambda r: (r.average is None, r.average if r.average is not None else 0))
    elif sort == "attention":
        rows.sort(key=lambda r: (-len(r.attention), r.student.display_name.casefold()))
    completion = [sum(1 for r in rows if r.cells[i].status in policy.SUBMITTED) / len(rows) if rows else 0.0
                  for i in range(len(assignments))]
    return dashboards.Overview(assignments, rows, completion)


def reference_analysis(assignment: Assignment, classroom: Classroom) -> dashboards.Analysis:
    """assignment_analysis before issue 13: every finished attempt and every answer, in Python. The
    answers are read in (attempt, position) order, the order SQLite returned them in; PostgreSQL gave
    no order, so the questions' order could differ from run to run there."""
    student_ids = {s.id for s in dashboards.students_of(classroom)}
    connection = db.session.connection()
    finished = connection.execute(
        db.select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.finished_at)
        .where(Attempt.assignment_id == assignment.id, Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.finished_at, Attempt.id)).all()
    counted = dashboards._counted(finished, student_ids, assignment.grading)
    attempt_to_student = {attempt_id: uid for uid, (attempt_id, _) in counted.items()}
    questions = {}
    rows = []
    if attempt_to_student:
        served = dashboards.snapshots_for(list(attempt_to_student))
        for attempt_id, qid, version, raw, score in connection.execute(
                db.select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.content_hash,
                          cast(AttemptItem.response, Text), AttemptItem.score)
                .where(AttemptItem.attempt_id.in_(list(attempt_to_student)))
                .order_by(AttemptItem.attempt_id, AttemptItem.position)).all():
            question = served[(qid, version)]
            questions.setdefault(qid, question)
            rows.append(ResponseRow(attempt_to_student[attempt_id], qid, score or 0.0,
                                    dashboards._chosen_ids(question, raw)))
    totals = {uid: score for uid, (_, score) in counted.items()}
    first_done: dict[int, datetime] = {}
    tallies: dict[int, policy.Tally] = defaultdict(policy.Tally)
    for _, uid, score, at in finished:
        if uid in student_ids:
            first_done.setdefault(uid, at)
            tallies[uid].add(True, False, score)
    scores = list(totals.values())
    return dashboards.Analysis(items=item_analysis(rows, totals, questions), students=len(student_ids),
                               histogram=score_histogram(scores),
                               completion_by_day=dashboards._completion(first_done, len(student_ids)),
                               mean=sum(scores) / len(scores) if scores else None,
                               pending=sum(t.awaiting(assignment.grading) for t in tallies.values()))


# --- a generated class ---------------------------------------------------------------------------

def summary_table() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(db.select(*AttemptSummary.__table__.c).order_by(
        AttemptSummary.assignment_id, AttemptSummary.user_id))]


def hand_in(user: User, work: Assignment, rng: random.Random, now: datetime, right: float) -> Attempt:
    """Start an attempt through the rules and hand it in with about `right` of the answers right."""
    attempt = start_assignment_attempt(user, work, now, rng)
    form: dict[str, list[str]] = {}
    for item, question in attempts.served(attempt):
        if rng.random() < right:
            form.update(form_values(question, item.position, key_answer(question)))
    assert attempts.submit(attempt, form, now, assignment=work).graded
    return attempt


@pytest.fixture
def generated(ctx):
    """The demo's class (bulk insert, summaries rebuilt), then work through the services on top:
    second and third attempts, late hand-ins, attempts left open, a student removed from the class."""
    demo = build_demo(30, 8, seed=5)
    rng = random.Random(11)
    room = db.session.get(Classroom, demo.classroom_id)
    works = assignments_of(room)
    students = list(db.session.scalars(db.select(User).join(Enrollment, Enrollment.user_id == User.id)
                                       .where(Enrollment.classroom_id == room.id).order_by(User.id)))
    now = utcnow()
    for work in works:
        work.attempts_allowed = None  # the services may add attempts wherever the demo stopped
    db.session.commit()
    for n, user in enumerate(students[:16]):
        for work in rng.sample(works, 3):
            when = max(now, work.open_at + timedelta(minutes=1)) + timedelta(minutes=n)
            if work.due_at < now and rng.random() < 0.5:
                when = now + timedelta(minutes=n)  # late: after the due date
            hand_in(user, work, rng, when, rng.random())
            if rng.random() < 0.3:
                start_assignment_attempt(user, work, when + timedelta(minutes=1), rng)  # left open
    # Scores awaiting grading (issue 15), under every grading rule: some finished attempts lose their
    # score as when a written answer waits (refreshed as grading.services._finalize does), and some
    # attempts are handed in awaiting grading (written as attempts.submit writes them).
    finished = list(db.session.scalars(db.select(Attempt).where(
        Attempt.assignment_id.in_([w.id for w in works]), Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.id)))
    waiting = rng.sample(finished, len(finished) // 8)
    begin_write()
    for attempt in waiting:
        attempt.score = None
    db.session.flush()
    summaries.refresh({(a.assignment_id, a.user_id) for a in waiting})
    db.session.commit()
    for n, user in enumerate(students[16:24]):
        for work in rng.sample(works, 2):
            when = max(now, work.open_at + timedelta(minutes=1)) + timedelta(minutes=n)
            attempt = start_assignment_attempt(user, work, when, rng)
            attempt_id, late = attempt.id, when > work.due_at
            begin_write()
            db.session.execute(db.update(Attempt).where(Attempt.id == attempt_id).values(
                state=AttemptState.FINISHED, finished_at=when, score=None, late=late))
            summaries.count_finish(user.id, work.id, attempt_id, None, late, when)
            db.session.commit()
            if rng.random() < 0.5:
                hand_in(user, work, rng, when + timedelta(minutes=2), rng.random())  # then one scored
    removed = db.session.scalar(db.select(Enrollment).where(Enrollment.classroom_id == room.id,
                                                            Enrollment.user_id == students[-1].id))
    removed.active = False
    db.session.commit()
    return room, works, now


def test_overview_and_item_analysis_are_exactly_the_old_ones(generated):
    room, works, now = generated
    for when in (now, now + timedelta(days=3), now - timedelta(days=20)):
        for sort in dashboards.SORTS:
            new, old = dashboards.class_overview(room, when, sort), reference_overview(room, when, sort)
            assert [a.id for a in new.assignments] == [a.id for a in old.assignments]
            assert new.completion == old.completion
            assert [r.student for r in new.rows] == [r.student for r in old.rows]
            for a, b in zip(new.rows, old.rows, strict=True):
                assert [tuple(c) for c in a.cells] == [tuple(c) for c in b.cells], a.student
                assert (a.average, a.attention) == (b.average, b.attention)
            assert [r.student.id for r in new.attention] == [r.student.id for r in old.attention]
    statuses = {c.status for r in dashboards.class_overview(room, now).rows for c in r.cells}
    assert {policy.DONE, policy.LATE, policy.IN_PROGRESS, policy.MISSING, policy.PENDING} <= statuses
    compared = pending = 0
    for work in works:
        new, old = dashboards.assignment_analysis(work, room), reference_analysis(work, room)
        assert new.items == old.items, work.title
        assert (new.students, new.histogram, new.completion_by_day, new.mean, new.pending) == \
            (old.students, old.histogram, old.completion_by_day, old.mean, old.pending)
        pending += new.pending
        compared += len(new.items)
        assert all(item.discrimination is not None for item in new.items if item.ranked >= 6)
    assert compared >= 8 and pending >= 3
    # the rows kept up to date start by start and hand-in by hand-in are what a recount gives
    kept = summary_table()
    begin_write()
    summaries.rebuild(w.id for w in works)
    db.session.commit()
    assert summary_table() == kept
    begin_write()
    summaries.refresh([(row[0], row[1]) for row in kept[::3]])
    db.session.commit()
    assert summary_table() == kept


def test_a_score_awaiting_grading_is_pending_never_zero_and_deletes_cascade(generated):
    room, works, now = generated
    work = next(w for w in works if w.grading == policy.Grading.LATEST)
    active = {r.student.id for r in dashboards.class_overview(room, now).rows}
    attempt = db.session.scalar(db.select(Attempt).where(
        Attempt.assignment_id == work.id, Attempt.state == AttemptState.FINISHED,
        Attempt.score.is_not(None), Attempt.user_id.in_(active)).order_by(Attempt.id.desc()).limit(1))
    uid, score, column = attempt.user_id, attempt.score, works.index(work)
    before = dashboards.assignment_analysis(work, room).pending

    def cell():
        return next(r for r in dashboards.class_overview(room, now).rows if r.student.id == uid).cells[column]

    begin_write()
    attempt.score = None  # the latest hand-in, the one that counts, has a written answer to grade
    db.session.flush()
    summaries.refresh([(work.id, uid)])
    db.session.commit()
    assert cell().status == policy.PENDING and cell().score is None and cell().percent is None
    header, rows = exports.gradebook(dashboards.class_overview(room, now), ZoneInfo("UTC"))
    name = db.session.get(User, uid).display_name
    assert policy.PENDING in next(r for r in rows if r[0] == name)
    assert dashboards.assignment_analysis(work, room).pending == before + 1
    begin_write()
    db.session.get(Attempt, attempt.id).score = score  # graded
    db.session.flush()
    summaries.refresh([(work.id, uid)])
    db.session.commit()
    assert cell().status in (policy.DONE, policy.LATE) and cell().score == score
    assert dashboards.assignment_analysis(work, room).pending == before
    # deleting an assignment or a student deletes their rows
    user_id = db.session.scalar(db.select(AttemptSummary.user_id).where(
        AttemptSummary.assignment_id == works[1].id).limit(1))
    begin_write()
    db.session.execute(db.delete(Attempt).where(Attempt.assignment_id == works[0].id,
                                                Attempt.state == AttemptState.IN_PROGRESS))
    db.session.execute(db.delete(Assignment).where(Assignment.id == works[0].id))
    db.session.execute(db.delete(User).where(User.id == user_id))
    db.session.commit()
    left = summary_table()
    assert left and all(row[0] != works[0].id and row[1] != user_id for row in left)
    assert json.dumps(left, default=str)  # plain values only


def test_the_overview_page_reads_what_a_reading_of_every_cell_gives(generated):
    """The page assesses the class from the grid's columns without making its cells; that reading is the
    one the rules give from every cell (as the page did before), and the rows it shows are the full grid's."""
    room, works, now = generated
    assert any(dashboards.class_grid(room, now).awaiting)  # the generated class has scores awaiting
    for when in (now, now + timedelta(days=3), now - timedelta(days=20)):
        grid = dashboards.class_grid(room, when)
        view = read_grid(grid, when)
        full = dashboards.class_overview(room, when)
        ws = [attention.Work(a.id, a.title, a.due_at, a.closed) for a in full.assignments]
        marks = [[mark(c) for c in row.cells] for row in full.rows]
        assert view.summary == attention.summarise(ws, marks, when)
        assert view.assessed == {
            row.student.id: attention.assess(row.student.id, row.student.display_name, ws, m, when)
            for row, m in zip(full.rows, marks, strict=True)}

        def seen(rows):
            return [(r.student, r.cells, r.average) for r in rows]

        assert seen(view.rows(grid, grid.students)) == seen(full.rows)
        assert grid.completion == full.completion
        # the overview's "to grade or release" counts: each column's cells whose counted score awaits
        assert grid.awaiting == [sum(row.cells[i].status == policy.PENDING for row in full.rows)
                                 for i in range(len(full.assignments))]


def test_a_class_with_more_assignments_than_one_statement_takes_reads_the_same_grid(generated, monkeypatch):
    """SQLite caps a compound SELECT's terms: past UNION_TERMS assignments the class-wide read takes
    several statements, and the grid it gives is the one a single statement gives."""
    room, works, now = generated
    whole = dashboards.class_grid(room, now)
    assert len(works) > 3
    monkeypatch.setattr(dashboards, "UNION_TERMS", 3)
    split = dashboards.class_grid(room, now)
    assert (split.scores, split.handed_by, split.handed, split.on_time, split.awaiting) == \
        (whole.scores, whole.handed_by, whole.handed, whole.on_time, whole.awaiting)
    assert whole.scores and whole.handed_by
