"""Bad input on the new instructor routes (banks, roster import, assigning a bank) is a clear 4xx with the
place of each problem (`source:line`), never a 500, and nothing half-saved — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest

from resetlab.extensions import db
from resetlab.models import Assignment, BankQuestion, QuestionBank, User

from ..helpers import csrf_token, post, signup
from .test_banks import make_bank, new_bank
from .test_teach import assign, code_of, make_class

TOML_HEAD = 'title = "T"\n\n[[questions]]\nid = "q1"\ntype = "truefalse"\n'


def upload(client, data: bytes, name: str, action: str = "save", fmt: str = "auto"):
    """Post the new-bank form with a file."""
    fields = {"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name), "format": fmt,
              "title": "", "lesson": "", "draw": "", "action": action}
    return client.post("/teach/banks/new", data=fields, content_type="multipart/form-data")


def bank_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(QuestionBank.id)))


@pytest.mark.parametrize("data, name, expected", [
    (b"::q::Caf\xe9?{TRUE}\n", "old.gift", "old.gift:1</code>"),
    (b"::a::One?{TRUE}\n\n::b::Two\xff?{FALSE}\n", "late.gift", "late.gift:3</code>"),
    ("title = 'Café'\n".encode("latin-1"), "old.toml", "old.toml:1</code>"),
    ("::q::Geneva?{TRUE}\n".encode("utf-16"), "wide.gift", "wide.gift:1</code>"),
    (b"::q::Gen\x00eva?{TRUE}\n", "nul.gift", "nul.gift:1</code>"),
    (b"::q::Geneva?{TRUE}\n\n::r::Moscow?{=a ~b \x00}\n", "nul2.gift", "nul2.gift:3</code>"),
    (b"$CATEGORY: Arms\x00control\n\n::q::Geneva?{TRUE}\n", "cat.gift", "cat.gift:1</code>"),
    (TOML_HEAD.encode() + b'prompt = "Gen\\u0000eva?"\nanswer = true\n', "esc.toml", "esc.toml:6</code>"),
    (b'title = "A\\u0000B"\n\n[[questions]]\nid = "q1"\ntype = "truefalse"\nprompt = "Geneva?"\n'
     b"answer = true\n", "title.toml", "title.toml:1</code>"),
    (b"title = \n", "broken.toml", "broken.toml:1</code>"),
    (TOML_HEAD.encode() + b'prompt = "unclosed\nanswer = true\n', "open.toml", "open.toml:6</code>"),
    (b"questions = 3\n", "three.toml", "three.toml:1</code>"),
    (b"questions = [1, 2]\n", "ints.toml", "ints.toml:1</code>"),
    (TOML_HEAD.encode() + b"prompt = 5\nanswer = true\n", "int.toml", "int.toml:6</code>"),
    (TOML_HEAD.encode() + b'prompt = "x"\nanswer = "yes"\n', "ans.toml", "ans.toml:7</code>"),
    (b'[[questions]]\nid = 7\ntype = "single"\n', "id.toml", "id.toml:2</code>"),
    (b'[[questions]]\nid = "x"\ntype = "single"\nprompt = "p"\noptions = "ab"\nanswer = 9\n', "opt.toml",
     "opt.toml:"),
    (b"::q::Which year?{#abc}\n", "num.gift", "num.gift:1</code>"),
    (b"::q::Geneva?{TRUE}{FALSE}\n", "two.gift", "two.gift:1</code>"),
    (b"::q::Pick{~%50%a ~%50%b =c}\n", "weights.gift", "weights.gift:1</code>"),
    (b"::q::Open {=a ~b\n", "brace.gift", "brace.gift:1</code>"),
    (b"}}}{{{\n", "junk.gift", "junk.gift:1</code>"),
    (b"\n\n\n", "blank.gift", "The file is empty."),
    (b"a = " + b"[" * 3000 + b"]" * 3000 + b"\n", "deep.toml", "deep.toml:1</code>"),  # past recursion
    (b"// resetlab: " + b"[" * 5000 + b"\n::q::Geneva?{TRUE}\n", "deep.gift", "deep.gift:1</code>"),
])
def test_bad_files_are_refused_with_their_line_and_nothing_is_saved(app, instructor, data, name, expected):
    for action in ("check", "save"):
        response = upload(instructor, data, name, action)
        assert response.status_code in (200, 422), (action, response.status_code)
        text = response.get_data(as_text=True)
        assert expected in text, text[:3000]
        assert 'value="save"' not in text
    assert bank_count(app) == 0


def test_a_huge_file_or_paste_and_too_many_questions_are_refused(app, instructor):
    big = upload(instructor, b"// x\n" * 45_000, "big.gift")
    assert big.status_code == 422 and "larger than 200 KB" in big.get_data(as_text=True)
    pasted = new_bank(instructor, text="x" * 200_001)
    assert pasted.status_code == 422 and "200000 characters" in pasted.get_data(as_text=True)
    for huge in (upload(instructor, b"// x\n" * 60_000, "huge.gift"),
                 new_bank(instructor, text="x" * 300_000)):
        assert huge.status_code == 413 and "too much data" in huge.get_data(as_text=True)
    many = "".join(f"::q{i}::Q {i}?{{TRUE}}\n\n" for i in range(501))
    page = new_bank(instructor, text=many, lesson="")
    assert page.status_code == 422 and "at most 500" in page.get_data(as_text=True)
    assert bank_count(app) == 0


@pytest.mark.parametrize("fields", [
    {"format": "xml"}, {"lesson": "no-such-lesson"}, {"draw": "abc"}, {"draw": "0"}, {"draw": "9" * 30},
    {"title": "x" * 500}, {"title": "a\x00b"}, {"text": "::q::Gen\x00eva?{TRUE}"},
])
def test_bad_form_fields_are_a_4xx_not_a_500(app, instructor, fields):
    response = new_bank(instructor, **fields)
    nul = any("\x00" in value for value in fields.values())
    assert response.status_code == (400 if nul else 422), response.status_code
    if nul:
        assert "NUL character" in response.get_data(as_text=True)
    assert bank_count(app) == 0


def test_bad_edits_and_settings_are_refused_and_change_nothing(app, instructor):
    bank_id = make_bank(app, instructor)
    base = f"/teach/banks/{bank_id}"
    with app.app_context():
        before = [r.data for r in db.session.scalars(db.select(BankQuestion).order_by(BankQuestion.position))]
    for text, fmt in [("::q::Gen\x00eva?{TRUE}", "gift"), ("::q::Which year?{#abc}", "gift"),
                      ("::a::One?{TRUE}\n\n::b::Two?{FALSE}", "gift"), ("prompt = ", "toml"),
                      ('[[questions]]\nprompt = "\\u0000"\ntype = "truefalse"\nanswer = true', "toml"),
                      ("x" * 200_001, "gift"), ("::q::fine?{TRUE}", "xml"), ("", "gift"),
                      ("a = " + "[" * 3000 + "]" * 3000, "toml"), ("// resetlab: " + "{" * 5000, "gift")]:
        response = post(instructor, f"{base}/questions/geneva",
                        {"text": text, "format": fmt, "action": "save"})
        assert response.status_code == (400 if "\x00" in text else 422), (text[:40], response.status_code)
    assert instructor.get(f"{base}/questions/geneva?format=xml").status_code == 200
    assert instructor.get(f"{base}/questions/no-such").status_code == 404
    assert instructor.get(f"{base}/questions/a%00b").status_code == 400
    for fields in ({"title": "", "draw": "3"}, {"title": "t", "draw": "-1"}, {"title": "t\x00", "draw": ""},
                   {"title": "t", "lesson": "nope"}, {"title": "t", "draw": "9" * 30}):
        response = post(instructor, f"{base}/settings", fields)
        assert response.status_code == (400 if "\x00" in fields["title"] else 302)
    with app.app_context():
        after = [r.data for r in db.session.scalars(db.select(BankQuestion).order_by(BankQuestion.position))]
        assert after == before
        assert db.session.get(QuestionBank, bank_id).title == "Arms control"


def test_an_instructor_can_neither_assign_nor_deep_link_another_instructors_bank(app, instructor):
    bank_id = make_bank(app, instructor)
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    room = make_class(other)
    form = other.get(f"/teach/classes/{room}/assign?bank=b{bank_id}").get_data(as_text=True)
    assert f"b{bank_id}" not in form
    response = assign(other, room, banks=(f"b{bank_id}",))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 0
    # nor can a student of theirs practise it, even knowing its slug
    student = app.test_client()
    signup(student, "kid@example.org", "Kid")
    assert post(student, "/join", {"code": code_of(app, room)}).status_code == 302
    assert student.get(f"/quiz/b{bank_id}").status_code == 404
    assert post(student, f"/quiz/b{bank_id}/start").status_code == 404


@pytest.mark.parametrize("data", [
    b"name,email\nEva,eva@exa\x00mple.org\n", b"name,email\nEv\x00a,eva@example.org\n",
    "name,email\nJosé,jose@example.org\n".encode("latin-1"),
    "name,email\nEva,eva@example.org\n".encode("utf-16"),
    b"\x00" * 1000, b'"unclosed,quote\nEva,eva@example.org\n', b"name,email\n" + b"a," * 5000 + b"\n",
    b"name;email\r\rEva;eva@example.org", b"\n\n\n", b"name,email\n", b"," * 100,
    b"name,email\n" + b"x" * 100_000 + b",a@example.org\n",
])
def test_bad_roster_files_are_explained_not_a_500(app, instructor, data):
    room = make_class(instructor)
    before = _users(app)
    fields = {"csrf_token": csrf_token(instructor), "file": (io.BytesIO(data), "r.csv"), "action": "check"}
    response = instructor.post(f"/teach/classes/{room}/import", data=fields,
                               content_type="multipart/form-data")
    assert response.status_code == 200, response.status_code
    assert "What importing each line does" in response.get_data(as_text=True)
    text = data.decode("utf-8", errors="replace")
    pasted = post(instructor, f"/teach/classes/{room}/import", {"text": text, "action": "check"})
    assert pasted.status_code == (400 if "\x00" in text else 200), pasted.status_code
    assert _users(app) == before


def test_a_huge_roster_is_refused(app, instructor):
    room = make_class(instructor)
    fields = {"csrf_token": csrf_token(instructor), "file": (io.BytesIO(b"a,b@c.de\n" * 25_000), "r.csv"),
              "action": "check"}
    response = instructor.post(f"/teach/classes/{room}/import", data=fields,
                               content_type="multipart/form-data")
    assert response.status_code == 422 and "larger than 200 KB" in response.get_data(as_text=True)


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(User.id)))
