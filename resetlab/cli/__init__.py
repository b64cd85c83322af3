"""Operator commands, one module per group; `register_cli` attaches them to the app.

The groups are imported when a command is asked for (the `flask` command, a test's CLI runner), never
in a web worker: Flask-Migrate alone brings Alembic and Mako (~11 MiB in every gunicorn worker).
`flask content …` is also a Flask CLI plugin (pyproject entry point), so it runs without building
the app and can report a broken course.
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

# Command name -> "module:attribute" of its click command or group.
COMMANDS = {
    "content": "resetlab.cli.content:content",
    "users": "resetlab.cli.users:users",
    "demo": "resetlab.cli.demo:demo",
    "gift": "resetlab.cli.gift:gift",
    "lti": "resetlab.cli.lti:lti",
    "backup": "resetlab.cli.backup:backup",
    "restore": "resetlab.cli.backup:restore",
    "db": "resetlab.cli.database:db",
}


class LazyCommands(AppGroup):
    """The app's command group, importing each command's module the first time it is looked up."""

    def __init__(self, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            module, _, attribute = self.lazy[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app (imported on first use), keeping any already attached."""
    lazy = LazyCommands(COMMANDS, name=app.cli.name)
    for name, command in app.cli.commands.items():
        lazy.add_command(command, name)
    app.cli = lazy
