"""URL converters: `<id:...>` for database ids, so an out-of-range id is a 404, never a database error."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider, but the same URL must mean the same thing


class IdConverter(IntegerConverter):
    """A database id: ASCII digits only, 1 to 2**31 - 1; anything else does not match (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


CONVERTERS = {"id": IdConverter}
