"""The session cookie under parallel requests: a page's CSRF token must survive the responses around it.

A browser sends several requests with the same cookie (the page it navigates to, the service worker's
precache, a script's fetch); each response may carry a Set-Cookie computed from that old cookie, and the
one that arrives last wins. These tests replay such interleavings deterministically with the test client.
"""

from __future__ import annotations

import re

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous.timed import TimestampSigner

from resetlab.web.sessions import vary_on_cookie

from ..helpers import PASSWORD, TOKEN, csrf_token, login, logout, post, signup
from .test_review import start as start_practice

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PRECACHE = ("/", "/glossary", "/timeline", "/offline")  # the service worker's app shell
BACKGROUND = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}  # a fetch from a script, not a page


def cookie_of(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def put_cookie(client, value: str | None) -> None:
    if value:
        client.set_cookie("session", value)
    else:
        client.delete_cookie("session")


def sent_with(client, cookie: str | None, path: str, **kwargs):
    """GET `path` carrying `cookie`; the jar is left as it was. Returns the response and what it set:
    None when it set no session cookie (the browser keeps whatever it holds by then)."""
    held = cookie_of(client)
    put_cookie(client, cookie)
    response = client.get(path, **kwargs)
    sets = any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    written = (cookie_of(client) or "") if sets else None
    put_cookie(client, held)
    return response, written


def land(client, *written: str | None) -> None:
    """Responses arriving one after another: each Set-Cookie replaces the cookie the browser holds."""
    for value in written:
        if value is not None:
            put_cookie(client, value)


def serializer(app):
    return SecureCookieSessionInterface().get_signing_serializer(app)


def session_data(app, client) -> dict:
    value = cookie_of(client)
    return dict(serializer(app).loads(value)) if value else {}


def join_nope(client, token: str):
    return client.post("/join", data={"code": "NOPE99", "csrf_token": token})


def test_the_precache_answering_last_keeps_the_pages_csrf_token(app, client):
    # The flake: sign up, the redirect page and the service worker's precache all leave with the cookie
    # of the sign-up response; the page renders a token, the precache answers later and wins.
    assert signup(client).status_code == 302
    after_signup = cookie_of(client)
    page, page_cookie = sent_with(client, after_signup, "/")
    late = [sent_with(client, after_signup, path, headers=BACKGROUND)[1] for path in PRECACHE]
    land(client, page_cookie, *late)
    token = META_TOKEN.search(page.get_data(as_text=True)).group(1)
    response = join_nope(client, token)
    assert response.status_code == 422, response.get_data(as_text=True)[:400]
    assert "No open class has that code" in response.get_data(as_text=True)


def test_the_page_answering_last_keeps_the_token_too(app, client):
    assert signup(client).status_code == 302
    after_signup = cookie_of(client)
    early = [sent_with(client, after_signup, path, headers=BACKGROUND)[1] for path in PRECACHE]
    page, page_cookie = sent_with(client, after_signup, "/join")
    land(client, *early, page_cookie)
    assert join_nope(client, TOKEN.search(page.get_data(as_text=True)).group(1)).status_code == 422


@pytest.mark.parametrize("change", ["signup", "login", "logout", "password"])
def test_every_change_of_identity_sends_a_new_csrf_secret_in_its_own_cookie(app, client, change):
    if change != "signup":
        signup(client)
    if change == "login":
        logout(client)
    csrf_token(client)  # the old session has a secret
    before = session_data(app, client)
    assert before.get("csrf_token")
    actions = {"signup": lambda: signup(client),
               "login": lambda: login(client),
               "logout": lambda: logout(client),
               "password": lambda: post(client, "/account/password",
                                        {"current_password": PASSWORD, "password": "a brand new passphrase"})}
    response = actions[change]()
    assert response.status_code == 302
    after = session_data(app, client)
    assert after.get("csrf_token"), "the redirect must not leave the next requests to mint one each"
    assert after["csrf_token"] != before["csrf_token"], "a new identity gets a new secret"


def test_pages_that_only_render_never_rewrite_the_cookie(app, client):
    visitor = app.test_client()
    visitor.get("/")  # the first page mints the visitor's CSRF secret
    guest = app.test_client()
    start_practice(guest)  # a guest's session is permanent (it outlives the browser)
    signup(client)
    client.get("/")  # shows (and so consumes) the welcome message
    for who in (visitor, guest, client):
        for path in (*PRECACHE, "/sw.js", "/quiz/alpha", "/lessons/alpha"):
            for headers in ({}, BACKGROUND):
                response = who.get(path, headers=headers)
                assert response.status_code == 200, path
                assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")], \
                    (path, headers)
    assert join_nope(client, csrf_token(client, "/join")).status_code == 422


def test_a_late_answer_to_a_guest_request_does_not_undo_saving_the_guest(app, client):
    start_practice(client)
    as_guest = cookie_of(client)
    assert signup(client, email="saved@example.org").status_code == 302
    page = client.get("/join")
    _, late = sent_with(client, as_guest, "/offline", headers=BACKGROUND)  # sent before, answered after
    land(client, late)
    assert join_nope(client, TOKEN.search(page.get_data(as_text=True)).group(1)).status_code == 422


def test_a_guest_session_still_rolls_forward_once_a_day(app, client, monkeypatch):
    start_practice(client)
    guest = session_data(app, client)
    assert guest["_permanent"]
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 2 * 86400)
    two_days_old = serializer(app).dumps(guest)
    monkeypatch.undo()
    put_cookie(client, two_days_old)
    sent = client.get("/").headers.getlist("Set-Cookie")
    assert any(h.startswith("session=") and "Expires=" in h for h in sent), \
        "a permanent session is re-signed, so a guest who visits every week keeps their progress"
    assert cookie_of(client) != two_days_old and session_data(app, client) == guest
    assert client.get("/").headers.getlist("Set-Cookie") == []  # signed today: not again


