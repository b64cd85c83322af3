"""The shipped course: lint-clean, practice shows every kind of question, the exam keeps give-aways apart."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resetlab.core.content import Catalog, load_catalog
from resetlab.core.content.lint import lint
from resetlab.core.content.lint.course_rules import give_aways
from resetlab.core.content.quality import lint_bank_record
from resetlab.core.selection import Purpose, draw_questions

from ..helpers import ROOT


@cache
def course() -> Catalog:
    return load_catalog(ROOT / "lessons", ROOT / "quizzes", root=ROOT)


def lesson_banks():
    return [b for b in course().banks.values() if b.pool == "bank"]


def test_the_shipped_course_has_no_warnings_and_no_lint_findings():
    assert course().warnings == ()
    assert lint([lint_bank_record(b) for b in course().banks.values()]) == []


LESSON_BANKS = ["what-is-a-reset", "clinton-yeltsin", "bush-putin", "obama-medvedev", "trump-biden",
                "fourth-reset", "why-resets-fail"]


def test_the_lesson_banks_are_the_ones_checked_below():
    assert sorted(b.slug for b in lesson_banks()) == sorted(LESSON_BANKS)


@pytest.mark.parametrize("slug", LESSON_BANKS)
def test_practice_shows_ordering_matching_and_numeric_and_assessment_keeps_a_full_draw(slug):
    bank = course().bank(slug)
    practice = {q.type for q in bank.questions if not q.secure}
    assert {"order", "match", "numeric"} <= practice
    assert sum(q.secure for q in bank.questions) >= bank.draw == 8
    reasoning = sum(q.skill == "reasoning" for q in bank.questions)
    assert reasoning / len(bank.questions) >= 0.4


def test_every_cross_bank_give_away_is_a_conflict_of_the_final_exam():
    exam = course().bank("final-exam")
    records = [lint_bank_record(b) for b in course().banks.values()]
    home = {id(q): r.slug for r in records for q in r.items}
    pool = [q for r in records for q in r.items]
    pairs = {frozenset((a.id, b.id)) for a, b, _ in give_aways(pool, home)}
    assert pairs, "the course has cross-bank pairs for the draw to keep apart"
    for pair in pairs:
        a, b = sorted(pair)
        assert b in exam.conflicts[a] and a in exam.conflicts[b]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(list(Purpose)))
def test_a_final_exam_never_holds_two_questions_that_give_each_other_away(seed, purpose):
    exam = course().bank("final-exam")
    picked = draw_questions(exam, course().banks.values(), exam.draw, random.Random(seed), purpose)
    ids = {q.id for q in picked}
    assert len(ids) == exam.draw
    assert not any(ids & exam.conflicts.get(qid, frozenset()) for qid in ids)
    groups = [q.group for q in picked if q.group]
    assert len(groups) == len(set(groups))
