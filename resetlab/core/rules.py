"""Pure assignment rules: who may start, deadlines, lateness, which score counts, what is shown.

Time is always passed in (naive UTC datetimes), never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Grading(StrEnum):
    """Which finished attempt's score counts for the grade."""

    HIGHEST = "highest"
    LATEST = "latest"
    FIRST = "first"


class Reveal(StrEnum):
    """When a student may see the answers and explanations of an assignment."""

    IMMEDIATELY = "immediately"
    AFTER_DUE = "after_due"
    NEVER = "never"

GRACE = timedelta(seconds=60)  # network delay allowed after a time limit runs out


@dataclass(frozen=True)
class Rules:
    """An assignment's settings, combined with one student's accommodation."""

    open_at: datetime
    due_at: datetime
    attempts_allowed: int | None
    time_limit_minutes: int | None
    closed: bool = False
    extra_attempts: int = 0
    time_multiplier: float = 1.0

    @property
    def attempts_total(self) -> int | None:
        """Attempts this student may make (None = unlimited)."""
        if self.attempts_allowed is None:
            return None
        return self.attempts_allowed + self.extra_attempts


def start_refusal(rules: Rules, now: datetime, used: int) -> str | None:
    """Why a new attempt may not start now, or None when it may."""
    if now < rules.open_at:
        return "This assignment has not opened yet."
    if rules.closed:
        return "Your instructor has closed this assignment."
    total = rules.attempts_total
    if total is not None and used >= total:
        return f"You have used all {total} attempt{'s' if total != 1 else ''}."
    return None


def attempts_left(rules: Rules, used: int) -> int | None:
    """Attempts remaining (None = unlimited)."""
    total = rules.attempts_total
    return None if total is None else max(0, total - used)


def deadline(rules: Rules, started: datetime) -> datetime | None:
    """When a timed attempt must be in, from the server clock; None if untimed."""
    if not rules.time_limit_minutes:
        return None
    return started + timedelta(minutes=rules.time_limit_minutes * rules.time_multiplier)


def too_late(deadline_at: datetime | None, now: datetime) -> bool:
    """Answers arriving after the deadline (plus a short grace) do not count."""
    return deadline_at is not None and now > deadline_at + GRACE


def is_late(finished_at: datetime, due_at: datetime) -> bool:
    """Submitted after the due date."""
    return finished_at > due_at


def counted_score(scores: Sequence[float], method: str) -> float | None:
    """The score that counts, from finished attempts in the order they were made."""
    if not scores:
        return None
    if method == Grading.LATEST:
        return scores[-1]
    if method == Grading.FIRST:
        return scores[0]
    return max(scores)


def may_reveal(reveal: str, now: datetime, due_at: datetime) -> bool:
    """Whether answers and explanations may be shown to the student now."""
    if reveal == Reveal.IMMEDIATELY:
        return True
    if reveal == Reveal.AFTER_DUE:
        return now >= due_at
    return False


NOT_STARTED, IN_PROGRESS, DONE, LATE, MISSING = "not started", "in progress", "done", "late", "missing"
PENDING = "awaiting grading"  # submitted, but a written answer in the attempt that counts is not graded yet
SUBMITTED = (DONE, LATE, PENDING)


class Tally:
    """A running summary of one student's attempts at one assignment, built in one pass.

    A finished attempt whose score is None is awaiting grading (a written answer not graded or not
    released yet): it is never counted as a low score, and while it could still become the score that
    counts, the counted score is pending too.
    """

    __slots__ = ("attempts", "finished", "all_late", "first", "last", "best", "pending", "first_pending",
                 "last_pending")

    def __init__(self) -> None:
        self.attempts = 0
        self.finished = 0
        self.all_late = True
        self.first: float | None = None
        self.last: float | None = None
        self.best: float | None = None
        self.pending = 0  # finished attempts awaiting grading
        self.first_pending = False  # the first finished attempt is awaiting grading
        self.last_pending = False  # the latest finished attempt is awaiting grading

    def add(self, finished: bool, late: bool, score: float | None) -> None:
        """Count one attempt, in the order they were made."""
        self.attempts += 1
        if not finished:
            return
        first = self.finished == 0
        self.finished += 1
        self.all_late = self.all_late and late
        self.last_pending = score is None
        if score is None:
            self.pending += 1
            self.first_pending = self.first_pending or first
            return
        self.first = score if first else self.first
        self.last = score
        self.best = score if self.best is None else max(self.best, score)

    def awaiting(self, method: str = Grading.HIGHEST) -> bool:
        """Whether the score that counts under `method` is not known yet (a written answer to grade)."""
        if method == Grading.LATEST:
            return self.last_pending
        if method == Grading.FIRST:
            return self.first_pending
        return self.pending > 0 and (self.best is None or self.best < 1.0)

    def status(self, due_at: datetime, now: datetime, method: str = Grading.HIGHEST) -> str:
        """Not started, in progress, awaiting grading, done, late (every finished attempt late) or missing."""
        if self.finished:
            if self.awaiting(method):
                return PENDING
            return LATE if self.all_late else DONE
        if self.attempts:
            return IN_PROGRESS
        return MISSING if now > due_at else NOT_STARTED

    def counted(self, method: str) -> float | None:
        """The score that counts under the assignment's grading method (None while it is pending)."""
        if self.awaiting(method):
            return None
        return {Grading.LATEST: self.last, Grading.FIRST: self.first}.get(method, self.best)


@dataclass(frozen=True)
class Attention:
    """Why a student appears on the 'needs attention' list."""

    reason: str
    detail: str


LOW_SCORE = 0.6
FALLING_BY = 0.2
SOON = timedelta(hours=48)
RECENT = timedelta(days=14)


def needs_attention(cells: Sequence[tuple[str, float | None, datetime]], now: datetime) -> list[Attention]:
    """Rules for one student, given (status, counted score, due date) per assignment.

    - not started: an assignment due within 48 hours, or overdue by up to two weeks, not submitted;
    - low scores: the mean counted score is below 60% (at least two scored assignments);
    - falling: the latest scored assignment is 20+ points below the one before, and below 70%.
    """
    found: list[Attention] = []
    unstarted = [due for status, _, due in cells if status in (NOT_STARTED, MISSING, IN_PROGRESS)
                 and now - RECENT <= due <= now + SOON]
    if unstarted:
        overdue = sum(1 for due in unstarted if due < now)
        found.append(Attention("not started", f"{len(unstarted)} due soon or overdue"
                                              + (f" ({overdue} overdue)" if overdue else "")))
    scored = sorted((due, score) for _, score, due in cells if score is not None)
    mean = sum(s for _, s in scored) / len(scored) if scored else None
    if mean is not None and len(scored) >= 2 and mean < LOW_SCORE:
        found.append(Attention("low scores", f"average {round(mean * 100)}%"))
    if len(scored) >= 2 and scored[-2][1] - scored[-1][1] >= FALLING_BY and scored[-1][1] < 0.7:
        found.append(Attention("falling", f"{round(scored[-2][1] * 100)}% → {round(scored[-1][1] * 100)}%"))
    return found
