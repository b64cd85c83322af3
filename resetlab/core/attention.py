"""Who needs the instructor, why, and in what order; and the class's summary strip (pure: no clock).

Each rule is one entry in RULES, with the sentence the overview page prints for it. A student is listed
only with at least one reason, and every reason names the figures behind it, taken from the same
marks the class grid shows (status and counted score per assignment), so the two never disagree.
Scores awaiting grading ("pending") count nowhere: not in averages, not as low, not as falling.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

# Statuses, as core.rules.Tally reports them. "Awaiting grading": submitted, but the score that counts
# waits for the instructor to grade a written answer; it is handed in, and its score is no score at all.
NOT_STARTED, IN_PROGRESS, DONE, LATE, MISSING = "not started", "in progress", "done", "late", "missing"
PENDING = "awaiting grading"
HANDED_IN = (DONE, LATE, PENDING)

LOW_SCORE = 0.6  # an average below this is "low"
VERY_LOW = 0.4  # ... and below this, more urgent still
FALLING_BY = 0.2  # the latest score is at least this far below the one before it
FALLING_UNDER = 0.7  # ... and under this
SOON = timedelta(hours=48)
RECENT = timedelta(days=14)  # overdue work older than this stays "missing" in the grid, off the list
TREND_WINDOW = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Work:
    """An assignment as the rules see it (due date in naive UTC, like the database)."""

    id: int
    title: str
    due_at: datetime
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Mark:
    """One student on one assignment: the grid's status and counted score (None: none yet or pending);
    `late` says whether work awaiting grading was handed in late (its status cannot say)."""

    status: str
    score: float | None = None
    pending: bool = False
    late: bool = False

    @property
    def on_time(self) -> bool:
        """Handed in by the due date."""
        return self.status == DONE or (self.status == PENDING and not self.late)

    @property
    def handed_in(self) -> bool:
        """At least one attempt was submitted."""
        return self.status in HANDED_IN


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired for a student: which, the words shown, the assignments it is about."""

    rule: str
    text: str
    points: int
    works: tuple[Work, ...] = ()


class Facts(NamedTuple):
    """What the rules read about one student, computed once (a NamedTuple, as `Assessment`: the overview
    makes one per student, and a tuple is made in a third of a frozen dataclass's time)."""

    overdue: tuple[Work, ...]  # due in the last 14 days, not handed in; the most recent first
    due_soon: tuple[Work, ...]
    average: float | None  # mean of counted scores, as the grid's Average column
    latest: tuple[tuple[Work, float], ...]  # the last two counted scores by due date, oldest first

    @property
    def drop(self) -> float | None:
        """How far the latest score fell below the one before it (None with fewer than two)."""
        if len(self.latest) < 2:
            return None
        return self.latest[-2][1] - self.latest[-1][1]


def _row(marks: Sequence[Mark]) -> tuple[set[int], list[float | None]]:
    """A row of marks as `Reader` reads it: the columns handed in, and the counted scores."""
    return {i for i, m in enumerate(marks) if m.handed_in}, [None if m.pending else m.score for m in marks]


def facts(works: Sequence[Work], marks: Sequence[Mark], now: datetime) -> Facts:
    """Read one student's row of the grid (one mark per assignment, in the same order)."""
    return Reader(works, now).facts(*_row(marks))


def whole(value: float) -> int:
    """A share as the whole percentage pages show (0.596 -> 60): every rule compares this, so a score
    shown as 60% is never called "under 60%"."""
    return round(value * 100)


def percent(value: float) -> str:
    """0.456 -> '46%'."""
    return f"{whole(value)}%"


def _works(works: Sequence[Work], which: str) -> str:
    """'What is a reset?' or '3 assignments, the latest What is a reset?'."""
    if len(works) == 1:
        return works[0].title
    return f"{len(works)} assignments, the {which} {works[0].title}"


def _overdue(f: Facts) -> Reason | None:
    if not f.overdue:
        return None
    return Reason("overdue", _works(f.overdue, "latest"), 2 * len(f.overdue), f.overdue)


def _not_started(f: Facts) -> Reason | None:
    if not f.due_soon:
        return None
    return Reason("not-started", _works(f.due_soon, "first"), len(f.due_soon), f.due_soon)


