"""Item analysis, advice and score distributions for instructors and authors (pure: no Flask, no database).

Statistics: facility (share of marks earned), discrimination (Kelley's upper minus lower 27%) and
option shares, computed from counts (`ItemCounts`: how many respondents scored what, in the upper and
lower groups, and picked which options) so they can be counted in Python from response rows
(`item_analysis`) or in SQL (the instructor dashboards) with the same result. Advice: one registry of
rules (`ADVICE`) that turn those statistics into what to do about an item, each naming the rule that
fired. The thresholds are the constants below; docs/item-analysis.md explains them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, repeat
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple

from .questions import Question

GROUP_FRACTION = 0.27  # Kelley's upper/lower 27% groups
MIN_STUDENTS_FOR_DISCRIMINATION = 6
MIN_ANSWERS_FOR_ADVICE = 10  # below this many answers to an item, no advice: "too few answers"
EASY_FACILITY = 0.90  # too-easy: facility at or above this ...
LOW_DISCRIMINATION = 0.20  # ... and discrimination below this (Ebel's "poor" band)
IMPLAUSIBLE_SHARE = 0.05  # implausible-distractor: a wrong option chosen by under 5% of those answering
POPULAR_WRONG_SHARE = 0.30  # popular-distractor: a wrong option chosen by 30% or more
VERY_HARD_FACILITY = 0.30  # very-hard: facility under this
MAX_FLAG_TEXT = 60
_CHOSEN = attrgetter("chosen")


class ResponseRow(NamedTuple):
    """One student's graded answer to one question; `chosen` holds option ids for single/multi.

    A NamedTuple: the item analysis of a large class builds tens of thousands of these.
    """

    student_id: int
    question_id: str
    score: float
    chosen: tuple[str, ...] = ()


@dataclass(frozen=True)
class OptionShare:
    """How many responding students picked one option of a choice question."""

    option_id: str
    text: str
    share: float
    correct: bool
    count: int


@dataclass(frozen=True)
class Advice:
    """What to do about an item, and the advice rule (ADVICE) whose condition its statistics met."""

    rule: str
    message: str


@dataclass(frozen=True)
class ItemStats:
    """Classical item statistics for one question, with the advice they call for.

    n students answered it; `ranked` of them have an attempt score (the discrimination index uses
    them); `answered` picked at least one option (the option shares are out of them).
    """

    question_id: str
    prompt: str
    qtype: str
    n: int
    facility: float
    discrimination: float | None
    options: tuple[OptionShare, ...]
    ranked: int = 0
    answered: int = 0
    advice: tuple[Advice, ...] = ()

    @property
    def enough_answers(self) -> bool:
        """Whether the item has the answers that advice needs (MIN_ANSWERS_FOR_ADVICE)."""
        return self.n >= MIN_ANSWERS_FOR_ADVICE

    @property
    def flag(self) -> str | None:
        """The most pressing advice, or None when nothing looks wrong (or there are too few answers)."""
        return self.advice[0].message if self.advice else None


def clamp_score(score: float) -> float:
    """Scores are fractions of full marks; keep stray values inside [0, 1] so statistics stay bounded."""
    if math.isnan(score):
        return 0.0
    return 0.0 if score < 0.0 else 1.0 if score > 1.0 else score


def _shorten(text: str, limit: int = MAX_FLAG_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def group_size(ranked: int) -> int:
    """How many respondents are in Kelley's upper group, and in the lower one (27% of those ranked)."""
    return max(1, int(GROUP_FRACTION * ranked + 0.5))


@dataclass
class ItemCounts:
    """How one question was answered, counted: everything its statistics need.

    `scores` maps a (clamped) item score to how many respondents got it; `upper` and `lower` do the same
    for the `group_size(ranked)` best- and worst-ranked respondents (ranked by their attempt's score,
    best first, ties by student id); `picks` maps the option ids one respondent chose to how many chose
    exactly those (choice questions only).
    """

    scores: Counter[float] = field(default_factory=Counter)
    upper: Counter[float] = field(default_factory=Counter)
    lower: Counter[float] = field(default_factory=Counter)
    ranked: int = 0
    picks: Counter[tuple[str, ...]] = field(default_factory=Counter)


def clamped(scores: list[float]) -> list[float]:
    """The scores, each kept inside [0, 1] (a copy only when one is outside, or NaN)."""
    if scores and min(scores) >= 0.0 and max(scores) <= 1.0 and not any(map(math.isnan, scores)):
        return scores
    return [clamp_score(score) for score in scores]


def item_counts(scores: Iterable[float], ranked: Sequence[float],
                picks: Iterable[tuple[str, ...]] = ()) -> ItemCounts:
    """Counts for one question: every respondent's score, the ranked respondents' scores best first
    (the upper and lower 27% come from them) and the options each respondent picked."""
    k = group_size(len(ranked))
    return ItemCounts(scores=Counter(scores), upper=Counter(ranked[:k]), lower=Counter(ranked[-k:]),
                      ranked=len(ranked), picks=Counter(picks))


