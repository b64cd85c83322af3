"""Deny by default: walk every route as an anonymous visitor, a student and an instructor."""

from __future__ import annotations

from resetlab.web.access import public_endpoints

from ..helpers import csrf_token

SAMPLE_ARGS = {"slug": "alpha", "attempt_id": 1, "filename": "css/app.css", "classroom_id": 1,
               "assignment_id": 1, "user_id": 1, "code": "ABCDEFGH", "card_id": 1,
               "token": "not-a-token", "prompt": "alpha-essay", "grade_id": 1, "item_id": 1, "snippet_id": 1}


def urls(app):
    from flask import url_for

    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            args = {name: SAMPLE_ARGS[name] for name in rule.arguments}
            found.append((rule, url_for(rule.endpoint, **args)))
    return found


def test_every_non_public_route_needs_login(app):
    checked = 0
    for rule, url in urls(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = app.test_client()  # fresh: a guest endpoint would otherwise log this client in
            response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
            response.close()
            if rule.endpoint in public_endpoints(app):
                assert response.status_code in (200, 302, 404, 422), (url, method)
                continue
            checked += 1
            assert response.status_code == 302, (url, method, response.status_code)
            assert "/auth/login" in response.headers["Location"]
    assert checked >= 8


def test_instructor_routes_are_403_for_students(app, student):
    teach = [(rule, url) for rule, url in urls(app) if rule.endpoint.startswith("teach.")]
    assert len(teach) >= 10
    token = csrf_token(student)
    for rule, url in teach:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = student.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, url)


def test_instructor_can_open_teach(instructor):
    assert instructor.get("/teach/").status_code == 200


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_private_pages_are_not_cached(student):
    assert student.get("/progress").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client):
    from ..helpers import signup

    response = signup(client)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
