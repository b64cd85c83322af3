"""Tiny builders for lint fixtures: a valid, clean single-choice item unless told otherwise."""

from __future__ import annotations

from typing import Any

from resetlab.core.content.lint import Finding, LintBank, LintItem, lint

PATH = "quizzes/obama-medvedev.toml"
CLEAN_OPTIONS = ("Geneva", "Munich", "Prague", "Moscow")


def make_item(**fields: Any) -> LintItem:
    """A LintItem with sensible defaults; fields override them."""
    values: dict[str, Any] = {
        "id": "obama-button-city", "bank": "obama-medvedev", "path": PATH, "line": 12, "type": "single",
        "prompt": "Where did Clinton give Lavrov the mislabelled button?",
        "options": CLEAN_OPTIONS, "keys": (0,),
    }
    values.update(fields)
    return LintItem(**values)


def make_bank(*items: LintItem, slug: str = "obama-medvedev", path: str = PATH, pool: str = "bank",
              lesson: str | None = "obama-medvedev") -> LintBank:
    """A bank holding the given items."""
    return LintBank(slug=slug, path=path, pool=pool, lesson=lesson, items=tuple(items))


def found(rule: str, *items: LintItem) -> list[Finding]:
    """Findings of one rule for items linted as one bank."""
    return [f for f in lint([make_bank(*items)]) if f.rule == rule]


def found_in(rule: str, banks: list[LintBank], lessons: tuple = ()) -> list[Finding]:
    """Findings of one rule for a whole course."""
    return [f for f in lint(banks, lessons) if f.rule == rule]


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    """(path, line, rule) of each finding, the part a test asserts."""
    return [(f.path, f.line, f.rule) for f in findings]
