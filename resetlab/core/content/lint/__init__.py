"""Item-writing lint for quiz banks: pure rules over plain records, one registry, no framework."""

from __future__ import annotations

from . import bank_rules, course_rules, item_rules, lesson_rules  # noqa: F401  (each registers its rules)
from .engine import lint, lint_bank
from .load import bank_from_text, from_bank_dict, lesson_from_text
from .model import Finding, LintBank, LintItem, LintLesson
from .registry import RULES, Rule

__all__ = [
    "RULES", "Finding", "LintBank", "LintItem", "LintLesson", "Rule", "bank_from_text", "from_bank_dict",
    "lesson_from_text", "lint", "lint_bank",
]
