"""Instructor dashboards: a fixed number of queries per page, whatever the class size.

The class grid and item analysis read the per-student summaries (AttemptSummary, kept up to date as
attempts are started and handed in) and let the database count the answers; they never read every
attempt of a class.
"""

from __future__ import annotations

import gc
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Text, and_, bindparam, cast, func, select, text

from ..core import attention
from ..core import rules as policy
from ..core.item_analysis import (
    MIN_ANSWERS_FOR_ADVICE,
    ItemStats,
    ResponseRow,
    clamped,
    item_analysis,
    item_counts,
    item_stats,
    score_histogram,
)
from ..core.questions import Question
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    AttemptSummary,
    Classroom,
    Enrollment,
    User,
)
from ..study import summaries
from ..study.attempts import versions
from .services import assignments_of


class Cell(NamedTuple):
    """One student on one assignment (a NamedTuple: a 1,000-student grid has 20,000 of them). While the
    score that counts awaits grading the status says so and there is no score (never 0)."""

    status: str = policy.NOT_STARTED
    score: float | None = None
    attempts: int = 0
    late: bool = False  # every finished attempt late (the status says so too, except while awaiting grading)

    @property
    def percent(self) -> int | None:
        """The counted score as a percentage."""
        return None if self.score is None else round(self.score * 100)


class Student(NamedTuple):
    """What the dashboards show of a student (a NamedTuple: a 10,000-student class makes 10,000, and a
    tuple is made in a third of a frozen dataclass's time)."""

    id: int
    display_name: str
    email: str | None


@dataclass
class StudentRow:
    """A row of the class grid."""

    student: Student
    cells: list[Cell]
    average: float | None
    dues: Sequence[datetime] = ()  # the assignments' due dates and the moment, for `attention`
    now: datetime = datetime.min

    @cached_property
    def attention(self) -> list[policy.Attention]:
        """The attention rules' reasons for this student, worked out when asked for: only for rows made
        with `dues` and `now` (`class_overview`). The overview page's rows carry neither; it reads the
        reasons from `teach.attention.ClassView`."""
        return policy.needs_attention(list(zip(map(STATUS_OF, self.cells), map(SCORE_OF, self.cells),
                                               self.dues, strict=True)), self.now)

    @property
    def average_percent(self) -> int | None:
        """Mean of counted scores, as a percentage."""
        return None if self.average is None else round(self.average * 100)


@dataclass
class Overview:
    """The class grid and the needs-attention list."""

    assignments: list[Assignment]
    rows: list[StudentRow]
    completion: list[float]

    @cached_property
    def attention(self) -> list[StudentRow]:
        """Students with at least one reason for concern."""
        return [r for r in self.rows if r.attention]


def students_of(classroom: Classroom) -> list[Student]:
    """Active students by name, as light rows (one query, read from the driver's cursor)."""
    return list(map(Student._make, _fetch(
        db.select(User.id, User.display_name, User.email)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))
        .order_by(User.display_name, User.id))))


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a large grid is built: it makes no cycles, and the collector
    would otherwise walk the growing grid again and again (a third of the time at 10,000 students)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


SORTS = ("name", "average", "attention")
NOTHING: AbstractSet[int] = frozenset()
STATUS_OF, SCORE_OF = itemgetter(0), itemgetter(1)
KEY = itemgetter(1)


def _summary_rows(assignments: list[Assignment], some: bool = False):
    """(user id, assignment's position, code, counted score, attempts) per summary with an attempt; the
    code is 0 started, 1 handed in, 2 handed in late (every time), 3 the score that counts awaits
    grading (then it is NULL), 4 awaits grading and every hand-in was late. Plain SQL so the database,
    not Python, works out 200,000 cells at 10,000 students; the counted score and whether it awaits
    grading follow each assignment's grading rule. `some`: only the students bound as `users`."""
    position, waits, scores = _by_assignment(assignments)
    return text(
        "SELECT user_id, position, CASE WHEN finished = 0 THEN 0 WHEN waits = 1 AND late = finished THEN 4 "
        "WHEN waits = 1 THEN 3 WHEN late = finished THEN 2 ELSE 1 END, "
        "CASE WHEN waits = 1 THEN NULL ELSE score END, attempts "
        f"FROM (SELECT user_id, attempts, finished, late, CASE assignment_id {position} END AS position, "
        f"CASE assignment_id {waits} END AS waits, CASE assignment_id {scores} END AS score "
        "FROM attempt_summary WHERE assignment_id IN :ids AND attempts > 0"
        f"{' AND user_id IN :users' if some else ''}) AS cells"
    ).bindparams(*(bindparam(name, expanding=True) for name in ("ids", "users")[:1 + some]))


