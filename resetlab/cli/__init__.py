"""Operator commands, one module per group; `register_cli` attaches them to the app.

`flask content …` is also a Flask CLI plugin (pyproject entry point), so it runs without building
the app and can report a broken course.
"""

from __future__ import annotations

from flask import Flask

from .content import content
from .demo import demo
from .users import users


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(content)
    app.cli.add_command(users)
    app.cli.add_command(demo)
