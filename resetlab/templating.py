"""Jinja filters and globals used by the templates."""

from __future__ import annotations

from flask import Flask

from .timezones import local

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(value: str) -> str:
    """'2009-03-06' -> '6 March 2009'; '2009-03' -> 'March 2009'; '2009' stays."""
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value




def register_filters(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["human_date"] = human_date
    app.jinja_env.filters["when"] = local
    app.jinja_env.filters["local"] = local
