"""A written answer, graded by an instructor with a rubric (criteria × levels)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...markdown import render_inline
from ...rubrics import DEFAULT, Rubric, RubricError, parse_rubric
from ..base import AnswerProblem, Form, QuestionError, QuestionType, field_name, one
from ..question import Question

MAX_CHARACTERS = 20_000
SAMPLE_ANSWERS = ("The reset failed because both sides wanted different things.",
                  "I think it was mostly about trust between the leaders, which did not last.")


def word_count(text: str) -> int:
    """Words as a student would count them: runs between spaces that hold a letter or a digit, so a dash
    or a stray quote is no word (the live counter in the browser, static/js/words.js, does the same)."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


@dataclass(frozen=True)
class EssayBody:
    """Word limits (optional), a model answer for instructors, and the rubric it is graded with."""

    min_words: int | None
    max_words: int | None
    exemplar: str
    exemplar_html: str
    rubric: Rubric


def _limit(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5000:
        raise QuestionError(key, f"'{key}' must be a whole number of words between 1 and 5000")
    return value


class Essay(QuestionType):
    """A prompt answered in writing; the grading queue scores it with the rubric."""

    name = "essay"
    label = "written answer"
    order = 7
    fields = frozenset({"min_words", "max_words", "exemplar", "rubric"})
    manual = True

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> EssayBody:
        low, high = _limit(raw, "min_words"), _limit(raw, "max_words")
        if low and high and low > high:
            raise QuestionError("min_words", "'min_words' is more than 'max_words'")
        exemplar = raw.get("exemplar", "")
        if not isinstance(exemplar, str):
            raise QuestionError("exemplar", "'exemplar' must be text (a model answer)")
        try:
            rubric = parse_rubric(raw["rubric"]) if "rubric" in raw else DEFAULT
        except RubricError as err:
            raise QuestionError("rubric", str(err)) from None
        shown = render_inline(exemplar) if exemplar.strip() else ""
        return EssayBody(low, high, exemplar.strip(), shown, rubric)

    def snapshot(self, body: EssayBody) -> dict[str, Any]:
        return {"min_words": body.min_words, "max_words": body.max_words, "exemplar": body.exemplar,
                "exemplar_html": body.exemplar_html, "rubric": body.rubric.as_json()}

    def from_snapshot(self, data: Mapping[str, Any]) -> EssayBody:
        return EssayBody(data.get("min_words"), data.get("max_words"), data.get("exemplar", ""),
                         data.get("exemplar_html", ""), parse_rubric(data["rubric"]))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        text = one(form.get(field_name(position), []))
        if len(text) > MAX_CHARACTERS:
            raise AnswerProblem(f"Keep this answer under {MAX_CHARACTERS:,} characters.")
        words = word_count(text)
        if q.body.max_words and words > q.body.max_words:
            raise AnswerProblem(f"Keep this answer to {q.body.max_words} words: it has {words}.")
        return text or None

    def salvage(self, q: Question, position: int, form: Form) -> Any:
        """Over the limit when time ran out: the grader gets the text (cut at the length limit) and
        decides, rather than a blank that scores 0."""
        values = form.get(field_name(position), [])
        text = values[0].strip()[:MAX_CHARACTERS] if len(values) == 1 else ""
        return text or None

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, str)

    def key(self, q: Question) -> str:
        return q.body.exemplar

    def describe_key(self, q: Question) -> str:
        return q.body.exemplar or "No model answer was written for this question."

    def score(self, q: Question, answer: Any) -> float:
        raise TypeError("a written answer is graded by an instructor, not by the server")

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "self"}  # compared with the model answer by the learner; never scored on the device

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        return rng.choice(SAMPLE_ANSWERS)
