"""Times are stored in UTC and shown in the viewer's zone (a `tz` cookie set by a small script)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import g, has_request_context, request


def viewer_zone() -> ZoneInfo:
    """The browser's IANA zone from the `tz` cookie, else UTC."""
    if not has_request_context():
        return ZoneInfo("UTC")
    if "tz" not in g:
        name = request.cookies.get("tz", "UTC")[:64]
        try:
            g.tz = ZoneInfo(name) if name in _zones() else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            g.tz = ZoneInfo("UTC")
    return g.tz


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as naive UTC, the way the database stores it."""
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC from the database as an aware time in `zone`."""
    return value.replace(tzinfo=UTC).astimezone(zone)


def local(value: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """Jinja filter: a stored UTC time in the viewer's zone, with the zone named."""
    if value is None:
        return ""
    zone = viewer_zone()
    shown = to_local(value, zone)
    return f"{shown.strftime(fmt)} {shown.tzname()}"
