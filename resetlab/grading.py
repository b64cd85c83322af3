"""Pure grading: one grader per question type, in a registry. No Flask, no database.

Answers arrive already parsed into canonical form (see `resetlab.answers`):
single -> option id; multi -> frozenset of option ids; truefalse -> bool; text -> str;
numeric -> float; order -> tuple of item ids in the student's order;
match -> dict left id -> right id. `None` means "not answered" and scores 0.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .content.model import Question


@dataclass(frozen=True)
class Result:
    """The outcome of grading one answer: a score in [0, 1]."""

    score: float

    @property
    def correct(self) -> bool:
        """Full marks."""
        return self.score >= 1.0

    @property
    def partial(self) -> bool:
        """Some credit but not all."""
        return 0.0 < self.score < 1.0


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


def _single(q: Question, answer: Any) -> float:
    return 1.0 if answer == q.correct[0] else 0.0


def _multi(q: Question, answer: Any) -> float:
    chosen = set(answer)
    right = set(q.correct)
    hits = len(chosen & right)
    misses = len(chosen - right)
    return max(0.0, (hits - misses) / len(right))


def _truefalse(q: Question, answer: Any) -> float:
    return 1.0 if answer is q.truth else 0.0


def _text(q: Question, answer: Any) -> float:
    reply = normalise_text(answer)
    return 1.0 if reply and reply in {normalise_text(a) for a in q.accepted} else 0.0


def _numeric(q: Question, answer: Any) -> float:
    if q.number is None or not math.isfinite(answer):
        return 0.0
    return 1.0 if abs(answer - q.number) <= q.tolerance + 1e-9 else 0.0


def _order(q: Question, answer: Any) -> float:
    key = [c.id for c in q.items]
    placed = sum(1 for got, want in zip(answer, key, strict=False) if got == want)
    return placed / len(key)


def _match(q: Question, answer: Any) -> float:
    hits = sum(1 for left, right in q.pairs if answer.get(left) == right)
    return hits / len(q.pairs)


GRADERS: dict[str, Callable[[Question, Any], float]] = {
    "single": _single,
    "multi": _multi,
    "truefalse": _truefalse,
    "text": _text,
    "numeric": _numeric,
    "order": _order,
    "match": _match,
}


def grade(question: Question, answer: Any) -> Result:
    """Score one parsed answer against the question it was asked with."""
    if answer is None:
        return Result(0.0)
    score = GRADERS[question.type](question, answer)
    return Result(min(1.0, max(0.0, score)))


def key_answer(question: Question) -> Any:
    """The answer key in the same canonical form a student's answer takes."""
    t = question.type
    if t == "single":
        return question.correct[0]
    if t == "multi":
        return frozenset(question.correct)
    if t == "truefalse":
        return question.truth
    if t == "text":
        return question.accepted[0]
    if t == "numeric":
        return question.number
    if t == "order":
        return tuple(c.id for c in question.items)
    return dict(question.pairs)
