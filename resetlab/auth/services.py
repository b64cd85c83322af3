"""Accounts: argon2 password hashes, sign-up, log-in checks, guests and session revocation."""

from __future__ import annotations

import hmac
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from ..models import Attempt, LessonRead, ReviewCard, ReviewLog, Role, User

COMMON_PASSWORDS = frozenset("""
password password1 password123 12345678 123456789 1234567890 qwertyuiop qwerty123 iloveyou
11111111 00000000 abc12345 abcd1234 letmein1 welcome1 sunshine football baseball princess
passw0rd trustno1 superman starwars whatever dragon123 monkey123 computer internet
""".split())


SESSION_PART = re.compile(r"[0-9]{1,9}")


class EmailTaken(Exception):
    """Another account already uses this email address."""


class InvalidInstructorCode(Exception):
    """A sign-up gave an instructor code that is not the configured one."""


def signup_role(given: str | None, configured: str | None) -> Role:
    """Student, or instructor when the sign-up gave the configured instructor code."""
    given = (given or "").strip()
    if not given:
        return Role.STUDENT
    if configured and hmac.compare_digest(given.encode(), configured.encode()):
        return Role.INSTRUCTOR
    raise InvalidInstructorCode()


def user_for_session(cookie_id: str) -> User | None:
    """The user a session cookie names ('id:session_version'); None once sessions were revoked."""
    raw_id, _, version = cookie_id.partition(":")
    if not (SESSION_PART.fullmatch(raw_id) and SESSION_PART.fullmatch(version)):
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version):
        return None
    return user


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


def create_user(email: str, display_name: str, password: str, role: Role = Role.STUDENT) -> User:
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


def create_guest() -> User:
    """A learner with no email or password yet, so a visitor can practise without signing up."""
    begin_write()
    guest = User(display_name="Guest", role=Role.STUDENT, is_guest=True)
    db.session.add(guest)
    db.session.commit()
    return guest


def claim_guest(guest: User, email: str, display_name: str, password: str) -> User:
    """Turn a guest into a full account, keeping everything they did; raises EmailTaken."""
    email = normalise_email(email)
    digest = hasher().hash(password)
    begin_write()
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        db.session.rollback()
        raise EmailTaken(email)
    guest.email, guest.display_name, guest.password_hash = email, display_name.strip(), digest
    guest.is_guest = False
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return guest


def merge_guest(guest: User, account: User) -> None:
    """Move a guest's reads, attempts and review history into an account they log in to."""
    if not guest.is_guest or guest.id == account.id:
        return
    begin_write()
    mine = account.id
    read = set(db.session.scalars(db.select(LessonRead.lesson_slug).where(LessonRead.user_id == mine)))
    carded = set(db.session.scalars(db.select(ReviewCard.question_id).where(ReviewCard.user_id == mine)))
    db.session.execute(db.update(Attempt).where(Attempt.user_id == guest.id).values(user_id=account.id))
    db.session.execute(db.update(ReviewLog).where(ReviewLog.user_id == guest.id).values(user_id=account.id))
    db.session.execute(db.update(LessonRead).where(
        LessonRead.user_id == guest.id, LessonRead.lesson_slug.not_in(read)).values(user_id=account.id))
    db.session.execute(db.update(ReviewCard).where(
        ReviewCard.user_id == guest.id, ReviewCard.question_id.not_in(carded)).values(user_id=account.id))
    db.session.execute(db.delete(User).where(User.id == guest.id))
    db.session.commit()


def purge_guests(older_than) -> int:
    """Delete guests created before `older_than` (their data goes with them)."""
    begin_write()
    result = db.session.execute(db.delete(User).where(User.is_guest.is_(True), User.created_at < older_than))
    db.session.commit()
    return result.rowcount
