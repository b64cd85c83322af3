"""Practice packs: a bank's questions, with their keys, for self-study on the learner's device."""

from __future__ import annotations

from typing import Any

from flask import url_for

from .answers import to_json
from .content.model import Bank, Catalog, Choice, Question
from .grading import key_answer


def _choices(choices: tuple[Choice, ...]) -> list[dict[str, str]]:
    return [{"id": c.id, "text": c.text} for c in choices]


def _section(catalog: Catalog, question: Question) -> dict[str, str]:
    """Where the lesson teaches this question: a link and the section's heading."""
    lesson = catalog.lesson(question.lesson)
    if lesson is None:
        return {"url": url_for("study.index"), "title": "the course"}
    heading = next((e.title for e in lesson.toc if e.anchor == question.section), lesson.title)
    return {"url": url_for("study.lesson", slug=lesson.slug) + f"#{question.section}", "title": heading}


def question_pack(catalog: Catalog, question: Question) -> dict[str, Any]:
    """One question as the device needs it to show, grade and explain it."""
    packed: dict[str, Any] = {
        "id": question.id, "type": question.type, "content_hash": question.content_hash,
        "prompt_html": question.prompt_html, "explanation_html": question.explanation_html,
        "section": _section(catalog, question),
        "options": _choices(question.options), "items": _choices(question.items),
        "lefts": _choices(question.lefts), "rights": _choices(question.rights),
        "unit": question.unit,
    }
    if question.type == "text":
        packed["accepted"] = list(question.accepted)
    elif question.type == "numeric":
        packed["key"], packed["tolerance"] = question.number, question.tolerance
    else:
        packed["key"] = to_json(question, key_answer(question))
    return packed


def bank_pack(catalog: Catalog, bank: Bank) -> dict[str, Any]:
    """The practice pack for one bank (its own questions, not the final exam's course-wide pool).

    This is self-study practice, not a graded quiz: shipping the answer keys to the device is
    acceptable so feedback works offline. Nothing here counts toward a grade, and the server
    regrades every synced answer against its own copy of the question.
    """
    lesson = catalog.lesson(bank.lesson) if bank.lesson else None
    return {
        "slug": bank.slug, "title": bank.title,
        "lesson": {"url": url_for("study.lesson", slug=lesson.slug), "title": lesson.title}
        if lesson else None,
        "quiz_url": url_for("study.quiz", slug=bank.slug),
        "questions": [question_pack(catalog, q) for q in bank.questions],
    }
