"""A realistic demo class, built fast: one instructor, N students, M graded assignments.

`flask --app app demo --students 1000 --assignments 20 [--seed 1]` (see `resetlab.cli.demo`).
Students have an ability (normal), answer each question right with probability
sigmoid(BASE + ability - difficulty), and otherwise give a realistic wrong answer; every
answer is graded with `resetlab.core.grading.grade`, so scores are real. Rows go in with a few
large Core bulk inserts with explicit primary keys (max id + 1 onwards), inside one write
transaction; on PostgreSQL the id sequences are moved past the new rows afterwards.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, text

from ..auth.passwords import passwords
from ..core.content.model import Bank, Catalog
from ..core.grading import grade
from ..core.questions import Question, key_answer, present, to_json
from ..core.rules import Grading, Reveal
from ..core.selection import Purpose, draw_questions, written
from ..course import get_catalog
from ..database import begin_write
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptState,
    Classroom,
    Enrollment,
    GradeStatus,
    LessonRead,
    QuestionVersion,
    User,
    WrittenGrade,
    utcnow,
)
from ..study import summaries
from ..teach.services import new_join_code

FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jamal", "Kenji",
         "Lena", "Łukasz", "Mia", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Søren", "Tomás", "Uma",
         "Vera", "Wei", "Yusuf", "Zoë", "Елена", "José", "Aoife", "Sam")
LAST = ("Anderson", "Bauer", "Chen", "Dubois", "Eriksen", "García", "Hughes", "Ivanova", "Jones",
        "Kowalski", "Lefèvre", "Müller", "Nakamura", "O'Brien", "Patel", "Quispe", "Rossi", "Smirnov",
        "Taylor", "Nguyễn", "Wójcik", "Petrova", "Yılmaz", "Zhang", "Соколова")
DIFFICULTY = {"easy": -1.2, "medium": 0.0, "hard": 1.0}
BASE = 1.0  # an average student gets a medium question right ~73% of the time
GRADINGS = (Grading.HIGHEST, Grading.LATEST, Grading.HIGHEST, Grading.FIRST)
ATTEMPTS_ALLOWED = (None, 3, 2, None, 1)
TIME_LIMITS = (None, None, 20, None, 30)
REVEALS = (Reveal.IMMEDIATELY, Reveal.AFTER_DUE, Reveal.IMMEDIATELY)
BATCH = 50_000
# The demo's written assignment (the first on this bank) asks its essay too. Answers of three kinds, as a
# weaker, a middling and a stronger student might write them; an instructor has graded some, released none.
ESSAY_BANK = "obama-medvedev"
ESSAYS = (
    "I think Essay B is right because Russia and America want different things. The reset started well "
    "with the New START treaty but then Russia took Crimea. That shows it was about interests and not "
    "about ideas.",
    "Essay B fits better. The reset gave New START, signed in Prague in April 2010, but the interests of the "
    "two sides split over Libya: Russia abstained on Resolution 1973 in March 2011 and then saw it used to "
    "bring down Gaddafi. In 2013 Russia gave Edward Snowden asylum and Obama called off his Moscow visit, "
    "and in March 2014 Russia annexed Crimea. Essay A has a point about the protests after the December 2011 "
    "Duma election, but those were not what ended the reset.",
    "Each essay explains a different part of the collapse. The democracy quarrels came first: after the Duma "
    "election of 4 December 2011 Clinton called the vote neither free nor fair, and Putin accused her of "
    "signalling to the protesters. In December 2012 Obama signed the Magnitsky Act and Russia banned "
    "American adoptions, while USAID had been ordered out that autumn. These fit Essay A.\n\n"
    "The security side broke over interests, as Essay B says. Russia abstained on Resolution 1973 on "
    "17 March 2011 and felt misled when the NATO campaign helped overthrow Gaddafi; it then blocked "
    "Security Council action on Syria. Snowden's asylum in August 2013 cancelled a summit, and the "
    "annexation of Crimea in March 2014 ended the reset.\n\n"
    "The two overlap, because the Kremlin treats American support for democracy as a threat to its own "
    "hold on power. Ideology mattered as one of Russia's interests, so Essay B explains more.",
)
# Foreign keys are checked row by row on SQLite: insert parents first.
ORDER = (User, Classroom, Enrollment, Assignment, QuestionVersion, LessonRead, Attempt, AttemptItem,
         WrittenGrade)
WITH_IDS = (User, Classroom, Enrollment, Assignment, LessonRead, Attempt, AttemptItem, WrittenGrade)


class DemoError(Exception):
    """The demo cannot be built (no quiz banks, database not set up)."""


@dataclass
class Demo:
    """What was built, and how to log in."""

    instructor_email: str
    instructor_password: str
    student_emails: tuple[str, str]
    student_password: str
    classroom_id: int
    classroom_name: str
    assignment_ids: list[int]
    students: int
    attempts: int
    finished: int
    items: int
    seconds: float


@dataclass
class _Student:
    id: int
    ability: float
    decline: float  # how much ability is lost by the last assignment (falling students)
    late_rate: float


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def course_banks(catalog: Catalog) -> list[Bank]:
    """Lesson banks in lesson order, then the course-wide exams."""
    lessons = [catalog.bank_for_lesson(lesson.slug) for lesson in catalog.lessons]
    return [b for b in lessons if b is not None and b.pool == "bank"] + \
        [b for b in catalog.banks.values() if b.pool == "course"]


def display_names(count: int, rng: random.Random) -> list[str]:
    """Distinct names from small lists; past the combinations, a middle initial tells them apart."""
    combos = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(combos)
    names = []
    for i in range(count):
        first, _, last = combos[i % len(combos)].partition(" ")
        lap = i // len(combos)
        names.append(f"{first} {chr(ord('A') + lap - 1)}. {last}" if lap else f"{first} {last}")
    return names


def _emails(run: int, count: int) -> tuple[str, list[str]]:
    tag = "" if run == 1 else f"-run{run}"
    return (f"demo-instructor{tag}@example.org",
            [f"demo-student-{i}{tag}@example.org" for i in range(1, count + 1)])


def _free_run(count: int) -> int:
    """The first run number whose emails are all unused, so a second demo never collides."""
    run = 1
    while True:
        instructor, students = _emails(run, count)
        taken = db.session.scalar(db.select(func.count()).select_from(User).where(User.email == instructor))
        for start in range(0, len(students), 500):
            if taken:
                break
            taken = db.session.scalar(db.select(func.count()).select_from(User)
                                      .where(User.email.in_(students[start:start + 500])))
        if not taken:
            return run
        run += 1


def schedule(count: int, now: datetime) -> list[tuple[datetime, datetime]]:
    """(open, due) per assignment: due every 3.5 days over past weeks, the last few in coming days."""
    upcoming = 0 if count < 2 else min(3, max(1, count // 6))
    past = count - upcoming
    hour = now.replace(minute=0, second=0, microsecond=0)
    dues = [hour - timedelta(hours=84 * (past - k)) for k in range(past)]
    dues += [hour + timedelta(days=1 + 2 * j, hours=1) for j in range(upcoming)]
    return [(due - timedelta(days=7), due) for due in dues]


def wrong_answer(q: Question, rng: random.Random, popular: dict[str, str]) -> Any:
    """A wrong answer a real student might give (canonical form, as the question type parses it)."""
    return q.kind.wrong_answer(q, rng, popular.get(q.id))


class _Builder:
    """Holds ids, pending rows and counters while the class is generated."""

    def __init__(self, rng: random.Random, now: datetime, catalog: Catalog):
        self.rng, self.now, self.catalog = rng, now, catalog
        self.ids = {m: db.session.scalar(db.select(func.max(m.id))) or 0 for m in WITH_IDS}
        self.rows: dict[type, list[dict[str, Any]]] = {m: [] for m in ORDER}
        self.read: dict[tuple[int, str], datetime] = {}
        self.attempts = self.finished = self.items = 0
        questions = {q.id: q for b in catalog.banks.values() for q in b.questions}
        self.hashes = {qid: q.content_hash for qid, q in questions.items()}
        self.popular = {qid: pick for qid, q in questions.items()
                        if (pick := q.kind.popular_wrong(q, rng)) is not None}
        known = set(db.session.scalars(db.select(QuestionVersion.content_hash)
                                       .where(QuestionVersion.content_hash.in_(set(self.hashes.values())))))
        for qid, version in self.hashes.items():
            if version not in known:
                known.add(version)
                self.add(QuestionVersion, {"content_hash": version, "question_id": qid,
                                           "snapshot": questions[qid].to_snapshot(), "created_at": now})

    def next_id(self, model: type) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows[model].append(row)
        if len(self.rows[model]) >= BATCH:
            self.flush(model)

    def flush(self, upto: type | None = None) -> None:
        """Insert pending rows of `upto` and of every table it may refer to."""
        for model in ORDER:
            if self.rows[model]:
                db.session.execute(insert(model).execution_options(render_nulls=True), self.rows[model])
                self.rows[model] = []
            if model is upto:
                return

    def student_work(self, student: _Student, work: dict[str, Any], bank: Bank, progress: float) -> None:
        """Zero to three attempts by one student at one assignment."""
        rng, now = self.rng, self.now
        open_at, due_at = work["open_at"], work["due_at"]
        upcoming = due_at > now
        theta = student.ability - student.decline * progress
        skip = _sigmoid(-3.5 - 1.5 * theta)  # weaker students skip more
        if upcoming:  # and many have not got round to work due in the coming days
            skip = min(0.95, skip + 0.1 + 0.6 * (due_at - now) / (due_at - open_at))
        if rng.random() < skip:
            return
        if not upcoming and rng.random() < student.late_rate:
            start = due_at + timedelta(hours=rng.uniform(0.5, 72))
        else:
            start = open_at + (min(due_at, now) - open_at) * rng.uniform(0.05, 0.95)
        limit = work["time_limit_minutes"]
        for n in range(min(3, work["attempts_allowed"] or 3)):
            minutes = rng.uniform(4, 25) if limit is None else rng.uniform(3, limit - 1)
            finish = start + timedelta(minutes=minutes)
            if finish > now - timedelta(minutes=5):
                return
            abandoned = rng.random() < (0.1 if upcoming else 0.02)
            score = self.attempt(student, work, bank, start, None if abandoned else finish, theta + 0.3 * n)
            if bank.lesson:
                key = (student.id, bank.lesson)
                self.read[key] = min(self.read.get(key, start), start - timedelta(hours=rng.uniform(0.2, 48)))
            if score is None or rng.random() > (0.55 if score < 0.7 else 0.25 if score < 1 else 0.05):
                return
            start = finish + timedelta(hours=rng.uniform(0.25, 36))

    def attempt(self, student: _Student, work: dict[str, Any], bank: Bank, started: datetime,
                finished: datetime | None, theta: float) -> float | None:
        """One attempt with drawn questions, answered and graded when finished; returns its score."""
        rng = self.rng
        attempt_id = self.next_id(Attempt)
        questions = draw_questions(bank, self.catalog.banks.values(), work["draw"], rng, Purpose.ASSESSMENT)
        scores, items = [], []
        for position, q in enumerate(questions):
            response = score = None
            presentation = list(present(q, rng))
            if finished is not None:
                p_right = _sigmoid(BASE + theta - DIFFICULTY.get(q.difficulty, 0.0))
                answer = key_answer(q) if rng.random() < p_right else \
                    None if rng.random() < 0.03 else wrong_answer(q, rng, self.popular)
                score = grade(q, answer).score
                response = to_json(q, answer)
                scores.append(score)
            items.append({"id": self.next_id(AttemptItem), "attempt_id": attempt_id, "position": position,
                          "question_id": q.id, "content_hash": self.hashes[q.id],
                          "presentation": presentation, "response": response, "score": score})
        total = sum(scores) / max(1, len(scores)) if finished is not None else None
        essays = written(self.catalog.bank(work["bank_slug"])) if work.get("include_written") else []
        for q in essays:
            position = len(items)
            item = {"id": self.next_id(AttemptItem), "attempt_id": attempt_id, "position": position,
                    "question_id": q.id, "content_hash": self.hashes[q.id],
                    "presentation": list(present(q, self.rng)),
                    "response": None, "score": None}
            items.append(item)
            if finished is not None:
                kind = 0 if theta < -0.5 else 1 if theta < 0.7 else 2
                item["response"] = to_json(q, ESSAYS[kind])
                total = None  # awaiting grading: the grades are not released
                self.essay_grade(item, q, attempt_id, work, kind, finished)
        limit = work["time_limit_minutes"]
        self.add(Attempt, {
            "id": attempt_id, "user_id": student.id, "bank_slug": bank.slug, "bank_title": work["title"],
            "lesson_slug": bank.lesson, "assignment_id": work["id"],
            "state": AttemptState.IN_PROGRESS if finished is None else AttemptState.FINISHED,
            "started_at": started,
            "deadline_at": started + timedelta(minutes=limit) if limit else None,
            "finished_at": finished, "score": total,
            "late": finished is not None and finished > work["due_at"], "timed_out": False})
        for item in items:  # after their attempt: a full batch flushes the attempt first
            self.add(AttemptItem, item)
        self.attempts += 1
        self.items += len(items)
        self.finished += finished is not None
        return total


    def essay_grade(self, item: dict[str, Any], q: Question, attempt_id: int, work: dict[str, Any], kind: int,
                    handed_in: datetime) -> None:
        """The grading-queue row of one demo essay: about half graded so far (levels by the kind of
        answer), the rest waiting."""
        rubric = q.body.rubric
        graded = self.rng.random() < 0.5
        levels = [min(len(c.levels) - 1, kind + (1 if kind == 2 and len(c.levels) > 3 else 0))
                  for c in rubric.criteria] if graded else [None] * len(rubric.criteria)
        self.add(WrittenGrade, {
            "id": self.next_id(WrittenGrade), "item_id": item["id"], "attempt_id": attempt_id,
            "assignment_id": work["id"], "question_id": q.id,
            "status": GradeStatus.GRADED if graded else GradeStatus.PENDING, "rubric": rubric.as_json(),
            "levels": levels, "points": rubric.points(levels) if graded else None,
            "max_points": rubric.max_points, "comment": "",
            "grader_id": work["instructor_id"] if graded else None,
            "graded_at": handed_in + timedelta(days=1) if graded else None, "revisions": [],
            "updated_at": handed_in})


def _lock_tables() -> None:
    """PostgreSQL: keep other writers out while max ids are read and rows inserted."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    quote = bind.dialect.identifier_preparer.quote
    tables = ", ".join(quote(m.__table__.name) for m in ORDER)
    db.session.execute(text(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"))


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the rows inserted with explicit ids."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    quote = bind.dialect.identifier_preparer.quote
    for model in WITH_IDS:
        table = quote(model.__table__.name)
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT MAX(id) FROM {table}))"))


