"""Accounts: fresh session identities, password rules, change and reset, data rights, guest purge."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest

from resetlab.auth.passwords import common_passwords, password_problem
from resetlab.extensions import db
from resetlab.models import (
    Accommodation,
    Assignment,
    Attempt,
    Classroom,
    LessonRead,
    PasswordResetToken,
    ReviewCard,
    ReviewLog,
    User,
    utcnow,
)

from ..helpers import PASSWORD, csrf_token, login, logout, post, signup
from .test_review import answer_all
from .test_review import start as start_practice
from .test_teach import assign, assignment_ids, code_of, key_data, make_class, start, submit

NEW_PASSWORD = "a brand new passphrase"


def user_named(app, email):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.email == email))


def copy_of(app, client):
    """A second browser holding a copy of this client's session cookie (a shared lab PC)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(client) -> bool:
    response = client.get("/progress")
    return response.status_code == 200


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


# --- sessions ------------------------------------------------------------------------------------

def test_saving_a_guest_gives_a_fresh_session_identity(app, client):
    start_practice(client)  # the visitor becomes a guest
    guest_copy = copy_of(app, client)
    assert logged_in(guest_copy)
    assert signup(client, email="saved@example.org", name="Saved").status_code == 302
    assert logged_in(client)
    assert not logged_in(guest_copy), "a copy of the guest's cookie must not open the new account"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1  # progress kept


