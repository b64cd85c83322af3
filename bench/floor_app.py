"""The stack's floor for a quiz submit: the least a submit must do, on Reset Lab's stack, without Reset
Lab's rules. `python -m bench.floor` serves it beside the hello-world and measures it the same way.

Flask, Flask-SQLAlchemy, Flask-Login and Flask-WTF's CSRF check on SQLite set up as Reset Lab's is (WAL,
writers taking turns on a lock file: `resetlab.database`). A signed-in student posts ten answers; the
floor loads the user, checks the CSRF token, reads the attempt and its ten items, grades them against
their keys and, in one write transaction, finishes the attempt (only one still open: exactly once),
stores the ten answers and ten review-log rows. Nothing else: no deadline, class, opaque choice ids,
review schedule, per-student summary, LMS queue, input guard, rate limits or security headers.

Each step of the ladder is an endpoint, so the cost of each layer shows in the figures:
`GET /me` (session, login, the user), `POST /noop/<id>` (+ CSRF and the form), `POST /read/<id>` (+ the
attempt and its items through the ORM, graded), `POST /submit/<id>` (+ the writes through the ORM) and
`POST /driver/<id>` (reads and writes as the driver's own SQL). `FLOOR_USER=driver` loads the signed-in
user with the driver's SELECT instead of the ORM's.
"""

from __future__ import annotations

import os

from flask import Flask, abort, redirect, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import ForeignKey, String, insert, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resetlab.database import sqlite_engine_options

QUESTIONS = 10
OPEN, DONE = "open", "done"

db = SQLAlchemy()


class FloorUser(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))


class FloorItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("floor_attempt.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None]


class FloorAttempt(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    score: Mapped[float | None]
    items: Mapped[list[FloorItem]] = relationship(order_by=FloorItem.position)


class FloorLog(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    item_id: Mapped[int]
    score: Mapped[float]


class DriverUser(UserMixin):
    """The signed-in user as the driver's row (FLOOR_USER=driver)."""

    def __init__(self, id: int, email: str) -> None:  # noqa: A002 - Flask-Login reads `id`
        self.id, self.email = id, email


def _orm_user(user_id: str) -> FloorUser | None:
    return db.session.get(FloorUser, int(user_id))


def _driver_user(user_id: str) -> DriverUser | None:
    found = db.session.connection().exec_driver_sql(
        "SELECT id, email FROM floor_user WHERE id = ?", (int(user_id),)).first()
    return DriverUser(*found) if found else None


def _begin_write() -> None:
    """The read transaction ends; the write one takes the writers' turn (resetlab.database)."""
    db.session.commit()
    db.session.connection(execution_options={"resetlab_write": True})


def _graded(rows) -> list[tuple[int, str | None, float]]:
    """(item id, answer, score) for (item id, position, key) rows and the posted form."""
    form = request.form
    return [(item, form.get(f"q{position}"), float(form.get(f"q{position}") == key))
            for item, position, key in rows]


def create_app(database_url: str | None = None, user: str | None = None, login_route: bool = False) -> Flask:
    """The floor app on `database_url` (default FLOOR_DATABASE_URL); `user` 'orm' or 'driver' (default
    FLOOR_USER, else 'orm'); `login_route` adds GET /login/<id> for the bench's own setup (never served)."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ.get("FLOOR_SECRET_KEY", "floor-" * 8),
                      SQLALCHEMY_DATABASE_URI=database_url or os.environ["FLOOR_DATABASE_URL"],
                      SQLALCHEMY_ENGINE_OPTIONS=sqlite_engine_options({}))
    db.init_app(app)
    CSRFProtect(app)
    logins = LoginManager(app)
    logins.user_loader(_driver_user if (user or os.environ.get("FLOOR_USER")) == "driver" else _orm_user)

    @app.get("/ready")
    def ready() -> str:
        return "ok"

    if login_route:
        @app.get("/login/<int:user_id>")
        def login(user_id: int) -> str:
            login_user(db.session.get(FloorUser, user_id))
            return generate_csrf()

    @app.get("/me")
    @login_required
    def me() -> str:
        return f"signed in as {current_user.email}"

    @app.post("/noop/<int:attempt_id>")
    @login_required
    def noop(attempt_id: int):
        request.form.get("q0")
        return redirect(f"/done/{attempt_id}")

    def read(attempt_id: int) -> list[tuple[int, str | None, float]]:
        attempt = db.session.scalar(db.select(FloorAttempt).where(
            FloorAttempt.id == attempt_id, FloorAttempt.user_id == current_user.id))
        if attempt is None:
            abort(404)
        return _graded((i.id, i.position, i.key) for i in attempt.items)

    @app.post("/read/<int:attempt_id>")
    @login_required
    def read_only(attempt_id: int):
        read(attempt_id)
        return redirect(f"/done/{attempt_id}")

    @app.post("/submit/<int:attempt_id>")
    @login_required
    def submit(attempt_id: int):
        graded, user_id = read(attempt_id), current_user.id
        _begin_write()
        claimed = db.session.execute(
            update(FloorAttempt).where(FloorAttempt.id == attempt_id, FloorAttempt.state == OPEN)
            .values(state=DONE, score=sum(s for _, _, s in graded) / len(graded)))
        if claimed.rowcount != 1:
            db.session.rollback()
            return redirect(f"/done/{attempt_id}")
        db.session.execute(update(FloorItem), [{"id": i, "response": r, "score": s} for i, r, s in graded])
        db.session.execute(insert(FloorLog), [{"user_id": user_id, "item_id": i, "score": s}
                                              for i, _, s in graded])
        db.session.commit()
        return redirect(f"/done/{attempt_id}")

    @app.post("/driver/<int:attempt_id>")
    @login_required
    def driver(attempt_id: int):
        user_id = current_user.id
        sql = db.session.connection().exec_driver_sql
        own = sql("SELECT id FROM floor_attempt WHERE id = ? AND user_id = ?", (attempt_id, user_id)).first()
        if own is None:
            abort(404)
        graded = _graded(sql("SELECT id, position, key FROM floor_item WHERE attempt_id = ? "
                             "ORDER BY position", (attempt_id,)).all())
        _begin_write()
        sql = db.session.connection().exec_driver_sql
        if sql("UPDATE floor_attempt SET state = ?, score = ? WHERE id = ? AND state = ?",
               (DONE, sum(s for _, _, s in graded) / len(graded), attempt_id, OPEN)).rowcount != 1:
            db.session.rollback()
            return redirect(f"/done/{attempt_id}")
        sql("UPDATE floor_item SET response = ?, score = ? WHERE id = ?", [(r, s, i) for i, r, s in graded])
        sql("INSERT INTO floor_log (user_id, item_id, score) VALUES (?, ?, ?)",
            [(user_id, i, s) for i, _, s in graded])
        db.session.commit()
        return redirect(f"/done/{attempt_id}")

    return app
