"""WCAG 2.2 AA: axe-core finds nothing on any page a visitor, student or instructor can reach, on a
phone (390×844) and a desktop (1280×800), in light and dark mode; a quiz works with the keyboard alone;
the text-size control is remembered and never makes the lesson scroll sideways.

One walk per screen size, on one server for the whole run, builds realistic states (a class with students
and an assignment, a finished quiz, due review cards, forms with errors) and audits every page it reaches
in light and then dark mode (`emulate_media` on the same page, axe injected once per page); each page ×
screen × scheme is then its own test, so a failure names them and prints axe's report. Under xdist each
size is walked once for the whole run: the first worker to need it walks and writes what it found beside
the run's other workers (`walked`), the rest read that.
"""

from __future__ import annotations

import fcntl
import json
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

from resetlab.classwork import services as classwork
from resetlab.config import ROOT
from resetlab.core.selection import draw_questions
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import Assignment, Classroom, ReviewCard, User, utcnow
from resetlab.study import attempts
from resetlab.teach import services as teach

from .conftest import DESKTOP, PHONE, fill_answer, serving

pytestmark = pytest.mark.browser

PASSWORD = "a long enough secret"
# WCAG 2.0-2.2 A and AA, plus axe's best practices (landmarks, one h1, heading order...).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]},
               "rules": {"duplicate-id": {"enabled": True}, "duplicate-id-active": {"enabled": True}},
               "resultTypes": ["violations"]}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
SCREENS = {"phone": ("phone", "light"), "desktop": ("desktop", "light"),
           "phone-dark": ("phone", "dark"), "desktop-dark": ("desktop", "dark")}
SCHEMES = ("light", "dark")
AXE_SOURCE = Axe().axe_script
# Every page the walk reaches, in the order it reaches them.
LESSONS = sorted(path.stem.split("-", 1)[1] for path in (ROOT / "lessons").glob("*.md"))
PAGES = [
    "home", *(f"lesson-{slug}" for slug in LESSONS), "glossary", "timeline", "login", "quiz-start",
    "review-empty", "not-found", "signup-errors", "guest-quiz", "guest-home", "guest-save-progress",
    "teach-signup-code", "teach-home", "teach-assign-errors", "teach-class-empty",
    "join-error", "join-link", "student-home", "lesson-read", "quiz-start-student", "quiz",
    "quiz-fix-errors", "result", "progress", "attempts", "home-review-due", "review-card",
    "review-card-problem", "review-feedback", "review-finished", "assignment-student", "assignment-quiz",
    "quiz-confirm", "assignment-result",
    "forbidden", "tampered", "teach-class", "teach-roster", "teach-join-code", "teach-student",
    "teach-assignment", "teach-grading", "teach-grade", "result-returned", "teach-release", "result-graded",
    "offline", "practice",
    # the teaching pages for big classes, and the confirmations that ask before anything changes
    "teach-class-assignments-only", "teach-class-attention", "teach-roster-search", "teach-roster-ticked",
    "teach-bulk-remove", "teach-bulk-accommodate", "teach-accommodation", "teach-accommodation-errors",
    "teach-remove-confirm", "teach-roster-undo", "teach-new-code", "teach-archive", "teach-attempt",
    "teach-edit-assignment", "teach-edit-errors", "teach-delete-assignment", "teach-copy-assignment",
    # instructors' own banks and the roster import
    "banks-home", "banks-new", "banks-preview", "banks-show", "banks-edit", "roster-import-check",
    "roster-import-done",
]
BANK_TEXT = """$CATEGORY: $course$/Arms control

::start::In which year was New START signed?{#2010 ####April 2010, in Prague.}

::city::Where was the reset button handed over?{=Geneva ~Moscow ~All of the above ####In Geneva.}

// resetlab: {"citation": "Press remarks, Geneva, 6 March 2009", "prompt": "The button"}
::geneva-text::Clinton handed Lavrov a button labelled *peregruzka*.

// resetlab: {"source": "geneva-text"}
::word::What did the label on the button actually say?{=overload ~reset ~restart ####It said overload.}

::why::Explain why the reset began in 2009.{}

::broken::Which year?{#abc}
"""
ROSTER_TEXT = "name,email\nEva Ruiz,eva@example.org\nNo Email,\n"