def test_a_background_fetch_leaves_the_flashed_message_for_the_page(app, client):
    signup(client)
    client.get("/offline", headers=BACKGROUND)  # the service worker's precache, before the redirect
    assert "Your account is ready" in client.get("/").get_data(as_text=True)


def test_a_stale_token_gives_back_the_form_with_a_fresh_token_and_what_was_typed(app, student):
    response = student.post("/join", data={"code": "NOPE99", "csrf_token": "stale"},
                            headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "expired" in page and 'action="/join"' in page
    assert re.search(r'<input type="hidden" name="code" value="NOPE99">', page)
    resent = student.post("/join", data={"code": "NOPE99", "csrf_token": TOKEN.search(page).group(1)})
    assert resent.status_code == 422  # the real answer: that code names no class


def test_a_stale_login_keeps_the_email_but_never_echoes_the_password(client):
    signup(client)
    logout(client)
    response = client.post("/auth/login?next=/progress", data={
        "email": "ana@example.org", "password": PASSWORD, "csrf_token": "stale"},
        headers={"Origin": "http://localhost"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="ana@example.org"' in page
    assert PASSWORD not in page and "type your password again" in page
    assert 'action="/auth/login?next=/progress"' in page
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                                     {}])
def test_a_form_from_elsewhere_is_refused_without_being_given_back(student, headers):
    response = student.post("/join", data={"code": "NOPE99", "csrf_token": "stale"}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "expired" in page
    assert "NOPE99" not in page and 'action="/join"' not in page


@pytest.mark.parametrize(("before", "after"), [
    (None, "Cookie"), ("Accept-Encoding", "Accept-Encoding, Cookie"), ("cookie", "cookie"),
    ("Accept-Encoding, Cookie", "Accept-Encoding, Cookie"), ("X-Cookie-Consent", "X-Cookie-Consent, Cookie"),
    ("*", "*"),
])
def test_vary_names_cookie_once_and_only_as_a_whole_name(app, before, after):
    response = app.response_class("")
    if before is not None:
        response.headers["Vary"] = before
    vary_on_cookie(response)
    assert response.headers["Vary"] == after
