"""Pure spaced-review rules (FSRS via the `fsrs` package), streaks and review-based mastery.

Time is always passed in; nothing here reads the clock. Stored times are naive UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler

from .mastery import AttemptOutcome

# Fuzzing off: the same history always gives the same schedule, which tests rely on.
SCHEDULER = Scheduler(enable_fuzzing=False)
SESSION_SIZE = 10
MIN_REVIEW_QUESTIONS_FOR_MASTERY = 3


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def rating_for(score: float, sure: bool = True) -> Rating:
    """Full marks is Good (Hard when the learner said they were unsure); anything less is Again."""
    if score >= 1.0:
        return Rating.Good if sure else Rating.Hard
    return Rating.Again


def needs_card(score: float, sure: bool = True) -> bool:
    """A missed question, or a right one the learner was unsure of, becomes a review card."""
    return score < 1.0 or not sure


@dataclass(frozen=True)
class CardState:
    """A card's FSRS state as stored (JSON) plus when it is next due (naive UTC)."""

    data: dict[str, Any]
    due: datetime


def review(state: dict[str, Any] | None, score: float, sure: bool, now: datetime) -> CardState:
    """The card after one answer at time `now` (a new card when `state` is None)."""
    card = Card.from_dict(state) if state else Card(card_id=1, due=_aware(now))
    card, _ = SCHEDULER.review_card(card, rating_for(score, sure), review_datetime=_aware(now))
    return CardState(card.to_dict(), _naive(card.due))


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with study, ending today (or yesterday, so the streak survives until tonight)."""
    active = set(days)
    day = today if today in active else today - timedelta(days=1)
    count = 0
    while day in active:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class ReviewAnswer:
    """One review answer, as the mastery rule needs it."""

    when: datetime
    lesson: str
    question_id: str
    score: float


def review_outcomes(answers: Iterable[ReviewAnswer]) -> dict[str, list[tuple[datetime, AttemptOutcome]]]:
    """Review answers grouped per lesson and UTC day; a group of 3+ questions counts as an attempt.

    Its score is the mean over the day's answers (the last answer per question counts).
    """
    groups: dict[tuple[str, date], dict[str, tuple[datetime, float]]] = defaultdict(dict)
    for a in sorted(answers, key=lambda a: a.when):
        groups[(a.lesson, a.when.date())][a.question_id] = (a.when, a.score)
    found: dict[str, list[tuple[datetime, AttemptOutcome]]] = defaultdict(list)
    for (lesson, _), by_question in groups.items():
        if len(by_question) < MIN_REVIEW_QUESTIONS_FOR_MASTERY:
            continue
        when = max(w for w, _ in by_question.values())
        score = sum(s for _, s in by_question.values()) / len(by_question)
        found[lesson].append((when, AttemptOutcome(score, frozenset(by_question))))
    for outcomes in found.values():
        outcomes.sort(key=lambda pair: pair[0])
    return dict(found)
