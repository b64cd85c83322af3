"""A small cache in the database (table lti_cache) for pylti1p3's launch state, spent nonces and service
tokens: every worker shares it, on SQLite and PostgreSQL, with no extra service and nothing in cookies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import begin_write
from ..extensions import db
from ..models import LtiCache, utcnow

MAX_KEY = 255


def _insert():
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _expiry(timeout: int | None, now: datetime) -> datetime | None:
    return now + timedelta(seconds=timeout) if timeout else None


class DbCache:
    """The get(key) / set(key, value, timeout) interface pylti1p3's FlaskCacheDataStorage wants, plus
    `add` (insert only if absent: spending a nonce once under races) and `delete`."""

    def get(self, key: str) -> Any:
        """The value, or None when absent or expired."""
        row = db.session.execute(db.select(LtiCache.value, LtiCache.expires_at)
                                 .where(LtiCache.key == key[:MAX_KEY])).first()
        if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return None
        return row.value

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        """Store a value (JSON) for `timeout` seconds (no expiry when None), replacing any."""
        now = utcnow()
        begin_write()
        insert = _insert()(LtiCache).values(key=key[:MAX_KEY], value=value, expires_at=_expiry(timeout, now))
        fresh = {"value": insert.excluded.value, "expires_at": insert.excluded.expires_at}
        db.session.execute(insert.on_conflict_do_update(index_elements=["key"], set_=fresh))
        db.session.commit()

    def add(self, key: str, value: Any, timeout: int) -> bool:
        """Store only if no live value has this key: True for the one caller that stored it."""
        now = utcnow()
        begin_write()
        db.session.execute(db.delete(LtiCache).where(LtiCache.key == key[:MAX_KEY],
                                                     LtiCache.expires_at <= now))
        stored = db.session.scalar(_insert()(LtiCache).values(key=key[:MAX_KEY], value=value,
                                                              expires_at=_expiry(timeout, now))
                                   .on_conflict_do_nothing(index_elements=["key"]).returning(LtiCache.key))
        db.session.commit()
        return stored is not None

    def delete(self, key: str) -> None:
        """Forget a key."""
        begin_write()
        db.session.execute(db.delete(LtiCache).where(LtiCache.key == key[:MAX_KEY]))
        db.session.commit()


def purge(now: datetime) -> int:
    """Delete expired entries (cron: `flask lti purge`); how many went."""
    begin_write()
    gone = db.session.execute(db.delete(LtiCache).where(LtiCache.expires_at <= now)).rowcount
    db.session.commit()
    return gone
