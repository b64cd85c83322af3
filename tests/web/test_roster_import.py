"""CSV roster import: preview with a clear error per bad row, nothing imported on errors unless the
instructor chooses the valid rows, one-time set-password links, existing accounts invited (never added:
only their owner puts an account in a class), scoping."""

from __future__ import annotations

import io
import re

from resetlab.extensions import db
from resetlab.models import Enrollment, PasswordResetToken, User

from ..helpers import csrf_token, login, post, signup
from .test_accounts import NEW_PASSWORD, count, logged_in, use_link
from .test_teach import code_of, make_class

CSV = """Name,Email
Carla Diaz,carla@example.org
Ana,ANA@example.org
Bad Email,not-an-email
Dan Wu,dan@example.org
,nameless@example.org
Carla Again,carla@example.org
Ms Teacher,teacher@example.org
"""


def preview(client, classroom_id, text=CSV, **extra):
    return post(client, f"/teach/classes/{classroom_id}/import", {"text": text, "action": "check", **extra})


def importing(client, classroom_id, text=CSV, **extra):
    return post(client, f"/teach/classes/{classroom_id}/import", {"text": text, "action": "import", **extra})


def members(app, classroom_id) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(User.email).join(Enrollment, Enrollment.user_id == User.id)
                                      .where(Enrollment.classroom_id == classroom_id, Enrollment.active)))


def test_preview_names_each_row_and_its_outcome_and_imports_nothing(app, instructor, student):
    classroom_id = make_class(instructor)
    page = preview(instructor, classroom_id)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    rows = dict(re.findall(r'<th scope="row">(\d+)</th>.*?<td[^>]*>([^<]*)</td></tr>', text, re.S))
    assert rows["2"] == "new account, with a set-password link"
    assert rows["3"] == "has an account: they join with the class code"
    assert rows["4"].startswith("Error: “not-an-email” is not an email address")
    assert rows["6"] == "Error: no name"
    assert rows["7"] == "Error: carla@example.org is already on line 2"
    assert rows["8"].startswith("Error: teacher@example.org belongs to an instructor account")
    assert "3 rows can be imported" in text and "4 with errors" in text
    assert members(app, classroom_id) == set() and count(app, User) == 2


def test_errors_stop_the_import_unless_the_valid_rows_are_chosen(app, instructor, student):
    classroom_id = make_class(instructor)
    refused = importing(instructor, classroom_id)
    assert refused.status_code == 422 and members(app, classroom_id) == set()
    assert count(app, PasswordResetToken) == 0
    done = importing(instructor, classroom_id, valid_only="y")
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "2 students imported; 4 lines with errors left out" in text
    assert members(app, classroom_id) == {"carla@example.org", "dan@example.org"}  # Ana joins herself
    invited = text.split("send them the join link</h2>")[1]
    assert code_of(app, classroom_id) in invited and "Ana (ana@example.org)" in invited
    links = re.findall(r"<code>(http://localhost/auth/reset/[^<]+)</code>", text)
    assert len(links) == 2  # new accounts only; Ana has her own password
    with app.app_context():
        carla = db.session.scalar(db.select(User).where(User.email == "carla@example.org"))
        assert carla.password_hash is None and carla.role == "student" and carla.display_name == "Carla Diaz"
    assert login(app.test_client(), "carla@example.org", "").status_code != 302
    browser, set_password = use_link(app, links[0])
    assert set_password.status_code == 302
    assert login(browser, "carla@example.org", NEW_PASSWORD).status_code == 302 and logged_in(browser)
    _, again = use_link(app, links[0], "yet another passphrase")
    assert again.status_code == 404
    assert "name,email,link" in text and "Carla Diaz,carla@example.org,http://localhost/auth/reset/" in text


def test_a_clean_file_imports_every_row_and_a_second_import_changes_nothing(app, instructor):
    classroom_id = make_class(instructor)
    clean = "name,email\nEve,eve@example.org\nFay,fay@example.org\n"
    assert importing(instructor, classroom_id, clean).status_code == 200
    assert members(app, classroom_id) == {"eve@example.org", "fay@example.org"}
    again = preview(instructor, classroom_id, clean).get_data(as_text=True)
    assert again.count("already in the class") == 2
    assert importing(instructor, classroom_id, clean).status_code == 200
    assert count(app, User) == 3 and count(app, PasswordResetToken) == 2


def test_a_removed_student_is_readmitted_and_a_file_upload_works(app, instructor, student):
    classroom_id = make_class(instructor)
    with app.app_context():
        ana = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
        db.session.add(Enrollment(classroom_id=classroom_id, user_id=ana.id, active=False))
        db.session.commit()
    data = {"csrf_token": csrf_token(instructor), "action": "import",
            "file": (io.BytesIO("email;name\r\nana@example.org;Ana\r\n".encode("utf-8-sig")), "class.csv")}
    url = f"/teach/classes/{classroom_id}/import"
    done = instructor.post(url, data=data, content_type="multipart/form-data")
    assert done.status_code == 200 and "re-admitted" in done.get_data(as_text=True)
    assert members(app, classroom_id) == {"ana@example.org"}
    latin = {"csrf_token": csrf_token(instructor), "action": "check",
             "file": (io.BytesIO("name,email\nCafé,c@example.org\n".encode("latin-1")), "old.csv")}
    page = instructor.post(url, data=latin, content_type="multipart/form-data")
    assert "the file is not UTF-8" in page.get_data(as_text=True)


def test_only_the_classes_instructors_may_import_and_csrf_is_required(app, instructor, student):
    classroom_id = make_class(instructor)
    other = app.test_client()
    signup(other, "other@example.org", "Mr Other", code="teach-2026")
    assert other.get(f"/teach/classes/{classroom_id}/import").status_code == 404
    assert importing(other, classroom_id, valid_only="y").status_code == 404
    assert student.get(f"/teach/classes/{classroom_id}/import").status_code == 403
    assert instructor.post(f"/teach/classes/{classroom_id}/import",
                           data={"text": CSV, "action": "import", "valid_only": "y"}).status_code == 400
    assert members(app, classroom_id) == set()


def test_an_import_never_gives_an_instructor_power_over_an_existing_account(app, instructor, student):
    """Typing a student's email into another class's import must not put them in it, where its instructor
    could read their work and issue them a password reset link (an account takeover)."""
    classroom_id = make_class(instructor)
    with app.app_context():
        ana = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    assert importing(instructor, classroom_id, "name,email\nAna,ana@example.org\n").status_code == 200
    assert members(app, classroom_id) == set()
    reset = post(instructor, f"/teach/classes/{classroom_id}/students/{ana}/reset-link", {})
    assert reset.status_code == 404 and count(app, PasswordResetToken) == 0
