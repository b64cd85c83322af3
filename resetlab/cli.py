"""Operator commands: `flask --app app content check`, `flask --app app users create-instructor`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .accounts import EmailTaken, create_user, password_problem
from .content import Rules, check_course

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


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
