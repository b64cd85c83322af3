"""Per-bank rules: one firing and one quiet fixture each; bank findings sit on line 1."""

from __future__ import annotations

from .factories import PATH, found_in, make_bank, make_item, where

LONG_KEY = ("Cooperation on shared interests, then a clash over something vital",
            "Steady decline", "Success", "Collapse")
SHORT_KEY = ("A clash", "Steady decline from the first summit", "Success until a new president",
             "Collapse over trade disputes")


def _singles(options_for, keys):
    return [make_item(id=f"q{n}", line=10 * n, options=options_for(n), keys=(k,)) for n, k in enumerate(keys)]


# --- key-longest-share ---

def test_key_longest_share_fires_above_35_percent():
    items = _singles(lambda n: LONG_KEY, [0, 0, 0, 0]) + _singles(lambda n: SHORT_KEY, [0] * 6)
    # 4 of 10 keys are the longest option: 40%.
    assert where(found_in("key-longest-share", [make_bank(*items)])) == [(PATH, 1, "key-longest-share")]


def test_key_longest_share_quiet_at_or_below_35_percent_and_for_tiny_banks():
    items = _singles(lambda n: LONG_KEY, [0, 0, 0]) + _singles(lambda n: SHORT_KEY, [0] * 7)
    assert found_in("key-longest-share", [make_bank(*items)]) == []
    assert found_in("key-longest-share", [make_bank(*_singles(lambda n: LONG_KEY, [0, 0, 0]))]) == []


# --- key-position ---

def test_key_position_fires_when_one_position_holds_most_keys():
    items = _singles(lambda n: SHORT_KEY, [2, 2, 2, 1])
    assert where(found_in("key-position", [make_bank(*items)])) == [(PATH, 1, "key-position")]


def test_key_position_fires_when_eight_items_use_two_positions():
    items = _singles(lambda n: SHORT_KEY, [0, 1] * 4)
    assert where(found_in("key-position", [make_bank(*items)])) == [(PATH, 1, "key-position")]


def test_key_position_quiet_when_balanced():
    items = _singles(lambda n: SHORT_KEY, [0, 1, 2, 3, 0, 1, 2, 3])
    assert found_in("key-position", [make_bank(*items)]) == []


# --- truefalse-balance ---

def _truefalse(truths):
    return [make_item(id=f"tf{n}", line=5 + n, type="truefalse", options=(), keys=(), truth=t,
                      prompt="Russia abstained on Resolution 1973.") for n, t in enumerate(truths)]


def test_truefalse_balance_fires_when_mostly_true():
    bank = make_bank(*_truefalse([True, True, True, True]))
    assert where(found_in("truefalse-balance", [bank])) == [(PATH, 1, "truefalse-balance")]
    bank = make_bank(*_truefalse([False] * 9 + [True]))
    assert where(found_in("truefalse-balance", [bank])) == [(PATH, 1, "truefalse-balance")]


def test_truefalse_balance_quiet_when_balanced_or_few():
    assert found_in("truefalse-balance", [make_bank(*_truefalse([True, False, True, False]))]) == []
    assert found_in("truefalse-balance", [make_bank(*_truefalse([True, True, True]))]) == []


# --- reasoning-share ---

def _skills(skills):
    return [make_item(id=f"s{n}", line=3 + n, skill=s) for n, s in enumerate(skills)]


def test_reasoning_share_fires_for_a_lesson_bank_under_40_percent():
    bank = make_bank(*_skills(["reasoning", "recall", "recall", "recall", "recall"]))
    assert where(found_in("reasoning-share", [bank])) == [(PATH, 1, "reasoning-share")]


def test_reasoning_share_quiet_at_40_percent_and_for_course_pools():
    assert found_in("reasoning-share", [make_bank(*_skills(["reasoning"] * 2 + ["recall"] * 3))]) == []
    exam = make_bank(*_skills(["recall"] * 5), slug="final-exam", path="quizzes/final-exam.toml",
                     pool="course", lesson=None)
    assert found_in("reasoning-share", [exam]) == []


def test_reasoning_share_does_not_count_source_stimuli():
    source = make_item(id="src", line=2, type="source", options=(), keys=(), skill="recall",
                       prompt="Biden at Munich, 7 February 2009", excerpt="> press the reset button")
    bank = make_bank(source, *_skills(["reasoning"] * 2 + ["recall"] * 3))
    assert found_in("reasoning-share", [bank]) == []
