"""Pure mastery rules (Khan Academy style), written down in README.

Levels, lowest first: not started, attempted, familiar, proficient, mastered.
- An attempt scoring 100% makes the lesson proficient; it makes it mastered when the learner was
  already proficient from an earlier 100% attempt with a different set of questions.
- An attempt scoring 70–99% earns familiar; below 70% earns attempted.
- A later attempt below 100% lowers the level by at most one step, and never below what that
  attempt earns by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """Mastery levels in rising order."""

    NOT_STARTED = 0
    ATTEMPTED = 1
    FAMILIAR = 2
    PROFICIENT = 3
    MASTERED = 4

    @property
    def label(self) -> str:
        """Human words for the level."""
        return self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class AttemptOutcome:
    """What the rules need from a finished attempt: its score and which questions it asked."""

    score: float
    question_ids: frozenset[str]


FAMILIAR_AT = 0.7


def earned(score: float) -> Level:
    """The level one attempt earns on its own."""
    if score >= 1.0:
        return Level.PROFICIENT
    if score >= FAMILIAR_AT:
        return Level.FAMILIAR
    return Level.ATTEMPTED


def mastery(outcomes: Iterable[AttemptOutcome]) -> Level:
    """The level after a learner's finished attempts, oldest first."""
    level = Level.NOT_STARTED
    perfect_sets: list[frozenset[str]] = []
    for outcome in outcomes:
        if outcome.score >= 1.0:
            if level >= Level.PROFICIENT and any(s != outcome.question_ids for s in perfect_sets):
                level = Level.MASTERED
            else:
                level = Level.PROFICIENT
            perfect_sets.append(outcome.question_ids)
        else:
            level = max(earned(outcome.score), Level(max(level - 1, Level.ATTEMPTED)))
    return level
