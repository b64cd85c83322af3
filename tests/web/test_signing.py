"""web.signing: kept serializers whose output the libraries' own loaders read."""

from __future__ import annotations

from flask import g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from resetlab.web.signing import COMPRESS_FROM, KeptSerializer, csrf_token, kept_serializer

values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=30)


@given(values)
def test_the_standard_serializer_loads_what_the_kept_one_signs(value):
    kept = KeptSerializer(["old", "new"], salt="s")
    signed = kept.dumps(value)
    assert URLSafeTimedSerializer("new", salt="s").loads(signed) == value
    assert kept.loads(URLSafeTimedSerializer("new", salt="s").dumps(value)) == value


def test_only_long_payloads_are_compressed():
    kept = KeptSerializer("k", salt="s")
    assert not kept.dumps("x" * 20).startswith(".")  # a short value is never compressed
    assert kept.dumps("a" * (COMPRESS_FROM * 2)).startswith(".")  # a long repetitive one is
    assert URLSafeTimedSerializer("k", salt="s").loads(kept.dumps("a" * COMPRESS_FROM * 2)) == "a" * 512


def test_a_serializer_is_built_once_per_key(app):
    first = kept_serializer(app, "x", ["k1"], salt="s")
    assert kept_serializer(app, "x", ["k1"], salt="s") is first
    rotated = kept_serializer(app, "x", ["k1", "k2"], salt="s")
    assert rotated is not first and rotated.loads(first.dumps(1)) == 1


def test_csrf_tokens_are_flask_wtf_tokens(app):
    with app.test_request_context("/"):
        token = csrf_token()
        assert csrf_token() == token  # one per request
        validate_csrf(token)  # raises when Flask-WTF would refuse it
        raw = session["csrf_token"]
        g.pop("csrf_token")
        theirs = generate_csrf()  # Flask-WTF's own, from the same secret in the session
        assert session["csrf_token"] == raw and theirs.split(".")[0] == token.split(".")[0]
        validate_csrf(theirs)


def test_the_session_cookie_loads_with_flask_s_own_interface(app, client):
    client.get("/")  # a visitor's first page: the CSRF secret goes into a new session cookie
    cookie = client.get_cookie("session")
    assert cookie is not None
    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value)
    assert set(data) == {"csrf_token"}
