"""Signed values sent to browsers (the session cookie, CSRF tokens), made by serializers built once per
app and secret key.

A visitor's first page signs two values: the session cookie and the CSRF token in its forms. Built the
libraries' way, each costs ~25 µs: a new serializer per call (whose constructor serializes a probe value)
a zlib.compress of a 40-byte payload that never comes out shorter, and an HMAC to derive the same signing
key again. Here the serializer and the derived keys are kept, and payloads under COMPRESS_FROM bytes are
not compressed. The output is in the same format (itsdangerous'
URL-safe timed form; a compressed payload is marked with a leading '.', an uncompressed one is not), so
Flask's session loader and Flask-WTF's `validate_csrf` read these values unchanged, and values signed
before an upgrade still load.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import Flask, current_app, g, request, session
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, int_to_bytes, want_bytes
from itsdangerous.serializer import Serializer
from itsdangerous.signer import HMACAlgorithm

COMPRESS_FROM = 256  # bytes of JSON: below this zlib's header and checksum outweigh what it saves
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt: its validate_csrf checks these tokens


class KeptKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer that derives each (key, salt) signing key once, not per value: the
    derivation is a deterministic HMAC, and the serializer makes a new signer for every value."""

    derived: ClassVar[dict[tuple, bytes]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """The derived key, as itsdangerous computes it, from this process's table."""
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        entry = (key, self.salt, self.key_derivation, self.digest_method)
        derived = self.derived.get(entry)
        if derived is None:
            if len(self.derived) > 64:  # a handful of keys and salts in practice; bound it anyway
                self.derived.clear()
            derived = self.derived[entry] = super().derive_key(key)
        return derived


class KeptSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer that compresses only payloads long enough to gain, and
    signs with KeptKeySigner.

    Signing with the newest key, and checking a value it signed, take a short way: one call of the
    C HMAC (`hmac.digest`) with the kept key, where itsdangerous makes a signer object per value and
    runs Python's HMAC class over a digest function it cannot hand to C. The bytes are the same
    (tests/web/test_signing.py compares them with itsdangerous'); anything the short way does not
    accept (an older key, a bad or expired signature, a malformed value) goes the library's way, which
    gives its usual answer and exception."""

    default_signer = KeptKeySigner

    def dump_payload(self, obj: Any) -> bytes:
        """The JSON, base64-encoded; compressed (and marked with '.') only when long."""
        raw = Serializer.dump_payload(self, obj)
        if len(raw) < COMPRESS_FROM:
            return base64_encode(raw)
        return super().dump_payload(obj)

    def _short_way(self) -> tuple[bytes, bytes, str] | None:
        """(newest derived key, separator, digest name) when the signer is itsdangerous' HMAC, worked
        out once; None otherwise."""
        found = self.__dict__.get("_short")
        if found is None:
            signer = self.make_signer()
            algorithm = signer.algorithm
            found = (signer.derive_key(), want_bytes(signer.sep), algorithm.digest_method().name) \
                if type(algorithm) is HMACAlgorithm else ()
            self._short = found
        return found or None

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> Any:
        """As itsdangerous signs: payload, timestamp and signature, joined by the separator."""
        short = self._short_way() if salt is None else None
        if short is None:
            return super().dumps(obj, salt)
        key, sep, digest = short
        value = want_bytes(self.dump_payload(obj)) + sep + base64_encode(int_to_bytes(int(time.time())))
        signed = value + sep + base64_encode(hmac.digest(key, value, digest))
        return signed.decode("utf-8") if self.is_text_serializer else signed

    def loads(self, s: str | bytes, max_age: int | None = None, return_timestamp: bool = False,
              salt: str | bytes | None = None) -> Any:
        """The value, when its signature (newest key) is good and it is not older than `max_age`;
        everything else is itsdangerous' to answer."""
        short = self._short_way() if salt is None else None
        if short is not None:
            key, sep, digest = short
            value, _, signature = want_bytes(s).rpartition(sep)
            payload, _, stamp = value.rpartition(sep)
            if payload and hmac.compare_digest(base64_encode(hmac.digest(key, value, digest)), signature):
                try:
                    signed_at = bytes_to_int(base64_decode(stamp))
                except Exception:  # noqa: BLE001 - itsdangerous' own answer follows
                    signed_at = None
                if signed_at is not None and (
                        max_age is None or 0 <= int(time.time()) - signed_at <= max_age):
                    data = self.load_payload(payload)  # a bad payload: BadPayload, as itsdangerous raises
                    if return_timestamp:
                        return data, datetime.fromtimestamp(signed_at, tz=UTC)
                    return data
        return super().loads(s, max_age=max_age, return_timestamp=return_timestamp, salt=salt)


def kept_serializer(app: Flask, name: str, keys: list[str | bytes], **options: Any) -> KeptSerializer:
    """The app's serializer `name` for these keys (oldest first, the current key last), built on first use
    and again only when the keys change (a test or a deploy rotating the secret)."""
    kept = app.extensions.setdefault("resetlab.signing", {})
    entry = kept.get(name)
    if entry is None or entry[0] != keys:
        entry = kept[name] = (list(keys), KeptSerializer(keys, **options))
    return entry[1]


def csrf_token() -> str:
    """The CSRF token for this request's forms: Flask-WTF's `generate_csrf` (the same raw secret in the
    session, the same signed token, cached for the request in `g`), on a kept serializer."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is None:
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        if not secret:
            raise RuntimeError("A secret key is required to use CSRF.")
        raw = session.get(field)
        if not isinstance(raw, str):
            raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        token = kept_serializer(app, "csrf", [secret], salt=CSRF_SALT).dumps(raw)
        setattr(g, field, token)
    return token


def register_csrf(app: Flask) -> None:
    """After `csrf.init_app`: templates' `csrf_token()` is `csrf_token` above, and Flask-WTF's check runs
    only for the methods it checks. (Its own context processor would hand every render its slower
    generate_csrf, and its own hook looks up the view's exemptions on every GET before it looks at the
    method; both are replaced, the check itself is Flask-WTF's `protect`.)"""
    from ..extensions import csrf

    app.jinja_env.globals["csrf_token"] = csrf_token
    processors = app.template_context_processors[None]
    processors[:] = [f for f in processors if getattr(f, "__module__", "") != "flask_wtf.csrf"]
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # Flask-WTF's own hook now returns at once

    @app.before_request
    def _check_csrf() -> None:
        config = app.config
        if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)
