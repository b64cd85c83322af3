"""Rubrics: scoring, the bank and typed forms, reading a grader's form, statistics per criterion, and
the score of an attempt that mixes machine-graded and written answers."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from resetlab.core.grading import attempt_score
from resetlab.core.rubrics import (
    DEFAULT,
    Criterion,
    Level,
    Rubric,
    RubricError,
    criterion_stats,
    holistic,
    parse_rubric,
    parse_rubric_text,
    read_levels,
    rubric_for,
    rubric_text,
    weakest,
)

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.;()’'-ÉéЖж0123456789", min_size=1, max_size=30) \
    .map(str.strip).filter(bool)


@st.composite
def criteria(draw: st.DrawFn, step: int | None = None) -> Criterion:
    steps = draw(st.lists(st.integers(1, 4) if step is None else st.just(step), min_size=1, max_size=5))
    points = [0]
    for step in steps:
        points.append(points[-1] + step)
    return Criterion(draw(WORDS), tuple(Level(p, draw(WORDS)) for p in points))


@st.composite
def rubrics(draw: st.DrawFn, step: int | None = None) -> Rubric:
    found = draw(st.lists(criteria(step), min_size=1, max_size=6, unique_by=lambda c: c.name.casefold()))
    return Rubric(tuple(found))


@st.composite
def rubric_and_choice(draw: st.DrawFn, complete: bool = False) -> tuple[Rubric, list[int | None]]:
    rubric = draw(rubrics())
    picks = [st.integers(0, len(c.levels) - 1) if complete else st.none() | st.integers(0, len(c.levels) - 1)
             for c in rubric.criteria]
    return rubric, [draw(p) for p in picks]


@given(rubrics())
def test_a_rubric_survives_its_json_form(rubric):
    assert parse_rubric(rubric.as_json()) == rubric
    assert rubric.max_points == sum(c.levels[-1].points for c in rubric.criteria)


@given(rubric_and_choice())
def test_points_and_score_are_known_only_when_every_criterion_has_a_level(pair):
    rubric, choice = pair
    assert rubric.valid(choice)
    points, score = rubric.points(choice), rubric.score(choice)
    if None in choice:
        assert points is None and score is None
    else:
        assert 0 <= points <= rubric.max_points
        assert score == pytest.approx(points / rubric.max_points) and 0.0 <= score <= 1.0


@given(rubric_and_choice(complete=True))
def test_the_top_of_every_criterion_scores_one_and_the_bottom_zero(pair):
    rubric, _ = pair
    assert rubric.score([len(c.levels) - 1 for c in rubric.criteria]) == 1.0
    assert rubric.score([0] * len(rubric.criteria)) == 0.0


@given(rubrics(), st.data())
def test_a_level_the_rubric_does_not_offer_is_not_valid(rubric, data):
    n = data.draw(st.integers(0, len(rubric.criteria) - 1))
    bad = data.draw(st.integers(len(rubric.criteria[n].levels), 99) | st.integers(-99, -1)
                    | st.just(True) | st.just("1"))
    choice: list = [0] * len(rubric.criteria)
    choice[n] = bad
    assert not rubric.valid(choice)
    assert not rubric.valid([0] * (len(rubric.criteria) + 1))


@given(rubric_and_choice())
def test_a_graders_form_reads_back_as_the_levels_it_shows(pair):
    rubric, choice = pair
    sent = ["" if c is None else str(c) for c in choice]
    assert read_levels(rubric, sent) == choice


@pytest.mark.parametrize("value", ["9", "-1", "1.0", "²", "٣", " 1", "x", "100"])
def test_a_tampered_form_value_is_refused(value):
    rubric = holistic(4)
    with pytest.raises(RubricError):
        read_levels(rubric, [value])
    with pytest.raises(RubricError):
        read_levels(rubric, ["1", "1"])


@given(rubrics(step=1))
def test_a_typed_rubric_reads_back_the_same(rubric):
    """Points 0, 1, 2, … in each criterion (the typed form's rule) and no colon or bar in the words."""
    typed = rubric_text(rubric)
    assert typed is not None
    assume(len(rubric.criteria) > 1 or not typed.strip().isdigit())
    assert parse_rubric_text(typed) == rubric


def test_a_typed_rubric_and_a_holistic_number():
    rubric = parse_rubric_text("Claim: none | vague | clear\r\n\r\n"
                               "Evidence: none | one fact | several | weighed")
    assert [c.name for c in rubric.criteria] == ["Claim", "Evidence"]
    assert rubric.max_points == 5 and rubric.criteria[1].levels[3] == Level(3, "weighed")
    assert parse_rubric_text("6") == holistic(6)
    for bad in ["", "no colon here", "Claim: only one level", "A: x | y\na: x | y", ": x | y", "Claim: x | ",
                "²", "٣", "9" * 5000, "0", "11"]:
        with pytest.raises(RubricError):
            parse_rubric_text(bad)
    assert rubric_text(parse_rubric([{"criterion": "A", "levels": [{"points": 0, "text": "x"},
                                                                  {"points": 2, "text": "y"}]}])) is None


@pytest.mark.parametrize("raw, message", [
    ({}, "must list"),
    ([], "must list"),
    ([{"criterion": "A", "levels": [{"points": 0, "text": "x"}]}] * 7, "must list"),
    ([{"criterion": "A"}], "needs 2"),
    ([{"criterion": "A", "levels": [{"points": 1, "text": "x"}, {"points": 2, "text": "y"}]}], "start at 0"),
    ([{"criterion": "A", "levels": [{"points": 0, "text": "x"}, {"points": 0, "text": "y"}]}], "rise"),
    ([{"criterion": "A", "levels": [{"points": 0, "text": "x"}, {"points": True, "text": "y"}]}], "whole"),
    ([{"criterion": "A", "levels": [{"points": 0, "text": "x"}, {"points": 1, "text": " "}]}], "text"),
    ([{"criterion": " ", "levels": [{"points": 0, "text": "x"}, {"points": 1, "text": "y"}]}], "name"),
    ([{"criterion": "A", "levels": [{"points": 0, "text": "x"}, {"points": 1, "text": "y"}], "extra": 1}],
     "exactly"),
])
def test_a_rubric_as_written_says_what_is_wrong(raw, message):
    with pytest.raises(RubricError, match=message):
        parse_rubric(raw)


def test_holistic_scores_and_the_default():
    four = holistic(4)
    assert DEFAULT == four and len(four.criteria) == 1 and four.max_points == 4
    assert [lv.points for lv in four.criteria[0].levels] == [0, 1, 2, 3, 4]
    assert four.criteria[0].levels[0].text.startswith("No answer") and four.criteria[0].levels[4].text == \
        "Fully successful"
    for bad in (0, 11):
        with pytest.raises(RubricError):
            holistic(bad)
    own = parse_rubric_text("Argument: none | some | clear")
    assert rubric_for(None, four) is four and rubric_for(own.as_json(), four) == own


@given(rubrics(), st.data())
def test_criterion_statistics_count_every_graded_answer_once(rubric, data):
    choices = data.draw(st.lists(st.tuples(*[st.none() | st.integers(0, len(c.levels) - 1)
                                             for c in rubric.criteria]).map(list), max_size=30))
    stats = criterion_stats(rubric, choices)
    assert [s.criterion for s in stats] == list(rubric.criteria)
    for n, s in enumerate(stats):
        picked = [c[n] for c in choices if c[n] is not None]
        assert sum(s.counts) == len(picked) and len(s.counts) == len(s.criterion.levels)
        if picked:
            assert 0.0 <= s.mean_share <= 1.0
        else:
            assert s.mean_share is None
    low = weakest(stats)
    shares = [s.mean_share for s in stats if s.mean_share is not None]
    assert (low is None) == (not shares)
    if low is not None:
        assert low.mean_share == min(shares)


def test_the_weakest_criterion_of_a_class():
    rubric = parse_rubric_text("Claim: none | vague | clear\nEvidence: none | one | several | weighed")
    stats = criterion_stats(rubric, [[2, 1], [2, 0], [1, 1]])
    assert [s.counts for s in stats] == [(0, 1, 2), (1, 2, 0, 0)]
    assert weakest(stats).criterion.name == "Evidence"
    assert weakest(stats).mean_share == pytest.approx((1 + 0 + 1) / 3 / 3)


@given(st.lists(st.floats(0, 1) | st.none(), max_size=12))
def test_a_mixed_attempt_has_a_score_only_when_every_item_has_one(scores):
    total = attempt_score(scores)
    if None in scores:
        assert total is None
    else:
        assert total == pytest.approx(sum(scores) / len(scores) if scores else 0.0)
        assert 0.0 <= total <= 1.0


def test_a_mixed_attempt_before_and_after_its_written_answer_is_graded():
    machine = [1.0, 1.0, 0.5, 0.0]
    assert attempt_score([*machine, None]) is None  # written answer awaiting grading
    assert attempt_score([*machine, 3 / 5]) == pytest.approx((2.5 + 0.6) / 5)
    assert attempt_score([*machine, 0.0]) == pytest.approx(2.5 / 5)  # left blank
