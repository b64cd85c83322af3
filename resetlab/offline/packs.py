"""Practice packs: a bank's questions, with what the device needs to give feedback offline."""

from __future__ import annotations

import random
from typing import Any

from flask import get_template_attribute, render_template, url_for

from ..core.content.model import Bank, Catalog
from ..core.questions import Question, describe_key, in_order, present
from ..core.selection import drawable


def _section(catalog: Catalog, question: Question) -> dict[str, str]:
    """Where the lesson teaches this question: a link and the section's heading."""
    lesson = catalog.lesson(question.lesson)
    if lesson is None:
        return {"url": url_for("study.index"), "title": "the course"}
    heading = next((e.title for e in lesson.toc if e.anchor == question.section), lesson.title)
    return {"url": url_for("study.lesson", slug=lesson.slug) + f"#{question.section}", "title": heading}


def question_pack(catalog: Catalog, question: Question, rng: random.Random) -> dict[str, Any]:
    """One question as the device shows it (the quiz page's own controls), checks it and explains it."""
    controls = render_template("_macros/practice_inputs.html", q=question,
                               choices=in_order(question, present(question, rng)))
    return {
        "id": question.id, "type": question.type, "content_hash": question.content_hash,
        "prompt_html": question.prompt_html, "explanation_html": question.explanation_html,
        "section": _section(catalog, question), "inputs_html": controls,
        "check": question.kind.offline_check(question), "key_text": describe_key(question),
        "stimulus_html": str(get_template_attribute("_macros/stimulus.html", "stimulus")(question.stimulus))
        if question.stimulus else "",
    }


def bank_pack(catalog: Catalog, bank: Bank) -> dict[str, Any]:
    """The practice pack for one bank: its own practice questions (never secure ones, and not the final
    exam's course-wide pool). Written answers stay out (an instructor grades those) and a source excerpt
    travels with each question asked about it.

    This is self-study practice, not a graded quiz: shipping the answer keys of practice questions
    to the device is acceptable so feedback works offline. Nothing here counts toward a grade, and
    the server regrades every synced answer against its own copy of the question.
    """
    lesson = catalog.lesson(bank.lesson) if bank.lesson else None
    rng = random.Random()
    return {
        "slug": bank.slug, "title": bank.title,
        "lesson": {"url": url_for("study.lesson", slug=lesson.slug), "title": lesson.title}
        if lesson else None,
        "quiz_url": url_for("study.quiz", slug=bank.slug),
        "questions": [question_pack(catalog, q, rng) for q in bank.questions
                      if drawable(q) and not q.secure],
    }
