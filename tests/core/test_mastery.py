"""Mastery levels from a learner's finished attempts (rules in resetlab/mastery.py's docstring)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.mastery import FAMILIAR_AT, AttemptOutcome, Level, earned, mastery

A = frozenset({"q1", "q2", "q3"})
B = frozenset({"q1", "q2", "q4"})
C = frozenset({"q5", "q6", "q7"})


def at(score: float, questions: frozenset[str] = A) -> AttemptOutcome:
    return AttemptOutcome(score=score, question_ids=questions)


def test_levels_rise_in_order_and_read_naturally() -> None:
    assert list(Level) == sorted(Level)
    assert [level.label for level in Level] == ["Not started", "Attempted", "Familiar", "Proficient",
                                                "Mastered"]


@pytest.mark.parametrize(("score", "level"), [
    (0.0, Level.ATTEMPTED), (0.5, Level.ATTEMPTED), (0.69, Level.ATTEMPTED), (FAMILIAR_AT, Level.FAMILIAR),
    (0.7, Level.FAMILIAR), (7 / 10, Level.FAMILIAR), (14 / 20, Level.FAMILIAR), (0.85, Level.FAMILIAR),
    (0.99, Level.FAMILIAR), (0.999999, Level.FAMILIAR), (1.0, Level.PROFICIENT),
])
def test_earned_by_one_attempt(score: float, level: Level) -> None:
    assert earned(score) is level
    assert mastery([at(score)]) is level


def test_no_attempts_is_not_started() -> None:
    assert mastery([]) is Level.NOT_STARTED
    assert mastery(iter(())) is Level.NOT_STARTED


@pytest.mark.parametrize(("history", "level"), [
    # two perfect attempts on different question sets master the lesson...
    ([at(1.0, A), at(1.0, B)], Level.MASTERED),
    ([at(0.4, C), at(1.0, A), at(0.8, C), at(1.0, A), at(1.0, B)], Level.MASTERED),
    # ...the same set twice does not
    ([at(1.0, A), at(1.0, A)], Level.PROFICIENT),
    ([at(1.0, A), at(1.0, A), at(1.0, A)], Level.PROFICIENT),
    # the learner must still be proficient when the second perfect attempt comes
    ([at(1.0, A), at(0.5, B), at(1.0, B)], Level.PROFICIENT),
    ([at(1.0, A), at(0.5, B), at(1.0, B), at(1.0, C)], Level.MASTERED),
    # a later attempt below 100% drops one step at most...
    ([at(1.0, A), at(1.0, B), at(0.0, C)], Level.PROFICIENT),
    ([at(1.0, A), at(1.0, B), at(0.8, C)], Level.PROFICIENT),
    ([at(1.0, A), at(0.0, B)], Level.FAMILIAR),
    ([at(1.0, A), at(1.0, B), at(0.0), at(0.0)], Level.FAMILIAR),
    ([at(1.0, A), at(1.0, B), at(0.0), at(0.0), at(0.0), at(0.0)], Level.ATTEMPTED),
    # ...and never below what it earns by itself
    ([at(1.0, A), at(0.9, B)], Level.FAMILIAR),
    ([at(0.5), at(0.8)], Level.FAMILIAR),
    ([at(0.8), at(0.5)], Level.ATTEMPTED),
    ([at(0.8), at(0.8)], Level.FAMILIAR),
    # dropping from mastered, a perfect attempt restores mastery (there were two different sets)
    ([at(1.0, A), at(1.0, B), at(0.5, C), at(1.0, A)], Level.MASTERED),
    # a perfect attempt always brings the learner back to at least proficient
    ([at(0.0), at(0.0), at(1.0, C)], Level.PROFICIENT),
])
def test_documented_rules(history: list[AttemptOutcome], level: Level) -> None:
    assert mastery(history) is level


SCORES = st.one_of(st.just(1.0), st.sampled_from([0.0, 0.5, 0.69, 0.7, 0.99]),
                   st.floats(0, 1, exclude_max=True))
SETS = st.frozensets(st.sampled_from(["q1", "q2", "q3", "q4"]), min_size=1, max_size=3)
OUTCOMES = st.builds(AttemptOutcome, score=SCORES, question_ids=SETS)
HISTORIES = st.lists(OUTCOMES, max_size=12)


@given(HISTORIES)
def test_mastered_needs_two_perfect_attempts_on_different_sets(history: list[AttemptOutcome]) -> None:
    perfect_sets = {o.question_ids for o in history if o.score >= 1.0}
    level = mastery(history)
    if level > Level.PROFICIENT:
        assert len(perfect_sets) >= 2
    if not perfect_sets:
        assert level <= Level.FAMILIAR


@given(HISTORIES, SETS)
def test_a_perfect_attempt_leaves_at_least_proficient(history: list[AttemptOutcome],
                                                      questions: frozenset[str]) -> None:
    before = mastery(history)
    after = mastery([*history, AttemptOutcome(1.0, questions)])
    assert after >= Level.PROFICIENT
    assert after >= before


@given(HISTORIES, st.floats(0, 1, exclude_max=True), SETS)
def test_a_lower_attempt_drops_one_step_at_most(history: list[AttemptOutcome], score: float,
                                                questions: frozenset[str]) -> None:
    before = mastery(history)
    after = mastery([*history, AttemptOutcome(score, questions)])
    assert after >= before - 1
    assert after >= earned(score)
    assert after <= max(before, earned(score))  # it never lifts the level beyond what it earns
    assert after < Level.MASTERED


@given(HISTORIES)
def test_any_attempt_means_started(history: list[AttemptOutcome]) -> None:
    assert (mastery(history) is Level.NOT_STARTED) == (not history)


@given(HISTORIES)
def test_mastery_reads_any_iterable_once(history: list[AttemptOutcome]) -> None:
    assert mastery(iter(history)) is mastery(list(history))
