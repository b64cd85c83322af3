"""Spaced review rules with time passed in: FSRS scheduling, streaks, review-based mastery."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.mastery import Level, mastery
from resetlab.core.schedule import (
    ReviewAnswer,
    needs_card,
    rating_for,
    review,
    review_outcomes,
    streak,
)

T0 = datetime(2026, 3, 1, 9, 0)
times = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1))


def test_rating_and_card_rules():
    assert rating_for(1.0).name == "Good" and rating_for(1.0, sure=False).name == "Hard"
    assert rating_for(0.5).name == "Again" and rating_for(0.0).name == "Again"
    assert needs_card(0.0) and needs_card(0.99) and needs_card(1.0, sure=False)
    assert not needs_card(1.0)


def test_a_missed_question_comes_back_soon():
    state = review(None, 0.0, True, T0)
    assert T0 < state.due <= T0 + timedelta(minutes=10)


def test_right_answers_space_the_card_out():
    state = review(None, 0.0, True, T0)
    gaps, now = [], T0
    for _ in range(6):
        now = state.due
        state = review(state.data, 1.0, True, now)
        gaps.append(state.due - now)
    assert gaps[-1] > timedelta(days=7)
    assert all(b >= a for a, b in zip(gaps[1:], gaps[2:], strict=False))


@given(times, st.floats(0, 1))
def test_same_history_same_schedule(now, score):
    assert review(None, score, True, now) == review(None, score, True, now)


@given(times)
def test_a_miss_is_never_scheduled_later_than_a_right_answer(now):
    base = review(review(None, 0.0, True, now).data, 1.0, True, now + timedelta(minutes=10))
    later = base.due
    missed = review(base.data, 0.0, True, later)
    right = review(base.data, 1.0, True, later)
    assert missed.due <= right.due
    assert missed.due > later and right.due > later


@given(st.sets(st.integers(0, 60)), st.integers(0, 60))
def test_streak_counts_consecutive_days_back_from_today(offsets, back):
    today = date(2026, 6, 1)
    days = {today - timedelta(days=o) for o in offsets}
    n = streak(days, today)
    start = today if today in days else today - timedelta(days=1)
    assert all(start - timedelta(days=i) in days for i in range(n))
    assert start - timedelta(days=n) not in days


def test_streak_examples():
    today = date(2026, 6, 10)
    assert streak([], today) == 0
    assert streak([today], today) == 1
    assert streak([today - timedelta(days=1), today - timedelta(days=2)], today) == 2  # alive until tonight
    assert streak([today, today - timedelta(days=2)], today) == 1
    assert streak([today - timedelta(days=2)], today) == 0


def test_review_day_with_three_questions_counts_as_an_attempt():
    answers = [ReviewAnswer(T0 + timedelta(minutes=i), "alpha", f"q{i}", 1.0) for i in range(3)]
    answers.append(ReviewAnswer(T0, "beta", "b1", 1.0))  # one beta question: not enough
    found = review_outcomes(answers)
    assert list(found) == ["alpha"]
    (when, outcome), = found["alpha"]
    assert outcome.score == 1.0 and outcome.question_ids == {"q0", "q1", "q2"}
    assert when == T0 + timedelta(minutes=2)


def test_last_answer_per_question_counts():
    answers = [ReviewAnswer(T0, "alpha", "q0", 0.0),
               ReviewAnswer(T0 + timedelta(minutes=5), "alpha", "q0", 1.0),
               ReviewAnswer(T0, "alpha", "q1", 1.0), ReviewAnswer(T0, "alpha", "q2", 0.0)]
    (_, outcome), = review_outcomes(answers)["alpha"]
    assert abs(outcome.score - 2 / 3) < 1e-9


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["a", "b"]), st.integers(0, 5),
                          st.floats(0, 1)), max_size=40))
def test_review_outcomes_are_valid_attempts(rows):
    answers = [ReviewAnswer(T0 + timedelta(days=d, minutes=m), lesson, f"q{m}", s)
               for d, lesson, m, s in rows]
    for outcomes in review_outcomes(answers).values():
        for _, outcome in outcomes:
            assert 0.0 <= outcome.score <= 1.0 and len(outcome.question_ids) >= 3
        assert mastery(o for _, o in outcomes) in Level