# Answer every question of a quiz form (hidden ones too, on a phone's one-question-per-screen view).
FILL_ALL = """form => form.querySelectorAll('fieldset.question').forEach(q => {
  const choice = q.querySelector('input[type=radio], input[type=checkbox]:not([name^=g])');
  if (choice) choice.checked = true;
  q.querySelectorAll('input[type=text]').forEach(t => {
    t.value = t.getAttribute('inputmode') === 'numeric' ? '2009' : 'perezagruzka'; });
  q.querySelectorAll('select').forEach((s, i) => {
    s.selectedIndex = Math.min(i + 1, s.options.length - 1); });
})"""


@dataclass(frozen=True)
class Checked:
    url: str
    violations: int
    report: str


MIXED = "trump-biden"  # its practice questions include an ordering and a matching item
_walks: dict[str, dict[str, dict[str, Checked]]] = {}  # size -> scheme -> page -> result


def audit(page) -> dict[str, Checked]:
    """axe on the page as it is, in light and then dark mode (axe injected once)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        results = AxeResults(page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})"))
        found[scheme] = Checked(page.url, results.violations_count, results.generate_report())
    page.emulate_media(color_scheme="light")
    return found


def seeded_attempt(app, email: str, slug: str, wanted=("order", "match")) -> int:
    """Start a practice attempt whose draw includes every wanted question type; returns its id."""
    with app.app_context():
        catalog = get_catalog()
        bank = catalog.bank(slug)
        seed = next(s for s in range(10_000)
                    if set(wanted) <= {q.type for q in draw_questions(
                        bank, catalog.banks.values(), bank.draw, random.Random(s))})
        user = db.session.scalar(db.select(User).where(User.email == email))
        attempt = attempts.start_practice(user, bank, random.Random(seed))
        return attempt.id


def complete_answers(attempt, variant: int) -> dict[str, list[str]]:
    """A full, valid set of form values for an attempt (right or wrong depends on `variant`)."""
    form: dict[str, list[str]] = {}
    for item, q in attempts.served(attempt):
        name, shown = f"a{item.position}", list(item.presentation)
        if q.type in ("single", "multi"):
            form[name] = [shown[variant % len(shown)]]
        elif q.type == "truefalse":
            form[name] = ["true" if variant % 2 else "false"]
        elif q.type == "text":
            form[name] = ["perezagruzka" if variant % 2 else "détente"]
        elif q.type == "numeric":
            form[name] = [str(2009 + variant)]
        elif q.type == "order":
            order = shown[variant % len(shown):] + shown[:variant % len(shown)]
            for i, choice in enumerate(order):
                form[f"{name}-{choice}"] = [str(i + 1)]
        elif q.type == "match":
            for i, left in enumerate(q.body.lefts):
                form[f"{name}-{left.id}"] = [shown[(i + variant) % len(shown)]]
        elif q.type == "essay":
            form[name] = [f"Answer {variant}: the reset of 2009 met the limits of the 2011 elections."]
    return form


def sign_up(page, base: str, name: str, email: str, code: str | None = None) -> None:
    page.goto(base + "/auth/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    if code:
        page.get_by_text("I am an instructor").click()
        page.get_by_label("Instructor code").fill(code)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Your account is ready").wait_for()


def walk(app, base: str, browser, size: str, found: dict[str, dict[str, Checked]]) -> None:
    """Reach every page in a realistic state and audit each, filling `found` as it goes.

    Every person the walk makes carries the size in their email, so both walks share one server.
    """
    contexts = []
    tag = size

    def email(name: str) -> str:
        return f"{name}-{tag}@example.org"

    def new_page():
        context = browser.new_context(**SIZES[size], color_scheme="light")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def check(name: str, page) -> None:
        assert name in PAGES, name
        page.wait_for_load_state("load")
        for scheme, checked in audit(page).items():
            found[scheme][name] = checked

    def visit(page, name: str, path: str, status: int = 200) -> None:
        response = page.goto(base + path)
        assert response.status == status, f"{path}: {response.status}"
        check(name, page)

    try:
        # A visitor.
        visitor = new_page()
        for name, path in [("home", "/"), *((f"lesson-{s}", f"/lessons/{s}") for s in LESSONS),
                           ("glossary", "/glossary"), ("timeline", "/timeline"), ("login", "/auth/login"),
                           ("quiz-start", "/quiz/obama-medvedev"), ("review-empty", "/review")]:
            visit(visitor, name, path)
        visit(visitor, "not-found", "/no-such-page", 404)
        visitor.goto(base + "/auth/signup")
        visitor.get_by_role("button", name="Create account").click()
        visitor.locator(".field.has-error").first.wait_for()
        check("signup-errors", visitor)
        visitor.goto(base + "/quiz/what-is-a-reset")  # practising makes a guest learner
        visitor.get_by_role("button", name="Start the quiz").click()
        visitor.locator("fieldset.question").first.wait_for()
        check("guest-quiz", visitor)
        visit(visitor, "guest-home", "/")
        visit(visitor, "guest-save-progress", "/auth/signup")

        # An instructor makes a class and assigns a lesson.
        teacher = new_page()
        teacher.goto(base + "/auth/signup")
        teacher.get_by_text("I am an instructor").click()
        teacher.get_by_label("Instructor code").fill("wrong code")
        teacher.get_by_role("button", name="Create account").click()
        teacher.locator(".field.has-error").first.wait_for()
        check("teach-signup-code", teacher)
        sign_up(teacher, base, "Ines Teacher", email("ines"), code="teach-2026")
        visit(teacher, "teach-home", "/teach/")
        teacher.get_by_label("Class name").fill(f"History 11 ({tag})")
        teacher.get_by_role("button", name="Create class").click()
        teacher.locator("h1", has_text="History 11").wait_for()
        check("teach-class-empty", teacher)
        with app.app_context():
            room = db.session.scalar(db.select(Classroom).where(Classroom.name == f"History 11 ({tag})"))
            room_id, code = room.id, room.join_code
        teacher.goto(f"{base}/teach/classes/{room_id}/assign")
        teacher.get_by_role("button", name="Assign").click()
        teacher.locator(".has-error").first.wait_for()
        check("teach-assign-errors", teacher)
        teacher.get_by_label("The 2009 reset").check()
        teacher.get_by_label("Add the lesson's written-response prompt (you grade it)").check()
        due = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
        teacher.get_by_label("Due", exact=True).fill(due)
        teacher.get_by_role("button", name="Assign").click()
        teacher.get_by_text("1 assignment created").wait_for()
        check("teach-class-assignments-only", teacher)  # listed before anyone joins

        # Classmates with finished work, made directly.
        with app.app_context():
            from resetlab.auth.services import create_user

            room = db.session.get(Classroom, room_id)
            work = db.session.scalar(db.select(Assignment).where(Assignment.classroom_id == room_id))
            work_id = work.id
            for i, name in enumerate(["Ana Lima", "Boris Petrov", "Chen Wei", "Dmitri Sokolov"]):
                pupil = create_user(email(f"pupil{i}"), name, PASSWORD)
                classwork.join(pupil, room)
                if i < 3:
                    attempt = classwork.start_assignment_attempt(pupil, work, rng=random.Random(i))
                    attempts.submit(attempt, complete_answers(attempt, i), assignment=work)
            teach.set_accommodation(room, pupil.id, 1.5, 2)
            pupil_id = pupil.id
            first_id = db.session.scalar(db.select(User.id).where(User.email == email("pupil0")))

        # A student.
        student = new_page()
        sign_up(student, base, "Dana Student", email("dana"))
        student.goto(base + "/join")
        student.get_by_label("Class code").fill("NOPE99")
        student.get_by_role("button", name="Join").click()
        student.locator(".has-error").wait_for()
        check("join-error", student)
        visit(student, "join-link", f"/join/{code}")
        student.get_by_role("button", name="Join the class").click()
        student.get_by_text("You joined").wait_for()
        check("student-home", student)
        student.goto(base + "/lessons/obama-medvedev")
        student.get_by_role("button", name="Mark as read").click()
        student.get_by_text("You have read this lesson").wait_for()
        check("lesson-read", student)
        seeded_attempt(app, email("dana"), MIXED)
        visit(student, "quiz-start-student", f"/quiz/{MIXED}")
        student.get_by_role("link", name="Resume your attempt").click()
        student.locator("fieldset.question").first.wait_for()
        check("quiz", student)
        student.locator("form[data-quiz]").evaluate(FILL_ALL)
        orders = student.locator("fieldset.question:has(.hint:text('position')) select")
        for i in range(orders.count()):
            orders.nth(i).select_option("1", force=True)  # two items in the same position: fixable
        student.locator("form[data-quiz]").evaluate("form => form.requestSubmit()")
        student.locator("#error-summary").wait_for()
        check("quiz-fix-errors", student)
        for i in range(orders.count()):
            orders.nth(i).select_option(str(i + 1), force=True)
        student.get_by_role("button", name="Submit answers").click()
        student.locator("h1", has_text="Result").wait_for()
        check("result", student)
        visit(student, "progress", "/progress")
        visit(student, "attempts", "/attempts")
        with app.app_context():
            dana = db.session.scalar(db.select(User).where(User.email == email("dana")))
            cards = db.session.scalars(db.select(ReviewCard).where(ReviewCard.user_id == dana.id)).all()
            assert cards, "a quiz with wrong answers makes review cards"
            for card in cards:
                card.due_at = utcnow() - timedelta(days=1)
            db.session.commit()
        visit(student, "home-review-due", "/")
        visit(student, "review-card", "/review")
        student.get_by_role("button", name="Check my answer").click()  # nothing answered yet
        student.get_by_text("Answer the question first").wait_for()
        check("review-card-problem", student)
        fill_answer(student.locator("fieldset.question"))
        student.get_by_role("button", name="Check my answer").click()
        student.get_by_role("link", name="Next card").wait_for()
        check("review-feedback", student)
        for _ in range(30):  # answer the rest of the session
            student.get_by_role("link", name="Next card").click()
            if student.locator("h1", has_text="Session done").count():
                break
            fill_answer(student.locator("fieldset.question"))
            student.get_by_role("button", name="Check my answer").click()
        check("review-finished", student)
        visit(student, "assignment-student", f"/assignments/{work_id}")
        student.get_by_role("button", name="Start").click()
        student.locator("fieldset.question").first.wait_for()
        check("assignment-quiz", student)
        student.locator("textarea[data-words]").evaluate(
            "area => { area.value = 'The reset began in Geneva in March 2009.'; }")
        student.locator("form[data-quiz]").evaluate("form => form.requestSubmit()")  # mostly blank: it asks
        student.get_by_role("dialog").wait_for()
        check("quiz-confirm", student)
        student.get_by_role("button", name="Submit anyway").click()
        student.locator("h1", has_text="Result").wait_for()
        check("assignment-result", student)
        visit(student, "forbidden", "/teach/", 403)
        student.goto(base + f"/attempts/{seeded_attempt(app, email('dana'), 'bush-putin', ('single',))}")
        student.locator("form[data-quiz]").evaluate(FILL_ALL)
        student.locator("fieldset.question input[type=radio]").first.evaluate(
            "radio => { radio.value = 'not-an-option'; radio.checked = true; radio.form.requestSubmit(); }")
        student.locator("h1", has_text="could not be accepted").wait_for()
        check("tampered", student)

        # The instructor's dashboards.
        visit(teacher, "teach-class", f"/teach/classes/{room_id}")
        visit(teacher, "teach-class-attention", f"/teach/classes/{room_id}?show=attention&sort=urgency")
        visit(teacher, "teach-roster", f"/teach/classes/{room_id}/roster")
        visit(teacher, "teach-roster-search", f"/teach/classes/{room_id}/roster?q=petrov&show=all&sort=email")
        teacher.goto(f"{base}/teach/classes/{room_id}/roster")
        teacher.get_by_role("link", name="Tick all").click()
        check("teach-roster-ticked", teacher)
        teacher.get_by_role("button", name="Remove from the class…").click()
        teacher.locator("h1", has_text="Remove").wait_for()
        check("teach-bulk-remove", teacher)
        teacher.go_back()
        teacher.get_by_role("button", name="Set accommodations…").click()
        teacher.locator("h1", has_text="Accommodations for").wait_for()
        check("teach-bulk-accommodate", teacher)
        visit(teacher, "teach-accommodation", f"/teach/classes/{room_id}/students/{pupil_id}/accommodation")
        teacher.get_by_label("Time multiplier").fill("9")
        teacher.get_by_role("button", name="Save").click()
        teacher.locator(".has-error").first.wait_for()
        check("teach-accommodation-errors", teacher)
        visit(teacher, "teach-remove-confirm", f"/teach/classes/{room_id}/students/{pupil_id}/remove")
        teacher.get_by_role("button", name="Remove Dmitri Sokolov").click()
        teacher.get_by_role("button", name="Undo the removal").wait_for()
        check("teach-roster-undo", teacher)
        teacher.get_by_role("button", name="Undo the removal").click()
        teacher.get_by_text("Undone: 1 student back on the roster.").wait_for()
        visit(teacher, "teach-new-code", f"/teach/classes/{room_id}/new-code")
        visit(teacher, "teach-archive", f"/teach/classes/{room_id}/archive")
        visit(teacher, "teach-join-code", f"/teach/classes/{room_id}/join-code")
        visit(teacher, "teach-student", f"/teach/classes/{room_id}/students/{first_id}")
        with app.app_context():
            from resetlab.models import Attempt

            first_attempt = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == first_id,
                                                                          Attempt.assignment_id == work_id))
            teach.create_classroom(db.session.get(User, db.session.get(Classroom, room_id).instructor_id),
                                   f"History 12 ({tag})")
        visit(teacher, "teach-attempt", f"/teach/classes/{room_id}/attempts/{first_attempt}")
        visit(teacher, "teach-assignment", f"/teach/assignments/{work_id}")
        visit(teacher, "teach-edit-assignment", f"/teach/assignments/{work_id}/edit")
        teacher.get_by_label("Questions per attempt").fill("0")
        teacher.get_by_role("button", name="Save changes").click()
        teacher.locator(".has-error").first.wait_for()
        check("teach-edit-errors", teacher)
        visit(teacher, "teach-delete-assignment", f"/teach/assignments/{work_id}/delete")
        visit(teacher, "teach-copy-assignment", f"/teach/assignments/{work_id}/copy")

        # Written answers: the grading queue, a return for revision, the revision, release.
        visit(teacher, "teach-grading", f"/teach/assignments/{work_id}/grading")
        with app.app_context():
            from resetlab.models import Attempt, WrittenGrade

            dana_grade = db.session.scalar(db.select(WrittenGrade).join(
                Attempt, Attempt.id == WrittenGrade.attempt_id).join(User, User.id == Attempt.user_id)
                .where(User.email == email("dana")))
            grade_url = f"/teach/assignments/{work_id}/grading/{dana_grade.question_id}/{dana_grade.id}"
            dana_result = f"/attempts/{dana_grade.attempt_id}"
        visit(teacher, "teach-grade", grade_url)
        teacher.get_by_label("Comment for the student").fill("Add two dated events from 2011 and 2014.")
        teacher.get_by_role("button", name="Return for revision").click()
        teacher.get_by_text("returned for revision").first.wait_for()
        visit(student, "result-returned", dana_result)
        student.get_by_label("Your revised answer").fill(
            "The reset began in Geneva in March 2009; Libya in 2011 and Crimea in 2014 ended it.")
        student.get_by_role("button", name="Hand in the revision").click()
        student.get_by_text("Revision handed in").wait_for()
        teacher.goto(base + grade_url)
        for fieldset in teacher.locator("fieldset.criterion").all():
            fieldset.locator("label.level").last.click()
        with teacher.expect_navigation():  # the grade is saved before the next page is asked for
            teacher.get_by_role("button", name="Save and next").click()
        visit(teacher, "teach-release", f"/teach/assignments/{work_id}/grading/release")
        teacher.get_by_role("button", name="Release grades now").click()
        teacher.get_by_text("Grades released").first.wait_for()
        visit(student, "result-graded", dana_result)

        # The instructor's own questions, and a roster import.
        visit(teacher, "banks-home", "/teach/banks/")
        visit(teacher, "banks-new", "/teach/banks/new")
        teacher.get_by_label("Or paste the questions").fill(BANK_TEXT)
        teacher.get_by_role("button", name="Check", exact=True).click()
        teacher.locator("h1", has_text="Check your questions").wait_for()
        check("banks-preview", teacher)
        teacher.get_by_label("Or paste the questions").fill(BANK_TEXT.split("::broken::")[0])
        teacher.get_by_role("button", name="Check again").click()
        teacher.get_by_role("button", name="Save bank").click()
        teacher.locator("h1", has_text="Arms control").wait_for()
        check("banks-show", teacher)
        teacher.get_by_role("link", name="Edit question 1").click()
        teacher.locator("h1", has_text="Edit question").wait_for()
        check("banks-edit", teacher)
        teacher.goto(f"{base}/teach/classes/{room_id}/import")
        teacher.get_by_label("Or paste the rows").fill(ROSTER_TEXT.replace("eva@", f"eva-{tag}@"))
        teacher.get_by_role("button", name="Check").click()
        teacher.locator("caption", has_text="What importing each line does").wait_for()
        check("roster-import-check", teacher)
        teacher.get_by_label("Import the valid rows").check()
        teacher.get_by_role("button", name="Import", exact=True).click()
        teacher.locator("h1", has_text="Students imported").wait_for()
        check("roster-import-done", teacher)

        # Offline study (last, as it is the newest part of the app).
        visit(visitor, "offline", "/offline")
        visit(visitor, "practice", "/practice/obama-medvedev")
    except Exception as error:
        for scheme in SCHEMES:
            found[scheme]["stopped"] = Checked("", 0, f"{type(error).__name__}: {error}")
        raise
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory):
    """One server for every walk of the run: each walk makes its own people and class."""
    with serving(tmp_path_factory.mktemp("axe")) as served:
        yield served


def _walk_unless_taken(size: str, shared, request) -> None:
    """Walk at this size and write what it found to the run's shared directory (even when the walk stopped
    part-way), unless it was walked already or another worker is walking it now. The server and browser
    start only when needed."""
    results = shared / f"axe-walk-{size}.json"
    with open(shared / f"axe-walk-{size}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file closes
        except BlockingIOError:
            return
        if results.exists():
            return
        found: dict[str, dict[str, Checked]] = {s: {} for s in SCHEMES}
        app, base = request.getfixturevalue("walk_server")
        try:
            walk(app, base, request.getfixturevalue("browser"), size, found)
        finally:
            results.write_text(json.dumps({scheme: {page: asdict(c) for page, c in pages.items()}
                                           for scheme, pages in found.items()}))


def walked(size: str, request, tmp_path_factory, worker_id: str) -> dict[str, dict[str, Checked]]:
    """What the walk at this size found (scheme -> page -> result). Each size is walked once per run:
    under xdist the workers share a directory; a worker that finds its size being walked walks another
    size the run selected meanwhile (a walk that stops there is reported by that size's tests), then
    waits and reads."""
    if size not in _walks:
        shared = tmp_path_factory.getbasetemp()
        shared = shared if worker_id == "master" else shared.parent  # the run's directory, not older runs'
        _walk_unless_taken(size, shared, request)
        wanted = {SCREENS[item.callspec.params["screen"]][0] for item in request.session.items
                  if getattr(item, "originalname", "") == "test_no_axe_violations"}  # what this run selected
        for other in sorted(wanted - {size}):
            try:
                _walk_unless_taken(other, shared, request)
            except Exception:  # noqa: BLE001 - written down with the results; its own tests report it
                pass
        with open(shared / f"axe-walk-{size}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # until whoever walks it now is done
            results = json.loads((shared / f"axe-walk-{size}.json").read_text())
        _walks[size] = {scheme: {page: Checked(**c) for page, c in pages.items()}
                        for scheme, pages in results.items()}
    return _walks[size]


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_axe_violations(screen, page_name, request, tmp_path_factory, worker_id):
    size, scheme = SCREENS[screen]
    found = walked(size, request, tmp_path_factory, worker_id)
    checked = found[scheme].get(page_name)
    stopped = found[scheme].get("stopped")
    why = stopped.report if stopped else "not visited"
    assert checked is not None, f"the walk on {screen} stopped before {page_name}: {why}"
    assert checked.violations == 0, f"{page_name} on {screen} ({checked.url}):\n{checked.report}"


def test_the_audit_finds_a_planted_contrast_error(live_server, desktop):
    """The check can fail: grey on grey text, planted into a real page, is reported in both schemes."""
    _, base = live_server
    desktop.goto(base + "/glossary")
    assert all(c.violations == 0 for c in audit(desktop).values())
    desktop.evaluate("""() => {
      const p = document.createElement('p');
      p.textContent = 'Hard to read';
      p.style.color = '#999'; p.style.background = '#aaa';
      document.querySelector('main').append(p);
    }""")
    found = audit(desktop)
    assert all(c.violations >= 1 and "color-contrast" in c.report for c in found.values()), found


FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  const bar = [...document.querySelectorAll('.submit-bar')].find(b => b.offsetParent !== null);
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.getAttribute('name') || '',
          text: (e.innerText || '').trim(), value: e.value || '', checked: !!e.checked,
          inQuestion: !!e.closest('fieldset.question'),
          outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          hidden: !bar || bar.contains(e) ? false : r.bottom > bar.getBoundingClientRect().top + 1};
}"""


def press_until(page, wanted, what: str, key: str = "Tab", limit: int = 80) -> dict:
    """Press `key` until the focused element matches `wanted`; return what is focused."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"{key} never reached {what}; focus is on {page.evaluate(FOCUSED)}")


def test_quiz_with_the_keyboard_alone_on_a_phone(live_server, phone):
    """Sign up, answer every question type (ordering and matching with selects) and submit, keys only."""
    app, base = live_server
    page = phone
    page.goto(base + "/")
    press_until(page, lambda f: f["tag"] == "a" and f["text"] == "Sign up", "the sign-up link")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Create your account").wait_for()
    press_until(page, lambda f: f["name"] == "display_name", "the name field")
    page.keyboard.type("Kim Keys")
    press_until(page, lambda f: f["name"] == "email", "the email field")
    page.keyboard.type("kim@example.org")
    press_until(page, lambda f: f["name"] == "password", "the password field")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Your account is ready").wait_for()

    seeded_attempt(app, "kim@example.org", MIXED)  # a draw with an ordering and a matching
    page.goto(base + f"/quiz/{MIXED}")
    press_until(page, lambda f: f["text"] == "Resume your attempt", "the resume link")
    page.keyboard.press("Enter")
    page.locator("fieldset.question").first.wait_for()
    total = page.locator("fieldset.question").count()
    kinds = []
    for n in range(total):
        page.get_by_text(f"Question {n + 1} of {total}").first.wait_for()
        question = page.locator("fieldset.question:visible")
        assert question.count() == 1
        selects, text = question.locator("select"), question.locator("input[type=text]")
        if question.locator("input[type=radio]").count():
            kinds.append("choice")
            f = press_until(page, lambda f: f["type"] == "radio", "a radio button")
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")  # moves to the next option and picks it
            assert question.locator("input[type=radio]:checked").count() == 1
        elif question.locator("input[type=checkbox]:not([name^=g])").count():
            kinds.append("multi")
            f = press_until(page, lambda f: f["type"] == "checkbox" and f["name"].startswith("a"), "a box")
            page.keyboard.press("Space")
            assert page.evaluate(FOCUSED)["checked"]
        elif selects.count():
            kinds.append("order" if "position" in question.inner_text() else "match")
            for i in range(selects.count()):
                f = press_until(page, lambda f: f["tag"] == "select" and f["inQuestion"], "a select")
                for _ in range(i + 1):
                    page.keyboard.press("ArrowDown")  # a closed select steps through its options
                assert page.evaluate(FOCUSED)["value"], "the arrow key did not choose an option"
        else:
            kinds.append("text")
            f = press_until(page, lambda f: f["type"] == "text", "the answer box")
            numeric = text.first.get_attribute("inputmode") == "numeric"
            page.keyboard.type("2009" if numeric else "perezagruzka")
        assert not f["hidden"], f"{f} is hidden under the sticky bar"
        label = "Next" if n < total - 1 else "Submit answers"
        button = press_until(page, lambda f, label=label: f["tag"] == "button" and f["text"] == label, label)
        assert button["outline"] != "none" and button["outlineWidth"] >= 2, f"no visible focus: {button}"
        page.keyboard.press("Enter")
    page.locator("h1", has_text="Result").wait_for()
    assert {"order", "match"} <= set(kinds), kinds
    assert page.locator(".review > li").count() == total


def test_text_size_is_remembered_and_never_scrolls_sideways(live_server, phone, browser):
    _, base = live_server
    page = phone
    page.goto(base + "/lessons/obama-medvedev")
    size = page.get_by_label("Text size")
    assert size.is_visible()
    size.select_option("200")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    for path in ["/lessons/obama-medvedev", "/", "/glossary", "/timeline", "/auth/signup"]:
        page.goto(base + path)  # remembered across pages
        assert page.evaluate("document.documentElement.classList.contains('text-200')")
        assert page.get_by_label("Text size").input_value() == "200"
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} scrolls sideways by {wide}px at 200% text on a phone"
    page.get_by_label("Text size").select_option("100")
    page.reload()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"

    context = browser.new_context(java_script_enabled=False, **PHONE)
    try:
        static = context.new_page()
        static.goto(base + "/lessons/obama-medvedev")
        assert static.locator("[data-textsize]").is_hidden(), "the control does nothing without JavaScript"
    finally:
        context.close()


@pytest.mark.parametrize("text_size", ["100", "200"])
def test_focus_never_hides_under_the_sticky_submit_bar(live_server, desktop, text_size):
    """WCAG 2.4.11: tabbing down the full quiz on a desktop keeps each control above the sticky bar."""
    app, base = live_server
    page = desktop
    sign_up(page, base, "Pat Tab", "pat@example.org")
    page.get_by_label("Text size").select_option(text_size)
    attempt_id = seeded_attempt(app, "pat@example.org", MIXED)
    page.goto(f"{base}/attempts/{attempt_id}")
    assert page.locator("fieldset.question:visible").count() == 8  # the whole list on a desktop
    hidden = []
    for _ in range(150):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["hidden"]:
            hidden.append(focused)
        if focused["text"] == "Submit answers":
            break
    else:
        raise AssertionError("Tab never reached the submit button")
    assert not hidden, f"focus went under the sticky bar: {hidden}"
