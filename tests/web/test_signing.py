"""web.signing: kept serializers whose output the libraries' own loaders read, and whose short way
(one C HMAC with the kept key) signs and reads exactly as itsdangerous does."""

from __future__ import annotations

from unittest import mock

from flask import g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from hypothesis import example, given
from hypothesis import strategies as st
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

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


DERIVATIONS = st.sampled_from(["django-concat", "hmac", "concat", "none"])


def _at(moment: float):
    return mock.patch("time.time", return_value=moment)


@given(value=values, moment=st.integers(0, 2**40), derivation=DERIVATIONS)
def test_the_short_way_signs_the_bytes_itsdangerous_signs(value, moment, derivation):
    kept = KeptSerializer(["old", "new"], salt="s", signer_kwargs={"key_derivation": derivation})
    with _at(moment + 0.75):
        ours = kept.dumps(value)
        theirs = kept.make_signer().sign(want_bytes(kept.dump_payload(value))).decode()  # the library's
    assert ours == theirs


def test_the_session_cookie_is_signed_as_flask_signs_it(app):
    with app.test_request_context("/"), _at(1_700_000_000.5):
        ours = app.session_interface.get_signing_serializer(app)
        theirs = SecureCookieSessionInterface().get_signing_serializer(app)
        value = {"csrf_token": "ab" * 20, "_user_id": "7:1", "_fresh": True}
        signed = ours.dumps(value)
        assert signed == ours.make_signer().sign(want_bytes(ours.dump_payload(value))).decode()
        assert theirs.loads(signed) == value and ours.loads(theirs.dumps(value)) == value


def _outcome(serializer, signed, max_age):
    try:
        return serializer.loads(signed, max_age=max_age, return_timestamp=True)
    except BadSignature as refused:
        return type(refused), str(refused)


def _tampered(signed: str, how: str) -> str:
    payload, stamp, signature = signed.rsplit(".", 2)
    return {"none": signed, "signature": f"{payload}.{stamp}.{signature[::-1]}",
            "stamp": f"{payload}.{stamp}A.{signature}", "payload": f"{payload}x.{stamp}.{signature}",
            "no separator": signed.replace(".", ""), "no stamp": f"{payload}.{signature}",
            "bad stamp": f"{payload}.!!.{signature}", "empty": ""}[how]


@given(value=values, age=st.integers(-3, 8), max_age=st.none() | st.integers(0, 5))
@example(value=1, age=5, max_age=5)  # as old as allowed: read
@example(value=1, age=6, max_age=5)  # a second older: expired
@example(value=1, age=-1, max_age=5)  # signed in the future: refused
def test_the_short_way_reads_and_expires_what_itsdangerous_does(value, age, max_age):
    with _at(1_700_000_000.25):
        signed = URLSafeTimedSerializer("new", salt="s").dumps(value)
    with _at(1_700_000_000.25 + age):
        ours = _outcome(KeptSerializer(["old", "new"], salt="s"), signed, max_age)
        theirs = _outcome(URLSafeTimedSerializer(["old", "new"], salt="s"), signed, max_age)
    assert ours == theirs


@given(value=values, key=st.sampled_from(["old", "new", "other"]),
       how=st.sampled_from(["none", "signature", "stamp", "payload", "no separator", "no stamp",
                            "bad stamp", "empty"]))
def test_the_short_way_refuses_what_itsdangerous_refuses(value, key, how):
    with _at(1_700_000_000.25):
        signed = _tampered(URLSafeTimedSerializer(key, salt="s").dumps(value), how)
        ours = _outcome(KeptSerializer(["old", "new"], salt="s"), signed, 60)
        theirs = _outcome(URLSafeTimedSerializer(["old", "new"], salt="s"), signed, 60)
    assert ours == theirs


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
