"""database.begin_write: what a request read before it is read again under the write lock, what it left
to flush is committed first, and on SQLite the writer's turn is held from BEGIN to COMMIT or ROLLBACK
(the same connection goes on from the read to the write, without passing through the pool)."""

from __future__ import annotations

from sqlalchemy import update

from resetlab.database import QueuedWriter, begin_write
from resetlab.extensions import db
from resetlab.models import User

from .conftest import make_user


def _driver_connection():
    return db.session.connection().connection.dbapi_connection


def _other_writer_renames(user_id: int, name: str) -> None:
    """Another connection (as another worker would) renames the user and commits."""
    with db.engine.connect() as other:
        other.execute(update(User).where(User.id == user_id).values(display_name=name))
        other.commit()


def test_what_was_read_before_is_read_again_under_the_lock(ctx):
    user_id = make_user(name="Before").id
    db.session.remove()
    seen = db.session.get(User, user_id)
    assert seen.display_name == "Before"  # a read transaction is open, with the user in the session
    _other_writer_renames(user_id, "After")
    begin_write()
    assert seen.display_name == "After"  # expired, and read in the write transaction's snapshot
    connection = _driver_connection()
    if isinstance(connection, QueuedWriter) and connection.lock_path:
        assert connection._holding  # the turn is held from BEGIN …
    seen.display_name = "Written"
    db.session.commit()
    if isinstance(connection, QueuedWriter):
        assert not connection._holding  # … to COMMIT
    db.session.remove()
    assert db.session.get(User, user_id).display_name == "Written"


def test_a_rollback_ends_the_turn_and_keeps_nothing(ctx):
    user_id = make_user(name="Kept").id
    db.session.remove()
    db.session.get(User, user_id)
    begin_write()
    connection = _driver_connection()
    db.session.get(User, user_id).display_name = "Dropped"
    db.session.flush()
    db.session.rollback()
    if isinstance(connection, QueuedWriter):
        assert not connection._holding
    begin_write()  # the next write takes its turn again (a turn left held would wait here for ever)
    db.session.commit()
    assert db.session.get(User, user_id).display_name == "Kept"


def test_changes_waiting_to_be_flushed_are_committed_before_the_write(ctx):
    user_id = make_user(name="Old").id
    db.session.remove()
    db.session.get(User, user_id).display_name = "Pending"  # changed in the session, not flushed
    begin_write()
    db.session.rollback()  # the write is abandoned; what was pending before it was committed
    db.session.remove()
    assert db.session.get(User, user_id).display_name == "Pending"


def test_a_write_with_nothing_read_before_begins_at_once(ctx):
    user_id = make_user(name="Fresh").id
    db.session.remove()
    begin_write()
    db.session.get(User, user_id).display_name = "Renamed"
    db.session.commit()
    db.session.remove()
    assert db.session.get(User, user_id).display_name == "Renamed"
