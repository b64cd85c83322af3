"""/healthz answered in front of Flask (resetlab.ops.HealthCheck): the same answer and headers as any
response, no hook or session on the way, and every other request still goes through Flask."""

from __future__ import annotations

import pytest

from resetlab.lti import grades

from ..helpers import fresh_app, make_config

SECURITY = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def hooks_seen(app, client):
    """Records each run of Flask's before-request hooks (after a first request has had the LTI sender's
    first round, which a fresh app owes)."""
    client.get("/healthz").close()
    seen = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append("before"))
    return seen


def test_a_plain_health_check_runs_no_flask_hook(app, client):
    seen = hooks_seen(app, client)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] is True
    assert seen == []  # answered before Flask's request handling
    assert response.mimetype == "application/json" and "Set-Cookie" not in response.headers
    assert all(response.headers.get(name) for name in SECURITY)


def test_the_answer_is_the_one_flask_gives(app, client):
    seen = hooks_seen(app, client)
    front = client.get("/healthz")
    through = client.get("/healthz?from=flask")  # a query string goes on to Flask and its checks
    assert seen == ["before"]
    assert front.get_data() == through.get_data() and front.status_code == through.status_code
    for name in (*SECURITY, "Content-Type", "Content-Length"):
        assert front.headers.get(name) == through.headers.get(name), name


def test_head_has_headers_and_no_body(client):
    response = client.head("/healthz")
    assert response.status_code == 200 and response.get_data() == b""
    assert int(response.headers["Content-Length"]) == len(client.get("/healthz").get_data())


def test_bad_input_and_other_methods_still_get_flasks_answers(client):
    refused = client.get("/healthz?x=%00")
    assert refused.status_code == 400 and "NUL" in refused.get_data(as_text=True)
    wrong = client.post("/healthz")
    assert wrong.status_code in (400, 405)  # CSRF or method: a clear 4xx either way, never a 500
    assert client.get("/healthz/").status_code == 404


def test_a_due_score_round_takes_the_flask_path(app, client, monkeypatch):
    app.config["LTI_SEND_EVERY"] = 0
    rounds = []
    monkeypatch.setattr(grades, "due", lambda now, limit: rounds.append(now) or [])
    client.get("/healthz").close()
    assert rounds == []  # nothing queued: answered in front, no round
    with app.app_context():
        grades.wake()
    client.get("/healthz").close()
    assert len(rounds) == 1  # the response that carried the round came from Flask


@pytest.fixture
def https_app(tmp_path):
    yield from fresh_app(make_config(tmp_path, SECURE_COOKIES=True))  # its connections closed afterwards


def test_over_https_the_front_answer_insists_on_https_too(https_app):
    client = https_app.test_client()
    client.get("/healthz").close()  # a fresh app's first LTI round
    front, through = client.get("/healthz"), client.get("/healthz?from=flask")
    assert "max-age=" in front.headers["Strict-Transport-Security"]
    assert front.headers["Strict-Transport-Security"] == through.headers["Strict-Transport-Security"]
