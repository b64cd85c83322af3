"""Parsing submitted form values into canonical answers, JSON round trips, and answers in words."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resetlab.core.questions import (
    AnswerProblem,
    Question,
    TamperedAnswer,
    describe,
    describe_key,
    field_name,
    form_values,
    from_json,
    key_answer,
    opaque_ids,
    parse_answer,
    to_json,
)
from resetlab.core.questions.types.text import MAX_TEXT

from .strategies import (
    ANSWERABLE,
    NUMBER_TEXT,
    fixture_question,
    make_question,
    question_and_answer,
    questions,
)

POS = 3


def parse(q: Question, form: dict[str, list[str]], position: int = POS) -> Any:
    return parse_answer(q, position, form)


def order_form(q: Question, *positions: str) -> dict[str, list[str]]:
    return {field_name(POS, item.id): [p] for item, p in zip(q.body.items, positions, strict=True)}


def test_field_names() -> None:
    assert field_name(3) == "a3"
    assert field_name(3, "c1234") == "a3-c1234"


# --- single ----------------------------------------------------------------------------------


def test_single() -> None:
    q = fixture_question("single")
    second = q.body.options[1].id
    assert parse(q, {"a3": [second]}) == second
    assert parse(q, {"a3": [f"  {second} "]}) == second
    assert parse(q, {"a3": [second]}, position=4) is None  # another question's field is not ours
    assert parse(q, {"a4": [second]}) is None


@pytest.mark.parametrize("values", [["c00000000"], ["peregruzka"], ["0"]])
def test_single_unknown_option_is_tampering(values: list[str]) -> None:
    with pytest.raises(TamperedAnswer, match="not an option"):
        parse(fixture_question("single"), {"a3": values})


def test_single_sent_twice_is_tampering() -> None:
    q = fixture_question("single")
    with pytest.raises(TamperedAnswer, match="more than once"):
        parse(q, {"a3": [q.body.options[0].id, q.body.options[0].id]})
    with pytest.raises(TamperedAnswer):
        parse(q, {"a3": [q.body.options[0].id, q.body.options[1].id]})


# --- multi -----------------------------------------------------------------------------------


def test_multi() -> None:
    q = fixture_question("multi")
    a, b, c, _ = (o.id for o in q.body.options)
    assert parse(q, {"a3": [c, a]}) == frozenset({a, c})
    assert parse(q, {"a3": [b]}) == frozenset({b})
    assert parse(q, {"a3": [" ", a]}) == frozenset({a})


def test_multi_tampering() -> None:
    q = fixture_question("multi")
    a = q.body.options[0].id
    with pytest.raises(TamperedAnswer):
        parse(q, {"a3": [a, "c00000000"]})
    with pytest.raises(TamperedAnswer):
        parse(q, {"a3": [a, a]})
    with pytest.raises(TamperedAnswer):  # an option of another question
        parse(q, {"a3": [fixture_question("single").body.options[0].id]})


# --- truefalse -------------------------------------------------------------------------------


def test_truefalse() -> None:
    q = fixture_question("truefalse")
    assert parse(q, {"a3": ["true"]}) is True
    assert parse(q, {"a3": ["false"]}) is False
    assert parse(q, {"a3": [" false "]}) is False


@pytest.mark.parametrize("values", [["yes"], ["1"], ["True"], ["true", "false"], ["true", "true"]])
def test_truefalse_tampering(values: list[str]) -> None:
    with pytest.raises(TamperedAnswer):
        parse(fixture_question("truefalse"), {"a3": values})


# --- text ------------------------------------------------------------------------------------


def test_text() -> None:
    q = fixture_question("text")
    assert parse(q, {"a3": ["  Перезагрузка  "]}) == "Перезагрузка"
    assert parse(q, {"a3": ["x" * MAX_TEXT]}) == "x" * MAX_TEXT
    assert parse(q, {"a3": ["  " + "x" * MAX_TEXT + "  "]}) == "x" * MAX_TEXT


def test_text_too_long_is_a_problem_to_fix() -> None:
    with pytest.raises(AnswerProblem, match=f"under {MAX_TEXT} characters"):
        parse(fixture_question("text"), {"a3": ["x" * (MAX_TEXT + 1)]})


def test_text_sent_twice_is_tampering() -> None:
    with pytest.raises(TamperedAnswer):
        parse(fixture_question("text"), {"a3": ["a", "b"]})


# --- numeric ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "value"), [
    ("2010", 2010.0), (" 2010 ", 2010.0), ("2,010", 2010.0), ("2 010", 2010.0), ("-3.5", -3.5),
    ("0", 0.0), ("1e3", 1000.0), ("1234567", 1234567.0), ("0.125", 0.125),
])
def test_numeric(typed: str, value: float) -> None:
    parsed = parse(fixture_question("numeric"), {"a3": [typed]})
    assert parsed == value
    assert isinstance(parsed, float)


@pytest.mark.parametrize("typed", [
    "twenty ten", "2010s", "20-10", "1.2.3", "nan", "inf", "-Infinity", "1e999", "1" * 21, "0x7DA", "$2010",
])
def test_numeric_not_a_number_is_a_problem_to_fix(typed: str) -> None:
    with pytest.raises(AnswerProblem, match="Enter a number"):
        parse(fixture_question("numeric"), {"a3": [typed]})


# --- order -----------------------------------------------------------------------------------


def test_order() -> None:
    q = fixture_question("order")
    a, b, c = (i.id for i in q.body.items)
    assert parse(q, order_form(q, "1", "2", "3")) == (a, b, c)
    assert parse(q, order_form(q, "3", "1", "2")) == (b, c, a)
    assert parse(q, order_form(q, " 2", "3 ", "1")) == (c, a, b)


def test_order_all_blank_is_no_answer() -> None:
    q = fixture_question("order")
    assert parse(q, order_form(q, "", "", "")) is None
    assert parse(q, {}) is None


@pytest.mark.parametrize("positions", [("1", "", ""), ("", "2", "3"), ("3", "1", " ")])
def test_order_partly_filled_is_a_problem_to_fix(positions: tuple[str, ...]) -> None:
    q = fixture_question("order")
    with pytest.raises(AnswerProblem, match="every item a position"):
        parse(q, order_form(q, *positions))


@pytest.mark.parametrize("positions", [("1", "1", "2"), ("3", "3", "3"), ("2", "1", "2")])
def test_order_shared_position_is_a_problem_to_fix(positions: tuple[str, ...]) -> None:
    q = fixture_question("order")
    with pytest.raises(AnswerProblem, match="Use each position once"):
        parse(q, order_form(q, *positions))


@pytest.mark.parametrize("bad", ["0", "4", "-1", "+1", "1.0", "x", "²", "½", "٣٣", "٣", "00001", "1" * 5000])
def test_order_position_out_of_range_is_tampering(bad: str) -> None:
    q = fixture_question("order")
    with pytest.raises(TamperedAnswer, match="not between 1 and 3"):
        parse(q, order_form(q, bad, "1", "2"))


ANY_VALUE = st.one_of(st.text(max_size=40), st.integers(0, 10**6).map(str),
                      st.integers(4000, 6000).map(lambda n: "1" * n))  # past int()'s digit limit


@given(questions(), st.data())
@example(fixture_question("order"), None)
def test_any_values_under_a_questions_field_names_parse_or_are_refused(q: Question, data) -> None:
    """Whatever a form sends under the question's own field names (any text, huge numbers), parsing
    gives an answer or refuses it as a problem or tampering: nothing else escapes to become a 500."""
    names = list(form_values(q, POS, key_answer(q)))
    draw = data.draw if data is not None else (lambda strategy: "1" * 5000)
    form = {name: [draw(ANY_VALUE)] for name in names}
    try:
        parse(q, form)
    except (AnswerProblem, TamperedAnswer):
        pass


def test_order_position_sent_twice_is_tampering() -> None:
    q = fixture_question("order")
    form = order_form(q, "1", "2", "3")
    form[field_name(POS, q.body.items[0].id)] = ["1", "1"]
    with pytest.raises(TamperedAnswer):
        parse(q, form)


# --- match -----------------------------------------------------------------------------------


def test_match() -> None:
    q = fixture_question("match")
    (l1, r1), (l2, r2), (l3, r3) = q.body.pairs
    full = {field_name(POS, l1): [r1], field_name(POS, l2): [r3], field_name(POS, l3): [r3]}
    assert parse(q, full) == {l1: r1, l2: r3, l3: r3}
    assert parse(q, {field_name(POS, l2): [r2], field_name(POS, l3): [""]}) == {l2: r2}
    assert parse(q, {field_name(POS, l1): [""]}) is None
    assert parse(q, {}) is None


@pytest.mark.parametrize("value", ["c00000000", "reset", "LEFT"])
def test_match_unknown_choice_is_tampering(value: str) -> None:
    q = fixture_question("match")
    if value == "LEFT":  # a left-hand id is not a right-hand choice
        value = q.body.lefts[1].id
    with pytest.raises(TamperedAnswer, match="not a choice"):
        parse(q, {field_name(POS, q.body.lefts[0].id): [value]})


# --- blanks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("qtype", ANSWERABLE)
@pytest.mark.parametrize("blank", [{}, {"a3": []}, {"a3": [""]}, {"a3": ["   "]}])
def test_blank_is_no_answer(qtype: str, blank: dict[str, list[str]]) -> None:
    assert parse(fixture_question(qtype), blank) is None


# --- round trips -----------------------------------------------------------------------------


@given(question_and_answer())
def test_json_round_trip(qa: tuple[Question, Any]) -> None:
    q, answer = qa
    stored = json.loads(json.dumps(to_json(q, answer), ensure_ascii=False))
    assert from_json(q, stored) == answer
    assert type(from_json(q, stored)) is type(answer)


@pytest.mark.parametrize("qtype", ANSWERABLE)
def test_json_of_no_answer(qtype: str) -> None:
    q = fixture_question(qtype)
    assert to_json(q, None) is None
    assert from_json(q, None) is None
    assert form_values(q, POS, None) == {}


@given(question_and_answer(), st.integers(1, 40))
def test_form_values_round_trip(qa: tuple[Question, Any], position: int) -> None:
    q, answer = qa
    assert parse_answer(q, position, form_values(q, position, answer)) == answer


@given(questions("numeric"), NUMBER_TEXT)
@example(make_question("numeric", number=1.0), "1234567")
@example(make_question("numeric", number=1.0), "0.1234567")
def test_refilling_a_typed_number_keeps_its_value(q: Question, typed: str) -> None:
    value = parse(q, {"a3": [typed]})
    refill = form_values(q, POS, value)
    assert parse(q, refill) == value


def test_refilled_numbers_read_naturally() -> None:
    q = fixture_question("numeric")
    assert form_values(q, POS, 2010.0) == {"a3": ["2010"]}
    assert form_values(q, POS, -3.5) == {"a3": ["-3.5"]}
    assert form_values(q, POS, 1234567.0) == {"a3": ["1234567"]}


def test_form_values_shapes() -> None:
    multi = fixture_question("multi")
    a, b = multi.body.options[0].id, multi.body.options[1].id
    assert form_values(multi, POS, frozenset({b, a})) == {"a3": sorted([a, b])}
    assert form_values(fixture_question("truefalse"), POS, False) == {"a3": ["false"]}
    order = fixture_question("order")
    x, y, z = (i.id for i in order.body.items)
    assert form_values(order, POS, (z, x, y)) == {f"a3-{z}": ["1"], f"a3-{x}": ["2"], f"a3-{y}": ["3"]}


# --- in words --------------------------------------------------------------------------------


def test_describe_gives_option_texts() -> None:
    single = fixture_question("single")
    assert describe(single, single.body.options[2].id) == "perestroika"
    multi = fixture_question("multi")
    ids = [o.id for o in multi.body.options]
    # listed in the question's order, whatever order they were ticked in
    assert describe(multi, frozenset({ids[2], ids[0]})) == "It was in Latin letters; It was in Cyrillic"
    assert describe(fixture_question("truefalse"), False) == "False"
    assert describe(fixture_question("text"), "Perezagruzka!") == "Perezagruzka!"
    assert describe(fixture_question("numeric"), 2009.0) == "2009"  # the unit "year" goes unsaid
    order = fixture_question("order")
    a, b, c = (i.id for i in order.body.items)
    assert describe(order, (c, a, b)) == "Treaty signed → Meeting in Ljubljana → Button in Geneva"
    match = fixture_question("match")
    (l1, _), (l2, r2), _ = match.body.pairs
    assert describe(match, {l1: r2, l2: match.body.rights[3].id}) == \
        "perezagruzka → overload; peregruzka → openness; perestroika → —"


@pytest.mark.parametrize("qtype", ANSWERABLE)
def test_describe_no_answer(qtype: str) -> None:
    assert describe(fixture_question(qtype), None) == "No answer"


def test_describe_numeric_with_a_unit() -> None:
    q = make_question("numeric", number=1550.0, unit="warheads")
    assert describe(q, 1550.0) == "1550 (warheads)"
    assert describe(q, 1234567.0) == "1234567 (warheads)"


def test_describe_key_gives_the_right_answer_in_words() -> None:
    assert describe_key(fixture_question("single")) == "peregruzka"
    assert describe_key(fixture_question("multi")) == "It was in Latin letters; It said overload"
    assert describe_key(fixture_question("truefalse")) == "True"
    assert describe_key(fixture_question("text")) == "perezagruzka or перезагрузка"
    assert describe_key(fixture_question("numeric")) == "2010"
    assert describe_key(fixture_question("order")) == \
        "Meeting in Ljubljana → Button in Geneva → Treaty signed"
    assert describe_key(fixture_question("match")) == \
        "perezagruzka → reset; peregruzka → overload; perestroika → restructuring"


def test_describe_key_numeric_tolerance() -> None:
    q = fixture_question("numeric")
    q = replace(q, body=replace(q.body, tolerance=1.0))
    assert describe_key(q) == "2010 (±1)"
    assert describe_key(make_question("numeric", number=146171015.0)) == "146171015"


@given(questions())
def test_describe_key_names_every_part_of_the_key(q: Question) -> None:
    words = describe_key(q)
    texts = {c.id: c.text for c in q.kind.choices(q)}
    if q.type == "text":
        assert words == " or ".join(q.body.accepted)
    elif q.type in ("single", "multi"):
        assert words == "; ".join(texts[c] for c in (o.id for o in q.body.options) if c in q.body.correct)
    elif q.type == "order":
        assert words == " → ".join(c.text for c in q.body.items)
    elif q.type == "match":
        assert words == "; ".join(f"{texts[left]} → {texts[right]}" for left, right in q.body.pairs)
    elif q.type == "numeric":
        assert words.startswith(describe(replace(q, body=replace(q.body, unit="")), key_answer(q)))
    else:
        assert words == describe(q, key_answer(q))


@given(questions(), st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_opaque_ids_are_the_keyed_hash_of_each_choice_and_differ_per_key(q: Question, key: bytes,
                                                                           other: bytes) -> None:
    names = opaque_ids(q, key)
    ids = [c.id for c in q.kind.choices(q)]
    # The names a page already shows must survive a deploy: the first 12 hex digits of HMAC-SHA256.
    assert names == {i: "o" + hmac.new(key, i.encode(), hashlib.sha256).hexdigest()[:12] for i in ids}
    assert len(set(names.values())) == len(ids)
    if key != other and ids:
        assert opaque_ids(q, other) != names
