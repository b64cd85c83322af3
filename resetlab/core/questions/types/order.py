"""Put items in order: the share of items in their right position."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import (
    AnswerProblem,
    Choice,
    Form,
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
class OrderBody:
    """The items in their right order."""

    items: tuple[Choice, ...]


class Ordering(QuestionType):
    """Give each item a position (a select per item: no dragging needed)."""

    name = "order"
    label = "ordering"
    order = 5
    fields = frozenset({"items"})

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> OrderBody:
        return OrderBody(choices(qid, strings(raw, "items", 3)))

    def snapshot(self, body: OrderBody) -> dict[str, Any]:
        return {"items": choices_json(body.items)}

    def from_snapshot(self, data: Mapping[str, Any]) -> OrderBody:
        return OrderBody(choices_from_json(data.get("items")))

    def choices(self, q: Question) -> tuple[Choice, ...]:
        return q.body.items

    def shuffled(self, q: Question) -> tuple[str, ...]:
        return tuple(c.id for c in q.body.items)

    def present(self, q: Question, rng: random.Random) -> tuple[str, ...]:
        ids = self.shuffled(q)
        shown = super().present(q, rng)
        return tuple(reversed(shown)) if shown == ids else shown  # never already in the right order

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        size = len(q.body.items)
        placed: dict[str, int] = {}
        for item in q.body.items:
            value = one(form.get(field_name(position, item.id), []))
            if not value:
                continue
            # ASCII digits, and few of them: int() of thousands of digits raises (CPython's limit).
            if not (value.isascii() and value.isdigit() and len(value) <= 4) or not 1 <= int(value) <= size:
                raise TamperedAnswer(f"position '{value}' is not between 1 and {size}")
            placed[item.id] = int(value)
        if not placed:
            return None
        if len(placed) < size:
            raise AnswerProblem("Give every item a position, or leave them all blank.")
        if len(set(placed.values())) != size:
            raise AnswerProblem("Use each position once: two items share a position.")
        return tuple(sorted(placed, key=placed.__getitem__))

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        if answer is None:
            return {}
        return {field_name(position, item): [str(i)] for i, item in enumerate(answer, 1)}

    def to_json(self, q: Question, answer: Any) -> Any:
        return None if answer is None else list(answer)

    def from_json(self, q: Question, stored: Any) -> Any:
        return None if stored is None else tuple(stored)

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, list) and all(isinstance(v, str) for v in raw) \
            and sorted(raw) == sorted(c.id for c in q.body.items)

    def describe(self, q: Question, answer: Any) -> str:
        texts = {c.id: c.text for c in q.body.items}
        return " → ".join(texts.get(i, "?") for i in answer)

    def key(self, q: Question) -> tuple[str, ...]:
        return tuple(c.id for c in q.body.items)

    def score(self, q: Question, answer: Any) -> float:
        key = self.key(q)
        return sum(1 for got, want in zip(answer, key, strict=False) if got == want) / len(key)

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "fields", "key": {field_name(0, c.id): str(i) for i, c in enumerate(q.body.items, 1)}}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        order = [c.id for c in q.body.items]
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
        return tuple(order)
