"""Operator commands, one module per group; `register_cli` attaches them to the app.

`flask content …` is also a Flask CLI plugin (pyproject entry point), so it runs without building
the app and can report a broken course.
"""

from __future__ import annotations

from flask import Flask
from flask_migrate.cli import db as db_group

from .backup import backup, restore
from .content import content
from .database import install_confirmations
from .demo import demo
from .gift import gift
from .lti import lti
from .users import users

install_confirmations()  # at import: the `db` plugin group is resolved before the app is built


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(content)
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(gift)
    app.cli.add_command(lti)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(db_group)  # for app.test_cli_runner(); `flask db` finds the same group
