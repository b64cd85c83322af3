"""URL converters: `<id:...>` for database ids, so an out-of-range id is a 404, never a database error;
`<slug:...>` for content ids."""

from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter, Map

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider, but the same URL must mean the same thing


def up_to(limit: int) -> str:
    """A regex for the decimal numbers 1..limit written without leading zeros (ASCII digits only).

    The range is in the regex rather than only in `to_python`: werkzeug checks a rule's method before
    converting, so a converter that refused 0 would turn POST /attempts/0 into a 405 instead of a 404.
    """
    text = str(limit)
    width = len(text)
    parts = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for i, char in enumerate(text):
        low = 1 if i == 0 else 0
        if int(char) > low:
            rest = width - i - 1
            parts.append(f"{text[:i]}[{low}-{int(char) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """A database id: 1 to 2**31 - 1 in ASCII digits; anything else matches no route (404)."""

    regex = up_to(MAX_ID)

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class SlugConverter(BaseConverter):
    """A content id (a lesson, a bank, a question): lowercase words joined by hyphens, at most 100
    characters, as the content loader insists; anything else matches no route (404)."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?"


CONVERTERS = {"id": IdConverter, "slug": SlugConverter}
