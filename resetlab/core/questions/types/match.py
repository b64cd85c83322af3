"""Match each left-hand item with a choice: the share of left-hand items matched right."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import (
    MAX_CHOICES,
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
class MatchBody:
    """Left-hand items, right-hand choices (distractors included) and the right pairs of ids."""

    lefts: tuple[Choice, ...]
    rights: tuple[Choice, ...]
    pairs: tuple[tuple[str, str], ...]


class Matching(QuestionType):
    """A select per left-hand item, its options the right-hand choices in a shuffled order."""

    name = "match"
    label = "matching"
    order = 6
    fields = frozenset({"pairs", "distractors"})

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> MatchBody:
        pairs = raw.get("pairs")
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s.strip() for s in p)
            for p in pairs
        ):
            raise QuestionError("pairs", "'pairs' must be a list of [left, right] string pairs")
        if not 3 <= len(pairs) <= MAX_CHOICES:
            raise QuestionError("pairs", f"'pairs' has {len(pairs)} entries; expected 3–{MAX_CHOICES}")
        lefts = [p[0].strip() for p in pairs]
        rights = [p[1].strip() for p in pairs]
        extra = strings(raw, "distractors", 0, 3) if "distractors" in raw else []
        if len({s.casefold() for s in lefts}) != len(lefts):
            raise QuestionError("pairs", "two pairs have the same left-hand side")
        if len({s.casefold() for s in rights + extra}) != len(rights) + len(extra):
            raise QuestionError("pairs", "right-hand sides and distractors must all differ")
        # Ids come from the side and the text, so a word on both sides still gets two ids.
        left_c = tuple(Choice(c.id, t) for c, t in
                       zip(choices(qid, ["L:" + s for s in lefts]), lefts, strict=True))
        right_c = tuple(Choice(c.id, t) for c, t in
                        zip(choices(qid, ["R:" + s for s in rights + extra]), rights + extra, strict=True))
        return MatchBody(left_c, right_c, tuple((left_c[i].id, right_c[i].id) for i in range(len(pairs))))

    def snapshot(self, body: MatchBody) -> dict[str, Any]:
        return {"lefts": choices_json(body.lefts), "rights": choices_json(body.rights),
                "pairs": [list(p) for p in body.pairs]}

    def from_snapshot(self, data: Mapping[str, Any]) -> MatchBody:
        return MatchBody(choices_from_json(data.get("lefts")), choices_from_json(data.get("rights")),
                         tuple(tuple(p) for p in data.get("pairs", [])))

    def choices(self, q: Question) -> tuple[Choice, ...]:
        return q.body.lefts + q.body.rights

    def shuffled(self, q: Question) -> tuple[str, ...]:
        return tuple(c.id for c in q.body.rights)

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        rights = {c.id for c in q.body.rights}
        chosen: dict[str, str] = {}
        for left in q.body.lefts:
            value = one(form.get(field_name(position, left.id), []))
            if not value:
                continue
            if value not in rights:
                raise TamperedAnswer(f"'{value}' is not a choice of this question")
            chosen[left.id] = value
        return chosen or None

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        if answer is None:
            return {}
        return {field_name(position, left): [right] for left, right in answer.items()}

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()) \
            and set(raw) <= {c.id for c in q.body.lefts}

    def describe(self, q: Question, answer: Any) -> str:
        texts = {c.id: c.text for c in q.body.rights}
        return "; ".join(f"{left.text} → {texts.get(answer.get(left.id), '—')}" for left in q.body.lefts)

    def key(self, q: Question) -> dict[str, str]:
        return dict(q.body.pairs)

    def score(self, q: Question, answer: Any) -> float:
        return sum(1 for left, right in q.body.pairs if answer.get(left) == right) / len(q.body.pairs)

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "fields", "key": {field_name(0, left): right for left, right in q.body.pairs}}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        chosen = dict(q.body.pairs)
        lefts = list(chosen)
        if len(lefts) >= 2:
            a, b = rng.sample(lefts, 2)
            chosen[a], chosen[b] = chosen[b], chosen[a]
        else:
            others = [c.id for c in q.body.rights if c.id != chosen[lefts[0]]]
            if others:
                chosen[lefts[0]] = rng.choice(others)
        return chosen