def test_logging_in_gives_a_fresh_session_identity(app, client):
    signup(client)
    logout(client)
    before = copy_of(app, client)  # an anonymous cookie planted before the log-in
    start_practice(client)
    guest_copy = copy_of(app, client)
    assert login(client).status_code == 302
    assert logged_in(client)
    assert not logged_in(before) and not logged_in(guest_copy)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, student):
    other_device = copy_of(app, student)
    wrong = post(student, "/account/password", {"current_password": "not my password",
                                                 "password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    assert logged_in(other_device)
    response = post(student, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in(student) and not logged_in(other_device)
    logout(student)
    assert login(student, password=PASSWORD).status_code == 422
    assert login(student, password=NEW_PASSWORD).status_code == 302


def test_new_password_follows_the_rules_on_change(student):
    response = post(student, "/account/password", {"current_password": PASSWORD, "password": "P@ssw0rd"})
    assert response.status_code == 422 and "most common passwords" in response.get_data(as_text=True)


def test_logging_out_ends_every_copy(app, student):
    copies = [copy_of(app, student) for _ in range(2)]
    logout(student)
    assert not any(logged_in(c) for c in copies)


# --- password rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["aaaaaaaa", "qwertyui", "P@ssw0rd", "password123", "Iloveyou1"])
def test_common_passwords_are_refused(client, password):
    response = signup(client, password=password)
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)


def test_the_bundled_list_is_real_and_large():
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= common
    assert all(p == p.lower() for p in common)


@pytest.mark.parametrize("email,name,password", [
    ("ana.lopez@example.org", "Ana", "my name is ana.lopez!"),
    ("ana.lopez@example.org", "Ana", "LOPEZ forever and ever"),
    ("kid@example.org", "Maximilian Ortega", "ortega-rules-2026"),
    ("kid@example.org", "Maximilian Ortega", "hello MAXIMILIAN"),
])
def test_passwords_containing_the_name_or_email_are_refused(client, email, name, password):
    response = signup(client, email=email, name=name, password=password)
    assert response.status_code == 422
    assert "does not contain your name or your email" in response.get_data(as_text=True)


def test_short_parts_of_names_do_not_count_and_no_composition_rules():
    assert password_problem("al likes long walks", "al@example.org", "Al Jo") is None
    assert password_problem("alllllll", None, None) is None  # no digits, capitals or symbols needed
    assert password_problem("1234567", None, None) == "Use at least 8 characters."


# --- reset links -------------------------------------------------------------------------------------

@pytest.fixture
def classroom(app, instructor, student):
    """A class taught by `instructor` with `student` (ana@example.org) on its roster."""
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    return classroom_id


def issue_link(app, instructor, classroom_id, user_id):
    url = f"/teach/classes/{classroom_id}/students/{user_id}/reset-link"
    response = instructor.post(url, data={"csrf_token": csrf_token(instructor, "/teach/")})
    return response


def link_in(page: str) -> str:
    start = page.index('value="http') + len('value="')
    return page[start:page.index('"', start)]


def use_link(app, link, password=NEW_PASSWORD):
    browser = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    landing = browser.get("/" + path)
    assert landing.status_code == 302 and landing.headers["Location"] == "/auth/reset"
    assert path.split("/")[-1] not in landing.headers["Location"]  # the token leaves the address bar
    return browser, post(browser, "/auth/reset", {"password": password})


def test_instructor_reset_link_is_one_time_and_stored_hashed(app, instructor, student, classroom):
    ana = user_named(app, "ana@example.org")
    student_device = copy_of(app, student)
    response = issue_link(app, instructor, classroom, ana.id)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    link = link_in(response.get_data(as_text=True))
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(db.select(PasswordResetToken)).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in stored.token_hash
        assert stored.expires_at - stored.created_at == timedelta(hours=72)
    browser, done = use_link(app, link)
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert not logged_in(student_device)
    assert login(browser, password=NEW_PASSWORD).status_code == 302
    _, again = use_link(app, link, "another new passphrase")
    assert again.status_code == 404 and "does not work" in again.get_data(as_text=True)
    assert count(app, PasswordResetToken) == 0


def test_reset_link_rules_expiry_and_password_change(app, instructor, student, classroom):
    ana = user_named(app, "ana@example.org")
    link = link_in(issue_link(app, instructor, classroom, ana.id).get_data(as_text=True))
    _, weak = use_link(app, link, "ana@example.org!")
    assert weak.status_code == 422  # the rules apply; the link still works afterwards
    with app.app_context():
        db.session.execute(db.update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    _, expired = use_link(app, link)
    assert expired.status_code == 404
    fresh = link_in(issue_link(app, instructor, classroom, ana.id).get_data(as_text=True))
    post(student, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})
    _, after_change = use_link(app, fresh, "yet another passphrase")
    assert after_change.status_code == 404, "a password change invalidates outstanding links"


def test_instructors_issue_links_only_for_their_own_students(app, instructor, student, classroom):
    other = app.test_client()
    signup(other, "other.teacher@example.org", "Mr Other", code="teach-2026")
    ana = user_named(app, "ana@example.org")
    assert issue_link(app, other, classroom, ana.id).status_code == 404
    own_room = make_class(other, "Other class")
    assert issue_link(app, other, own_room, ana.id).status_code == 404
    assert issue_link(app, instructor, classroom, 2**31).status_code == 404
    assert student.post(f"/teach/classes/{classroom}/students/{ana.id}/reset-link",
                        data={"csrf_token": csrf_token(student)}).status_code == 403
    assert count(app, PasswordResetToken) == 0


def test_cli_reset_link_for_anyone(app, runner, student):
    result = runner.invoke(args=["users", "reset-link", "ANA@example.org", "--hours", "2"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/auth/reset/")
    _, done = use_link(app, link)
    assert done.status_code == 302
    missing = runner.invoke(args=["users", "reset-link", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_without_smtp_the_forgot_page_points_to_the_instructor(client):
    page = client.get("/auth/forgot").get_data(as_text=True)
    assert "Ask your instructor" in page and "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    assert "Forgot your password?" in client.get("/auth/login").get_data(as_text=True)


# --- data rights -------------------------------------------------------------------------------------

@pytest.fixture
def graded(app, instructor, student, classroom):
    """Ana has done an assignment (graded), a practice quiz, review answers and an accommodation."""
    assert assign(instructor, classroom).status_code == 302
    assignment_id = assignment_ids(app, classroom)[0]
    attempt_id = start(student, assignment_id)
    assert submit(student, attempt_id, key_data(app, attempt_id)).status_code == 302
    answer_all(app, student, start_practice(student))  # all wrong: review cards and logs
    post(student, "/lessons/alpha/read")
    ana = user_named(app, "ana@example.org")
    post(instructor, f"/teach/classes/{classroom}/students/{ana.id}/accommodation",
         {"time_multiplier": "1.5", "extra_attempts": "1"})
    return classroom, assignment_id, attempt_id


def test_export_holds_everything_about_the_learner(app, student, graded):
    response = student.get("/account/export.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ana@example.org"
    assert len(data["attempts"]) == 2 and all(a["answers"] for a in data["attempts"])
    assert sum(a["assignment"] is not None for a in data["attempts"]) == 1
    assert data["lessons_read"][0]["lesson"] == "alpha"
    assert data["review_cards"] and data["review_answers"]
    assert data["classes"][0]["class"] == "History 101"
    assert data["accommodations"][0]["time_multiplier"] == 1.5
    rows = list(csv.reader(io.StringIO(student.get("/account/attempts.csv").get_data(as_text=True))))
    assert rows[0][0].lstrip("\ufeff") == "Attempt" and len(rows) == 3


def test_export_leaves_out_which_answers_were_right_until_the_assignment_shows_them(
        app, instructor, student, classroom):
    """A question's score says whether the answer chosen was the key: an export before the reveal would
    hand over the key that the result page still hides."""
    assert assign(instructor, classroom, reveal="after_due").status_code == 302
    assignment_id = assignment_ids(app, classroom)[0]
    attempt_id = start(student, assignment_id)
    assert submit(student, attempt_id, key_data(app, attempt_id)).status_code == 302
    answer_all(app, student, start_practice(student))

    def exported() -> dict[bool, list[dict]]:
        data = json.loads(student.get("/account/export.json").get_data(as_text=True))
        return {a["assignment"] is not None: a for a in data["attempts"]}

    before = exported()
    assert before[True]["answers_marked"] is False and before[True]["score"] == 1.0  # the page shows it
    assert before[True]["answers"] and all(a["score"] is None for a in before[True]["answers"])
    assert before[False]["answers_marked"] is True  # practice: marked at once
    assert all(a["score"] is not None for a in before[False]["answers"])
    with app.app_context():
        db.session.get(Assignment, assignment_id).due_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    after = exported()[True]
    assert after["answers_marked"] is True and all(a["score"] == 1.0 for a in after["answers"])


def test_deleting_an_account_keeps_assignment_attempts_as_deleted_student(app, instructor, student, graded):
    classroom, _, attempt_id = graded
    ana = user_named(app, "ana@example.org")
    before = instructor.get(f"/teach/classes/{classroom}/gradebook.csv").get_data(as_text=True)
    wrong = post(student, "/account/delete", {"password": "not my password"})
    assert wrong.status_code == 422 and user_named(app, "ana@example.org") is not None
    device = copy_of(app, student)
    assert post(student, "/account/delete", {"password": PASSWORD}).status_code == 302
    assert not logged_in(student) and not logged_in(device)
    assert user_named(app, "ana@example.org") is None
    for model in (LessonRead, ReviewCard, ReviewLog, Accommodation, PasswordResetToken):
        assert count(app, model, model.user_id == ana.id) == 0, model
    assert count(app, Attempt, Attempt.user_id == ana.id) == 1  # only the graded one stays
    with app.app_context():
        tomb = db.session.get(User, ana.id)
        assert (tomb.display_name, tomb.email, tomb.password_hash) == ("Deleted student", None, None)
        assert db.session.get(Attempt, attempt_id).user_id == ana.id
    after = instructor.get(f"/teach/classes/{classroom}/gradebook.csv").get_data(as_text=True)
    assert "Deleted student" in after and "ana@example.org" not in after and "Ana" not in after
    assert before.split("\r\n")[1].split(",")[2:] == after.split("\r\n")[1].split(",")[2:]  # same scores
    assert signup(app.test_client()).status_code == 302  # the address is free again


def test_deleting_an_account_with_only_practice_removes_the_row(app, student):
    answer_all(app, student, start_practice(student))
    assert post(student, "/account/delete", {"password": PASSWORD}).status_code == 302
    assert count(app, User) == 0 and count(app, Attempt) == 0 and count(app, ReviewLog) == 0


def test_instructor_with_classes_deletes_them_first(app, instructor, classroom):
    response = post(instructor, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 302 and user_named(app, "teacher@example.org") is not None
    assert "Delete your classes first" in instructor.get("/account/delete").get_data(as_text=True)


def test_deleting_a_class_needs_its_exact_name(app, instructor, student, graded):
    classroom, assignment_id, attempt_id = graded
    page = instructor.get(f"/teach/classes/{classroom}/delete")
    assert page.status_code == 200 and "History 101" in page.get_data(as_text=True)
    for typo in ("History 10", "history 101", "History  101", ""):
        response = post(instructor, f"/teach/classes/{classroom}/delete", {"name": typo})
        assert response.status_code == 422
    assert count(app, Classroom) == 1 and count(app, Assignment) == 1
    response = post(instructor, f"/teach/classes/{classroom}/delete", {"name": "History 101"})
    assert response.status_code == 302
    assert count(app, Classroom) == 0 and count(app, Assignment) == 0
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).assignment_id is None  # the student's own history
    other = app.test_client()
    signup(other, "other.teacher@example.org", "Mr Other", code="teach-2026")
    theirs = make_class(other, "Theirs")
    assert post(instructor, f"/teach/classes/{theirs}/delete", {"name": "Theirs"}).status_code == 404
    assert count(app, Classroom) == 1


def test_guests_are_purged_after_90_days_without_activity(app, client, runner):
    start_practice(client)
    old_but_active = app.test_client()
    start_practice(old_but_active)
    fresh = app.test_client()
    start_practice(fresh)
    long_ago = timedelta(days=120)
    with app.app_context():
        idle, active, new = db.session.scalars(db.select(User).order_by(User.id)).all()
        for user in (idle, active):
            user.created_at -= long_ago
        db.session.execute(db.update(Attempt).where(Attempt.user_id == idle.id)
                           .values(started_at=Attempt.started_at - long_ago))
        db.session.commit()
        idle_id = idle.id
    refused = runner.invoke(args=["users", "purge-guests"], input="n\n")
    assert refused.exit_code != 0 and count(app, User) == 3
    result = runner.invoke(args=["users", "purge-guests"], input="y\n")
    assert result.exit_code == 0 and "Deleted 1 guest unused for 90 days" in result.output
    with app.app_context():
        assert db.session.get(User, idle_id) is None and count(app, User) == 2


def test_cli_delete_asks_first(app, runner, student):
    assert runner.invoke(args=["users", "delete", "ana@example.org"], input="n\n").exit_code != 0
    assert user_named(app, "ana@example.org") is not None
    assert runner.invoke(args=["users", "delete", "ana@example.org", "--yes"]).exit_code == 0
    assert user_named(app, "ana@example.org") is None
