"""`flask db …`: Flask-Migrate's commands, bound to the app when the group runs (web workers never load
Flask-Migrate or Alembic). `flask db downgrade` asks first (it can delete every table); `--yes` skips the
question. `db upgrade` needs no wrapper: migrations/env.py runs every migration under a lock (PostgreSQL
advisory lock, SQLite write lock), so concurrent runs are safe.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import Migrate
from flask_migrate.cli import db as db_group

from ..config import ROOT
from ..extensions import db as database
from .users import confirm


def bind_migrations(app: Flask) -> None:
    """Flask-Migrate on this app, with the repository's migrations (batch mode: SQLite alters tables by
    copying them). Its commands and its `upgrade()` function read the app's extension."""
    if "migrate" not in app.extensions:
        Migrate(app, database, directory=str(ROOT / "migrations"), render_as_batch=True)


def _confirming(command: click.Command) -> click.Command:
    original = command.callback

    @click.pass_context
    def callback(ctx: click.Context, yes: bool, **kwargs) -> object:
        target = kwargs.get("revision") or "-1"
        confirm(yes, f"Downgrade the database schema to {target}? Tables and their data may be deleted.")
        return ctx.invoke(original, **kwargs)

    yes = click.Option(["--yes"], is_flag=True, help="Do not ask for confirmation.")
    wrapped = click.Command(command.name, callback=callback, params=[*command.params, yes],
                            help=(command.help or "") + " Asks for confirmation unless --yes.",
                            short_help=command.short_help)
    wrapped.resetlab_confirms = True  # type: ignore[attr-defined]
    return wrapped


@with_appcontext
def _bound(**options: object) -> object:
    """Bind Flask-Migrate, then run its own group callback (it keeps --directory and -x for its commands)."""
    bind_migrations(current_app._get_current_object())  # type: ignore[attr-defined]
    return click.get_current_context().invoke(db_group.callback, **options)


# Flask-Migrate's group with its options and commands, `downgrade` asking first.
db = click.Group("db", params=list(db_group.params), callback=_bound, help=db_group.help, commands={
    name: _confirming(command) if name == "downgrade" else command
    for name, command in db_group.commands.items()})