def _exact_sum(counts: Counter[float]) -> float:
    """The sum of every counted score, exactly rounded (so independent of the order they were counted in)."""
    return math.fsum(chain.from_iterable(repeat(score, n) for score, n in counts.items()))


def _discrimination(counts: ItemCounts) -> float | None:
    """Upper-minus-lower 27% index over the ranked respondents, or None when too few were ranked."""
    if counts.ranked < MIN_STUDENTS_FOR_DISCRIMINATION:
        return None
    k = group_size(counts.ranked)
    return _exact_sum(counts.upper) / k - _exact_sum(counts.lower) / k


def _option_shares(question: Question, picks: Counter[tuple[str, ...]]
                   ) -> tuple[int, tuple[OptionShare, ...]]:
    """How many students picked anything, and the share of them choosing each option (authored order)."""
    answered = sum(n for chosen, n in picks.items() if chosen)
    tally: Counter[str] = Counter()
    for chosen, n in picks.items():
        for option_id in frozenset(chosen):  # an option listed twice in one answer counts once
            tally[option_id] += n
    return answered, tuple(
        OptionShare(option_id=c.id, text=c.text, share=tally.get(c.id, 0) / answered if answered else 0.0,
                    correct=right, count=tally.get(c.id, 0))
        for c, right in question.kind.analysed_options(question)
    )


def item_stats(question_id: str, question: Question, counts: ItemCounts) -> ItemStats:
    """Facility, discrimination, option shares and advice for one question answered at least once."""
    n = sum(counts.scores.values())
    answered, options = _option_shares(question, counts.picks) if question.kind.reports_options else (0, ())
    item = ItemStats(question_id=question_id, prompt=question.prompt, qtype=question.type, n=n,
                     facility=_exact_sum(counts.scores) / n, discrimination=_discrimination(counts),
                     options=options, ranked=counts.ranked, answered=answered)
    return replace(item, advice=advise(item))


# --- advice ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdviceRule:
    """A registered advice rule: `check` yields one message each time its condition holds."""

    id: str
    condition: str
    action: str
    check: Callable[[ItemStats], Iterable[str]]


_ADVICE: dict[str, AdviceRule] = {}
ADVICE = MappingProxyType(_ADVICE)  # most pressing first: an item's flag is its first advice


def advice_rule(rule_id: str, condition: str, action: str
                ) -> Callable[[Callable[[ItemStats], Iterable[str]]], Callable[[ItemStats], Iterable[str]]]:
    """Register an advice rule, so the dashboard, the review command and the docs share one list."""
    if rule_id in _ADVICE:
        raise ValueError(f"advice rule {rule_id!r} is registered twice")

    def register(check: Callable[[ItemStats], Iterable[str]]) -> Callable[[ItemStats], Iterable[str]]:
        _ADVICE[rule_id] = AdviceRule(rule_id, condition, action, check)
        return check

    return register


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def _wrong(item: ItemStats) -> list[OptionShare]:
    return [o for o in item.options if not o.correct]


def key_count(item: ItemStats) -> int:
    """Students who chose the key (the most chosen right option of a multiple-select item)."""
    return max((o.count for o in item.options if o.correct), default=0)


@advice_rule("check-key", "discrimination below 0: weaker students did better than stronger ones",
             "check the key")
def check_key(item: ItemStats) -> Iterator[str]:
    """A negative index usually means a wrong key, or a flaw that only careful students fall for."""
    if item.discrimination is not None and item.discrimination < 0:
        yield f"Negative discrimination ({item.discrimination:+.2f}, {item.ranked} students): check the key"


@advice_rule("misconception", "a wrong option chosen by more students than the key",
             "teach the misconception, or fix a miskey")
def misconception(item: ItemStats) -> Iterator[str]:
    """When more students agree on a wrong answer than on the key, they share a misconception or the
    key is wrong."""
    key = key_count(item)
    for option in _wrong(item):
        if option.count > key:
            yield (f"“{_shorten(option.text)}” ({_pct(option.share)}, {option.count} of {item.answered}) "
                   f"is chosen more than the key ({key}): a misconception to teach, or a miskey")


@advice_rule("popular-distractor",
             f"a wrong option chosen by {POPULAR_WRONG_SHARE:.0%} or more, but not more often than the key",
             "teach the misconception it reveals")
def popular_distractor(item: ItemStats) -> Iterator[str]:
    """A distractor that draws a third of the class marks a misconception worth a lesson."""
    key = key_count(item)
    for option in _wrong(item):
        if option.share >= POPULAR_WRONG_SHARE and option.count <= key:
            yield (f"Popular wrong option “{_shorten(option.text)}” ({_pct(option.share)}, {option.count} of "
                   f"{item.answered}): a misconception to teach")