SCORE_COLUMNS = {policy.Grading.FIRST: "first_score", policy.Grading.LATEST: "last_score"}


def _score_column(assignment: Assignment) -> str:
    """The summary column holding the assignment's counted score (its grading policy's)."""
    return SCORE_COLUMNS.get(assignment.grading, "best_score")


def _by_assignment(assignments: list[Assignment]) -> tuple[str, str, str]:
    """The WHEN clauses of `CASE assignment_id`: each assignment's position, whether its counted score
    awaits grading (1 or 0), and the column holding its counted score."""
    dialect = db.session.get_bind().dialect
    position = " ".join(f"WHEN {int(a.id)} THEN {i}" for i, a in enumerate(assignments))
    scores = " ".join(f"WHEN {int(a.id)} THEN {_score_column(a)}" for a in assignments)
    waits = " ".join(f"WHEN {int(a.id)} THEN CASE WHEN {summaries.awaiting_sql(a.grading, dialect)} "
                     "THEN 1 ELSE 0 END" for a in assignments)
    return position, waits, scores


UNION_TERMS = 200  # SQLite refuses a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT)


def _handed_in(assignments: list[Assignment]) -> list[tuple]:
    """The rows of `_handed_in_rows`, one statement per UNION_TERMS assignments (one for any class but
    one with hundreds of assignments)."""
    return [row for start in range(0, len(assignments), UNION_TERMS)
            for row in _fetch(_handed_in_rows(assignments[start:start + UNION_TERMS], start))]


def _handed_in_rows(assignments: list[Assignment], first: int = 0):
    """(user id, key, counted score) per summary handed in (code 1 to 4 of `_summary_rows`), the key
    being twice the assignment's position plus 1 when handed in on time (code 1 or 3), the score NULL
    while it awaits grading. What the whole class's reading needs in three values a row instead of
    five: a fifth fewer rows are read and each costs the driver less. One SELECT per assignment, joined
    by UNION ALL: each reads its stretch of the table's key with its position, score column and
    awaiting rule written in, where one SELECT over them all worked out three 20-way CASEs a row (89
    instead of 117 ms at 10,000 students on SQLite)."""
    dialect = db.session.get_bind().dialect
    return text(" UNION ALL ".join(
        f"SELECT user_id, {2 * i} + CASE WHEN late = finished THEN 0 ELSE 1 END, "
        f"CASE WHEN {summaries.awaiting_sql(a.grading, dialect)} THEN NULL ELSE {_score_column(a)} END "
        f"FROM attempt_summary WHERE assignment_id = {int(a.id)} AND finished > 0"
        for i, a in enumerate(assignments, start=first)))


def _kinds() -> list[tuple[str, bool]]:
    """The status, and whether every hand-in was late, of each code of `_summary_rows`, from the rules'
    own Tally."""
    kinds = []
    for finished, late, score in ((False, False, 1.0), (True, False, 1.0), (True, True, 1.0),
                                  (True, False, None), (True, True, None)):
        tally = policy.Tally()
        tally.add(finished, late, score)
        kinds.append((tally.status(datetime.max, datetime.min), finished and tally.all_late))
    return kinds


KINDS = _kinds()
HANDED_IN = tuple(code for code, (status, _) in enumerate(KINDS) if status in policy.SUBMITTED)
ON_TIME = tuple(code for code, (status, late) in enumerate(KINDS)
                if status == policy.DONE or (status == policy.PENDING and not late))
# `_handed_in_rows` reads codes 1 to 4 as handed in, and 1 and 3 as on time.
if HANDED_IN != (1, 2, 3, 4) or ON_TIME != (1, 3):  # the rules changed: the SQL must follow them
    raise RuntimeError(f"the grid's status codes no longer match the rules: {HANDED_IN}, {ON_TIME}")


def _fetch(statement, params=None) -> list[tuple]:
    """Every row of a statement, straight from the driver's cursor: the values need no conversion, and
    200,000 SQLAlchemy rows would cost a fifth of the page."""
    result = db.session.connection().execute(statement, params)
    found = result.cursor.fetchall()
    result.close()
    return found


