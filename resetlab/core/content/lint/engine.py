"""Runs every registered rule and applies each item's lint_ok; knows scopes, never rule ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .model import Finding, LintBank, LintItem, LintLesson
from .registry import RULES, Rule

BANK_LINE = 1


def silenced(item: LintItem, rule: Rule) -> bool:
    """An item silences a rule by naming it in lint_ok with a non-empty reason."""
    reason = item.lint_ok.get(rule.id)
    return rule.silenceable and isinstance(reason, str) and bool(reason.strip())


def _item(rule: Rule, banks: Sequence[LintBank], lessons: Sequence[LintLesson]) -> Iterator[Finding]:
    for bank in banks:
        for item in bank.items:
            if not silenced(item, rule):
                for message in rule.check(item):
                    yield Finding(item.path, item.line, rule.id, message)


def _bank(rule: Rule, banks: Sequence[LintBank], lessons: Sequence[LintLesson]) -> Iterator[Finding]:
    for bank in banks:
        for message in rule.check(bank):
            yield Finding(bank.path, BANK_LINE, rule.id, message)


def _course(rule: Rule, banks: Sequence[LintBank], lessons: Sequence[LintLesson]) -> Iterator[Finding]:
    for item, message in rule.check(banks):
        if not silenced(item, rule):
            yield Finding(item.path, item.line, rule.id, message)


def _lessons(rule: Rule, banks: Sequence[LintBank], lessons: Sequence[LintLesson]) -> Iterator[Finding]:
    for path, line, message in rule.check(lessons):
        yield Finding(path, line, rule.id, message)


_RUNNERS: dict[str, Callable[[Rule, Sequence[LintBank], Sequence[LintLesson]], Iterator[Finding]]] = {
    "item": _item, "bank": _bank, "course": _course, "lessons": _lessons,
}


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.rule, f.message))


def lint(banks: Sequence[LintBank], lessons: Sequence[LintLesson] = ()) -> list[Finding]:
    """Every finding for a whole course, sorted by path, line and rule."""
    banks, lessons = tuple(banks), tuple(lessons)
    found: list[Finding] = []
    for rule in RULES.values():
        found.extend(_RUNNERS[rule.scope](rule, banks, lessons))
    return _sorted(found)


def lint_bank(bank: LintBank, course_banks: Sequence[LintBank]) -> list[Finding]:
    """Findings for one uploaded bank (an instructor's own questions).

    The bank is drawn on its own, so the across-item rules compare its items with each other only;
    course_banks (the course it is uploaded to) is accepted for that context but not compared against.
    """
    return lint([bank])
