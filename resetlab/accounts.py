"""Accounts: argon2 password hashes, sign-up, log-in checks and session revocation."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.exc import IntegrityError

from .database import begin_write
from .extensions import db
from .models import User

COMMON_PASSWORDS = frozenset("""
password password1 password123 12345678 123456789 1234567890 qwertyuiop qwerty123 iloveyou
11111111 00000000 abc12345 abcd1234 letmein1 welcome1 sunshine football baseball princess
passw0rd trustno1 superman starwars whatever dragon123 monkey123 computer internet
""".split())


class EmailTaken(Exception):
    """Another account already uses this email address."""


def hasher() -> PasswordHasher:
    """The app's argon2 hasher (RFC 9106 low-memory profile unless configured lower for tests)."""
    ext = current_app.extensions
    if "resetlab.hasher" not in ext:
        memory = int(current_app.config["PASSWORD_HASH_MEMORY_KIB"])
        ext["resetlab.hasher"] = (PasswordHasher() if memory >= 65536
                                  else PasswordHasher(time_cost=1, memory_cost=memory, parallelism=1))
    return ext["resetlab.hasher"]


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None (length and a common-password list only)."""
    if len(password) < 8:
        return "Use at least 8 characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    if password.lower() in COMMON_PASSWORDS:
        return "That password is on the list of most common passwords; choose another."
    return None


def create_user(email: str, display_name: str, password: str, role: str = "student") -> User:
    """A new account; raises EmailTaken when the address is in use."""
    user = User(email=normalise_email(email), display_name=display_name.strip(),
                password_hash=hasher().hash(password), role=role)
    begin_write()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


_DUMMY: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, else None, taking similar time either way."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    ph = hasher()
    if user is None or not user.password_hash:
        dummy = _DUMMY.setdefault(str(ph.memory_cost), ph.hash("not-a-real-password"))
        try:
            ph.verify(dummy, password)
        except VerificationError:
            pass
        return None
    try:
        ph.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if ph.check_needs_rehash(user.password_hash):
        begin_write()
        user.password_hash = ph.hash(password)
        db.session.commit()
    return user


def revoke_sessions(user: User) -> None:
    """Make every cookie issued to this user stop working (logout, password change)."""
    begin_write()
    user.session_version += 1
    db.session.commit()
