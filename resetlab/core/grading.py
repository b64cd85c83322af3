"""Pure grading: a score in [0, 1] for one parsed answer, through the question-type registry.

Answers arrive already parsed into canonical form (see `resetlab.core.questions.parse_answer`).
`None` means "not answered" and scores 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .questions import Question


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


def grade(question: Question, answer: Any) -> Result:
    """Score one parsed answer against the question it was asked with."""
    if answer is None:
        return Result(0.0)
    return Result(min(1.0, max(0.0, question.kind.score(question, answer))))


def attempt_score(items: Sequence[float | None]) -> float | None:
    """An attempt's score from its items' scores: their mean, or None ("awaiting grading") while any
    item, a written answer, has no score yet. An attempt with no items scores 0."""
    if any(score is None for score in items):
        return None
    return sum(items) / len(items) if items else 0.0  # type: ignore[arg-type]
