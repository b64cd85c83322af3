"""`flask --app app content check|stats|review`: inspect the course, and how its questions perform."""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext

from ..config import ROOT, load_config
from ..core.content import blocking
from ..course import check_configured_course


def _config():
    """The running app's configuration, else the environment's (no app needed)."""
    return current_app.config if has_app_context() else load_config(ROOT / "instance")


def _course():
    """The configured course, loaded and checked (the item-writing lint included)."""
    return check_configured_course(_config())


@click.group(help="Check and inspect course content.")
def content() -> None:
    """The `content` command group."""


@content.command("check")
@click.option("--strict", is_flag=True,
              help="Every warning (item-writing lint findings included) is an error. "
                   "RESETLAB_CONTENT_STRICT=true does the same.")
def check(strict: bool) -> None:
    """Validate every lesson and bank and lint every question; print path:line: [rule] message.

    Exit 1 on any error, or with --strict on any warning.
    """
    catalog, problems = _course()
    strict = strict or bool(_config().get("CONTENT_STRICT"))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if catalog is None or blocking(problems, strict):
        note = " (--strict: every warning is an error)" if strict and warnings else ""
        click.echo(f"{errors} error(s), {warnings} warning(s){note}", err=True)
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


def _figures(item) -> str:
    """An item's statistics, each with the number of students behind it."""
    parts = [f"{item.n} students", f"facility {item.facility:.2f}"]
    if item.discrimination is not None:
        parts.append(f"discrimination {item.discrimination:+.2f} ({item.ranked} ranked)")
    if item.options:
        parts.append("options " + ", ".join(f"{o.share:.0%}{'*' if o.correct else ''}" for o in item.options)
                     + f" (of {item.answered})")
    return " · ".join(parts)


@content.command("review")
@with_appcontext
def review() -> None:
    """Item analysis and advice per question across every class, for the course authors."""
    from ..core.item_analysis import ADVICE, MIN_ANSWERS_FOR_ADVICE
    from ..course import get_catalog
    from ..teach.dashboards import course_review

    catalog = get_catalog()
    report = course_review(catalog.questions)
    click.echo(f"Course review: {report.classes} class(es), {report.assignments} assignment(s), "
               f"{report.attempts} counted attempt(s); each student counts once per assignment, with the "
               f"attempt that counts for the grade.")
    click.echo(f"Advice needs {MIN_ANSWERS_FOR_ADVICE} answers to a question; answers to earlier versions "
               f"of a question are left out ({report.earlier_versions}). Rules: {', '.join(ADVICE)} "
               f"(docs/item-analysis.md). * marks the key.")
    advised = unanswered = 0
    for bank in catalog.banks.values():
        click.echo(f"\n{bank.slug} ({bank.path})")
        for question in bank.questions:
            item = report.items.get(question.id)
            if item is None:
                unanswered += 1
                continue
            click.echo(f"  {question.id} ({question.type}): {_figures(item)}")
            if not item.enough_answers:
                click.echo(f"    too few answers ({item.n} of {MIN_ANSWERS_FOR_ADVICE} needed for advice)")
            for advice in item.advice:
                click.echo(f"    [{advice.rule}] {advice.message}")
            advised += bool(item.advice)
    click.echo(f"\n{len(report.items)} question(s) answered, {advised} with advice, {unanswered} not yet "
               f"answered in any class.")