@advice_rule("very-hard", f"facility under {VERY_HARD_FACILITY:.2f}",
             "check the wording, the key and whether the lesson teaches it")
def very_hard(item: ItemStats) -> Iterator[str]:
    """Most students missing an item is a teaching or wording problem before it is theirs."""
    if item.facility < VERY_HARD_FACILITY:
        yield (f"Very hard (facility {item.facility:.2f}, {item.n} students): check the wording, the key and "
               f"the lesson")


@advice_rule("too-easy",
             f"facility {EASY_FACILITY:.2f} or more and discrimination under {LOW_DISCRIMINATION:.2f}",
             "revise it or retire it")
def too_easy(item: ItemStats) -> Iterator[str]:
    """An item nearly everyone gets right tells nobody who has learnt the lesson."""
    if (item.facility >= EASY_FACILITY and item.discrimination is not None
            and item.discrimination < LOW_DISCRIMINATION):
        yield (f"Too easy (facility {item.facility:.2f}) and not discriminating ({item.discrimination:+.2f}, "
               f"{item.ranked} students): revise it or retire it")


@advice_rule("implausible-distractor",
             f"a wrong option chosen by under {IMPLAUSIBLE_SHARE:.0%} of the students who picked an option",
             "replace it with a distractor built on a real misconception")
def implausible_distractor(item: ItemStats) -> Iterator[str]:
    """A distractor nobody picks only lengthens the item and raises the odds of a lucky guess."""
    for option in _wrong(item):
        if item.answered and option.share < IMPLAUSIBLE_SHARE:
            yield (f"“{_shorten(option.text)}” chosen by {_pct(option.share)} ({option.count} of "
                   f"{item.answered}): implausible, replace it")


def advise(item: ItemStats) -> tuple[Advice, ...]:
    """Every advice the item's statistics call for, in registry order; none below the minimum sample."""
    if not item.enough_answers:
        return ()
    return tuple(Advice(rule.id, message) for rule in ADVICE.values() for message in rule.check(item))


def _ranking(students: Iterable[int], totals: Mapping[int, float]) -> list[int]:
    """Students with a total, best first; equal totals go by id so groups never depend on input order."""
    keyed = [(-totals[sid], sid) for sid in students if sid in totals and not math.isnan(totals[sid])]
    return [sid for _, sid in sorted(keyed)]


def item_analysis(rows: Iterable[ResponseRow], totals: Mapping[int, float],
                  questions: Mapping[str, Question]) -> list[ItemStats]:
    """Facility, discrimination, option popularity and advice per question, to spot faulty or mis-keyed
    items."""
    # One response counts per student and question (a later row replaces an earlier one). Rows for
    # questions missing from `questions` are ignored, and questions nobody answered are left out.
    # Students without a total take no part in the discrimination index.

    # One pass over the rows into plain dicts: question id → student id → row.
    latest: dict[str, dict[int, ResponseRow]] = {}
    for row in rows:
        by_student = latest.get(row.question_id)
        if by_student is None:
            if row.question_id not in questions:
                continue
            by_student = latest[row.question_id] = {}
        by_student[row.student_id] = row

    ranking = _ranking(set().union(*latest.values()), totals)
    stats: list[ItemStats] = []
    for qid, question in questions.items():
        by_student = latest.get(qid)
        if not by_student:
            continue
        scores = dict(zip(by_student, clamped([row.score for row in by_student.values()]), strict=True))
        ranked = [scores[sid] for sid in ranking if sid in scores]
        picks = map(_CHOSEN, by_student.values()) if question.kind.reports_options else ()
        stats.append(item_stats(qid, question, item_counts(scores.values(), ranked, picks)))
    return stats


def _bin_label(i: int, bins: int) -> str:
    low = math.ceil(100 * i / bins)
    high = 100 if i == bins - 1 else math.ceil(100 * (i + 1) / bins) - 1
    return f"{low}–{high}%"


def score_histogram(scores: Iterable[float], bins: int = 10) -> list[tuple[str, int]]:
    """Counts of scores (fractions in [0, 1]) per percentage band, to chart how a class did."""
    # Labels read "0–9%" … "90–100%"; a perfect score falls in the last band, values outside [0, 1]
    # in the nearest end band, and NaN is ignored.
    if bins < 1:
        raise ValueError("bins must be at least 1")
    counts = [0] * bins
    for score in scores:
        if math.isnan(score):
            continue
        # Rounding first keeps 0.29 * 100 (28.999…) in the band labelled 29.
        index = math.floor(round(score * bins, 9))
        counts[min(bins - 1, max(0, index))] += 1
    return [(_bin_label(i, bins), count) for i, count in enumerate(counts)]