# The lines as whole percentages, worked out once: the rules run for every student of a class.
_LOW, _VERY_LOW, _FALLING_BY, _FALLING_UNDER = map(whole, (LOW_SCORE, VERY_LOW, FALLING_BY, FALLING_UNDER))


def _low(f: Facts) -> Reason | None:
    if f.average is None or (average := round(f.average * 100)) >= _LOW:
        return None
    return Reason("low", f"average {percent(f.average)}", 4 if average < _VERY_LOW else 3)


def _falling(f: Facts) -> Reason | None:
    if len(f.latest) < 2:
        return None
    (_, before), (last_work, last) = f.latest
    if (shown := round(last * 100)) >= _FALLING_UNDER or round(before * 100) - shown < _FALLING_BY:
        return None
    return Reason("falling", f"{percent(before)} → {percent(last)} on {last_work.title}", 2, (last_work,))


@dataclass(frozen=True)
class Rule:
    """An attention rule: its key (the filter), its name, the sentence stating it, and its test."""

    key: str
    name: str
    statement: str
    check: Callable[[Facts], Reason | None] = field(repr=False)


RULES: tuple[Rule, ...] = (
    Rule("overdue", "Overdue",
         "an assignment due in the last 14 days that they have not handed in (not started, or started "
         "and not submitted; older work never handed in stays marked “missing” in the grid). "
         "2 points for each.", _overdue),
    Rule("not-started", "Not started",
         "an assignment is due within the next 48 hours and they have not handed it in "
         "(not started, or started and not submitted). 1 point for each.", _not_started),
    Rule("low", "Low scores",
         f"their average (the Average column of the grid: the mean of their counted scores) is under "
         f"{percent(LOW_SCORE)}, whatever the number of assignments. 3 points; 4 under {percent(VERY_LOW)}.",
         _low),
    Rule("falling", "Falling",
         f"their latest score (by due date) is {round(FALLING_BY * 100)} points or more below the one "
         f"before it, and under {percent(FALLING_UNDER)}. 2 points.", _falling),
)
RULE_KEYS = tuple(rule.key for rule in RULES)
CHECKS = tuple(rule.check for rule in RULES)
ORDER_STATEMENT = ("Most urgency points first. Ties: the lower average first (no score yet counts as "
                   "lowest), then the bigger fall, then by name.")
PENDING_STATEMENT = ("Work awaiting your grading counts as handed in, and its score (“pending”) never "
                     "counts in these rules: not as low, not in an average, not as a fall.")


class Assessment(NamedTuple):
    """Why one student needs attention (possibly not at all), and how urgently."""

    student: object  # the caller's own handle for the student, passed through untouched
    name: str
    reasons: tuple[Reason, ...]
    facts: Facts

    @property
    def points(self) -> int:
        """Urgency: the sum of the reasons' points."""
        return sum(r.points for r in self.reasons)

    @property
    def rules(self) -> frozenset[str]:
        """The keys of the rules that fired."""
        return frozenset(r.rule for r in self.reasons)

    @property
    def summary(self) -> str:
        """The one line shown beside the name: 'Overdue: …; Low scores: average 43%'."""
        names = {rule.key: rule.name for rule in RULES}
        return "; ".join(f"{names[r.rule]}: {r.text}" for r in self.reasons)

    def urgency(self) -> tuple:
        """The sort key of the documented order (smaller sorts first)."""
        average = self.facts.average
        drop = self.facts.drop
        return (-self.points, -1.0 if average is None else average,
                -(drop if drop is not None else -1.0), self.name.casefold(), self.name)