@dataclass
class Grid:
    """The class grid as the whole class needs it (each student's counted scores, who handed in the
    assignments the attention rules ask about, how many handed in each), read in one lean pass;
    `Cell`s are read and made only for the students a page shows."""

    students: list[Student]  # active, by name
    assignments: list[Assignment]
    untouched: list[Cell]  # each column's cell for a student who never started
    scores: dict[int, list[float | None]]  # per student with a score: counted score per column
    handed_by: dict[int, set[int]]  # per student: the columns in the attention windows they handed in
    handed: list[int]  # per assignment: active students who handed in
    on_time: list[int]  # ... and who handed in on time
    awaiting: list[int]  # ... and whose counted score awaits the grading of a written answer

    def cells_of(self, students: Sequence[Student], everyone: bool = False) -> dict[int, list[Cell]]:
        """These students' rows of cells (one query; `everyone`: the whole class, read unfiltered)."""
        rows = {s.id: self.untouched.copy() for s in students}
        if self.assignments:
            params = {"ids": [a.id for a in self.assignments]} | ({} if everyone else {"users": list(rows)})
            for user, position, code, score, attempts in _fetch(
                    _summary_rows(self.assignments, some=not everyone), params):
                if (row := rows.get(user)) is not None:
                    status, late = KINDS[code]
                    row[position] = Cell(status, score, attempts, late)
        return rows

    def row_scores(self, student_id: int) -> list[float | None]:
        """One student's counted scores in column order (None: no score, or pending)."""
        found = self.scores.get(student_id)
        return [None] * len(self.assignments) if found is None else found.copy()

    def was_handed_in(self, student_id: int) -> AbstractSet[int]:
        """Which columns of the attention windows the student handed in (not to be changed)."""
        return self.handed_by.get(student_id, NOTHING)

    @property
    def completion(self) -> list[float]:
        """Per assignment, the share of the class that handed in."""
        return [n / len(self.students) if self.students else 0.0 for n in self.handed]


def class_grid(classroom: Classroom, now: datetime) -> Grid:
    """The class's students, assignments and what the whole class needs of their summaries (three
    queries), at `now`: read it with the attention rules at the same moment (`teach.attention.read_grid`),
    since only the columns of that moment's overdue and due-soon windows say who handed in.

    The shown students' cells are read later (`Grid.cells_of`, one more query). On SQLite both reads see
    one snapshot (the request's transaction); on PostgreSQL (read committed) a hand-in committed between
    them can show in a cell before the row's average or flags count it, until the next view."""
    with collector_paused():
        return _read_grid(classroom, now)


def _read_grid(classroom: Classroom, now: datetime) -> Grid:
    students = students_of(classroom)
    assignments = assignments_of(classroom)
    untouched = [Cell(policy.Tally().status(a.due_at, now)) for a in assignments]
    works = [attention.Work(a.id, a.title, a.due_at, a.closed) for a in assignments]
    windows = attention.Reader(works, now).windows
    found = _handed_in(assignments)
    # One pass: each student's row of counted scores (the attention rules read every row), and who
    # handed in the columns the rules ask about.
    scores: dict[int, list[float | None]] = {}
    blank: list[float | None] = [None] * len(assignments)
    handed_by: dict[int, set[int]] = {}
    asked = {2 * i + on_time: i for i in windows for on_time in (0, 1)}
    unscored: set[int] = set()  # students whose only hand-ins await grading, perhaps
    awaiting = [0] * len(assignments)
    for user, key, score in found:
        if score is not None:
            row = scores.get(user)
            if row is None:
                row = scores[user] = blank.copy()
            row[key >> 1] = score
        else:
            unscored.add(user)
            awaiting[key >> 1] += 1
        if asked and (column := asked.get(key)) is not None:
            if (columns := handed_by.get(user)) is None:
                columns = handed_by[user] = set()
            columns.add(column)
    keys = Counter(map(KEY, found))
    if gone := (scores.keys() | unscored).difference(s.id for s in students):  # no longer in the class
        for user, key, score in found:  # one pass takes them out of every count
            if user in gone:
                keys[key] -= 1
                if score is None:
                    awaiting[key >> 1] -= 1
    handed = [keys[2 * i] + keys[2 * i + 1] for i in range(len(assignments))]
    on_time = [keys[2 * i + 1] for i in range(len(assignments))]
    return Grid(students, assignments, untouched, scores, handed_by, handed, on_time, awaiting)


def class_overview(classroom: Classroom, now: datetime, sort: str = "name") -> Overview:
    """Students × assignments with status and counted score, every cell (the gradebook's CSV)."""
    grid = class_grid(classroom, now)
    dues = [a.due_at for a in grid.assignments]
    rows = []
    with collector_paused():
        cells = grid.cells_of(grid.students, everyone=True)
        for student in grid.students:
            # From the row's own cells, so an export agrees with itself whatever committed meanwhile.
            got = [cell.score for cell in cells[student.id] if cell.score is not None]
            rows.append(StudentRow(student, cells[student.id], sum(got) / len(got) if got else None,
                                   dues, now))
    if sort == "average":
        rows.sort(key=lambda r: (r.average is None, r.average if r.average is not None else 0))
    elif sort == "attention":
        rows.sort(key=lambda r: (-len(r.attention), r.student.display_name.casefold()))
    return Overview(grid.assignments, rows, grid.completion)


