"""Item analysis and score distributions for instructor dashboards (pure: no Flask, no database)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from .questions import Question

GROUP_FRACTION = 0.27  # Kelley's upper/lower 27% groups
MIN_STUDENTS_FOR_DISCRIMINATION = 6
POPULAR_WRONG_SHARE = 0.30
VERY_HARD_FACILITY = 0.3
MAX_FLAG_TEXT = 60
_SCORE = attrgetter("score")
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
class ItemStats:
    """Classical item statistics for one question, with a short warning when it looks faulty."""

    question_id: str
    prompt: str
    qtype: str
    n: int
    facility: float
    discrimination: float | None
    options: tuple[OptionShare, ...]
    flag: str | None


def _clamp_score(score: float) -> float:
    """Scores are fractions of full marks; keep stray values inside [0, 1] so statistics stay bounded."""
    if math.isnan(score):
        return 0.0
    return 0.0 if score < 0.0 else 1.0 if score > 1.0 else score


def _shorten(text: str, limit: int = MAX_FLAG_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ranking(students: Iterable[int], totals: Mapping[int, float]) -> list[int]:
    """Students with a total, best first; equal totals go by id so groups never depend on input order."""
    keyed = [(-totals[sid], sid) for sid in students if sid in totals and not math.isnan(totals[sid])]
    return [sid for _, sid in sorted(keyed)]


def _discrimination(item_scores: Mapping[int, float], ranking: list[int]) -> float | None:
    """Upper-minus-lower 27% index, or None when too few ranked students answered."""
    ranked = list(filter(item_scores.__contains__, ranking))
    if len(ranked) < MIN_STUDENTS_FOR_DISCRIMINATION:
        return None
    k = max(1, int(GROUP_FRACTION * len(ranked) + 0.5))
    upper = math.fsum(map(item_scores.__getitem__, ranked[:k])) / k
    lower = math.fsum(map(item_scores.__getitem__, ranked[-k:])) / k
    return upper - lower


def _option_shares(question: Question, picks: Iterable[tuple[str, ...]]) -> tuple[OptionShare, ...]:
    """Share of students who picked anything choosing each option, in authored order."""
    picks = list(picks)
    answered = len(picks) - picks.count(())
    # frozenset: an option listed twice in one answer still counts once for that student.
    tally = Counter(chain.from_iterable(map(frozenset, picks)))
    return tuple(
        OptionShare(option_id=c.id, text=c.text, share=tally.get(c.id, 0) / answered if answered else 0.0,
                    correct=right, count=tally.get(c.id, 0))
        for c, right in question.kind.analysed_options(question)
    )


def _flag(options: tuple[OptionShare, ...], facility: float, discrimination: float | None) -> str | None:
    """The most useful single warning for an item, or None when nothing looks wrong."""
    wrong = [o for o in options if not o.correct and o.count > 0]
    if wrong:
        best_right = max((o.count for o in options if o.correct), default=0)
        worst = max(wrong, key=lambda o: o.count)  # first in authored order on ties
        if worst.share >= POPULAR_WRONG_SHARE or worst.count > best_right:
            return f"Popular wrong option: “{_shorten(worst.text)}” ({round(worst.share * 100)}%)"
    if discrimination is not None and discrimination < 0:
        return "Negative discrimination: check the key"
    if facility < VERY_HARD_FACILITY:
        return "Very hard (facility < 0.3)"
    return None


def item_analysis(rows: Iterable[ResponseRow], totals: Mapping[int, float],
                  questions: Mapping[str, Question]) -> list[ItemStats]:
    """Facility, discrimination and option popularity per question, to spot faulty or mis-keyed items."""
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
        values = list(map(_SCORE, by_student.values()))
        if not (min(values) >= 0.0 and max(values) <= 1.0 and not any(map(math.isnan, values))):
            values = [_clamp_score(v) for v in values]
        scores = dict(zip(by_student, values, strict=True))
        n = len(scores)
        facility = math.fsum(values) / n  # exact sum: independent of row order
        discrimination = _discrimination(scores, ranking)
        options = (_option_shares(question, map(_CHOSEN, by_student.values()))
                   if question.kind.reports_options else ())
        stats.append(ItemStats(question_id=qid, prompt=question.prompt, qtype=question.type, n=n,
                               facility=facility, discrimination=discrimination, options=options,
                               flag=_flag(options, facility, discrimination)))
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
