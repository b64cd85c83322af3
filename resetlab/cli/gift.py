"""`flask --app app gift check|import|export`: GIFT (Moodle's question format) in and out of the course.

`import` writes `quizzes/SLUG.toml` only when the whole course, with the new bank in it, passes the same
check as `flask content check`; nothing is written otherwise. See docs/gift.md for what is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.content import Rules, blocking, check_course
from ..core.content.gift import GiftExportError, GiftProblem, GiftResult, parse_gift_bytes, to_gift
from ..core.content.lessons import SLUG
from ..core.content.owned import reserved
from ..core.content.toml_write import bank_to_toml
from ..core.questions import TYPES

gift = AppGroup("gift", help="GIFT (Moodle) import and export.")


def _read(path: str) -> GiftResult:
    """The GIFT file parsed, with questions of types Reset Lab does not have reported as errors."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise click.ClickException(f"cannot read {path}: {err.strerror}") from None
    result = parse_gift_bytes(data, path)
    for summary in result.summary:
        if summary.type is not None and summary.type not in TYPES:
            result.problems.append(GiftProblem(path, summary.line,
                                               f"'{summary.type}' questions are not supported"))
    result.problems.sort(key=lambda p: p.line)
    return result


def _echo_problems(result: GiftResult) -> int:
    """Print every problem (errors to stderr); the number of errors."""
    for problem in result.problems:
        click.echo(str(problem), err=problem.severity == "error")
    return len([p for p in result.problems if p.severity == "error"])


@gift.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def check(file: str) -> None:
    """List each question (line, type, name) and every problem as path:line: message; exit 1 on errors."""
    result = _read(file)
    for s in result.summary:
        ours = s.type if s.type in TYPES else f"refused ({s.type})" if s.type else "refused"
        named = f" -> {s.id}" if s.id else ""
        click.echo(f"{file}:{s.line}: {ours} [Moodle {s.moodle_type}] {s.name!r}{named}")
    errors = _echo_problems(result)
    usable = sum(1 for s in result.summary if s.type in TYPES)
    if errors:
        click.echo(f"{errors} error(s), {len(result.problems) - errors} warning(s); "
                   f"{usable} of {len(result.summary)} question(s) usable", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {usable} question(s), {len(result.problems)} warning(s)")


def _fill(bank: dict[str, Any], lesson: str | None, fields: dict[str, str | None]) -> int:
    """Put the given lesson and the given section/difficulty/skill into questions that lack them."""
    if lesson:
        bank["lesson"] = lesson
    filled = 0
    for question in bank["questions"]:
        for key, value in fields.items():
            if value is not None and key not in question and question.get("type") != "source":
                question[key] = value
                filled += 1
    return filled


def _check_with(config: Any, slug: str, text: str) -> tuple[bool, list[str], list[str]]:
    """Load the whole configured course with this bank file added (a copy, in a temporary folder), as
    `content check` would: (loads, errors, warnings), each as path:line: message."""
    lessons, quizzes = Path(config["LESSONS_DIR"]), Path(config["QUIZZES_DIR"])
    root = Path(config["CONTENT_ROOT"])
    quizzes_rel = os.path.relpath(quizzes, root) if quizzes.is_relative_to(root) else "quizzes"
    lessons_rel = os.path.relpath(lessons, root) if lessons.is_relative_to(root) else "lessons"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / quizzes_rel
        copy.mkdir(parents=True)
        for path in quizzes.glob("*.toml"):
            if path.stem != slug:
                shutil.copy(path, copy / path.name)
        (copy / f"{slug}.toml").write_text(text, encoding="utf-8")
        (Path(tmp) / lessons_rel).parent.mkdir(parents=True, exist_ok=True)
        (Path(tmp) / lessons_rel).symlink_to(lessons.resolve(), target_is_directory=True)
        rules = Rules(**config.get("CONTENT_RULES", {}))
        catalog, problems = check_course(Path(tmp) / lessons_rel, copy, rules, Path(tmp))
    stopping = blocking(problems, strict=bool(config.get("CONTENT_STRICT")))
    errors = [str(p) for p in stopping]
    warnings = [str(p) for p in problems if p not in stopping]
    return catalog is not None and not stopping, errors, warnings


@gift.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--bank", "slug", required=True, help="The bank's slug: writes quizzes/SLUG.toml.")
@click.option("--force", is_flag=True, help="Replace quizzes/SLUG.toml if it exists.")
@click.option("--lesson", help="Pair the bank with this lesson (overrides the file's own comment).")
@click.option("--section", help="Lesson anchor for questions that name none.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]),
              help="Difficulty for questions that name none.")
@click.option("--skill", type=click.Choice(["recall", "reasoning"]),
              help="Skill for questions that name none.")
def import_(file: str, slug: str, force: bool, lesson: str | None, section: str | None,
            difficulty: str | None, skill: str | None) -> None:
    """Read a GIFT file into quizzes/SLUG.toml; refuses to write unless the course still loads with it."""
    if not SLUG.match(slug) or reserved(slug):
        raise click.ClickException(f"'{slug}' is not a bank slug: lowercase letters, digits and hyphens, "
                                   "and not b<number> (kept for instructors' own banks)")
    config = current_app.config
    target = Path(config["QUIZZES_DIR"]) / f"{slug}.toml"
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; add --force to replace it")
    result = _read(file)
    if _echo_problems(result):
        click.echo("nothing was written: fix the errors above", err=True)
        raise SystemExit(1)
    bank = result.bank()
    filled = _fill(bank, lesson, {"section": section, "difficulty": difficulty, "skill": skill})
    text = bank_to_toml(bank)
    loads, errors, warnings = _check_with(config, slug, text)
    for line in warnings:
        click.echo(line)
    if not loads:
        for line in errors:
            click.echo(line, err=True)
        click.echo(f"nothing was written: the course would not load with {target.name} "
                   "(give --lesson/--section/--difficulty/--skill for fields the file lacks)", err=True)
        raise SystemExit(1)
    target.write_text(text, encoding="utf-8")
    note = f"; {filled} missing field(s) filled from the options" if filled else ""
    click.echo(f"wrote {target}: {len(bank['questions'])} question(s){note}")


@gift.command("export")
@click.argument("bank")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
def export(bank: str, output: str | None) -> None:
    """Write quizzes/BANK.toml as GIFT that Moodle imports (and `gift import` reads back the same)."""
    path = Path(current_app.config["QUIZZES_DIR"]) / f"{bank}.toml"
    if not SLUG.match(bank) or not path.is_file():
        raise click.ClickException(f"no bank '{bank}' in {path.parent}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise click.ClickException(f"{path}: {err} (run `flask --app app content check`)") from None
    try:
        text = to_gift(data, slug=bank)
    except GiftExportError as err:
        for problem in err.problems:
            click.echo(f"{path}: {problem}", err=True)
        raise SystemExit(1) from None
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(data.get('questions', []))} question(s)")
    else:
        click.echo(text, nl=False)
