"""Accounts: sign-up, log-in checks, guests, password changes and session revocation.

A session cookie names `id:session_version`; every change of who holds the account (a guest saved as
an account, a password changed or reset, a log-out) bumps the version, so no earlier cookie works.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from ..models import Attempt, LessonRead, PasswordResetToken, ReviewCard, ReviewLog, Role, User
from .passwords import passwords

SESSION_PART = re.compile(r"[0-9]{1,9}")
# Built once: every signed-in request loads its user (`Session.get` builds its SELECT each time).
USER_BY_ID = db.select(User).where(User.id == bindparam("user_id"))


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
    user = db.session.scalar(USER_BY_ID, {"user_id": int(raw_id)})
    if user is None or user.session_version != int(version) or user.deleted_at is not None:
        return None
    return user


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def create_user(email: str, display_name: str, password: str, role: Role = Role.STUDENT) -> User:
    """A new account; raises EmailTaken when the address is in use."""
    user = User(email=normalise_email(email), display_name=display_name.strip(),
                password_hash=passwords().hash(password), role=role)
    begin_write()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, else None; an unknown email costs one verification
    against a dummy hash made once, so both answers take the same time."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    checker = passwords()
    stored = user.password_hash if user is not None else None
    if not checker.verify(stored, password) or user is None or stored is None:
        return None
    if checker.needs_rehash(stored):
        begin_write()
        user.password_hash = checker.hash(password)
        db.session.commit()
    return user


def revoke_sessions(user: User) -> None:
    """Make every cookie issued to this user stop working (log-out everywhere)."""
    begin_write()
    user.session_version = User.session_version + 1
    db.session.commit()


def apply_new_password(user: User, digest: str) -> None:
    """In the caller's write transaction: the new hash, a new session version, no reset link left."""
    user.password_hash = digest
    user.session_version = User.session_version + 1
    db.session.execute(db.delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))


def set_password(user: User, password: str) -> None:
    """A new password: every session and every outstanding reset link of the account ends."""
    digest = passwords().hash(password)
    begin_write()
    apply_new_password(user, digest)
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
    digest = passwords().hash(password)
    begin_write()
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        db.session.rollback()
        raise EmailTaken(email)
    guest.email, guest.display_name, guest.password_hash = email, display_name.strip(), digest
    guest.is_guest = False
    guest.session_version = User.session_version + 1  # the guest's cookie (a shared PC) must not log in
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


def purge_guests(unused_since: datetime) -> int:
    """Delete guests with no activity (created, lesson read, quiz started or finished, answer
    recorded) since `unused_since`; their data goes with them."""
    guest = User.id
    recent = [
        db.select(LessonRead.id).where(LessonRead.user_id == guest, LessonRead.read_at >= unused_since),
        db.select(Attempt.id).where(Attempt.user_id == guest, (Attempt.started_at >= unused_since)
                                    | (Attempt.finished_at >= unused_since)),
        db.select(ReviewLog.id).where(ReviewLog.user_id == guest, ReviewLog.reviewed_at >= unused_since),
    ]
    begin_write()
    result = db.session.execute(db.delete(User).where(
        User.is_guest.is_(True), User.created_at < unused_since,
        *[~query.correlate(User).exists() for query in recent]))
    db.session.commit()
    return result.rowcount
