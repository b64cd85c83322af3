"""`flask backup` while writes go on: every write acknowledged before the backup started is in it;
`flask restore` asks first and brings the data back (SQLite, and PostgreSQL when DATABASE_URL is)."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import psycopg
from sqlalchemy.engine import make_url

from resetlab.cli.backup import _pg_env
from resetlab.database import begin_write
from resetlab.extensions import db
from resetlab.models import Attempt, ReviewLog, User

from ..processes import binary


class Writer(threading.Thread):
    """Writes one attempt and one review log per transaction, recording each commit once it returns."""

    def __init__(self, app, user_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.user_id = app, user_id
        self.acknowledged: list[str] = []
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                n = 0
                while not self.stopping.is_set():
                    n += 1
                    tag = f"w{n}"
                    begin_write()
                    db.session.add(ReviewLog(user_id=self.user_id, question_id=tag, lesson_slug="alpha",
                                             source="offline", score=1.0, client_id=tag))
                    db.session.add(Attempt(user_id=self.user_id, bank_slug=tag, bank_title="Load"))
                    db.session.commit()
                    self.acknowledged.append(tag)
                db.session.remove()
        except BaseException as err:  # reported by the test
            self.error = err


def stored_in_backup(app, path) -> tuple[set[str], set[str]]:
    """(review log client ids, attempt bank slugs) in the backup file."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        with sqlite3.connect(path) as conn:
            logs = {r[0] for r in conn.execute("SELECT client_id FROM review_log")}
            attempts = {r[0] for r in conn.execute("SELECT bank_slug FROM attempt")}
        return logs, attempts
    scratch = f"resetlab_restore_{uuid.uuid4().hex[:8]}"
    admin = make_url(url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    try:
        import subprocess

        env = _pg_env(make_url(url).set(database=scratch))
        done = subprocess.run([binary("pg_restore"), "--no-owner", f"--dbname={scratch}", str(path)], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(admin.set(database=scratch).render_as_string(hide_password=False)) as conn:
            logs = {r[0] for r in conn.execute("SELECT client_id FROM review_log")}
            attempts = {r[0] for r in conn.execute("SELECT bank_slug FROM attempt")}
        return logs, attempts
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def add_user(app) -> int:
    with app.app_context():
        begin_write()
        user = User(email="load@example.org", display_name="Load")
        db.session.add(user)
        db.session.commit()
        return user.id


def test_backup_during_a_write_load_has_every_acknowledged_write(app, runner, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        binary("pg_dump")
    writer = Writer(app, add_user(app))
    writer.start()
    try:
        while len(writer.acknowledged) < 200 and writer.is_alive():
            threading.Event().wait(0.01)
        before = list(writer.acknowledged)  # acknowledged before the backup started
        result = runner.invoke(args=["backup", str(tmp_path / "copy.backup")])
        during = len(writer.acknowledged)
    finally:
        writer.stopping.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert during > len(before), "writes went on while the backup ran"
    logs, attempts = stored_in_backup(app, tmp_path / "copy.backup")
    missing = [tag for tag in before if tag not in logs or tag not in attempts]
    assert not missing, f"{len(missing)} acknowledged writes missing from the backup"
    print(f"\nbackup under load: {len(before)} writes acknowledged before it, all in it; "
          f"{len(logs)} in the copy; {len(writer.acknowledged)} written in all")


def test_restore_asks_first_and_brings_the_data_back(app, runner, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        binary("pg_restore")
    add_user(app)
    path = tmp_path / "before.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code != 0 and "exists already" in again.output
    with app.app_context():
        db.session.execute(db.delete(User))
        db.session.commit()
    refused = runner.invoke(args=["restore", str(path)], input="n\n")
    assert refused.exit_code != 0 and "nothing was changed" in refused.output

    def users() -> int:
        with app.app_context():
            return db.session.scalar(db.select(db.func.count()).select_from(User))

    assert users() == 0
    restored = runner.invoke(args=["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert users() == 1
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    wrong = runner.invoke(args=["restore", str(junk), "--yes"])
    assert wrong.exit_code != 0 and "not a" in wrong.output and users() == 1


