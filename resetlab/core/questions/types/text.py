"""Short text: right when it matches an accepted spelling after folding case, accents and spacing."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base import AnswerProblem, Form, QuestionError, QuestionType, field_name, one, strings
from ..question import Question

MAX_TEXT = 200
WRONG_TEXT = ("peregruzka", "perestroika", "détente")


def normalise_text(text: str) -> str:
    """Fold case, accents, punctuation and spacing so 'Perezagruzka!' matches 'perezagruzka'."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category == "Mn":
            continue
        kept.append(" " if category[0] in "PSZ" or ch.isspace() else ch)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class TextBody:
    """Every accepted spelling; the first is shown as the key."""

    accepted: tuple[str, ...]


class ShortText(QuestionType):
    """Type a word or a name."""

    name = "text"
    label = "short text"
    order = 3
    fields = frozenset({"answers"})

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> TextBody:
        accepted = strings(raw, "answers", 1, 20)
        if any(not normalise_text(a) for a in accepted):
            raise QuestionError("answers", "an accepted answer is only punctuation or spaces: "
                                           "nobody could match it")
        return TextBody(tuple(accepted))

    def snapshot(self, body: TextBody) -> dict[str, Any]:
        return {"accepted": list(body.accepted)}

    def from_snapshot(self, data: Mapping[str, Any]) -> TextBody:
        return TextBody(tuple(data.get("accepted", [])))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        value = one(form.get(field_name(position), []))
        if len(value) > MAX_TEXT:
            raise AnswerProblem(f"Keep this answer under {MAX_TEXT} characters.")
        return value or None

    def json_fits(self, q: Question, raw: Any) -> bool:
        return isinstance(raw, str)

    def key(self, q: Question) -> str:
        return q.body.accepted[0]

    def describe_key(self, q: Question) -> str:
        return " or ".join(q.body.accepted)

    def score(self, q: Question, answer: Any) -> float:
        reply = normalise_text(answer)
        return 1.0 if reply and reply in {normalise_text(a) for a in q.body.accepted} else 0.0

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "text", "field": field_name(0), "accepted": list(q.body.accepted)}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        key = q.body.accepted[0]
        if rng.random() < 0.5 and len(key) > 4:
            cut = rng.randrange(1, len(key) - 1)
            return key[:cut] + key[cut + 1:]  # a typo
        return rng.choice(WRONG_TEXT)
