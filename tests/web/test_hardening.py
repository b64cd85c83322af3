"""Configuration traps, HSTS, 503 when the database is down, and each bad input the issue found."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.config import ConfigError, load_config
from resetlab.extensions import db
from resetlab.factory import create_app
from resetlab.models import Accommodation, Assignment, ReviewCard, User

from ..helpers import make_config, post, signup
from .test_offline import csrf_token as meta_token
from .test_review import answer_all
from .test_review import start as start_practice
from .test_teach import code_of, make_class

NUL = "\x00"
OUT_OF_RANGE = ["2147483648", "0", "99999999999999999999", "٣", "²", "-1", "1e3"]


# --- configuration ---------------------------------------------------------------------------------

def test_an_unknown_setting_stops_the_start_naming_the_close_match(tmp_path, monkeypatch):
    monkeypatch.setenv("RESETLAB_SECURE_COOKIE", "true")  # the real name ends in S
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "RESETLAB_SECURE_COOKIE" in str(err.value) and "RESETLAB_SECURE_COOKIES" in str(err.value)
    monkeypatch.delenv("RESETLAB_SECURE_COOKIE")
    monkeypatch.setenv("RESETLAB_DATABASE_URI", "sqlite:////tmp/x.db")
    with pytest.raises(ConfigError, match="did you mean RESETLAB_DATABASE_URL"):
        create_app(make_config(tmp_path))


def test_known_settings_of_flask_and_extensions_are_accepted(tmp_path, monkeypatch):
    for name, value in (("SESSION_COOKIE_NAME", "s"), ("RATELIMIT_STRATEGY", "moving-window"),
                        ("SMTP_PORT", "2525"), ("PREFERRED_URL_SCHEME", "https")):
        monkeypatch.setenv(f"RESETLAB_{name}", value)
    config = load_config(tmp_path)
    assert config["SMTP_PORT"] == 2525 and config["SESSION_COOKIE_NAME"] == "s"


def test_both_database_url_names_work(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("RESETLAB_DATABASE_URL", "postgresql://u:p@db/one")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/one"
    monkeypatch.delenv("RESETLAB_DATABASE_URL")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/two")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/two"


def test_hsts_only_with_secure_cookies(tmp_path):
    plain = create_app(make_config(tmp_path)).test_client().get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = create_app(make_config(tmp_path, SECURE_COOKIES=True)).test_client().get("/")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def unreachable_url(tmp_path) -> str:
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        return "postgresql+psycopg://nobody:x@127.0.0.1:9/nowhere?connect_timeout=2"  # nothing on port 9
    return f"sqlite:///{tmp_path}/missing-dir/x.sqlite"


def test_database_down_is_a_503_with_retry_after(app, tmp_path):
    client = app.test_client()
    signup(client)
    cookie = client.get_cookie("session").value
    down = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=unreachable_url(tmp_path)))
    browser = down.test_client()
    browser.set_cookie("session", cookie)
    for response in (browser.get("/progress"), post(down.test_client(), "/auth/login",
                                                     {"email": "ana@example.org", "password": "x" * 12})):
        page = response.get_data(as_text=True)
        assert response.status_code == 503, page[:300]
        assert response.headers["Retry-After"] == "30"
        assert "not answering" in page and "Traceback" not in page
    api = down.test_client().post("/api/practice/sync", json={"items": [{"id": "a"}]},
                                  headers={"X-CSRFToken": "not-a-token"})
    assert api.status_code in (400, 503)  # the CSRF check may answer first; never a 500
    with down.app_context():
        db.engine.dispose()


# --- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", OUT_OF_RANGE)
def test_ids_out_of_range_are_404(app, student, instructor, raw):
    for client, path in ((student, f"/attempts/{raw}"), (student, f"/assignments/{raw}"),
                         (instructor, f"/teach/classes/{raw}"), (instructor, f"/teach/assignments/{raw}"),
                         (instructor, f"/teach/classes/1/students/{raw}")):
        assert client.get(path).status_code == 404, path
    assert post(student, f"/review/{raw}").status_code == 404
    assert post(student, f"/attempts/{raw}").status_code == 404


@given(st.integers(min_value=-10, max_value=2**40))
def test_the_id_pattern_is_exactly_one_to_max(number):
    from resetlab.web.converters import MAX_ID, IdConverter

    assert bool(re.fullmatch(IdConverter.regex, str(number))) == (1 <= number <= MAX_ID)
    assert not re.fullmatch(IdConverter.regex, "0" + str(abs(number)))


def test_every_id_argument_uses_the_bounded_converter(app):
    from resetlab.web.converters import IdConverter

    checked = 0
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                checked += 1
                assert isinstance(converter, IdConverter), (rule.rule, name)
    assert checked >= 15


def test_nul_bytes_are_refused_before_any_view(app, client, instructor):
    cases = [
        ("/auth/signup", {"display_name": "A" + NUL, "email": "a@example.org", "password": "long enough pw"}),
        ("/auth/signup", {"display_name": "A", "email": "a" + NUL + "@example.org", "password": "long pw!!"}),
        ("/auth/login", {"email": "x@example.org" + NUL, "password": "whatever123"}),
        ("/teach/classes", {"name": "History" + NUL}),
        ("/join", {"code": "ABC" + NUL + "DEFG"}),
        ("/auth/signup", {NUL: "field name"}),
    ]
    for path, data in cases:
        who = instructor if path.startswith(("/teach", "/join")) else client
        response = post(who, path, data)
        assert response.status_code == 400, (path, data)
        assert "NUL character" in response.get_data(as_text=True)
    assert client.get("/lessons/alpha?x=a%00b").status_code == 400
    assert client.get("/join/AB%00CD").status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1  # the instructor


def test_nul_and_deep_json_in_sync_are_400(client):
    token = meta_token(client)
    headers = {"X-CSRFToken": token}
    item = {"id": "abc", "question_id": "alpha-1" + NUL, "content_hash": "x", "form": {}}
    response = client.post("/api/practice/sync", json={"items": [item]}, headers=headers)
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/practice/sync", data=deep, content_type="application/json", headers=headers)
    assert response.status_code in (400, 413) and response.is_json
    nested = json.dumps({"items": [{"form": {"a": [[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]}}]})
    response = client.post("/api/practice/sync", data=nested, content_type="application/json",
                           headers=headers)
    assert response.status_code == 400 and "nested" in response.get_json()["error"]


def test_deep_json_within_the_size_limit_is_400(client):
    token = meta_token(client)
    deep = "[" * 60_000 + "]" * 60_000  # 120 kB: under MAX_CONTENT_LENGTH, so the parser sees it
    response = client.post("/api/practice/sync", data=deep, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "nested" in response.get_json()["error"]


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "Infinity", "1e999999999"])
def test_time_multiplier_non_numbers_are_refused(app, instructor, student, value):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    with app.app_context():
        ana = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    response = post(instructor, f"/teach/classes/{classroom_id}/students/{ana}/accommodation",
                    {"time_multiplier": value, "extra_attempts": "0"})
    assert response.status_code == 422  # the form again, the error tied to its field
    assert 'id="time_multiplier-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Accommodation)) == 0


@pytest.mark.parametrize("zone,when", [("Pacific/Kiritimati", "0001-01-01T00:00"),
                                       ("Pacific/Pago_Pago", "9999-12-31T23:59"),
                                       ("Etc/GMT-14", "0001-01-01T00:01"),
                                       ("Etc/GMT+12", "9999-12-31T23:59")])
def test_assign_dates_at_the_extremes_are_refused(app, instructor, zone, when):
    classroom_id = make_class(instructor)
    instructor.set_cookie("tz", zone)
    for field in ("open_at", "due_at"):
        data = {"banks": ["alpha"], "open_at": "2026-01-01T10:00", "due_at": "2026-02-01T10:00",
                "grading": "highest", "reveal": "immediately", field: when}
        response = post(instructor, f"/teach/classes/{classroom_id}/assign", data)
        assert response.status_code == 422, (field, when)
        assert "Choose a date between 2000 and 2199" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999-14:00"])
def test_sync_dates_at_the_extremes_are_refused_or_clamped(app, client, when):
    from resetlab.core.questions import form_values, key_answer
    from resetlab.course import get_catalog

    with app.app_context():
        question = next(q for q in get_catalog().questions.values() if q.type == "single")
    item = {"id": "extreme-1", "question_id": question.id, "content_hash": question.content_hash,
            "form": form_values(question, 0, key_answer(question)), "answered_at": when}
    token = meta_token(client)
    response = client.post("/api/practice/sync", json={"items": [item]}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["accepted"] == ["extreme-1"] or body["rejected"][0]["reason"] == "answered_at is out of range"


@pytest.mark.parametrize("version", ["²", "٣", "99999999999999", "", "-1", "1.0"])
def test_review_version_must_be_ascii_digits(app, student, version):
    answer_all(app, student, start_practice(student))
    with app.app_context():
        card = db.session.scalars(db.select(ReviewCard)).first()
        card_id, before = card.id, card.version
    response = post(student, f"/review/{card_id}", {"version": version})
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.get(ReviewCard, card_id).version == before
