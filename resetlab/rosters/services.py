"""CSV roster import: what each row would do (new account, an existing one to invite, already there,
error), then all of it in one transaction: accounts without a password, enrolments, and a one-time
set-password link for each new account (the password reset tokens of resetlab/auth/tokens.py).

An account that already exists is never added by an import: its owner joins with the class's code or
link. Being in a class lets its instructor see the student's work there (and their practice, where the
class shares it) and issue them a password reset link; typing someone's email must not give that."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from ..auth.tokens import TOKEN_BYTES, token_hash
from ..core.errors import Conflict
from ..core.roster import RosterProblem, RosterRow
from ..database import begin_write
from ..extensions import db
from ..models import Classroom, Enrollment, PasswordResetToken, Role, User


class Action(StrEnum):
    """What importing one row does."""

    CREATE = "create"
    INVITE = "invite"  # has an account: they join themselves (never added by the import)
    READMIT = "readmit"
    ALREADY = "already"
    ERROR = "error"


@dataclass(frozen=True)
class Planned:
    """One row of the file and what importing it would do (or why it cannot)."""

    line: int
    name: str
    email: str
    action: Action
    message: str = ""
    user_id: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the row can be imported."""
        return self.action != Action.ERROR


def plan(classroom: Classroom, rows: list[RosterRow], problems: list[RosterProblem]) -> list[Planned]:
    """Every line in file order with its outcome (two queries whatever the class size)."""
    users = {u.email: u for u in db.session.scalars(
        db.select(User).where(User.email.in_([r.email for r in rows])))} if rows else {}
    enrolled = {e.user_id: e for e in db.session.scalars(db.select(Enrollment).where(
        Enrollment.classroom_id == classroom.id,
        Enrollment.user_id.in_([u.id for u in users.values()])))} if users else {}
    out = [Planned(p.line, p.text, "", Action.ERROR, p.message) for p in problems]
    for row in rows:
        user = users.get(row.email)
        if user is None:
            out.append(Planned(row.line, row.name, row.email, Action.CREATE))
        elif user.is_instructor or user.id == classroom.instructor_id:
            out.append(Planned(row.line, row.name, row.email, Action.ERROR,
                               f"{row.email} belongs to an instructor account, which cannot join as a "
                               "student"))
        elif user.id in enrolled and enrolled[user.id].active:
            out.append(Planned(row.line, row.name, row.email, Action.ALREADY, user_id=user.id))
        elif user.id in enrolled:
            out.append(Planned(row.line, row.name, row.email, Action.READMIT, user_id=user.id))
        else:
            out.append(Planned(row.line, row.name, row.email, Action.INVITE, user_id=user.id))
    return sorted(out, key=lambda p: p.line)


@dataclass(frozen=True)
class Imported:
    """One imported row: the account and, for a new one, its one-time set-password token (shown once)."""

    name: str
    email: str
    action: Action
    token: str | None


def apply(classroom: Classroom, instructor: User, rows: list[RosterRow], now: datetime,
          hours: float) -> list[Imported]:
    """Import the rows in one transaction: nothing is written if any of them fails.

    The plan is made again inside the write transaction; an account made meanwhile with one of the emails
    (the UNIQUE email fires) rolls everything back with Conflict, to check again."""
    classroom_id, instructor_id = classroom.id, instructor.id
    begin_write()
    planned = [p for p in plan(classroom, rows, []) if p.ok]
    done: list[Imported] = []
    try:
        for p in planned:
            if p.action == Action.CREATE:
                user = User(email=p.email, display_name=p.name, password_hash=None, role=Role.STUDENT)
                db.session.add(user)
                db.session.flush()
                token = secrets.token_urlsafe(TOKEN_BYTES)
                db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(token),
                                                  issued_by_id=instructor_id, created_at=now,
                                                  expires_at=now + timedelta(hours=hours)))
                db.session.add(Enrollment(classroom_id=classroom_id, user_id=user.id))
                done.append(Imported(p.name, p.email, p.action, token))
            elif p.action == Action.INVITE:  # nothing written: listed so the instructor can send the link
                done.append(Imported(p.name, p.email, p.action, None))
            elif p.action == Action.READMIT:
                db.session.execute(db.update(Enrollment).where(
                    Enrollment.classroom_id == classroom_id, Enrollment.user_id == p.user_id)
                    .values(active=True, removed_at=None))
                done.append(Imported(p.name, p.email, p.action, None))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Someone joined or signed up with one of these emails meanwhile. Nothing was "
                       "imported: check the file again.") from None
    return done
