"""A number (often a year): right within the question's tolerance."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import AnswerProblem, Form, QuestionError, QuestionType, field_name, number_text, one
from ..question import Question


@dataclass(frozen=True)
class NumericBody:
    """The right number, how far off still counts, and the unit shown with the box."""

    number: float
    tolerance: float
    unit: str


class Numeric(QuestionType):
    """Type a number."""

    name = "numeric"
    label = "number"
    order = 4
    fields = frozenset({"answer", "tolerance", "unit"})

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> NumericBody:
        answer, tolerance = raw.get("answer"), raw.get("tolerance", 0)
        if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
            raise QuestionError("answer", "missing answer key: 'answer' must be a number")
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
            raise QuestionError("tolerance", "'tolerance' must be a number ≥ 0")
        unit = raw.get("unit", "")
        if not isinstance(unit, str):
            raise QuestionError("unit", "'unit' must be a string")
        return NumericBody(float(answer), float(tolerance), unit)

    def snapshot(self, body: NumericBody) -> dict[str, Any]:
        return {"number": body.number, "tolerance": body.tolerance, "unit": body.unit}

    def from_snapshot(self, data: Mapping[str, Any]) -> NumericBody:
        return NumericBody(data["number"], data.get("tolerance", 0.0), data.get("unit", ""))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        value = one(form.get(field_name(position), [])).replace(" ", "").replace(",", "")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise AnswerProblem("Enter a number, for example 2009.") from None
        if not math.isfinite(number) or len(value) > 20:
            raise AnswerProblem("Enter a number, for example 2009.")
        return number

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        return {} if answer is None else {field_name(position): [number_text(answer)]}

    def json_fits(self, q: Question, raw: Any) -> bool:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return False
        try:
            return math.isfinite(float(raw))
        except OverflowError:
            return False

    def describe(self, q: Question, answer: Any) -> str:
        unit = q.body.unit
        return f"{number_text(answer)}{f' ({unit})' if unit and unit != 'year' else ''}"

    def key(self, q: Question) -> float:
        return q.body.number

    def describe_key(self, q: Question) -> str:
        if q.body.tolerance:
            return f"{number_text(q.body.number)} (±{number_text(q.body.tolerance)})"
        return self.describe(q, q.body.number)

    def score(self, q: Question, answer: Any) -> float:
        if not math.isfinite(answer):
            return 0.0
        return 1.0 if abs(answer - q.body.number) <= q.body.tolerance + 1e-9 else 0.0

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "number", "field": field_name(0), "key": q.body.number,
                "tolerance": q.body.tolerance}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        return float(q.body.number + rng.choice((-3, -2, -1, 1, 2, 3)))
