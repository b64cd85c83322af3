"""The catalog as every request sees it: the course loaded at start-up (shipped lessons and banks, read-only
content) plus instructors' own banks from the database (`b<id>`, questions `b<id>-<id>`; see
resetlab.banks). Look banks and questions up here rather than in `get_catalog()` alone."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app

from .banks.catalog import catalog_bank, catalog_question, practice_bank
from .banks.catalog import practice_questions as owned_practice
from .core.content import Bank, Catalog, Lesson, Problem, Rules, check_course
from .core.content.owned import reserved
from .core.errors import NotFound
from .core.questions import Question

if TYPE_CHECKING:
    from .models import User


def check_configured_course(config: Mapping[str, Any]) -> tuple[Catalog | None, list[Problem]]:
    """Load and check the course that the configuration names (the catalog is None on any error).

    Bank slugs and question ids shaped like instructors' banks (b12, b12-...) are refused, so the two
    parts of the catalog can never name the same thing."""
    catalog, problems = check_course(Path(config["LESSONS_DIR"]), Path(config["QUIZZES_DIR"]),
                                     Rules(**config.get("CONTENT_RULES", {})), Path(config["CONTENT_ROOT"]))
    if catalog is None:
        return catalog, problems
    clashes = [Problem(b.path, 1, f"bank slug '{b.slug}' is kept for instructors' own banks (b<number>): "
                                  "rename the file") for b in catalog.banks.values() if reserved(b.slug)]
    clashes += [Problem(b.path, b.lines.get(q.id, 1), f"question id '{q.id}' is kept for instructors' own "
                                                      "banks (b<number>-...): rename it")
                for b in catalog.banks.values() for q in b.questions if reserved(q.id)]
    return (None, problems + clashes) if clashes else (catalog, problems)


def get_catalog() -> Catalog:
    """The course loaded at start-up."""
    return current_app.extensions["resetlab.catalog"]


def bank_named(slug: str, viewer: User | None = None) -> Bank:
    """The quiz bank with this slug for practice: a shipped one, or an instructor's bank the viewer may
    practise (their own, or opened for practice to their class); NotFound otherwise."""
    bank = get_catalog().bank(slug)
    if bank is None and viewer is not None:
        bank = practice_bank(viewer, slug)
    if bank is None:
        raise NotFound(slug)
    return bank


def any_bank(slug: str) -> Bank | None:
    """A shipped or instructor's bank by slug, unscoped: for callers already allowed to it (an
    assignment's attempt)."""
    bank = get_catalog().bank(slug)
    if bank is None and reserved(slug):
        bank = catalog_bank(slug)
    return bank


def question_named(question_id: str) -> Question | None:
    """A question as the catalog has it now (shipped or an instructor's), or None once it is gone."""
    question = get_catalog().questions.get(question_id)
    if question is None and reserved(question_id):
        question = catalog_question(question_id)
    return question


def practice_questions(viewer: User | None, ids: Iterable[str]) -> Mapping[str, Question]:
    """The questions among `ids` a learner may practise: the shipped course's, and those of instructors'
    banks open to them (one query for those)."""
    return ChainMap(get_catalog().questions, owned_practice(viewer, ids))  # type: ignore[arg-type]


def lesson_named(slug: str) -> Lesson:
    """The lesson with this slug; NotFound otherwise."""
    lesson = get_catalog().lesson(slug)
    if lesson is None:
        raise NotFound(slug)
    return lesson
