"""The course loaded at start-up (shipped lessons and banks), as every request sees it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from .core.content import Bank, Catalog, Lesson, Problem, Rules, check_course
from .core.errors import NotFound


def check_configured_course(config: Mapping[str, Any]) -> tuple[Catalog | None, list[Problem]]:
    """Load and check the course that the configuration names (the catalog is None on any error)."""
    return check_course(Path(config["LESSONS_DIR"]), Path(config["QUIZZES_DIR"]),
                        Rules(**config.get("CONTENT_RULES", {})), Path(config["CONTENT_ROOT"]))


def get_catalog() -> Catalog:
    """The course loaded at start-up."""
    return current_app.extensions["resetlab.catalog"]


def bank_named(slug: str) -> Bank:
    """The quiz bank with this slug; NotFound otherwise."""
    bank = get_catalog().bank(slug)
    if bank is None:
        raise NotFound(slug)
    return bank


def lesson_named(slug: str) -> Lesson:
    """The lesson with this slug; NotFound otherwise."""
    lesson = get_catalog().lesson(slug)
    if lesson is None:
        raise NotFound(slug)
    return lesson
