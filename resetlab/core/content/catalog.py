"""Load a whole course and check it across files: links, ids and sizes, then the item-writing lint."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .banks import parse_bank
from .lessons import parse_lesson
from .model import Bank, Catalog, ContentError, Lesson, Problem
from .quality import review_course

LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.md$")


@dataclass(frozen=True)
class Rules:
    """Course-level rules; the fixture course in tests relaxes the sizes."""

    min_questions: int = 15
    min_words: int = 1000
    max_words: int = 2400


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


def check_course(lessons_dir: Path, quizzes_dir: Path, rules: Rules = Rules(),
                 root: Path | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Parse and cross-check every file; the catalog is None when there is any error."""
    problems: list[Problem] = []
    lessons: list[Lesson] = []
    if not lessons_dir.is_dir():
        problems.append(Problem(_display(lessons_dir, root), 1, "lessons folder not found"))
    else:
        for path in sorted(lessons_dir.glob("*.md")):
            shown = _display(path, root)
            lesson, found = parse_lesson(path, shown)
            problems.extend(found)
            if lesson is None:
                continue
            match = LESSON_FILE.match(path.name)
            if not match or match.group(2) != lesson.slug:
                problems.append(Problem(shown, 1, f"file name should be NN-{lesson.slug}.md"))
            if lesson.words and not rules.min_words <= lesson.words <= rules.max_words:
                problems.append(Problem(shown, 1, f"lesson has {lesson.words} words; aim for "
                                        f"{rules.min_words}–{rules.max_words}", "warning"))
            lessons.append(lesson)
    by_slug: dict[str, Lesson] = {}
    for lesson in lessons:
        if lesson.slug in by_slug:
            problems.append(Problem(lesson.path, 1, f"duplicate lesson slug '{lesson.slug}' "
                                    f"(also in {by_slug[lesson.slug].path})"))
        by_slug[lesson.slug] = lesson
    orders = Counter(lesson.order for lesson in lessons)
    for lesson in lessons:
        if orders[lesson.order] > 1:
            problems.append(Problem(lesson.path, 1, f"another lesson has order {lesson.order}",
                                    "warning"))

    banks: dict[str, Bank] = {}
    seen_ids: dict[str, str] = {}
    if not quizzes_dir.is_dir():
        problems.append(Problem(_display(quizzes_dir, root), 1, "quizzes folder not found"))
    for path in sorted(quizzes_dir.glob("*.toml")) if quizzes_dir.is_dir() else []:
        shown = _display(path, root)
        bank, found = parse_bank(path, shown)
        problems.extend(found)
        if bank is None:
            continue
        lines = bank.lines
        if bank.lesson is not None and bank.lesson not in by_slug:
            problems.append(Problem(shown, 1, f"bank is paired with lesson '{bank.lesson}', "
                                              "which does not exist"))
        elif bank.lesson is not None and bank.slug != bank.lesson:
            problems.append(Problem(shown, 1, f"bank file should be named {bank.lesson}.toml"))
        drawable = sum(1 for q in bank.questions if q.kind.answerable and not q.kind.manual)
        if bank.pool == "bank" and drawable < rules.min_questions:
            problems.append(Problem(shown, 1, f"bank has {drawable} questions; "
                                              f"at least {rules.min_questions} are required"))
        for q in bank.questions:
            line = lines.get(q.id, 1)
            if q.id in seen_ids:
                problems.append(Problem(shown, line, f"duplicate question id '{q.id}' "
                                                     f"(also in {seen_ids[q.id]})"))
            seen_ids.setdefault(q.id, shown)
            target = by_slug.get(q.lesson)
            if target is None:
                problems.append(Problem(shown, line, f"question '{q.id}' links to lesson "
                                        f"'{q.lesson}', which does not exist"))
            elif q.section not in target.anchors:
                problems.append(Problem(shown, line, f"question '{q.id}' links to section "
                                        f"'#{q.section}', which does not exist in {target.path}"))
        banks[bank.slug] = bank
    paired = {b.lesson for b in banks.values()}
    for lesson in lessons:
        if lesson.slug not in paired:
            problems.append(Problem(lesson.path, 1, "lesson has no quiz bank", "warning"))
    course_size = sum(len(b.questions) for b in banks.values())
    for bank in banks.values():
        if bank.pool == "course" and bank.draw > course_size:
            problems.append(Problem(bank.path, 1, f"'draw' is {bank.draw} but the course has "
                                                  f"{course_size} questions"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return None, problems
    ordered = tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug)))
    findings, banks = review_course(banks.values(), ordered)
    problems.extend(findings)
    warnings = tuple(p for p in problems if p.severity == "warning")
    return Catalog(ordered, MappingProxyType(dict(banks)), warnings), problems


def blocking(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that stop a course from loading: errors, and under strict every warning too."""
    return [p for p in problems if strict or p.severity == "error"]


def load_catalog(lessons_dir: Path, quizzes_dir: Path, rules: Rules = Rules(),
                 root: Path | None = None) -> Catalog:
    """The course, or ContentError listing every error."""
    catalog, problems = check_course(lessons_dir, quizzes_dir, rules, root)
    if catalog is None:
        raise ContentError(blocking(problems))
    return catalog
