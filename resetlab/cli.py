"""Operator commands: `flask --app app content check`, `flask --app app users create-instructor`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from .accounts import EmailTaken, create_user, password_problem, purge_guests
from .core.content import Rules, check_course

content_cli = AppGroup("content", help="Check and inspect course content.")
users_cli = AppGroup("users", help="Manage accounts.")


def content_paths(config) -> tuple[Path, Path, Path, Rules]:
    """Where the course lives and which rules apply, from configuration."""
    return (Path(config["LESSONS_DIR"]), Path(config["QUIZZES_DIR"]),
            Path(config["CONTENT_ROOT"]), Rules(**config.get("CONTENT_RULES", {})))


@content_cli.command("check")
def check() -> None:
    """Validate every lesson and bank; print path:line: message; exit 1 on any error."""
    lessons, quizzes, root, rules = content_paths(current_app.config)
    catalog, problems = check_course(lessons, quizzes, rules, root)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if catalog is None:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(catalog.lessons)} lessons, {len(catalog.banks)} banks, "
               f"{catalog.question_count} questions, {warnings} warning(s)")


@content_cli.command("stats")
def stats() -> None:
    """Words per lesson, and questions per bank and per type."""
    catalog = current_app.extensions["resetlab.catalog"]
    for lesson in catalog.lessons:
        click.echo(f"{lesson.slug}: {lesson.words} words, {lesson.reading_minutes} min")
    for bank in catalog.banks.values():
        types: dict[str, int] = {}
        for q in bank.questions:
            types[q.type] = types.get(q.type, 0) + 1
        reasoning = sum(1 for q in bank.questions if q.skill == "reasoning")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(types.items()))
        click.echo(f"{bank.slug}: {len(bank.questions)} questions ({summary}); "
                   f"reasoning {reasoning}")


@users_cli.command("create-instructor")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="Prompted for (twice) when not given.")
def create_instructor(email: str, name: str, password: str) -> None:
    """Create an instructor account (there are no default accounts)."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:
        create_user(email, name, password, role="instructor")
    except EmailTaken:
        raise click.ClickException(f"an account with {email} already exists") from None
    click.echo(f"Instructor {email} created.")


@click.command("demo")
@click.option("--students", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--assignments", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--seed", type=int, default=None, help="Fix the generated data (passwords stay random).")
@with_appcontext
def demo(students: int, assignments: int, seed: int | None) -> None:
    """Build a demo class with graded attempts, to see and measure the dashboards."""
    from .demo import DemoError, build_demo, summary

    try:
        built = build_demo(students, assignments, seed)
    except DemoError as err:
        raise click.ClickException(str(err)) from None
    except (OperationalError, ProgrammingError) as err:
        raise click.ClickException(f"{str(err).splitlines()[0]} "
                                   "(has `flask --app app db upgrade` been run?)") from None
    for line in summary(built):
        click.echo(line)


@users_cli.command("purge-guests")
@click.option("--days", default=90, show_default=True, help="Delete guests older than this.")
def purge_guests_command(days: int) -> None:
    """Delete guest learners who never saved their progress."""
    from .models import utcnow

    count = purge_guests(utcnow() - timedelta(days=days))
    click.echo(f"Deleted {count} guest{'s' if count != 1 else ''} older than {days} days.")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
