"""True or false: 1 or 0."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import Form, QuestionError, QuestionType, TamperedAnswer, field_name, one
from ..question import Question


@dataclass(frozen=True)
class TrueFalseBody:
    """Whether the statement is true."""

    truth: bool


class TrueFalse(QuestionType):
    """A statement to judge true or false."""

    name = "truefalse"
    label = "true/false"
    order = 2
    fields = frozenset({"answer"})

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> TrueFalseBody:
        if not isinstance(raw.get("answer"), bool):
            raise QuestionError("answer", "missing answer key: 'answer' must be true or false")
        return TrueFalseBody(raw["answer"])

    def snapshot(self, body: TrueFalseBody) -> dict[str, Any]:
        return {"truth": body.truth}

    def from_snapshot(self, data: Mapping[str, Any]) -> TrueFalseBody:
        return TrueFalseBody(data["truth"])

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        value = one(form.get(field_name(position), []))
        if not value:
            return None
        if value not in ("true", "false"):
            raise TamperedAnswer("a true/false answer must be 'true' or 'false'")
        return value == "true"

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        return {} if answer is None else {field_name(position): ["true" if answer else "false"]}

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, bool)

    def describe(self, q: Question, answer: Any) -> str:
        return "True" if answer else "False"

    def key(self, q: Question) -> bool:
        return q.body.truth

    def score(self, q: Question, answer: Any) -> float:
        return 1.0 if answer is q.body.truth else 0.0

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "choice", "field": field_name(0), "key": ["true" if q.body.truth else "false"]}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        return not q.body.truth
