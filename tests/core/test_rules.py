"""Pure assignment rules, with time passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from resetlab.core import rules as policy

NOW = datetime(2026, 5, 1, 12, 0)


def rules(**kw) -> policy.Rules:
    base = {"open_at": NOW - timedelta(days=1), "due_at": NOW + timedelta(days=1), "attempts_allowed": 2,
            "time_limit_minutes": None}
    return policy.Rules(**{**base, **kw})


def test_start_refusals():
    assert policy.start_refusal(rules(), NOW, 0) is None
    assert "not opened" in policy.start_refusal(rules(open_at=NOW + timedelta(minutes=1)), NOW, 0)
    assert "closed" in policy.start_refusal(rules(closed=True), NOW, 0)
    assert "all 2 attempts" in policy.start_refusal(rules(), NOW, 2)
    assert policy.start_refusal(rules(extra_attempts=1), NOW, 2) is None
    assert policy.start_refusal(rules(attempts_allowed=None), NOW, 99) is None
    assert policy.start_refusal(rules(due_at=NOW - timedelta(days=3)), NOW, 0) is None  # late is allowed


@given(st.integers(1, 300), st.floats(1, 4))
def test_deadline_applies_the_multiplier(minutes, multiplier):
    r = rules(time_limit_minutes=minutes, time_multiplier=multiplier)
    assert policy.deadline(r, NOW) - NOW == timedelta(minutes=minutes * multiplier)
    assert policy.deadline(rules(), NOW) is None


def test_too_late_has_a_short_grace():
    deadline = NOW
    assert not policy.too_late(deadline, NOW + timedelta(seconds=59))
    assert policy.too_late(deadline, NOW + timedelta(seconds=61))
    assert not policy.too_late(None, NOW + timedelta(days=999))


@given(st.lists(st.floats(0, 1), min_size=1, max_size=10))
def test_counted_score(scores):
    assert policy.counted_score(scores, "highest") == max(scores)
    assert policy.counted_score(scores, "latest") == scores[-1]
    assert policy.counted_score(scores, "first") == scores[0]
    assert policy.counted_score([], "highest") is None


def test_reveal():
    due = NOW + timedelta(hours=1)
    assert policy.may_reveal("immediately", NOW, due)
    assert not policy.may_reveal("after_due", NOW, due) and policy.may_reveal("after_due", due, due)
    assert not policy.may_reveal("never", NOW + timedelta(days=999), due)


def cell_status(attempts, due_at, now):
    tally = policy.Tally()
    for finished, late in attempts:
        tally.add(finished, late, 0.5)
    return tally.status(due_at, now)


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.none() | st.floats(0, 1))),
       st.sampled_from(list(policy.Grading)))
def test_tally_counts_like_counted_score(attempts, method):
    """A finished attempt with no score awaits grading: the counted score is pending while that attempt
    could still be the one that counts, and otherwise is counted_score over the scored ones."""
    tally = policy.Tally()
    for finished, late, score in attempts:
        tally.add(finished, late, score)
    finished = [s for f, _, s in attempts if f]
    scores = [s for s in finished if s is not None]
    if method == policy.Grading.LATEST:
        pending = bool(finished) and finished[-1] is None
    elif method == policy.Grading.FIRST:
        pending = bool(finished) and finished[0] is None
    else:
        pending = None in finished and not (scores and max(scores) >= 1.0)
    assert tally.awaiting(method) == pending
    assert tally.counted(method) == (None if pending else policy.counted_score(scores, method))
    assert tally.attempts == len(attempts)
    if finished:
        assert (tally.status(NOW, NOW, method) == policy.PENDING) == pending


def test_an_attempt_awaiting_grading_is_submitted_not_missing_nor_low():
    tally = policy.Tally()
    tally.add(True, False, None)
    assert tally.status(NOW - timedelta(days=1), NOW) == policy.PENDING
    assert policy.PENDING in policy.SUBMITTED and tally.counted(policy.Grading.HIGHEST) is None
    assert policy.needs_attention([(policy.PENDING, None, NOW - timedelta(days=1))] * 3, NOW) == []


def test_cell_status():
    due = NOW - timedelta(hours=1)
    assert cell_status([], NOW + timedelta(hours=1), NOW) == policy.NOT_STARTED
    assert cell_status([], due, NOW) == policy.MISSING
    assert cell_status([(False, False)], due, NOW) == policy.IN_PROGRESS
    assert cell_status([(True, False)], due, NOW) == policy.DONE
    assert cell_status([(True, True)], due, NOW) == policy.LATE
    assert cell_status([(True, False), (True, True)], due, NOW) == policy.DONE
    assert cell_status([(False, True), (True, True)], due, NOW) == policy.LATE


def test_needs_attention_rules():
    soon = NOW + timedelta(hours=10)
    later = NOW + timedelta(days=10)
    past = NOW - timedelta(days=2)
    unstarted = policy.needs_attention([(policy.NOT_STARTED, None, soon)], NOW)
    assert [a.reason for a in unstarted] == ["not started"]
    assert policy.needs_attention([(policy.NOT_STARTED, None, later)], NOW) == []
    assert policy.needs_attention([(policy.MISSING, None, NOW - timedelta(days=30))], NOW) == []
    low = [(policy.DONE, 0.4, past), (policy.DONE, 0.5, past - timedelta(days=1))]
    assert "low scores" in [a.reason for a in policy.needs_attention(low, NOW)]
    falling = [(policy.DONE, 0.9, past - timedelta(days=1)), (policy.DONE, 0.6, past)]
    reasons = [a.reason for a in policy.needs_attention(falling, NOW)]
    assert reasons == ["falling"]
    steady = [(policy.DONE, 0.9, past - timedelta(days=1)), (policy.DONE, 0.85, past)]
    assert policy.needs_attention(steady, NOW) == []
