"""The tool's key pairs and pylti1p3's view of the registrations, both read from the database.

- Keys: RSA 2048, the kid is the RFC 7638 thumbprint (what pylti1p3 puts in JWT headers), the private
  half encrypted with RESETLAB_LTI_KEY_PASSPHRASE when it is set. /lti/jwks lists every key not retired;
  one key signs. Rotation: add a key (published, not signing), wait a day, switch signing, retire the old.
- DbToolConf answers pylti1p3 in "many client ids per issuer" mode and returns None when it finds nothing,
  so pylti1p3 raises its own LtiException("Registration not found.") (ToolConfDict raises a bare
  Exception, and shares a class-level dict between instances).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from ..core.errors import Conflict, NotFound
from ..database import begin_write
from ..extensions import db
from ..models import LtiDeployment, LtiPlatform, LtiToolKey, utcnow


class NoToolKey(Conflict):
    """The tool has no signing key yet (`flask --app app lti keys` makes one)."""


def _passphrase() -> bytes | None:
    secret = current_app.config.get("LTI_KEY_PASSPHRASE") or ""
    return secret.encode() if secret else None


def new_key(signing: bool | None = None) -> LtiToolKey:
    """Make and store a key pair; it signs when asked, or when no other key signs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = _passphrase()
    encryption = serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    kid = Registration.get_jwk(public)["kid"]
    begin_write()
    signs = signing if signing is not None else db.session.scalar(
        db.select(LtiToolKey.id).where(LtiToolKey.signing.is_(True))) is None
    if signs:
        db.session.execute(db.update(LtiToolKey).values(signing=False))
    row = LtiToolKey(kid=kid, public_pem=public, private_pem=private.decode(), signing=signs)
    db.session.add(row)
    db.session.commit()
    return row


def tool_keys(include_retired: bool = False) -> list[LtiToolKey]:
    """The tool's keys, oldest first."""
    query = db.select(LtiToolKey).order_by(LtiToolKey.id)
    if not include_retired:
        query = query.where(LtiToolKey.retired_at.is_(None))
    return list(db.session.scalars(query))


def key_named(kid: str) -> LtiToolKey:
    """One key by kid; NotFound otherwise."""
    row = db.session.scalar(db.select(LtiToolKey).where(LtiToolKey.kid == kid))
    if row is None:
        raise NotFound(kid)
    return row


def use_key(kid: str) -> None:
    """Make this (published, not retired) key the signing one."""
    row = key_named(kid)
    if row.retired_at is not None:
        raise Conflict(f"key {kid} is retired")
    begin_write()
    db.session.execute(db.update(LtiToolKey).values(signing=LtiToolKey.id == row.id))
    db.session.commit()


def retire_key(kid: str) -> None:
    """Stop publishing a key (never the signing one)."""
    row = key_named(kid)
    if row.signing:
        raise Conflict(f"key {kid} signs: switch signing to another key first")
    begin_write()
    row.retired_at = utcnow()
    db.session.commit()


@functools.lru_cache(maxsize=8)
def _plain_private(pem: str, secret: bytes | None) -> str:
    """PyJWT wants the private key as plain PEM text; decrypting is slow, so once per process."""
    key = serialization.load_pem_private_key(pem.encode(), password=secret)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def signing_key() -> tuple[str, str]:
    """(public PEM, plain private PEM) of the signing key; NoToolKey when there is none."""
    row = db.session.scalar(db.select(LtiToolKey).where(LtiToolKey.signing.is_(True),
                                                        LtiToolKey.retired_at.is_(None)))
    if row is None:
        raise NoToolKey("The tool has no key yet: run `flask --app app lti keys`.")
    secret = _passphrase() if "ENCRYPTED" in row.private_pem else None
    return row.public_pem, _plain_private(row.private_pem, secret)