class Reader:
    """The rules for many students of one class at one moment. What depends only on the assignments and
    the clock (which fall in the overdue and due-soon windows, the due-date order) is worked out once, so
    a student costs one pass over their own row."""

    def __init__(self, works: Sequence[Work], now: datetime) -> None:
        self.works = tuple(works)
        self.now = now
        by_due = sorted(range(len(works)), key=lambda i: (works[i].due_at, works[i].id))
        self.newest_first = by_due[::-1]
        self.overdue = [i for i in self.newest_first if now - RECENT <= works[i].due_at < now]
        self.soon = [i for i in by_due if now <= works[i].due_at <= now + SOON]
        self.windows = (*self.overdue, *self.soon)  # the only columns whose hand-ins the rules ask about

    def facts(self, handed: Container[int], scores: Sequence[float | None]) -> Facts:
        """One student: `handed`, the columns handed in (only those in `windows` are asked about);
        `scores`, the counted score per column (None: no score yet, or pending)."""
        works = self.works
        got = [s for s in scores if s is not None]
        latest: tuple[tuple[Work, float], ...] = ()
        for i in self.newest_first:
            if (score := scores[i]) is not None:
                if latest:
                    latest = ((works[i], score), *latest)
                    break
                latest = ((works[i], score),)
        return Facts(tuple([works[i] for i in self.overdue if i not in handed]) if self.overdue else (),
                     tuple([works[i] for i in self.soon if i not in handed]) if self.soon else (),
                     sum(got) / len(got) if got else None,  # in grid order, as the grid sums
                     latest)

    def assess(self, student: object, name: str, handed: Container[int],
               scores: Sequence[float | None]) -> Assessment:
        """Apply every rule to one student (see `facts` for the arguments)."""
        f = self.facts(handed, scores)
        reasons = tuple([reason for reason in [check(f) for check in CHECKS] if reason is not None])
        return Assessment(student, name, reasons, f)

    def summary(self, handed: Sequence[int], on_time: Sequence[int], students: int,
                scores: Sequence[Sequence[float | None]]) -> Summary:
        """The summary strip: per column how many students handed in and how many on time, how many
        students, and every student's row of counted scores (None: none or pending), in grid order."""
        due = [i for i, w in enumerate(self.works) if w.due_at < self.now]
        cells = students * len(due)
        recent_start, before_start = self.now - TREND_WINDOW, self.now - 2 * TREND_WINDOW

        def window(start: datetime, end: datetime) -> float | None:
            picked = [i for i, w in enumerate(self.works) if start <= w.due_at < end]
            return _mean([s for row in scores for i in picked if (s := row[i]) is not None])

        return Summary(
            completion=sum(handed[i] for i in due) / cells if cells else None,
            on_time=sum(on_time[i] for i in due) / cells if cells else None,
            average=_mean([s for row in scores for s in row if s is not None]),
            recent=window(recent_start, self.now), before=window(before_start, recent_start),
            due_so_far=len(due))


def assess(student: object, name: str, works: Sequence[Work], marks: Sequence[Mark],
           now: datetime) -> Assessment:
    """Apply every rule to one student's row."""
    return Reader(works, now).assess(student, name, *_row(marks))


def rank(assessments: Sequence[Assessment], only: str | None = None) -> list[Assessment]:
    """Students with at least one reason (or one for the rule `only`), most urgent first."""
    listed = [a for a in assessments if a.reasons and (only is None or only in a.rules)]
    return sorted(listed, key=Assessment.urgency)


@dataclass(frozen=True)
class Summary:
    """The strip at the top of the class overview (shares in 0..1, None when there is nothing to say)."""

    completion: float | None  # of work already due: the share handed in
    on_time: float | None  # of work already due: the share handed in by the due date
    average: float | None  # the mean of every counted score
    recent: float | None  # the mean counted score on assignments due in the last 14 days
    before: float | None  # ... and in the 14 days before those
    due_so_far: int  # assignments whose due date has passed

    @property
    def trend(self) -> float | None:
        """Points up (positive) or down over the last two weeks."""
        if self.recent is None or self.before is None:
            return None
        return (self.recent - self.before) * 100


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(works: Sequence[Work], grid: Sequence[Sequence[Mark]], now: datetime) -> Summary:
    """Completion, on-time rate, average and the two-week trend, from the same marks as the grid."""
    columns = range(len(works))
    return Reader(works, now).summary(
        [sum(row[i].handed_in for row in grid) for i in columns],
        [sum(row[i].handed_in and row[i].on_time for row in grid) for i in columns], len(grid),
        [[None if m.pending else m.score for m in row] for row in grid])


def band(score: float | None) -> str:
    """The grid's score band: 'low' under the low-score line (marked with a sign, not colour alone),
    'mid' under 80%, 'high' otherwise; '' without a score."""
    if score is None:
        return ""
    if whole(score) < whole(LOW_SCORE):
        return "low"
    return "mid" if whole(score) < 80 else "high"