@dataclass
class Analysis:
    """Item analysis and distributions for one assignment."""

    items: list[ItemStats]
    students: int
    histogram: list[tuple[str, int]]
    completion_by_day: list[tuple[str, float]]
    mean: float | None
    min_answers: int = MIN_ANSWERS_FOR_ADVICE  # below this, a question gets no advice
    pending: int = 0  # students whose counted score awaits grading: left out of the statistics until known


def _counted(finished, student_ids: set[int], grading: str) -> dict[int, tuple[int, float]]:
    """For each student, the attempt whose score counts: {user_id: (attempt_id, score)}. A student
    whose counted score is awaiting grading (a written answer) is left out until it is known."""
    by_student: dict[int, list[tuple[int, float]]] = defaultdict(list)
    tallies: dict[int, policy.Tally] = defaultdict(policy.Tally)
    for attempt_id, user_id, score, _ in finished:
        if user_id in student_ids:
            tallies[user_id].add(True, False, score)
            if score is not None:
                by_student[user_id].append((attempt_id, score))
    chosen = {}
    for user_id, attempts in by_student.items():
        if tallies[user_id].awaiting(grading):
            continue
        target = policy.counted_score([s for _, s in attempts], grading)
        chosen[user_id] = attempts[-1] if grading == "latest" else next(a for a in attempts if a[1] == target)
    return chosen


def snapshots_for(attempt_ids) -> dict[tuple[str, str], Question]:
    """Each distinct question version served in these attempts (one query)."""
    hashes = db.select(AttemptItem.content_hash).where(AttemptItem.attempt_id.in_(attempt_ids)).distinct()
    return {(q.id, h): q for h, q in versions(hashes).items()}


def _chosen_ids(question: Question, raw: str | None) -> tuple[str, ...]:
    """Option ids picked, decoding the stored JSON only for questions whose options are analysed."""
    if raw is None or not question.kind.reports_options:
        return ()
    return question.kind.picked(question, json.loads(raw))


def _completion(first_done: Mapping[int, datetime], students: int) -> list[tuple[str, float]]:
    """Cumulative share of the class with a finished attempt, by day (from each student's first)."""
    per_day: dict[str, int] = defaultdict(int)
    for at in first_done.values():
        per_day[at.strftime("%Y-%m-%d")] += 1
    running, completion = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        completion.append((day, 100 * running / max(1, students)))
    return completion


def _counted_attempts(assignment: Assignment, classroom: Classroom, respondents: bool = False):
    """Per active student who handed in: the counted attempt and its score (NULL when none was scored),
    whether the score that counts awaits grading, and when they first handed in. `respondents`: only the
    students whose counted score is known, who are the item statistics' respondents."""
    s = AttemptSummary
    attempt_id, score = {policy.Grading.FIRST: (s.first_attempt_id, s.first_score),
                         policy.Grading.LATEST: (s.last_attempt_id, s.last_score)}.get(
        assignment.grading, (s.best_attempt_id, s.best_score))
    waits = summaries.awaiting(assignment.grading)
    query = (select(s.user_id, attempt_id.label("attempt_id"), score.label("total"), waits.label("waits"),
                    s.first_finished_at)
             .join(Enrollment, and_(Enrollment.user_id == s.user_id, Enrollment.classroom_id == classroom.id,
                                    Enrollment.active.is_(True)))
             .where(s.assignment_id == assignment.id, s.finished > 0))
    return query.where(~waits, score.is_not(None)) if respondents else query


def _ranked_answers(respondents):
    """Every answer to the counted attempts (question, version, response, score, answer id), question by
    question, respondents ranked as `item_analysis` ranks them: by their attempt's score, best first,
    ties by student id. One join and sort in the database; Python then only counts."""
    c = respondents.subquery()
    return (select(AttemptItem.question_id, AttemptItem.content_hash, cast(AttemptItem.response, Text),
                   func.coalesce(AttemptItem.score, 0.0), AttemptItem.id)
            .join(c, c.c.attempt_id == AttemptItem.attempt_id)
            .order_by(AttemptItem.question_id, c.c.total.desc(), c.c.user_id))


