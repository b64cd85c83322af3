"""Item analysis (facility, discrimination, option shares, advice) and score histograms."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.content import Rules, load_catalog
from resetlab.core.item_analysis import (
    ADVICE,
    EASY_FACILITY,
    IMPLAUSIBLE_SHARE,
    LOW_DISCRIMINATION,
    MIN_ANSWERS_FOR_ADVICE,
    POPULAR_WRONG_SHARE,
    VERY_HARD_FACILITY,
    ItemStats,
    OptionShare,
    ResponseRow,
    advise,
    item_analysis,
    score_histogram,
)
from resetlab.core.questions import Question

from ..helpers import CONTENT, ROOT


@cache
def alpha() -> dict[str, Question]:
    """The alpha bank of the fixture course (one question of each type), by id in authored order."""
    catalog = load_catalog(CONTENT / "lessons", CONTENT / "quizzes",
                           Rules(min_questions=3, min_words=10, max_words=5000))
    return {q.id: q for q in catalog.bank("alpha").questions}


def option(qid: str, text: str) -> str:
    """The id of the option of question `qid` with this text."""
    return next(c.id for c in alpha()[qid].body.options if c.text == text)


def stats_for(result: list[ItemStats], qid: str) -> ItemStats:
    return next(s for s in result if s.question_id == qid)


def single_rows(picks: list[str], scores: list[float] | None = None) -> list[ResponseRow]:
    """One alpha-single row per pick; students are numbered from 1; scored 1 when the pick is right."""
    right = option("alpha-single", "peregruzka")
    return [ResponseRow(i, "alpha-single", (1.0 if p == right else 0.0) if scores is None else scores[i - 1],
                        (p,))
            for i, p in enumerate(picks, start=1)]


# --- concrete examples -----------------------------------------------------------------------

def test_perfectly_discriminating_item_gets_one():
    # Students 1–5 did well overall and got the item right; 6–10 did badly and got it wrong.
    totals = {sid: 90.0 if sid <= 5 else 10.0 for sid in range(1, 11)}
    rows = [ResponseRow(sid, "alpha-text", 1.0 if sid <= 5 else 0.0, ()) for sid in totals]
    [item] = item_analysis(rows, totals, alpha())
    assert item.discrimination == 1.0
    assert item.facility == 0.5
    assert item.n == 10
    assert item.qtype == "text"
    assert item.prompt == alpha()["alpha-text"].prompt
    assert item.options == ()
    assert item.flag is None


def test_upper_and_lower_groups_are_27_percent():
    # 10 students → groups of 3 (round(2.7)). Only the 3rd best and 3rd worst differ from the rest.
    totals = {sid: float(100 - sid) for sid in range(1, 11)}
    scores = {1: 1.0, 2: 1.0, 3: 0.0, 4: 1.0, 5: 1.0, 6: 0.0, 7: 0.0, 8: 1.0, 9: 0.0, 10: 0.0}
    rows = [ResponseRow(sid, "alpha-tf", s, ()) for sid, s in scores.items()]
    [item] = item_analysis(rows, totals, alpha())
    assert item.discrimination == pytest.approx(2 / 3 - 1 / 3)


def test_ties_in_totals_are_broken_by_student_id():
    # Everyone has the same total: the upper group is the lowest ids, the lower group the highest.
    totals = dict.fromkeys(range(1, 7), 50.0)
    rows = [ResponseRow(sid, "alpha-tf", 1.0 if sid == 1 else 0.0, ()) for sid in range(6, 0, -1)]
    [item] = item_analysis(rows, totals, alpha())
    # 6 students → groups of 2: {1, 2} and {5, 6}.
    assert item.discrimination == 0.5


def rules_of(item: ItemStats) -> list[str]:
    return [a.rule for a in item.advice]


def test_negative_discrimination_advises_checking_the_key():
    totals = {sid: float(sid) for sid in range(1, 11)}  # higher id, better student
    rows = [ResponseRow(sid, "alpha-year", 1.0 if sid <= 6 else 0.0, ()) for sid in totals]
    [item] = item_analysis(rows, totals, alpha())
    assert item.discrimination == -1.0
    assert rules_of(item) == ["check-key"]
    assert item.flag == "Negative discrimination (-1.00, 10 students): check the key"


def test_popular_wrong_option_is_a_misconception_to_teach():
    right, wrong = option("alpha-single", "peregruzka"), option("alpha-single", "perestroika")
    [item] = item_analysis(single_rows([right] * 6 + [wrong] * 4), {}, alpha())
    assert item.facility == pytest.approx(0.6)
    # Nobody chose the other two distractors: implausible.
    assert rules_of(item) == ["popular-distractor", "implausible-distractor", "implausible-distractor"]
    assert item.flag == "Popular wrong option “perestroika” (40%, 4 of 10): a misconception to teach"
    assert "“perezagruzka” chosen by 0% (0 of 10): implausible, replace it" in item.advice[1].message


def test_wrong_option_chosen_more_than_the_key_is_a_misconception_or_a_miskey():
    texts = ["peregruzka"] * 4 + ["perezagruzka"] * 5 + ["perestroika"] * 5 + ["glasnost"] * 5
    picks = [option("alpha-single", t) for t in texts]
    [item] = item_analysis(single_rows(picks), {}, alpha())
    assert max(o.share for o in item.options if not o.correct) < 0.30
    assert rules_of(item) == ["misconception"] * 3 + ["very-hard"]
    # Equally popular wrong options: authored order.
    assert item.flag == ("“perezagruzka” (26%, 5 of 19) is chosen more than the key (4): a misconception "
                         "to teach, or a miskey")


def test_a_wrong_option_chosen_now_and_then_is_neither_popular_nor_implausible():
    picks = [option("alpha-single", t) for t in
             ["peregruzka"] * 14 + ["glasnost"] * 2 + ["perezagruzka"] * 2 + ["perestroika"] * 2]
    [item] = item_analysis(single_rows(picks), {}, alpha())
    assert item.advice == ()
    assert item.flag is None


def test_very_hard_item_is_flagged():
    rows = [ResponseRow(sid, "alpha-text", 1.0 if sid <= 2 else 0.0, ()) for sid in range(1, 11)]
    [item] = item_analysis(rows, {}, alpha())
    assert item.facility == pytest.approx(0.2)
    assert item.flag == "Very hard (facility 0.20, 10 students): check the wording, the key and the lesson"


def test_too_easy_and_not_discriminating_advises_revise_or_retire():
    totals = {sid: float(sid) for sid in range(1, 21)}
    rows = [ResponseRow(sid, "alpha-tf", 0.0 if sid == 20 else 1.0, ()) for sid in totals]  # best one missed
    [item] = item_analysis(rows, totals, alpha())
    assert item.facility == pytest.approx(0.95)
    assert rules_of(item) == ["check-key", "too-easy"]
    assert item.advice[1].message.endswith("20 students): revise it or retire it")


def test_too_few_answers_give_no_advice_however_odd_the_figures():
    totals = {sid: float(sid) for sid in range(1, MIN_ANSWERS_FOR_ADVICE)}
    rows = [ResponseRow(sid, "alpha-year", 1.0 if sid <= 3 else 0.0, ()) for sid in totals]
    [item] = item_analysis(rows, totals, alpha())
    assert item.discrimination is not None and item.discrimination < 0
    assert not item.enough_answers and item.advice == () and item.flag is None


def test_option_shares_follow_authored_order_and_key():
    q = alpha()["alpha-single"]
    picks = [option("alpha-single", t) for t in ["peregruzka", "peregruzka", "peregruzka", "glasnost"]]
    [item] = item_analysis(single_rows(picks), {}, alpha())
    assert [o.option_id for o in item.options] == [c.id for c in q.body.options]
    assert item.options[0] == OptionShare(option_id=q.body.options[0].id, text="peregruzka", share=0.75,
                                          correct=True, count=3)
    assert [o.correct for o in item.options] == [True, False, False, False]
    assert [o.count for o in item.options] == [3, 0, 0, 1]


def test_multi_shares_count_each_student_once_per_option():
    latin, overload, cyrillic = (option("alpha-multi", t) for t in
                                 ["It was in Latin letters", "It said overload", "It was in Cyrillic"])
    rows = [ResponseRow(1, "alpha-multi", 1.0, (latin, overload)),
            ResponseRow(2, "alpha-multi", 0.5, (latin, cyrillic, cyrillic)),
            ResponseRow(3, "alpha-multi", 0.0, ())]  # blank: no share in the option counts
    [item] = item_analysis(rows, {}, alpha())
    shares = {o.text: (o.count, o.share, o.correct) for o in item.options}
    assert shares == {"It was in Latin letters": (2, 1.0, True), "It said overload": (1, 0.5, True),
                      "It was in Cyrillic": (1, 0.5, False), "It was in Moscow": (0, 0.0, False)}
    assert item.n == 3
    assert item.facility == pytest.approx(0.5)


def test_unknown_option_ids_are_ignored():
    right = option("alpha-single", "peregruzka")
    [item] = item_analysis(single_rows([right, "c-retired"]), {}, alpha())
    assert sum(o.count for o in item.options) == 1


def test_items_follow_question_order_and_skip_unanswered_and_unknown():
    rows = [ResponseRow(1, "alpha-match", 1.0, ()), ResponseRow(1, "no-such-question", 1.0, ()),
            ResponseRow(1, "alpha-single", 1.0, (option("alpha-single", "peregruzka"),)),
            ResponseRow(2, "alpha-match", 0.0, ())]
    result = item_analysis(rows, {1: 2.0, 2: 0.0}, alpha())
    assert [s.question_id for s in result] == ["alpha-single", "alpha-match"]
    assert [s.qtype for s in result] == ["single", "match"]


def test_a_later_row_replaces_an_earlier_one_for_the_same_student():
    rows = [ResponseRow(1, "alpha-tf", 0.0, ()), ResponseRow(1, "alpha-tf", 1.0, ())]
    [item] = item_analysis(rows, {}, alpha())
    assert (item.n, item.facility) == (1, 1.0)


def test_stray_scores_are_clamped():
    rows = [ResponseRow(1, "alpha-tf", 1.5, ()), ResponseRow(2, "alpha-tf", -0.5, ()),
            ResponseRow(3, "alpha-tf", math.nan, ())]
    [item] = item_analysis(rows, {}, alpha())
    assert item.facility == pytest.approx(1 / 3)


def test_forty_thousand_rows_agree_with_a_plain_recount():
    """A class-sized input (speed is measured by `make bench`, never by a timed test)."""
    rng = random.Random(7)
    questions = alpha()
    qids = list(questions)
    rows = []
    for sid in range(40_000 // len(qids) + 1):
        for qid in qids:
            options = [c for c, _ in questions[qid].kind.analysed_options(questions[qid])]
            chosen = (rng.choice(options).id,) if options else ()
            rows.append(ResponseRow(sid, qid, rng.random(), chosen))
    rows = rows[:40_000]
    totals = {sid: rng.random() * 100 for sid in range(len(rows))}
    result = {item.question_id: item for item in item_analysis(rows, totals, questions)}
    assert set(result) == set(qids)
    for qid in qids:
        scores = [r.score for r in rows if r.question_id == qid]
        assert result[qid].n == len(scores)
        assert result[qid].facility == pytest.approx(sum(scores) / len(scores))


# --- properties ------------------------------------------------------------------------------

@st.composite
def responses(draw: st.DrawFn) -> tuple[list[ResponseRow], dict[int, float]]:
    """Rows for the alpha bank from up to 30 students, with realistic choices, and their totals."""
    questions = alpha()
    students = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=30, unique=True))
    rows = []
    for sid in students:
        for qid in draw(st.lists(st.sampled_from(list(questions)), max_size=7, unique=True)):
            q = questions[qid]
            ids = [c.id for c, _ in q.kind.analysed_options(q)]
            if q.type == "single":
                chosen: tuple[str, ...] = (draw(st.sampled_from(ids)),)
            elif q.type == "multi":
                chosen = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)))
            else:
                chosen = ()
            rows.append(ResponseRow(sid, qid, draw(st.floats(0, 1)), chosen))
    totals = {sid: draw(st.floats(0, 100)) for sid in students if draw(st.booleans())}
    return rows, totals


@given(responses())
def test_statistics_stay_in_range(data):
    rows, totals = data
    for item in item_analysis(rows, totals, alpha()):
        assert 0.0 <= item.facility <= 1.0
        assert item.discrimination is None or -1.0 <= item.discrimination <= 1.0
        assert item.n >= 1
        assert all(0.0 <= o.share <= 1.0 for o in item.options)


@given(responses())
def test_single_choice_shares_sum_to_one(data):
    rows, totals = data
    for item in item_analysis(rows, totals, alpha()):
        if item.qtype == "single":
            assert math.isclose(sum(o.share for o in item.options), 1.0)
            assert sum(o.count for o in item.options) == item.n


@given(responses(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(data, rng):
    rows, totals = data
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert item_analysis(shuffled, totals, alpha()) == item_analysis(rows, totals, alpha())


# --- advice: properties -----------------------------------------------------------------------

@st.composite
def item_stats(draw: st.DrawFn) -> ItemStats:
    """Statistics an item could have: consistent counts, any facility and discrimination."""
    n = draw(st.integers(1, 60))
    options: tuple[OptionShare, ...] = ()
    answered = 0
    if draw(st.booleans()):
        answered = draw(st.integers(0, n))
        size = draw(st.integers(2, 5))
        keys = draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=size - 1))
        counts = [draw(st.integers(0, answered)) for _ in range(size)]
        options = tuple(OptionShare(f"o{i}", f"option {i}", c / answered if answered else 0.0, i in keys, c)
                        for i, c in enumerate(counts))
    discrimination = draw(st.none() | st.floats(-1, 1))
    return ItemStats("q", "Which?", "single" if options else "text", n, draw(st.floats(0, 1)), discrimination,
                     options, ranked=n if discrimination is not None else 0, answered=answered)


def expected_rules(item: ItemStats) -> list[str]:
    """The advice rules whose documented conditions hold, restated from docs/item-analysis.md."""
    if item.n < MIN_ANSWERS_FOR_ADVICE:
        return []
    key = max((o.count for o in item.options if o.correct), default=0)
    wrong = [o for o in item.options if not o.correct]
    d = item.discrimination
    return (["check-key"] * (d is not None and d < 0)
            + ["misconception"] * sum(o.count > key for o in wrong)
            + ["popular-distractor"] * sum(o.share >= POPULAR_WRONG_SHARE and o.count <= key for o in wrong)
            + ["very-hard"] * (item.facility < VERY_HARD_FACILITY)
            + ["too-easy"] * (item.facility >= EASY_FACILITY and d is not None and d < LOW_DISCRIMINATION)
            + ["implausible-distractor"] * sum(item.answered > 0 and o.share < IMPLAUSIBLE_SHARE
                                               for o in wrong))


@given(item_stats())
def test_advice_fires_exactly_when_its_stated_condition_holds(item: ItemStats) -> None:
    assert rules_of(replace(item, advice=advise(item))) == expected_rules(item)


@given(item_stats())
def test_advice_never_fires_below_the_minimum_sample(item: ItemStats) -> None:
    small = replace(item, n=min(item.n, MIN_ANSWERS_FOR_ADVICE - 1))
    assert advise(small) == ()


@given(responses())
def test_every_advice_names_a_registered_rule_and_the_flag_is_the_first(data):
    rows, totals = data
    for item in item_analysis(rows, totals, alpha()):
        assert all(a.rule in ADVICE and a.message for a in item.advice)
        assert item.flag == (item.advice[0].message if item.advice else None)


def test_every_advice_rule_is_documented_with_its_threshold():
    page = (ROOT / "docs" / "item-analysis.md").read_text(encoding="utf-8")
    for rule in ADVICE.values():
        assert f"`{rule.id}`" in page and rule.condition in page


# --- histogram -------------------------------------------------------------------------------

def test_histogram_labels_and_edges():
    result = score_histogram([0.0, 0.09, 0.1, 0.29, 0.3, 0.999, 1.0])
    assert [label for label, _ in result] == [f"{i}–{i + 9}%" for i in range(0, 90, 10)] + ["90–100%"]
    assert dict(result) == {"0–9%": 2, "10–19%": 1, "20–29%": 1, "30–39%": 1, "40–49%": 0, "50–59%": 0,
                            "60–69%": 0, "70–79%": 0, "80–89%": 0, "90–100%": 2}


def test_histogram_other_bin_counts():
    assert score_histogram([0.5, 1.0], bins=4) == [("0–24%", 0), ("25–49%", 0), ("50–74%", 1),
                                                    ("75–100%", 1)]
    assert score_histogram([0.2], bins=1) == [("0–100%", 1)]
    assert [label for label, _ in score_histogram([], bins=3)] == ["0–33%", "34–66%", "67–100%"]


def test_histogram_clamps_strays_and_ignores_nan():
    assert dict(score_histogram([-0.5, 1.5, math.nan])) == {**{f"{i}–{i + 9}%": 0 for i in range(0, 90, 10)},
                                                            "0–9%": 1, "90–100%": 1}


def test_histogram_needs_a_bin():
    with pytest.raises(ValueError):
        score_histogram([0.5], bins=0)


@given(st.lists(st.floats(0, 1)), st.integers(1, 40))
def test_histogram_counts_every_score_once(scores, bins):
    result = score_histogram(scores, bins)
    assert len(result) == bins
    assert sum(count for _, count in result) == len(scores)


@given(st.integers(0, 100), st.sampled_from([1, 2, 3, 4, 5, 7, 10, 20, 25, 100]))
def test_histogram_puts_whole_percentages_in_the_band_their_label_names(percent, bins):
    [(label, _)] = [(label, n) for label, n in score_histogram([percent / 100], bins) if n]
    low, high = label.rstrip("%").split("–")
    assert int(low) <= percent <= int(high)
