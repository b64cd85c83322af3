"""One-time password reset links: random, single use, expiring, stored only as a SHA-256 hash.

A link is issued by an instructor for a student in their class (72 hours), by the CLI for anyone, or
by email when SMTP is configured (1 hour). Using it sets a new password, which ends every session and
every other outstanding link of the account (`services.set_password`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from ..database import begin_write
from ..extensions import db
from ..models import PasswordResetToken, User
from .passwords import passwords
from .services import apply_new_password

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64


class InvalidToken(Exception):
    """The link is unknown, used already, expired, or its account changed its password since."""


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256 (the token itself is shown once and never kept)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user: User, hours: float, now: datetime, issued_by: User | None = None) -> str:
    """A new reset token for `user`, valid for `hours`."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    begin_write()
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(token), created_at=now,
                                      issued_by_id=issued_by.id if issued_by else None,
                                      expires_at=now + timedelta(hours=hours)))
    db.session.commit()
    return token


def user_for_token(token: str, now: datetime) -> User:
    """The account a valid token resets; raises InvalidToken."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken()
    user = db.session.scalar(
        db.select(User).join(PasswordResetToken, PasswordResetToken.user_id == User.id)
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.expires_at > now,
               User.deleted_at.is_(None)))
    if user is None:
        raise InvalidToken()
    return user


def reset_password(token: str, password: str, now: datetime) -> User:
    """Use the token (once: it is deleted in the same transaction) to set a new password.

    The new password's rules are checked by the caller; raises InvalidToken.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken()
    digest = passwords().hash(password)
    begin_write()
    user_id = db.session.scalar(
        db.delete(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.expires_at > now)
        .returning(PasswordResetToken.user_id))
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or user.deleted_at is not None or user.is_guest:
        db.session.rollback()
        raise InvalidToken()
    apply_new_password(user, digest)
    db.session.commit()
    return user


def purge_expired(now: datetime) -> int:
    """Delete expired tokens (called when new ones are issued by email; harmless any time)."""
    begin_write()
    result = db.session.execute(db.delete(PasswordResetToken).where(PasswordResetToken.expires_at <= now))
    db.session.commit()
    return result.rowcount
