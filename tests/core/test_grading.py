"""Grading: each grader's rule on the fixture bank, and properties over generated questions.

The Hypothesis strategies for questions and canonical answers live here and are shared with
test_answers.py and test_drawing.py.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resetlab.config import ROOT
from resetlab.core.grading import Result, grade
from resetlab.core.questions import (
    TYPES,
    Question,
    field_name,
    form_values,
    key_answer,
    parse_answer,
    present,
)
from resetlab.core.questions.types.text import normalise_text

from .strategies import (
    ANSWERABLE,
    MACHINE_GRADED,
    any_answers,
    choices,
    fixture_question,
    make_question,
    question_and_answer,
    questions,
)

# --- single ----------------------------------------------------------------------------------


def test_single_scores_one_only_for_the_key() -> None:
    q = fixture_question("single")
    assert q.body.correct == (q.body.options[0].id,)  # answer = 0: "peregruzka"
    assert grade(q, q.body.options[0].id) == Result(1.0)
    for wrong in q.body.options[1:]:
        assert grade(q, wrong.id).score == 0.0


# --- multi -----------------------------------------------------------------------------------


def test_multi_partial_credit_is_right_minus_wrong_over_number_right() -> None:
    q = fixture_question("multi")
    latin, overload, cyrillic, moscow = (c.id for c in q.body.options)
    assert set(q.body.correct) == {latin, overload}
    assert grade(q, frozenset({latin, overload})).score == 1.0
    assert grade(q, frozenset({latin})).score == 0.5
    assert grade(q, frozenset({overload})).score == 0.5
    assert grade(q, frozenset({latin, overload, cyrillic})).score == 0.5  # (2 - 1) / 2
    assert grade(q, frozenset({latin, cyrillic})).score == 0.0  # (1 - 1) / 2
    assert grade(q, frozenset({latin, cyrillic, moscow})).score == 0.0  # (1 - 2) / 2 floored
    assert grade(q, frozenset({cyrillic, moscow})).score == 0.0
    assert grade(q, frozenset({latin, overload, cyrillic, moscow})).score == 0.0  # ticking all


def test_multi_with_three_right_options() -> None:
    options = choices("m", ["a", "b", "c", "d", "e"])
    a, b, c, d, e = (o.id for o in options)
    q = make_question("multi", "m", options=options, correct=(a, b, c))
    assert grade(q, frozenset({a})).score == pytest.approx(1 / 3)
    assert grade(q, frozenset({a, b})).score == pytest.approx(2 / 3)
    assert grade(q, frozenset({a, b, d})).score == pytest.approx(1 / 3)
    assert grade(q, frozenset({a, b, c, d})).score == pytest.approx(2 / 3)
    assert grade(q, frozenset({a, d, e})).score == 0.0
    assert grade(q, frozenset()).score == 0.0


# --- truefalse -------------------------------------------------------------------------------


def test_truefalse() -> None:
    q = fixture_question("truefalse")
    assert q.body.truth is True
    assert grade(q, True).score == 1.0
    assert grade(q, False).score == 0.0
    no = replace(q, body=replace(q.body, truth=False))
    assert grade(no, False).score == 1.0
    assert grade(no, True).score == 0.0


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", [
    "perezagruzka", "Perezagruzka", "PEREZAGRUZKA", "  perezagruzka  ", "perezagruzka!", "“perezagruzka”.",
    "pérézagrúzka", "PÉREZAGRUZKÁ", "perezagruzka\t", "перезагрузка", "Перезагрузка", "ПЕРЕЗАГРУЗКА!",
    "ｐｅｒｅｚａｇｒｕｚｋａ",
])
def test_text_accepts_every_spelling_ignoring_case_accents_spacing_and_punctuation(reply: str) -> None:
    assert grade(fixture_question("text"), reply).score == 1.0


@pytest.mark.parametrize("reply", [
    "peregruzka", "перегрузка", "perezagruzk", "perezagruzkaa", "pere zagruzka", "reset", "!!!", " ",
])
def test_text_rejects_other_words(reply: str) -> None:
    q = fixture_question("text")
    assert q.body.accepted == ("perezagruzka", "перезагрузка")
    assert grade(q, reply).score == 0.0


def test_text_spacing_and_punctuation_inside_an_answer() -> None:
    q = make_question("text", accepted=("New START",))
    for reply in ("new start", "New   START", "new-start", " new\u00a0start. ", "NEW—START"):
        assert grade(q, reply).score == 1.0, reply
    assert grade(q, "newstart").score == 0.0
    assert grade(q, "new starts").score == 0.0


def test_normalise_text_examples() -> None:
    assert normalise_text("Perezagruzka!") == "perezagruzka"
    assert normalise_text("  Crème   brûlée  ") == "creme brulee"
    assert normalise_text("Straße") == "strasse"
    assert normalise_text("Зелёный") == "зеленыи"  # ё and й lose their diacritics too
    assert normalise_text("9/11") == "9 11"
    assert normalise_text("...") == ""


def test_normalise_text_folds_case_of_compatibility_characters() -> None:
    # U+3392 (MHz square) and U+2103 (degree Celsius) decompose to capitals: still case-insensitive.
    assert normalise_text("㎒") == normalise_text("MHz") == "mhz"
    assert normalise_text("℃") == normalise_text("°c") == "c"


@given(st.text(max_size=40))
@example("ℌ ㎒ ™ ℃")
def test_normalise_text_is_idempotent_and_ignores_case(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert normalise_text(text.upper()) == normalise_text(text.lower())
    assert once == once.strip()
    assert "  " not in once


# --- numeric ---------------------------------------------------------------------------------


def test_numeric_exact() -> None:
    q = fixture_question("numeric")
    assert (q.body.number, q.body.tolerance) == (2010.0, 0.0)
    assert grade(q, 2010.0).score == 1.0
    assert grade(q, 2010.0 + 1e-12).score == 1.0  # float noise is not a wrong answer
    assert grade(q, 2009.0).score == 0.0
    assert grade(q, 2011.0).score == 0.0
    assert grade(q, 2010.5).score == 0.0


def test_numeric_tolerance_is_inclusive() -> None:
    q = make_question("numeric", number=2009.0, tolerance=2.0)
    for hit in (2007.0, 2008.0, 2009.0, 2010.5, 2011.0):
        assert grade(q, hit).score == 1.0, hit
    for miss in (2006.9, 2011.1, -2009.0, 0.0):
        assert grade(q, miss).score == 0.0, miss


def test_numeric_decimal_tolerance() -> None:
    q = make_question("numeric", number=0.3, tolerance=0.1)
    assert grade(q, 0.2).score == 1.0
    assert grade(q, 0.4).score == 1.0
    assert grade(q, 0.41).score == 0.0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_numeric_non_finite_scores_zero(bad: float) -> None:
    assert grade(make_question("numeric", number=1.0, tolerance=1e308), bad).score == 0.0


# --- order -----------------------------------------------------------------------------------


def test_order_is_share_of_items_in_their_correct_position() -> None:
    q = fixture_question("order")
    a, b, c = (i.id for i in q.body.items)  # Ljubljana, Geneva, treaty: listed in the right order
    assert grade(q, (a, b, c)).score == 1.0
    assert grade(q, (a, c, b)).score == pytest.approx(1 / 3)
    assert grade(q, (c, b, a)).score == pytest.approx(1 / 3)
    assert grade(q, (b, a, c)).score == pytest.approx(1 / 3)
    assert grade(q, (b, c, a)).score == 0.0
    assert grade(q, (c, a, b)).score == 0.0


def test_order_with_four_items() -> None:
    items = choices("o", ["one", "two", "three", "four"])
    a, b, c, d = (i.id for i in items)
    q = make_question("order", "o", items=items)
    assert grade(q, (a, b, d, c)).score == 0.5
    assert grade(q, (d, b, c, a)).score == 0.5
    assert grade(q, (b, a, d, c)).score == 0.0
    assert grade(q, (a, b, c)).score == 0.75  # a short answer only earns what it places


# --- match -----------------------------------------------------------------------------------


def test_match_is_share_of_pairs_right() -> None:
    q = fixture_question("match")
    (l1, r1), (l2, r2), (l3, r3) = q.body.pairs
    openness = q.body.rights[3].id  # the distractor
    assert q.body.rights[3].text == "openness"
    assert grade(q, {l1: r1, l2: r2, l3: r3}).score == 1.0
    assert grade(q, {l1: r1, l2: r2, l3: openness}).score == pytest.approx(2 / 3)
    assert grade(q, {l1: r1, l2: r3, l3: r2}).score == pytest.approx(1 / 3)
    assert grade(q, {l1: r2, l2: r3, l3: r1}).score == 0.0
    assert grade(q, {l1: r1}).score == pytest.approx(1 / 3)  # unmatched lefts earn nothing
    assert grade(q, {l1: r1, l2: r1, l3: r1}).score == pytest.approx(1 / 3)
    assert grade(q, {}).score == 0.0


# --- every type ------------------------------------------------------------------------------


def test_registry_finds_every_type_with_its_template() -> None:
    assert list(TYPES) == ["single", "multi", "truefalse", "text", "numeric", "order", "match", "essay",
                           "source"]
    for name, kind in TYPES.items():
        assert kind.name == name
        assert (ROOT / "templates" / kind.template).is_file()


@pytest.mark.parametrize("qtype", ANSWERABLE)
def test_no_answer_scores_zero(qtype: str) -> None:
    result = grade(fixture_question(qtype), None)
    assert result == Result(0.0)
    assert not result.correct and not result.partial


@pytest.mark.parametrize("qtype", MACHINE_GRADED)
def test_fixture_key_scores_one(qtype: str) -> None:
    result = grade(fixture_question(qtype), key_answer(fixture_question(qtype)))
    assert result.score == 1.0
    assert result.correct and not result.partial


def test_result_flags() -> None:
    assert Result(0.5).partial and not Result(0.5).correct
    assert not Result(0.0).partial and not Result(0.0).correct
    assert Result(1.0).correct and not Result(1.0).partial


def test_key_answer_shapes() -> None:
    assert key_answer(fixture_question("single")) == fixture_question("single").body.options[0].id
    multi = fixture_question("multi")
    assert key_answer(multi) == frozenset(c.id for c in multi.body.options[:2])
    assert key_answer(fixture_question("truefalse")) is True
    assert key_answer(fixture_question("text")) == "perezagruzka"
    assert key_answer(fixture_question("numeric")) == 2010.0
    assert key_answer(fixture_question("order")) == tuple(c.id for c in fixture_question("order").body.items)
    match = fixture_question("match")
    assert key_answer(match) == dict(match.body.pairs)


@given(questions())
def test_the_key_scores_one(q: Question) -> None:
    assert grade(q, key_answer(q)).score == 1.0


@given(question_and_answer(anything=True))
def test_any_answer_scores_within_zero_and_one(qa: tuple[Question, Any]) -> None:
    q, answer = qa
    score = grade(q, answer).score
    assert 0.0 <= score <= 1.0
    if answer is None:
        assert score == 0.0


def shown_form(q: Question, position: int, answer: Any, shown: tuple[str, ...]) -> dict[str, list[str]]:
    """The form a browser would send for `answer` with the choices laid out in `shown` order."""
    values = form_values(q, position, answer)
    rank = {cid: i for i, cid in enumerate(shown)}
    if q.type == "multi":
        return {name: sorted(ids, key=rank.__getitem__) for name, ids in values.items()}
    if q.type == "order":  # the item fields appear in the order the items are shown
        return {field_name(position, cid): values[field_name(position, cid)] for cid in shown}
    return values


@given(question_and_answer(), st.integers(1, 30), st.lists(st.integers(0, 2**32), min_size=2, max_size=4))
def test_shuffled_presentation_never_changes_the_grade(qa: tuple[Question, Any], position: int,
                                                       seeds: list[int]) -> None:
    q, answer = qa
    expected = grade(q, answer).score
    for seed in seeds:
        shown = present(q, random.Random(seed))
        form = shown_form(q, position, answer, shown)
        parsed = parse_answer(q, position, form)
        assert parsed == answer
        assert grade(q, parsed).score == expected


@st.composite
def reordered(draw: st.DrawFn) -> tuple[Question, Question, Any]:
    q = draw(questions(draw(st.sampled_from(["single", "multi", "match"]))))
    answer = draw(any_answers(q))
    if q.type == "match":
        other = replace(q, body=replace(q.body, lefts=tuple(draw(st.permutations(q.body.lefts))),
                                        rights=tuple(draw(st.permutations(q.body.rights))),
                                        pairs=tuple(draw(st.permutations(q.body.pairs)))))
    else:
        other = replace(q, body=replace(q.body, options=tuple(draw(st.permutations(q.body.options))),
                                        correct=tuple(draw(st.permutations(q.body.correct)))))
    return q, other, answer


@given(reordered())
def test_grade_does_not_depend_on_option_order(case: tuple[Question, Question, Any]) -> None:
    # Order questions are left out on purpose: their items' listed order *is* the key.
    q, other, answer = case
    assert grade(other, answer) == grade(q, answer)
    assert grade(other, key_answer(other)).score == 1.0
