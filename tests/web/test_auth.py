"""Sign-up, log-in, log-out, roles, CSRF and session revocation."""

from __future__ import annotations

from resetlab.extensions import db
from resetlab.models import User

from ..helpers import PASSWORD, csrf_token, login, logout, post, signup


def user_by_email(app, email):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.email == email))


def test_signup_creates_student_with_argon2_hash(app, client):
    response = signup(client, email="  Ana@Example.org ")
    assert response.status_code == 302
    user = user_by_email(app, "ana@example.org")
    assert user.role == "student"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert "Progress" in client.get("/").get_data(as_text=True)


def test_signup_errors_are_tied_to_fields_and_keep_input(client):
    response = post(client, "/auth/signup", {"display_name": "Bo", "email": "not-an-email",
                                             "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in page and 'id="email-error"' in page
    assert "Use at least 8 characters." in page
    assert 'value="Bo"' in page


def test_common_password_rejected(client):
    response = signup(client, password="password123")
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)


def test_long_unicode_password_with_spaces_works(app, client):
    password = "пароль с пробелами " * 3 + "🔑" * 10
    assert signup(client, password=password).status_code == 302
    logout(client)
    assert login(client, password=password).status_code == 302


def test_duplicate_email_is_a_clear_error(client, app):
    signup(client)
    logout(client)
    response = signup(client, email="ANA@example.org", name="Other")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_instructor_code(app, client):
    bad = signup(client, email="t@example.org", code="wrong")
    assert bad.status_code == 422 and "not valid" in bad.get_data(as_text=True)
    assert user_by_email(app, "t@example.org") is None
    assert signup(client, email="t@example.org", code="teach-2026").status_code == 302
    assert user_by_email(app, "t@example.org").role == "instructor"


def test_login_wrong_password_and_unknown_user(client):
    signup(client)
    logout(client)
    for email, password in (("ana@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)):
        response = login(client, email=email, password=password)
        assert response.status_code == 422
        assert "Email or password is not right." in response.get_data(as_text=True)


def test_login_redirects_only_to_same_site_next(client):
    signup(client)
    logout(client)
    token = csrf_token(client)
    for target, expected in (("/progress", "/progress"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/"),
                             ("/%0d%0aSet-Cookie:x=1", "/"), ("/x%09y", "/")):
        response = client.post(f"/auth/login?next={target}", data={
            "email": "ana@example.org", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == expected
        logout(client)
        token = csrf_token(client)


def test_logout_requires_post_and_csrf(student):
    assert student.get("/auth/logout").status_code == 405
    assert student.post("/auth/logout").status_code == 400
    assert student.get("/progress").status_code == 200
    assert logout(student).status_code == 302
    assert student.get("/progress").status_code == 302


def test_logout_revokes_a_copied_cookie(app, student):
    cookie = student.get_cookie("session").value
    logout(student)
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/progress")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_login_starts_a_fresh_session(client):
    signup(client)
    logout(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_csrf_missing_on_login_and_signup(client):
    for path in ("/auth/login", "/auth/signup"):
        response = client.post(path, data={"email": "a@example.org", "password": PASSWORD})
        assert response.status_code == 400
        assert "expired" in response.get_data(as_text=True)


def test_cli_creates_instructor(app, runner):
    result = runner.invoke(args=["users", "create-instructor", "--email", "Prof@Example.org",
                                 "--name", "Prof", "--password", "a long enough secret"])
    assert result.exit_code == 0, result.output
    assert user_by_email(app, "prof@example.org").role == "instructor"
    again = runner.invoke(args=["users", "create-instructor", "--email", "prof@example.org",
                                "--name", "Prof", "--password", "a long enough secret"])
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(args=["users", "create-instructor", "--email", "x@example.org",
                               "--name", "X", "--password", "short"])
    assert weak.exit_code != 0 and "at least 8" in weak.output


def test_no_default_accounts(app):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_login_attempts_are_rate_limited_per_account_and_address(tmp_path):
    from resetlab.factory import create_app

    from ..helpers import make_config

    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=True))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    signup(client)
    logout(client)
    codes = [login(client, password="wrong password!").status_code for _ in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429
    page = login(client).get_data(as_text=True)  # the right password is refused too, for now
    assert "Too many requests" in page
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert login(other, email="someone-else@example.org").status_code == 422  # other accounts unaffected
    with app.app_context():
        db.engine.dispose()


def test_a_new_instructor_starts_on_the_teach_page_and_a_student_on_the_course(app):
    teacher, learner = app.test_client(), app.test_client()
    made = signup(teacher, "t@example.org", "Ms T", code="teach-2026")
    assert made.status_code == 302 and made.headers["Location"] == "/teach/"
    assert "create your first class" in teacher.get("/teach/").get_data(as_text=True)
    assert signup(learner, "s@example.org", "Sam").headers["Location"] == "/"
