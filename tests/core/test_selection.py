"""Drawing questions for an attempt and shuffling the choices each one shows."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.content.model import Bank
from resetlab.core.questions import Question, present
from resetlab.core.selection import Purpose, available, draw_questions

from .strategies import catalog, choices, fixture_question, make_question, questions


def bank(slug: str, size: int, pool: str = "bank") -> Bank:
    """A bank of `size` single-choice questions with ids unique across banks."""
    qs = tuple(make_question("single", f"{slug}-{i}", options=choices(f"{slug}-{i}", ["a", "b"]),
                             correct=(choices(f"{slug}-{i}", ["a"])[0].id,)) for i in range(size))
    return Bank(slug=slug, title=slug, lesson=None if pool == "course" else slug, draw=size, pool=pool,
                questions=qs, path=f"quizzes/{slug}.toml")


@st.composite
def courses(draw: st.DrawFn) -> tuple[Bank, list[Bank]]:
    """An exam bank (pool "course", maybe empty) and the lesson banks around it, in any order."""
    lesson_sizes = draw(st.lists(st.integers(0, 8), min_size=0, max_size=6))
    exam = bank("exam", draw(st.integers(0, 4)), pool="course")
    lessons = [bank(f"l{i}", n) for i, n in enumerate(lesson_sizes)]
    everything = draw(st.permutations([exam, *lessons]))
    return exam, list(everything)


def source(q: Question, banks: list[Bank]) -> str:
    return next(b.slug for b in banks if q in b.questions)


@st.composite
def marked_banks(draw: st.DrawFn) -> Bank:
    """A bank whose questions are randomly secure or not and share a few exclusion groups."""
    size = draw(st.integers(1, 14))
    plain = bank("m", size)
    groups = st.sampled_from([None, None, "g1", "g2", "g3"])
    marked = tuple(replace(q, secure=draw(st.booleans()), group=draw(groups)) for q in plain.questions)
    return replace(plain, questions=marked)


@given(marked_banks(), st.integers(1, 14), st.integers(0, 10_000), st.sampled_from(list(Purpose)))
def test_one_attempt_never_holds_two_questions_of_a_group(b: Bank, count: int, seed: int, purpose) -> None:
    picked = draw_questions(b, [b], count, random.Random(seed), purpose)
    groups = [q.group for q in picked if q.group is not None]
    assert len(groups) == len(set(groups))
    assert len({q.id for q in picked}) == len(picked) <= count


@given(marked_banks(), st.integers(1, 14), st.integers(0, 10_000))
def test_practice_never_draws_a_secure_question(b: Bank, count: int, seed: int) -> None:
    picked = draw_questions(b, [b], count, random.Random(seed), Purpose.PRACTICE)
    assert not any(q.secure for q in picked)
    assert available(b, [b], Purpose.PRACTICE) == sum(1 for q in b.questions if not q.secure)


@given(marked_banks(), st.integers(1, 14), st.integers(0, 10_000))
def test_an_assessment_takes_secure_questions_first(b: Bank, count: int, seed: int) -> None:
    picked = draw_questions(b, [b], count, random.Random(seed), Purpose.ASSESSMENT)
    secure = [q.secure for q in picked]
    assert secure == sorted(secure, reverse=True)  # every secure question comes before any practice one
    ungrouped_secure = sum(1 for q in b.questions if q.secure and q.group is None)
    assert sum(secure) >= min(count, ungrouped_secure)


@st.composite
def conflicted_courses(draw: st.DrawFn) -> tuple[Bank, list[Bank], set[frozenset[str]]]:
    """A course whose exam bank lists random give-away conflicts between questions of two banks."""
    exam, banks = draw(courses())
    everything = [(b.slug, q) for b in banks for q in b.questions]
    pairs = draw(st.lists(st.tuples(st.sampled_from(everything), st.sampled_from(everything)), max_size=25)
                 ) if everything else []
    conflicts = {frozenset((a.id, b.id)) for (sa, a), (sb, b) in pairs if sa != sb}
    table: dict[str, set[str]] = {}
    for pair in conflicts:
        a, b = sorted(pair)
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    marked = [replace(b, questions=tuple(replace(q, secure=draw(st.booleans())) for q in b.questions))
              for b in banks]
    exam = next(b for b in marked if b.slug == "exam")
    exam = replace(exam, conflicts={k: frozenset(v) for k, v in table.items()})
    return exam, [exam if b.slug == "exam" else b for b in marked], conflicts


@given(conflicted_courses(), st.integers(0, 40), st.integers(), st.sampled_from(list(Purpose)))
def test_one_attempt_never_holds_two_questions_that_give_each_other_away(course, count, seed, purpose):
    exam, banks, conflicts = course
    picked = draw_questions(exam, banks, count, random.Random(seed), purpose)
    ids = [q.id for q in picked]
    assert len(set(ids)) == len(ids) <= count
    assert not any(pair <= set(ids) for pair in conflicts)
    if not conflicts:  # nothing to avoid: the draw is as large as the pool allows
        assert len(picked) == min(count, available(exam, banks, purpose))


def test_a_group_is_honoured_on_the_fixture_course_too() -> None:
    alpha = catalog().bank("alpha")
    grouped = replace(alpha, questions=tuple(replace(q, group="same") if q.type in ("order", "match") else q
                                             for q in alpha.questions))
    for seed in range(20):
        kinds = [q.type for q in draw_questions(grouped, [grouped], grouped.draw, random.Random(seed))]
        assert not {"order", "match"} <= set(kinds)


# --- fixture course --------------------------------------------------------------------------


def test_fixture_lesson_bank_draw() -> None:
    alpha = catalog().bank("alpha")
    picked = draw_questions(alpha, catalog().banks.values(), alpha.draw, random.Random(1))
    assert len(picked) == alpha.draw == 7
    # every question but the source excerpt (shown with alpha-tf) and the written answer
    assert {q.id for q in picked} == {q.id for q in alpha.questions} - {"alpha-source", "alpha-essay"}


def test_fixture_final_exam_takes_from_every_bank_and_keeps_give_aways_apart() -> None:
    exam = catalog().bank("final-exam")
    banks = list(catalog().banks.values())
    # exam-compare and alpha-order print "Ljubljana", the key of beta-city (another bank); the secure
    # beta-secure-why prints "the Ljubljana meeting", the key of exam-compare.
    assert dict(exam.conflicts) == {"beta-city": {"exam-compare", "alpha-order"},
                                    "exam-compare": {"beta-city", "beta-secure-why"},
                                    "alpha-order": {"beta-city"}, "beta-secure-why": {"exam-compare"}}
    assert all(not b.conflicts for b in banks if b.pool == "bank")
    sources: Counter[str] = Counter()
    for seed in range(30):
        picked = draw_questions(exam, banks, exam.draw, random.Random(seed))
        assert len(picked) == exam.draw == 4
        ids = {q.id for q in picked}
        assert len(ids) == 4
        assert "beta-city" not in ids or not ids & {"exam-compare", "alpha-order"}
        assert not {"exam-compare", "beta-secure-why"} <= ids
        assert {"alpha", "beta"} <= {source(q, banks) for q in picked}
        sources.update(source(q, banks) for q in picked)
    assert sources["final-exam"] >= 5


# --- draw_questions --------------------------------------------------------------------------


@given(st.integers(0, 12), st.integers(0, 15), st.integers())
def test_bank_pool_draws_distinct_questions_from_the_bank_only(size: int, count: int, seed: int) -> None:
    own = bank("own", size)
    others = [bank("other", 5), bank("exam", 3, pool="course")]
    picked = draw_questions(own, [own, *others], count, random.Random(seed))
    assert len(picked) == min(count, size)
    assert len({q.id for q in picked}) == len(picked)
    assert all(q in own.questions for q in picked)


@given(courses(), st.integers(0, 40), st.integers())
def test_course_pool_spreads_across_banks(course: tuple[Bank, list[Bank]], count: int, seed: int) -> None:
    exam, banks = course
    lessons = [b for b in banks if b.pool == "bank"]
    pool_size = len(exam.questions) + sum(len(b.questions) for b in lessons)
    picked = draw_questions(exam, banks, count, random.Random(seed))
    assert len(picked) == min(count, pool_size)
    assert len({q.id for q in picked}) == len(picked)
    from_bank = Counter(source(q, banks) for q in picked)
    nonempty = [b for b in banks if b.questions]
    if len(nonempty) >= 3 and count >= len(nonempty):
        assert set(from_bank) == {b.slug for b in nonempty}
    # evenly: a bank only falls more than one behind another once it has run out of questions
    for low in nonempty:
        for high in nonempty:
            if from_bank[high.slug] - from_bank[low.slug] > 1:
                assert from_bank[low.slug] == len(low.questions)


def test_course_pool_gives_no_bank_a_standing_advantage() -> None:
    # Fewer questions than banks: which banks get one must vary from attempt to attempt.
    exam = bank("exam", 0, "course")
    lessons = [bank("small", 1), bank("mid", 3), bank("big", 6), bank("huge", 9)]
    seen: Counter[str] = Counter()
    for seed in range(80):
        picked = draw_questions(exam, [exam, *lessons], 2, random.Random(seed))
        assert len({source(q, lessons) for q in picked}) == 2
        seen.update(source(q, lessons) for q in picked)
    assert set(seen) == {"small", "mid", "big", "huge"}
    assert min(seen.values()) >= 20


def test_course_pool_ignores_other_course_pools() -> None:
    exam, other_exam, lesson = bank("exam", 2, "course"), bank("mock", 5, "course"), bank("l", 5)
    picked = draw_questions(exam, [exam, other_exam, lesson], 20, random.Random(0))
    assert len(picked) == 7
    assert not any(q in other_exam.questions for q in picked)


@given(courses(), st.integers(0, 30), st.integers())
def test_draw_is_deterministic_for_a_seed(course: tuple[Bank, list[Bank]], count: int, seed: int) -> None:
    exam, banks = course
    first = draw_questions(exam, banks, count, random.Random(seed))
    assert draw_questions(exam, banks, count, random.Random(seed)) == first


def test_different_seeds_draw_differently() -> None:
    own = bank("own", 20)
    draws = {tuple(q.id for q in draw_questions(own, [own], 5, random.Random(seed))) for seed in range(20)}
    assert len(draws) > 10


def test_draw_leaves_the_bank_untouched() -> None:
    own = bank("own", 6)
    before = own.questions
    draw_questions(own, [own], 3, random.Random(0))
    assert own.questions == before


# --- present ---------------------------------------------------------------------------------


def shown_ids(q: Question) -> list[str]:
    return {"single": lambda: [c.id for c in q.body.options], "multi": lambda: [c.id for c in q.body.options],
            "order": lambda: [c.id for c in q.body.items], "match": lambda: [c.id for c in q.body.rights]
            }.get(q.type, list)()


@given(questions(), st.integers())
def test_present_is_a_permutation_of_the_choices(q: Question, seed: int) -> None:
    shown = present(q, random.Random(seed))
    assert sorted(shown) == sorted(shown_ids(q))
    assert present(q, random.Random(seed)) == shown


@pytest.mark.parametrize("qtype", ["truefalse", "text", "numeric"])
def test_present_is_empty_without_choices(qtype: str) -> None:
    assert present(fixture_question(qtype), random.Random(0)) == ()


@given(questions("order"), st.integers(2, 6), st.integers())
def test_present_never_shows_order_items_in_the_key_order(q: Question, size: int, seed: int) -> None:
    items = (q.body.items + choices(q.id, ["extra one", "extra two", "extra three"]))[:size]
    q = replace(q, body=replace(q.body, items=items))
    shown = present(q, random.Random(seed))
    assert sorted(shown) == sorted(c.id for c in items)
    assert list(shown) != [c.id for c in items]


@pytest.mark.parametrize("qtype", ["single", "multi", "order", "match"])
def test_present_really_shuffles(qtype: str) -> None:
    q = fixture_question(qtype)
    layouts = {present(q, random.Random(seed)) for seed in range(60)}
    assert len(layouts) >= 3
