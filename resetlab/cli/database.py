"""`flask db downgrade` asks first (it can delete every table); `--yes` skips the question.

Flask-Migrate's `db` group is a Flask CLI plugin, found before the app's own commands, so its
`downgrade` command is wrapped in place. `db upgrade` needs no wrapper: migrations/env.py runs every
migration under a lock (PostgreSQL advisory lock, SQLite write lock), so concurrent runs are safe.
"""

from __future__ import annotations

import click
from flask_migrate.cli import db as db_group

from .users import confirm


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


def install_confirmations() -> None:
    """Wrap `db downgrade` once per process."""
    command = db_group.commands["downgrade"]
    if not getattr(command, "resetlab_confirms", False):
        db_group.add_command(_confirming(command), "downgrade")
