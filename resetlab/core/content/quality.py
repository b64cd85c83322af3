"""The item-writing lint on a loaded course: its banks and lessons become lint records once, here.

`check_course` calls `review_course` at every load (the app's start and `flask content check`), so the
command line, the app and the drawing code see the same findings and the same give-away conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from ..questions import Question
from .lint import LintBank, LintItem, LintLesson, lint
from .lint.course_rules import drawing_conflicts
from .model import Bank, Lesson, Problem


def lint_item(question: Question, bank: Bank) -> LintItem:
    """A question as the linter sees it, read from its snapshot: the one form every type writes."""
    data = question.to_snapshot()
    option_ids = [cid for cid, _ in data["options"]]
    lefts, rights = dict(data["lefts"]), dict(data["rights"])
    paired = {right for _, right in data["pairs"]}
    return LintItem(
        id=question.id, bank=bank.slug, path=bank.path, line=bank.lines.get(question.id, 1),
        type=question.type, prompt=question.prompt,
        options=tuple(text for _, text in data["options"]),
        keys=tuple(sorted(option_ids.index(c) for c in data["correct"] if c in option_ids)),
        truth=data["truth"], accepted=tuple(data["accepted"]),
        number=None if data["number"] is None else float(data["number"]),
        items=tuple(text for _, text in data["items"]),
        pairs=tuple((lefts[left], rights[right]) for left, right in data["pairs"]),
        distractors=tuple(text for cid, text in data["rights"] if cid not in paired),
        skill=question.skill, group=question.group, lint_ok=bank.lint_ok.get(question.id, {}),
    )


def lint_bank_record(bank: Bank) -> LintBank:
    """A loaded bank as a lint record (lines are the bank file's `id =` lines)."""
    return LintBank(slug=bank.slug, path=bank.path, pool=bank.pool, lesson=bank.lesson,
                    items=tuple(lint_item(q, bank) for q in bank.questions))


def lint_lesson_record(lesson: Lesson) -> LintLesson:
    """A loaded lesson as a lint record: its timeline with each entry's `date =` line, and its body."""
    return LintLesson(slug=lesson.slug, path=lesson.path,
                      timeline=tuple((e.date, e.event, e.line) for e in lesson.timeline),
                      text=lesson.body, body_line=lesson.body_line)


def review_course(banks: Iterable[Bank], lessons: Iterable[Lesson]
                  ) -> tuple[list[Problem], dict[str, Bank]]:
    """Every lint finding as a warning, and the banks with the give-away conflicts their draws avoid."""
    banks = list(banks)
    records = [lint_bank_record(b) for b in banks]
    findings = lint(records, [lint_lesson_record(lesson) for lesson in lessons])
    conflicts = drawing_conflicts(records)
    problems = [Problem(f.path, f.line, f.message, "warning", f.rule) for f in findings]
    return problems, {b.slug: _with_conflicts(b, conflicts.get(b.slug)) for b in banks}


def _with_conflicts(bank: Bank, conflicts: Mapping[str, frozenset[str]] | None) -> Bank:
    return replace(bank, conflicts=conflicts) if conflicts else bank
