"""`flask --app app content check|stats`: inspect the course without starting the app."""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app, has_app_context

from ..config import ROOT, load_config
from ..course import check_configured_course


def _course():
    """The configured course, loaded and checked: the running app's, else the environment's."""
    config = current_app.config if has_app_context() else load_config(ROOT / "instance")
    return check_configured_course(config)


@click.group(help="Check and inspect course content.")
def content() -> None:
    """The `content` command group."""


@content.command("check")
def check() -> None:
    """Validate every lesson and bank; print path:line: message; exit 1 on any error."""
    catalog, problems = _course()
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if catalog is None:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(catalog.lessons)} lessons, {len(catalog.banks)} banks, "
               f"{catalog.question_count} questions, {warnings} warning(s)")


@content.command("stats")
def stats() -> None:
    """Words per lesson, and questions per bank and per type."""
    catalog, problems = _course()
    if catalog is None:
        raise click.ClickException("the course has errors: run `flask --app app content check`")
    for lesson in catalog.lessons:
        click.echo(f"{lesson.slug}: {lesson.words} words, {lesson.reading_minutes} min")
    for bank in catalog.banks.values():
        types = Counter(q.type for q in bank.questions)
        reasoning = sum(1 for q in bank.questions if q.skill == "reasoning")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(types.items()))
        click.echo(f"{bank.slug}: {len(bank.questions)} questions ({summary}); reasoning {reasoning}")