def assignment_analysis(assignment: Assignment, classroom: Classroom) -> Analysis:
    """Facility, discrimination and option shares over each student's counted attempt (three queries,
    and one for question versions not met before)."""
    connection = db.session.connection()
    students = connection.execute(select(func.count()).select_from(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True))).scalar_one()
    counted = _counted_attempts(assignment, classroom)
    first_done: dict[int, datetime] = {}
    totals: dict[int, float] = {}
    pending = 0
    for user_id, _, total, waiting, finished_at in connection.execute(
            counted.order_by(AttemptSummary.first_finished_at, AttemptSummary.first_attempt_id)):
        first_done[user_id] = finished_at
        if waiting:
            pending += 1
        elif total is not None:
            totals[user_id] = total
    items: list[ItemStats] = []
    if totals:
        respondents = _counted_attempts(assignment, classroom, respondents=True)
        # Straight from the driver's cursor: plain values that need no conversion (strings, numbers).
        result = connection.execute(_ranked_answers(respondents))
        answers = result.cursor.fetchall()
        result.close()
        served = versions(set(map(itemgetter(1), answers)))  # kept by hash: usually no query
        found = []
        for qid, rows in groupby(answers, key=itemgetter(0)):
            rows = list(rows)
            first, version = min(map(itemgetter(4, 1), rows))  # the first answer's version, as before
            question = served[version]
            ranked = clamped(list(map(itemgetter(3), rows)))
            picks: Counter[tuple[str, ...]] = Counter()
            if question.kind.reports_options:  # each distinct answer decoded once
                for (v, raw), n in Counter(map(itemgetter(1, 2), rows)).items():
                    picks[_chosen_ids(served[v], raw)] += n
            found.append((first, item_stats(qid, question, item_counts(ranked, ranked, picks.elements()))))
        items = [stats for _, stats in sorted(found, key=itemgetter(0))]
    scores = list(totals.values())
    return Analysis(items=items, students=students, histogram=score_histogram(scores),
                    completion_by_day=_completion(first_done, students),
                    mean=sum(scores) / len(scores) if scores else None, pending=pending)


@dataclass
class CourseReview:
    """Item analysis of every question over every class's counted attempts, for the course authors."""

    items: dict[str, ItemStats]  # question id -> statistics and advice (answered questions only)
    classes: int
    assignments: int
    attempts: int  # counted attempts: one per student per assignment
    earlier_versions: int  # answers to a version of a question other than the current one, left out


# Every finished assignment attempt of a student still enrolled in the assignment's class.
REVIEW_ATTEMPTS = (
    db.select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.finished_at, Attempt.assignment_id,
              Assignment.grading, Assignment.classroom_id)
    .join(Assignment, Assignment.id == Attempt.assignment_id)
    .join(Enrollment, (Enrollment.classroom_id == Assignment.classroom_id)
          & (Enrollment.user_id == Attempt.user_id))
    .where(Attempt.state == AttemptState.FINISHED, Enrollment.active.is_(True))
    .order_by(Attempt.finished_at, Attempt.id))
REVIEW_ITEMS = (
    db.select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.content_hash,
              cast(AttemptItem.response, Text), AttemptItem.score)
    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
    .where(Attempt.state == AttemptState.FINISHED, Attempt.assignment_id.is_not(None)))


def course_review(questions: Mapping[str, Question]) -> CourseReview:
    """Facility, discrimination, option shares and advice for the course's questions as they are now,
    over each student's counted attempt at every assignment of every class (two queries)."""
    connection = db.session.connection()
    by_assignment: dict[int, list] = defaultdict(list)
    grading: dict[int, str] = {}
    classes: set[int] = set()
    for attempt_id, user_id, score, finished_at, assignment_id, rule, classroom_id in \
            connection.execute(REVIEW_ATTEMPTS):
        by_assignment[assignment_id].append((attempt_id, user_id, score, finished_at))
        grading[assignment_id] = rule
        classes.add(classroom_id)
    # The respondent is a counted attempt, so one student counts once per assignment.
    totals: dict[int, float] = {}
    for assignment_id, finished in by_assignment.items():
        students = {uid for _, uid, _, _ in finished}
        totals.update(dict(_counted(finished, students, grading[assignment_id]).values()))
    rows: list[ResponseRow] = []
    earlier = 0
    for attempt_id, qid, version, raw, score in connection.execute(REVIEW_ITEMS):
        question = questions.get(qid)
        if attempt_id not in totals or question is None:
            continue
        if version != question.content_hash:
            earlier += 1
            continue
        rows.append(ResponseRow(attempt_id, qid, score or 0.0, _chosen_ids(question, raw)))
    stats = item_analysis(rows, totals, questions)
    return CourseReview(items={s.question_id: s for s in stats}, classes=len(classes),
                        assignments=len(by_assignment), attempts=len(totals), earlier_versions=earlier)
