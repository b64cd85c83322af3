"""Pages kept for visitors and fragments rendered once (resetlab/web/rendered.py), and per-request work
only where a request needs it: the personal parts stay right for visitors, guests and learners."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from flask import request

from resetlab.course import get_catalog
from resetlab.extensions import db, limiter
from resetlab.factory import create_app
from resetlab.web.limits import LIMITS

from ..helpers import TOKEN, login, logout, make_config, post, signup

META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def form_token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "no form with a CSRF token"
    return match.group(1)


def test_visitors_share_the_lesson_page_but_each_gets_their_own_token(app):
    first, second = app.test_client(), app.test_client()
    a, b = first.get("/lessons/alpha"), second.get("/lessons/alpha")
    assert a.status_code == b.status_code == 200 and "Cookie" in a.headers["Vary"]
    assert [v.strip().lower() for v in a.headers["Vary"].split(",")].count("cookie") == 1  # said once
    assert "session=" in a.headers["Set-Cookie"]
    page_a, page_b = a.get_data(as_text=True), b.get_data(as_text=True)
    token_a, token_b = form_token(page_a), form_token(page_b)
    assert token_a != token_b and META.search(page_a).group(1) == token_a
    assert page_a.replace(token_a, "") == page_b.replace(token_b, "")
    assert "Mark as read" in page_a and "Cache-Control" not in a.headers
    # the kept page's token is the visitor's own: it marks the lesson read (they become a guest)
    response = first.post("/lessons/alpha/read", data={"csrf_token": token_a})
    assert response.status_code == 302
    page = first.get("/lessons/alpha")
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "You have read this lesson" in text and "Mark as read" not in text
    assert "Marked as read" in text  # the flash, shown once
    # another visitor's token is refused
    assert second.post("/lessons/alpha/read", data={"csrf_token": token_a}).status_code == 400
    assert "Mark as read" in second.get("/lessons/alpha").get_data(as_text=True)


def test_a_signed_in_learner_sees_their_own_lesson_and_home(client, app):
    signup(client)
    page = client.get("/lessons/alpha").get_data(as_text=True)
    assert "Mark as read" in page and META.search(page).group(1)
    assert post(client, "/lessons/alpha/read").status_code == 302
    assert "You have read this lesson" in client.get("/lessons/alpha").get_data(as_text=True)
    home = client.get("/")
    text = home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store" and META.search(text).group(1)
    assert "Log out" in text and "Read" in text
    # the visitor's kept pages never show it
    visitor = app.test_client()
    assert "You have read" not in visitor.get("/lessons/alpha").get_data(as_text=True)
    assert "Log out" not in visitor.get("/").get_data(as_text=True)


def test_the_kept_home_page_mints_the_visitors_csrf_secret_once(app):
    # The first page a visitor opens mints their CSRF secret, so the service worker's precache and the
    # next page, sent in parallel with that cookie, share it instead of each minting one (the last
    # cookie to arrive would win, and the form would fail: tests/web/test_sessions.py).
    visitor, other = app.test_client(), app.test_client()
    response = visitor.get("/")
    assert response.status_code == 200 and "Vary" in response.headers
    assert [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    token = META.search(response.get_data(as_text=True)).group(1)
    assert token and token != META.search(other.get("/").get_data(as_text=True)).group(1)
    for path in ("/", "/glossary", "/offline", "/lessons/alpha"):
        again = visitor.get(path)
        assert not [h for h in again.headers.getlist("Set-Cookie") if h.startswith("session=")], path
    assert visitor.post("/lessons/alpha/read", data={"csrf_token": token}).status_code == 302


def test_a_message_for_a_visitor_is_shown_not_a_kept_page(client):
    signup(client)
    logout(client)
    page = client.get("/").get_data(as_text=True)
    assert "Log in" in page and re.search(r'class="flash', page)
    assert not re.search(r'class="flash', client.get("/").get_data(as_text=True))


def test_kept_pages_follow_the_loaded_course(app):
    visitor = app.test_client()
    assert "A new title" not in visitor.get("/lessons/alpha").get_data(as_text=True)
    with app.app_context():
        catalog = get_catalog()
        lessons = tuple(replace(lesson, title="A new title") if lesson.slug == "alpha" else lesson
                        for lesson in catalog.lessons)
        app.extensions["resetlab.catalog"] = replace(catalog, lessons=lessons)
    assert "A new title" in visitor.get("/lessons/alpha").get_data(as_text=True)
    login(app.test_client())  # unrelated requests do not bring the old page back
    assert "A new title" in app.test_client().get("/lessons/alpha").get_data(as_text=True)


@pytest.fixture
def limited_app(tmp_path):
    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=True))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():  # its own engine: closed here, not left to the garbage collector
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_rate_limit_hooks_run_only_for_limited_endpoints(limited_app, monkeypatch):
    app = limited_app
    hooks = [f for funcs in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
             for f in funcs.get(None, [])]
    gated = [f for f in hooks if getattr(f, "resetlab_gated", False)]
    assert len(gated) == 3  # Flask-Limiter's before, after and teardown hooks, each behind the gate
    assert not [f for f in hooks if getattr(f, "__self__", None) is limiter and f not in gated]
    seen = []
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *a, **k: seen.append(request.endpoint))
    client = app.test_client()
    client.get("/healthz")
    client.get("/lessons/alpha")
    assert seen == []  # the gates hold the original hooks; the limits themselves: tests/web/test_limits.py
    assert {"auth.login", "study.submit"} <= set(LIMITS)


def test_healthz_needs_no_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] is True
    assert "Set-Cookie" not in response.headers


def test_a_guest_sees_their_own_progress_and_a_logged_out_learner_the_visitors_page(app):
    from .test_study import key_form, start_quiz, submit

    guest = app.test_client()
    assert "Best 100%" not in guest.get("/").get_data(as_text=True)  # kept for visitors
    attempt_id = start_quiz(guest)  # starting a quiz makes the visitor a guest
    assert submit(guest, attempt_id, key_form(app, attempt_id)).status_code == 302
    home = guest.get("/")
    text = home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"
    assert "You are practising as a guest" in text and "Best 100%" in text
    # their state changes the next page at once: nothing of theirs was kept
    assert "Mark as read" in guest.get("/lessons/beta").get_data(as_text=True)
    post(guest, "/lessons/beta/read")
    assert "You have read this lesson" in guest.get("/lessons/beta").get_data(as_text=True)
    # a visitor still gets the kept pages, without any of it
    visitor = app.test_client()
    assert "Best 100%" not in visitor.get("/").get_data(as_text=True)
    assert "You have read" not in visitor.get("/lessons/beta").get_data(as_text=True)

    learner = app.test_client()
    signup(learner, email="bo@example.org", name="Bo")
    post(learner, "/lessons/alpha/read")
    assert "You have read this lesson" in learner.get("/lessons/alpha").get_data(as_text=True)
    logout(learner)
    learner.get("/")  # the log-out message is shown once
    page = learner.get("/lessons/alpha")
    assert "Mark as read" in page.get_data(as_text=True) and "Cache-Control" not in page.headers
