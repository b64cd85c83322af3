"""`flask --app app users …`: accounts an operator manages."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ..auth.services import EmailTaken, create_user, password_problem, purge_guests
from ..models import Role, utcnow

users = AppGroup("users", help="Manage accounts.")


@users.command("create-instructor")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="Prompted for (twice) when not given.")
def create_instructor(email: str, name: str, password: str) -> None:
    """Create an instructor account (there are no default accounts)."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:
        create_user(email, name, password, role=Role.INSTRUCTOR)
    except EmailTaken:
        raise click.ClickException(f"an account with {email} already exists") from None
    click.echo(f"Instructor {email} created.")


@users.command("purge-guests")
@click.option("--days", default=90, show_default=True, help="Delete guests older than this.")
def purge_guests_command(days: int) -> None:
    """Delete guest learners who never saved their progress."""
    count = purge_guests(utcnow() - timedelta(days=days))
    click.echo(f"Deleted {count} guest{'s' if count != 1 else ''} older than {days} days.")
