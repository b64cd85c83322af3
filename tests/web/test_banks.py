"""Instructors' own banks: upload → check (problems and lint findings with path:line and rule) → save,
owner scoping, versions pinned across edits, practice for the owner's classes only, assign, export."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from resetlab.core.content.gift import parse_gift
from resetlab.core.questions import form_values, key_answer
from resetlab.extensions import db
from resetlab.models import (
    Attempt,
    AttemptItem,
    BankQuestion,
    QuestionBank,
    QuestionVersion,
    ReviewCard,
    User,
)
from resetlab.review import services as review
from resetlab.study import attempts

from ..helpers import csrf_token, post, signup, submit_attempt
from .test_teach import assign, assignment_ids, code_of, make_class, start, submit

GIFT = """// A small bank from Moodle.
$CATEGORY: $course$/Arms control

// [id:start-year]
// resetlab: {"section":"treaty","difficulty":"easy","skill":"recall"}
::start-year::In which year was New START signed?{#2010:0 ####April 2010, in Prague.}

// [id:geneva]
::geneva::Where was the reset button handed over?{=Geneva ~Moscow ~All of the above
####In Geneva, March 2009.}

::button-word::The button was in Cyrillic.{FALSE ####It was in Latin letters.}
"""

NO_LESSON = GIFT.replace('"section":"treaty",', "")

BROKEN = """::ok::Is this fine?{TRUE ####Yes.}

::bad-number::Which year?{#abc}

::open::An open brace {=a ~b
"""


def new_bank(client, text=GIFT, action="save", **fields):
    """Post the new-bank form with pasted text; returns the response."""
    data = {"text": text, "format": "auto", "title": "", "lesson": "alpha", "draw": "", "action": action,
            **fields}
    return post(client, "/teach/banks/new", data)


def saved_bank(app, title="Arms control") -> QuestionBank:
    with app.app_context():
        return db.session.scalar(db.select(QuestionBank).where(QuestionBank.title == title))


def make_bank(app, instructor, **fields) -> int:
    response = new_bank(instructor, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_check_shows_every_problem_and_lint_finding_with_line_and_rule_and_saves_nothing(app, instructor):
    page = new_bank(instructor, action="check")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "3 questions ready" in text
    # the item-writing rule, at the GIFT line of the question
    assert '<code>pasted:9</code> <code class="rule">[all-none-above]</code>' in text
    assert re.search(r"pasted:1</code>\s*<span class=\"rule\" aria-hidden=\"true\">warning</span>\s*"
                     r"2 question\(s\) had no difficulty", text)
    assert "Save bank" in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(QuestionBank.id))) == 0


def test_checking_again_reads_the_new_texts_own_title_and_format(app, instructor):
    """The preview's title and format fields keep what was chosen (empty, auto), not what the last text
    gave: otherwise its fallback title and format would override the next text's (a phone walk-through
    saved a bank as "My questions" after a failed check)."""
    page = new_bank(instructor, text=BROKEN, action="check").get_data(as_text=True)
    assert "Read as GIFT; saved as “My questions” (the text gives no title: type one below)" in page
    assert 'value=""' in re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)  # still empty
    chosen = re.search(r'<select[^>]*name="format".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option([^>]*)>', chosen)
    assert options and all(("selected" in attrs) == ('value="auto"' in attrs) for attrs in options)
    assert new_bank(instructor, action="save").status_code == 302  # the form as it came back
    assert saved_bank(app, "Arms control") is not None


def test_errors_are_listed_by_line_and_block_saving(app, instructor):
    page = new_bank(instructor, text=BROKEN)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "pasted:3</code>" in text and "the numeric answer &#39;abc&#39; is not a number" in text
    assert "pasted:5</code>" in text and "brace" in text
    assert "1 question ready" in text and "2 errors" in text
    assert 'value="save"' not in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(QuestionBank.id))) == 0


WRITTEN = """// resetlab: {"citation": "Press remarks, Geneva, 6 March 2009", "prompt": "The button"}
::geneva-text::Clinton handed Lavrov a button labelled *peregruzka*.

// resetlab: {"source": "geneva-text"}
::word::What did the label on the button actually say?{=overload ~reset ~restart ####It said overload.}

::why::Explain why the reset began in 2009.{}
"""


def test_essays_and_sources_in_an_instructors_bank_wait_for_grading_and_travel_with_their_questions(
        app, instructor, student):
    broken = new_bank(instructor, text=WRITTEN.replace('"source": "geneva-text"', '"source": "nowhere"'),
                      lesson="", action="check").get_data(as_text=True)
    assert "pasted:5</code>" in broken and "names source &#39;nowhere&#39;, which is not a source" in broken
    bank_id = make_bank(app, instructor, text=WRITTEN, lesson="")
    page = instructor.get(f"/teach/banks/{bank_id}").get_data(as_text=True)
    assert "<em>peregruzka</em>" in page and "Explain why the reset began" in page
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    assert assign(instructor, classroom_id, banks=(f"b{bank_id}",), include_written="y").status_code == 302
    assignment_id = assignment_ids(app, classroom_id)[0]
    attempt_id = start(student, assignment_id)
    quiz = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Press remarks, Geneva, 6 March 2009" in quiz and "Explain why the reset began" in quiz
    with app.app_context():
        served = [i.question_id for i in db.session.get(Attempt, attempt_id).items]
        assert sorted(served) == [f"b{bank_id}-why", f"b{bank_id}-word"]
    # the excerpt edited: the question shown with it gets a new version; the attempt keeps what it served
    edit = f"/teach/banks/{bank_id}/questions/geneva-text"
    text = instructor.get(edit).get_data(as_text=True)
    assert "::geneva-text::" in text
    changed = ('// resetlab: {"citation": "Press remarks, Geneva, 6 March 2009", "prompt": "The button"}\n'
               "::geneva-text::The button Clinton gave Lavrov read *peregruzka*, overload.")
    assert post(instructor, edit, {"text": changed, "format": "gift", "action": "save"}).status_code == 302
    with app.app_context():
        versions = set(db.session.scalars(db.select(QuestionVersion.content_hash).where(
            QuestionVersion.question_id == f"b{bank_id}-word")))
        current = db.session.scalar(db.select(BankQuestion.content_hash)
                                    .where(BankQuestion.local_id == "word"))
        assert len(versions) == 2 and current in versions
    assert "read <em>peregruzka</em>, overload" not in student.get(f"/attempts/{attempt_id}").get_data(
        as_text=True)
    with app.app_context():
        form: dict = {}
        for item, q in attempts.served(db.session.get(Attempt, attempt_id)):
            form.update({f"a{item.position}": ["Both sides needed each other after 2008."]} if q.kind.manual
                        else form_values(q, item.position, key_answer(q)))
    assert submit_attempt(app, student, attempt_id, form).status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score is None and attempt.pending  # awaiting the instructor's grading
    exported = instructor.get(f"/teach/banks/{bank_id}/export.gift").get_data(as_text=True)
    result = parse_gift(exported, "x.gift")
    assert result.ok and [q["type"] for q in result.questions] == ["source", "single", "essay"]


def test_upload_a_toml_file_and_a_non_utf8_gift_file(app, instructor):
    toml = ('title = "From TOML"\n\n[[questions]]\nid = "q1"\ntype = "truefalse"\nprompt = "Geneva?"\n'
            'answer = true\nexplanation = "Yes."\nsection = "button"\ndifficulty = "easy"\n')
    data = {"csrf_token": csrf_token(instructor), "file": (io.BytesIO(toml.encode()), "mine.toml"),
            "format": "auto", "title": "", "lesson": "alpha", "action": "save"}
    response = instructor.post("/teach/banks/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert saved_bank(app, "From TOML") is not None
    latin1 = "::q::Café?{TRUE}\n".encode("latin-1")
    data = {"csrf_token": csrf_token(instructor), "file": (io.BytesIO(latin1), "old.gift"), "format": "auto",
            "lesson": "", "action": "save"}
    page = instructor.post("/teach/banks/new", data=data, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "old.gift:1</code>" in page.get_data(as_text=True) and "not UTF-8" in page.get_data(as_text=True)


def test_saved_bank_has_prefixed_ids_versions_and_lint_and_is_the_owners_alone(app, instructor, student):
    bank_id = make_bank(app, instructor)
    with app.app_context():
        rows = db.session.scalars(db.select(BankQuestion).order_by(BankQuestion.position)).all()
        assert [r.question_id for r in rows] == [f"b{bank_id}-start-year", f"b{bank_id}-geneva",
                                                 f"b{bank_id}-button-word"]
        assert all(db.session.get(QuestionVersion, r.content_hash) for r in rows)
    page = instructor.get(f"/teach/banks/{bank_id}").get_data(as_text=True)
    assert "[all-none-above]" in page and "Edit question 2" in page
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    base = f"/teach/banks/{bank_id}"
    urls = [base, f"{base}/export.gift", f"{base}/export.toml", f"{base}/questions/geneva", f"{base}/delete"]
    for url in urls:
        assert other.get(url).status_code == 404, url
        assert student.get(url).status_code == 403, url
    for url in (f"/teach/banks/{bank_id}/settings", f"/teach/banks/{bank_id}/questions/geneva",
                f"/teach/banks/{bank_id}/delete"):
        assert post(other, url, {"title": "Mine now", "text": "::x::y{TRUE}", "format": "gift",
                                 "sure": "y", "action": "save"}).status_code == 404, url
    assert "Arms control" not in other.get("/teach/banks/").get_data(as_text=True)
    assert other.get(f"/quiz/b{bank_id}").status_code == 404
    assert instructor.post(f"/teach/banks/{bank_id}/delete", data={"sure": "y"}).status_code == 400  # no CSRF
    assert saved_bank(app) is not None


def test_export_gift_reads_back_to_the_same_questions(app, instructor):
    bank_id = make_bank(app, instructor)
    exported = instructor.get(f"/teach/banks/{bank_id}/export.gift")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    result = parse_gift(exported.get_data(as_text=True), "x.gift")
    with app.app_context():
        stored = [r.data for r in db.session.scalars(db.select(BankQuestion).order_by(BankQuestion.position))]
    assert result.ok and result.questions == stored
    again = make_bank(app, instructor, text=exported.get_data(as_text=True), title="Again")
    with app.app_context():
        twice = db.session.scalars(db.select(BankQuestion).where(BankQuestion.bank_id == again)
                                   .order_by(BankQuestion.position)).all()
        assert [r.data for r in twice] == stored
    toml = instructor.get(f"/teach/banks/{bank_id}/export.toml").get_data(as_text=True)
    assert 'id = "geneva"' in toml and 'title = "Arms control"' in toml


def test_assign_a_bank_and_an_edit_keeps_the_served_version(app, instructor, student):
    bank_id = make_bank(app, instructor)
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    form = instructor.get(f"/teach/classes/{classroom_id}/assign?bank=b{bank_id}").get_data(as_text=True)
    assert re.search(rf'checked[^>]*value="b{bank_id}"|value="b{bank_id}"[^>]*checked', form)
    assert assign(instructor, classroom_id, banks=(f"b{bank_id}",), draw="3").status_code == 302
    assignment_id = assignment_ids(app, classroom_id)[0]
    attempt_id = start(student, assignment_id)
    before = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Where was the reset button handed over?" in before
    edit = f"/teach/banks/{bank_id}/questions/geneva"
    text = instructor.get(edit).get_data(as_text=True)
    assert "::geneva::" in text
    changed = ("// resetlab: {\"difficulty\":\"easy\",\"skill\":\"recall\"}\n"
               "::geneva::In which city was the reset button handed over?{=Geneva ~Moscow ~Prague\n"
               "####Geneva.}")
    checked = post(instructor, edit, {"text": changed, "format": "gift", "action": "check"})
    assert checked.status_code == 200 and "In which city" in checked.get_data(as_text=True)
    saved = post(instructor, edit, {"text": changed, "format": "gift", "action": "save"})
    assert saved.status_code == 302
    after = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Where was the reset button handed over?" in after and "In which city" not in after
    with app.app_context():
        hashes = set(db.session.scalars(db.select(QuestionVersion.content_hash).where(
            QuestionVersion.question_id == f"b{bank_id}-geneva")))
        served = db.session.scalar(db.select(AttemptItem.content_hash).where(
            AttemptItem.question_id == f"b{bank_id}-geneva"))
        current = db.session.scalar(db.select(BankQuestion.content_hash)
                                    .where(BankQuestion.local_id == "geneva"))
    assert len(hashes) == 2 and served in hashes and current in hashes and served != current
    response = submit(student, attempt_id, {})
    assert response.status_code == 302
    result = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Where was the reset button handed over?" in result


def test_an_edit_with_errors_is_not_saved(app, instructor):
    bank_id = make_bank(app, instructor)
    response = post(instructor, f"/teach/banks/{bank_id}/questions/start-year",
                    {"text": "::start-year::Which year?{#abc}", "format": "gift", "action": "save"})
    assert response.status_code == 422 and "is not a number" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(db.select(BankQuestion).where(BankQuestion.local_id == "start-year"))
        assert row.data["answer"] == 2010


def test_practice_only_when_opened_and_only_for_the_owners_students(app, instructor, student):
    bank_id = make_bank(app, instructor, text=NO_LESSON, lesson="")
    slug = f"b{bank_id}"
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    assert student.get(f"/quiz/{slug}").status_code == 404  # assessment-only
    settings = {"title": "Arms control", "lesson": "", "practice": "y", "draw": "2"}
    assert post(instructor, f"/teach/banks/{bank_id}/settings", settings).status_code == 302
    assert student.get(f"/quiz/{slug}").status_code == 200
    started = post(student, f"/quiz/{slug}/start")
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]
    stranger = app.test_client()
    signup(stranger, "stranger@example.org", "Stranger")
    assert stranger.get(f"/quiz/{slug}").status_code == 404
    assert post(stranger, f"/quiz/{slug}/start").status_code == 404
    assert app.test_client().get(f"/quiz/{slug}").status_code == 404
    pack = student.get(f"/api/practice/{slug}.json")
    assert pack.status_code == 200 and len(pack.json["questions"]) == 3
    assert stranger.get(f"/api/practice/{slug}.json").status_code == 404


def test_review_cards_of_bank_questions_stay_until_the_question_is_gone(app, instructor, student):
    bank_id = make_bank(app, instructor, text=NO_LESSON, lesson="")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
        bank = db.session.get(QuestionBank, bank_id)
        from resetlab.course import any_bank, question_named

        built = any_bank(f"b{bank_id}")
        assert built is not None and len(built.questions) == 3 and all(q.secure for q in built.questions)
        assert question_named(f"b{bank_id}-geneva").prompt.startswith("Where")
        from resetlab.database import begin_write
        from resetlab.models import utcnow

        begin_write()
        review.record(user.id, [review.Answered(built.questions[1], 0.0)], utcnow(), "quiz")
        db.session.commit()
        later = utcnow() + timedelta(days=2)
        found = review.next_card(user, later)
        assert found is not None and found[1].id == f"b{bank_id}-geneva"
        from resetlab.banks.services import delete_bank

        delete_bank(bank)
        assert review.next_card(user, later) is None
        assert db.session.scalar(db.select(db.func.count(ReviewCard.id))) == 0


def test_a_deleted_banks_assignment_cannot_start_and_attempts_keep_their_questions(app, instructor, student):
    bank_id = make_bank(app, instructor)
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    assert assign(instructor, classroom_id, banks=(f"b{bank_id}",), attempts_allowed="3").status_code == 302
    assignment_id = assignment_ids(app, classroom_id)[0]
    attempt_id = start(student, assignment_id)
    assert submit(student, attempt_id, {}).status_code == 302
    assert post(instructor, f"/teach/banks/{bank_id}/delete", {"sure": "y"}).status_code == 302
    assert "Where was the reset button" in student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    response = post(student, f"/assignments/{assignment_id}/start", follow_redirects=True)
    assert "no longer in the course" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1