def jwks() -> dict[str, Any]:
    """The public key set platforms fetch at /lti/jwks."""
    return {"keys": [dict(Registration.get_jwk(k.public_pem)) for k in tool_keys()]}


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def add_platform(*, issuer: str, client_id: str, name: str, auth_login_url: str, auth_token_url: str,
                 key_set_url: str, deployment_ids: Iterable[str], auth_audience: str | None = None,
                 frame_origins: Iterable[str] = ()) -> LtiPlatform:
    """Register an LMS (or add deployment ids to one already registered with this issuer and client)."""
    for url in (auth_login_url, auth_token_url, key_set_url, *frame_origins):
        if urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).netloc:
            raise Conflict(f"not an http(s) URL: {url}")
    origins = sorted({origin(url) for url in frame_origins} or {origin(issuer), origin(auth_login_url)})
    begin_write()
    platform = db.session.scalar(db.select(LtiPlatform).where(LtiPlatform.issuer == issuer,
                                                               LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, name=name, auth_login_url=auth_login_url,
                               auth_token_url=auth_token_url, auth_audience=auth_audience,
                               key_set_url=key_set_url, frame_origins=origins)
        db.session.add(platform)
        db.session.flush()
    else:
        platform.name, platform.auth_login_url, platform.auth_token_url = name, auth_login_url, auth_token_url
        platform.key_set_url, platform.auth_audience, platform.frame_origins = (key_set_url, auth_audience,
                                                                                origins)
    known = set(db.session.scalars(db.select(LtiDeployment.deployment_id)
                                   .where(LtiDeployment.platform_id == platform.id)))
    for deployment in dict.fromkeys(deployment_ids):
        if deployment not in known:
            db.session.add(LtiDeployment(platform_id=platform.id, deployment_id=deployment))
    db.session.commit()
    return platform


def platforms() -> list[tuple[LtiPlatform, list[str]]]:
    """Every registration with its deployment ids."""
    found = list(db.session.scalars(db.select(LtiPlatform).order_by(LtiPlatform.id)))
    deployments: dict[int, list[str]] = {}
    for platform_id, deployment in db.session.execute(
            db.select(LtiDeployment.platform_id, LtiDeployment.deployment_id).order_by(LtiDeployment.id)):
        deployments.setdefault(platform_id, []).append(deployment)
    return [(p, deployments.get(p.id, [])) for p in found]


def platform_for(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The active registration for an issuer (and client id, when given and when several)."""
    query = db.select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.active.is_(True))
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = db.session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def registration_for(platform: LtiPlatform) -> Registration:
    """pylti1p3's Registration, with the tool's public key too: without it pylti1p3 signs with no kid."""
    public, private = signing_key()
    registration = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
                    .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
                    .set_key_set_url(platform.key_set_url).set_key_set(None)
                    .set_tool_private_key(private).set_tool_public_key(public))
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class DbToolConf(ToolConfAbstract):
    """pylti1p3's tool configuration from lti_platform, lti_deployment and lti_tool_key."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        """Never: registrations are looked up by issuer and client id (the class-level dict is unused)."""
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        """Always (see check_iss_has_one_client)."""
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:
        """The registration when the issuer has exactly one."""
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args: Any,
                                    **kwargs: Any) -> Registration | None:
        """None (pylti1p3 then says 'Registration not found.') rather than an exception; client_id may be
        missing at login initiation."""
        platform = platform_for(iss, client_id) if isinstance(iss, str) else None
        return registration_for(platform) if platform is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        """Not used in many-clients mode."""
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args: Any,
                                  **kwargs: Any) -> Deployment | None:
        """The deployment when it is registered for this issuer and client."""
        found = db.session.scalar(
            db.select(LtiDeployment.id).join(LtiPlatform, LtiPlatform.id == LtiDeployment.platform_id)
            .where(LtiPlatform.issuer == iss, LtiPlatform.client_id == client_id,
                   LtiDeployment.deployment_id == deployment_id))
        return Deployment().set_deployment_id(deployment_id) if found else None

    def get_jwks(self, iss: str | None = None, client_id: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Every published tool key (the same for every registration)."""
        return jwks()
