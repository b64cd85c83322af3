"""Single choice (one right option) and multiple select (several right options)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import (
    Choice,
    Form,
    QuestionError,
    QuestionType,
    TamperedAnswer,
    choices,
    choices_from_json,
    choices_json,
    field_name,
    one,
    strings,
)
from ..question import Question


@dataclass(frozen=True)
class ChoiceBody:
    """Options in authored order and the ids of the right ones."""

    options: tuple[Choice, ...]
    correct: tuple[str, ...]


def _index(value: Any, size: int, key: str = "answer") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise QuestionError(key, f"'{key}' must be a 0-based option index")
    if not 0 <= value < size:
        raise QuestionError(key, f"answer key {value} does not fit {size} options (0–{size - 1})")
    return value


class _Options(QuestionType):
    """What single and multiple choice share."""

    fields = frozenset({"options", "answer"})
    reports_options = True
    min_options = 2

    def _options(self, qid: str, raw: Mapping[str, Any]) -> tuple[Choice, ...]:
        options = choices(qid, strings(raw, "options", self.min_options))
        if "answer" not in raw:
            raise QuestionError("answer", "missing answer key 'answer'")
        return options

    def snapshot(self, body: ChoiceBody) -> dict[str, Any]:
        return {"options": choices_json(body.options), "correct": list(body.correct)}

    def from_snapshot(self, data: Mapping[str, Any]) -> ChoiceBody:
        return ChoiceBody(choices_from_json(data.get("options")), tuple(data.get("correct", [])))

    def choices(self, q: Question) -> tuple[Choice, ...]:
        return q.body.options

    def shuffled(self, q: Question) -> tuple[str, ...]:
        return tuple(c.id for c in q.body.options)

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "choice", "field": field_name(0), "key": list(q.body.correct)}

    def analysed_options(self, q: Question) -> tuple[tuple[Choice, bool], ...]:
        right = set(q.body.correct)
        return tuple((c, c.id in right) for c in q.body.options)


class SingleChoice(_Options):
    """Pick the one right option: 1 or 0."""

    name = "single"
    label = "single choice"
    order = 0

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> ChoiceBody:
        options = self._options(qid, raw)
        return ChoiceBody(options, (options[_index(raw["answer"], len(options))].id,))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        value = one(form.get(field_name(position), []))
        if not value:
            return None
        if value not in {c.id for c in q.body.options}:
            raise TamperedAnswer(f"'{value}' is not an option of this question")
        return value

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, str)

    def describe(self, q: Question, answer: Any) -> str:
        return next((c.text for c in q.body.options if c.id == answer), "?")

    def key(self, q: Question) -> str:
        return q.body.correct[0]

    def score(self, q: Question, answer: Any) -> float:
        return 1.0 if answer == q.body.correct[0] else 0.0

    def picked(self, q: Question, stored: Any) -> tuple[str, ...]:
        return () if stored is None else (stored,)

    def popular_wrong(self, q: Question, rng: random.Random) -> str | None:
        return rng.choice([c.id for c in q.body.options if c.id != q.body.correct[0]])

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        wrong = [c.id for c in q.body.options if c.id != q.body.correct[0]]
        return popular if popular is not None and rng.random() < 0.7 else rng.choice(wrong)


class MultipleChoice(_Options):
    """Tick every right option: (right ticked − wrong ticked) ÷ number right, never below 0."""

    name = "multi"
    label = "multiple select"
    order = 1
    min_options = 3

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> ChoiceBody:
        options = self._options(qid, raw)
        keys = raw["answer"]
        if not isinstance(keys, list) or not keys:
            raise QuestionError("answer", "'answer' must be a non-empty list of option indices")
        indices = {_index(v, len(options)) for v in keys}
        return ChoiceBody(options, tuple(options[i].id for i in sorted(indices)))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        values = [v.strip() for v in form.get(field_name(position), []) if v.strip()]
        if not values:
            return None
        ids = {c.id for c in q.body.options}
        if any(v not in ids for v in values) or len(set(values)) != len(values):
            raise TamperedAnswer("an option that is not in this question was sent")
        return frozenset(values)

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        return {} if answer is None else {field_name(position): sorted(answer)}

    def to_json(self, q: Question, answer: Any) -> Any:
        return None if answer is None else sorted(answer)

    def from_json(self, q: Question, stored: Any) -> Any:
        return None if stored is None else frozenset(stored)

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, list) and all(isinstance(v, str) for v in raw)

    def describe(self, q: Question, answer: Any) -> str:
        return "; ".join(c.text for c in q.body.options if c.id in answer)

    def key(self, q: Question) -> frozenset[str]:
        return frozenset(q.body.correct)

    def score(self, q: Question, answer: Any) -> float:
        right = set(q.body.correct)
        hits = len(answer & right)
        return max(0.0, (hits - len(answer - right)) / len(right))

    def picked(self, q: Question, stored: Any) -> tuple[str, ...]:
        return () if stored is None else tuple(stored)

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        right = list(q.body.correct)
        chosen = set(right) - {rng.choice(right)}
        wrong = [c.id for c in q.body.options if c.id not in q.body.correct]
        if wrong:
            chosen.add(rng.choice(wrong))
        return frozenset(chosen) or None
