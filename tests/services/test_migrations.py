"""The migration that makes attempt rules constraints repairs what the old race left behind."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from resetlab.cli.database import bind_migrations
from resetlab.extensions import db

from ..helpers import ROOT

BEFORE = "665f21a14626"
SETUP = [
    "INSERT INTO \"user\" (id, display_name, role, is_guest, session_version, created_at) VALUES "
    "(1, 'Ana', 'student', FALSE, 1, '2026-01-01'), (2, 'Tutor', 'instructor', FALSE, 1, '2026-01-01')",
    "INSERT INTO classroom (id, instructor_id, name, join_code, archived, created_at) "
    "VALUES (1, 2, 'History', 'ABCDEFGH', FALSE, '2026-01-01')",
    "INSERT INTO assignment (id, classroom_id, bank_slug, title, open_at, due_at, attempts_allowed, grading, "
    "draw, reveal, closed, created_at) VALUES (1, 1, 'alpha', 'Alpha', '2026-01-01', '2026-02-01', 1, "
    "'highest', 7, 'never', FALSE, '2026-01-01')",
    "INSERT INTO question_version (content_hash, question_id, snapshot, created_at) "
    "VALUES ('h1', 'alpha-single', '{}', '2026-01-01')",
]
# id, assignment, state, started: two open practice attempts; at the assignment a finished attempt and
# two open ones that the old race let through.
ATTEMPTS = [(1, None, "in_progress", "2026-01-01 10:00"), (2, None, "in_progress", "2026-01-01 11:00"),
            (3, None, "finished", "2026-01-01 09:00"), (4, 1, "finished", "2026-01-02 09:00"),
            (5, 1, "in_progress", "2026-01-02 10:00"), (6, 1, "in_progress", "2026-01-02 10:00")]


def test_duplicate_open_attempts_are_repaired_and_attempts_numbered(app):
    directory = str(ROOT / "migrations")
    bind_migrations(app)  # what `flask db` does before its commands run
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=directory, revision=BEFORE)
        with db.engine.begin() as conn:
            for statement in SETUP:
                conn.execute(text(statement))
            for attempt_id, assignment, state, started in ATTEMPTS:
                conn.execute(text(
                    "INSERT INTO attempt (id, user_id, bank_slug, bank_title, state, started_at, late, "
                    "timed_out, assignment_id) VALUES (:id, 1, 'alpha', 'Alpha', :state, :started, FALSE, "
                    "FALSE, :a)"), {"id": attempt_id, "state": state, "started": started, "a": assignment})
            conn.execute(text("INSERT INTO attempt_item (id, attempt_id, position, question_id, "
                              "content_hash, presentation) VALUES (1, 4, 0, 'alpha-single', 'h1', '[]')"))
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            left = conn.execute(text("SELECT id, state, number, review_fed FROM attempt ORDER BY id")).all()
            # Rebuilding a table on SQLite must not cascade to its children (foreign keys off meanwhile).
            assert conn.execute(text("SELECT count(*) FROM attempt_item")).scalar() == 1
            assert conn.execute(text("SELECT assignment_id FROM attempt WHERE id = 4")).scalar() == 1
        assert [(r[0], r[1], r[2]) for r in left] == [
            (2, "in_progress", None), (3, "finished", None), (4, "finished", 1), (6, "in_progress", 2)]
        assert [bool(r[3]) for r in left] == [False, True, True, False]
        downgrade(directory=directory, revision=BEFORE)  # and back, keeping every row
        upgrade(directory=directory)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM attempt_item")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 1
            conn.execute(text("DELETE FROM attempt_item"))
            conn.execute(text("DELETE FROM attempt"))