def build_demo(students: int, assignments: int, seed: int | None = None,
               now: datetime | None = None) -> Demo:
    """Build and commit the demo class; passwords are random even with a seed."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or utcnow()
    catalog = get_catalog()
    banks = course_banks(catalog)
    if not banks:
        raise DemoError("the course has no quiz banks to assign")
    instructor_password = secrets.token_urlsafe(15)
    student_password = f"demo-{secrets.token_urlsafe(9)}"
    ph = passwords()
    instructor_hash, student_hash = ph.hash(instructor_password), ph.hash(student_password)
    names = display_names(students, rng)
    dates = schedule(assignments, now)
    begin_write()
    try:
        _lock_tables()
        run = _free_run(students)
        instructor_email, student_emails = _emails(run, students)
        build = _Builder(rng, now, catalog)
        joined = dates[0][0] - timedelta(days=3)
        instructor_id = build.next_id(User)
        build.add(User, {"id": instructor_id, "email": instructor_email, "role": "instructor",
                         "display_name": "Demo Instructor" + (f" {run}" if run > 1 else ""),
                         "password_hash": instructor_hash, "session_version": 1,
                         "created_at": joined - timedelta(days=2)})
        classroom_id = build.next_id(Classroom)
        classroom_name = f"Demo class ({students} students)" + (f", run {run}" if run > 1 else "")
        build.add(Classroom, {"id": classroom_id, "instructor_id": instructor_id, "name": classroom_name,
                              "join_code": new_join_code(), "archived": False,
                              "created_at": joined - timedelta(days=1)})
        roster = []
        for email, name in zip(student_emails, names, strict=True):
            ability = rng.gauss(0.0, 1.0)
            uid = build.next_id(User)
            roster.append(_Student(uid, ability, rng.uniform(1.5, 3.0) if rng.random() < 0.08 else 0.0,
                                   0.04 + 0.2 * _sigmoid(-1.5 * ability)))
            at = joined + timedelta(hours=rng.uniform(0, 48))
            build.add(User, {"id": uid, "email": email, "display_name": name, "role": "student",
                             "password_hash": student_hash, "session_version": 1, "created_at": at})
            build.add(Enrollment, {"id": build.next_id(Enrollment), "classroom_id": classroom_id,
                                   "user_id": uid, "joined_at": at, "active": True})
        works = []
        for i, (open_at, due_at) in enumerate(dates):
            bank = banks[i % len(banks)]
            lap = i // len(banks)
            work = {"id": build.next_id(Assignment), "classroom_id": classroom_id, "bank_slug": bank.slug,
                    "title": bank.title if not lap else f"{bank.title} (round {lap + 1})",
                    "open_at": open_at, "due_at": due_at, "attempts_allowed": ATTEMPTS_ALLOWED[i % 5],
                    "grading": GRADINGS[i % 4],
                    "draw": min(bank.draw, len(bank.questions) if bank.pool == "bank" else 10**6),
                    "time_limit_minutes": TIME_LIMITS[i % 5], "reveal": REVEALS[i % 3],
                    "closed": False, "created_at": open_at - timedelta(days=1),
                    "include_written": bank.slug == ESSAY_BANK and not lap and bool(written(bank))}
            build.add(Assignment, {k: v for k, v in work.items() if k != "instructor_id"})
            work["instructor_id"] = instructor_id
            works.append((work, bank))
        for i, (work, bank) in enumerate(works):
            for student in roster:
                build.student_work(student, work, bank, i / max(1, len(works) - 1))
        for (uid, lesson), at in build.read.items():
            build.add(LessonRead, {"id": build.next_id(LessonRead), "user_id": uid, "lesson_slug": lesson,
                                   "read_at": at})
        build.flush()
        summaries.rebuild(w["id"] for w, _ in works)  # the attempts went in bulk, past count_start/finish
        _reset_sequences()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Demo(instructor_email, instructor_password, (student_emails[0], student_emails[-1]),
                student_password, classroom_id, classroom_name, [w["id"] for w, _ in works], students,
                build.attempts, build.finished, build.items, time.perf_counter() - started)


def summary(demo: Demo, base_url: str = "http://127.0.0.1:5000") -> list[str]:
    """What the command prints; the last line is the instructor's login."""
    first, last = demo.student_emails
    return [
        f"Built “{demo.classroom_name}”: {demo.students} students, {len(demo.assignment_ids)} assignments, "
        f"{demo.attempts} attempts ({demo.finished} finished), {demo.items} answers "
        f"in {demo.seconds:.1f} s.",
        f"Class overview: {base_url}/teach/classes/{demo.classroom_id}",
        f"Students: {first} … {last}, all with the password {demo.student_password}",
        f"Log in at {base_url}/auth/login as {demo.instructor_email} / {demo.instructor_password}",
    ]
