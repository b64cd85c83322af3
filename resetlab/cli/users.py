"""`flask --app app users …`: accounts an operator manages."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ..account.services import delete_account
from ..auth import tokens
from ..auth.mail import public_link
from ..auth.passwords import password_problem
from ..auth.services import EmailTaken, create_user, normalise_email, purge_guests
from ..core.errors import Conflict
from ..extensions import db
from ..models import Role, User, utcnow

users = AppGroup("users", help="Manage accounts.")
YES = click.option("--yes", is_flag=True, help="Do not ask for confirmation.")


def confirm(yes: bool, question: str) -> None:
    """Ask before a destructive command (unless --yes); stop without changing anything on 'no'."""
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("nothing was changed")


def account_named(email: str) -> User:
    """The (non-guest) account with this email, or a clear error."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account uses {email}")
    return user


@users.command("create-instructor")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="Prompted for (twice) when not given.")
def create_instructor(email: str, name: str, password: str) -> None:
    """Create an instructor account (there are no default accounts)."""
    problem = password_problem(password, email, name)
    if problem:
        raise click.ClickException(problem)
    try:
        create_user(email, name, password, role=Role.INSTRUCTOR)
    except EmailTaken:
        raise click.ClickException(f"an account with {email} already exists") from None
    click.echo(f"Instructor {email} created.")


@users.command("reset-link")
@click.argument("email")
@click.option("--hours", type=click.FloatRange(0.1, 24 * 14), default=None,
              help="How long the link works (default: RESETLAB_INSTRUCTOR_RESET_TOKEN_HOURS, 72).")
def reset_link(email: str, hours: float | None) -> None:
    """Print a one-time password reset link for any account (links use RESETLAB_PUBLIC_URL)."""
    user = account_named(email)
    hours = hours or float(current_app.config["INSTRUCTOR_RESET_TOKEN_HOURS"])
    token = tokens.issue(user, hours, utcnow())
    click.echo(f"One-time reset link for {user.email}, valid {hours:g} hours:")
    click.echo(public_link(current_app, "auth.reset_link", token=token))


@users.command("delete")
@click.argument("email")
@YES
def delete(email: str, yes: bool) -> None:
    """Delete an account as its owner would (assignment attempts stay as "Deleted student")."""
    user = account_named(email)
    confirm(yes, f"Delete the account {user.email} ({user.display_name}) and its data?")
    try:
        kept = delete_account(user, utcnow())
    except Conflict as refusal:
        raise click.ClickException(str(refusal)) from None
    kept_note = " (its assignment attempts stay as “Deleted student”)" if kept else ""
    click.echo(f"Deleted {email}{kept_note}.")


@users.command("purge-guests")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 36500),
              help="Delete guests with no activity for this many days.")
@YES
def purge_guests_command(days: int, yes: bool) -> None:
    """Delete guest learners who never saved their progress and have not used the app for --days."""
    confirm(yes, f"Delete every guest learner unused for {days} days, with their practice?")
    count = purge_guests(utcnow() - timedelta(days=days))
    click.echo(f"Deleted {count} guest{'s' if count != 1 else ''} unused for {days} days.")
