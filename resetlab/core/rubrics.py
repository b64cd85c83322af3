"""Rubrics for written answers: criteria × levels, each level with points and a description.

A holistic 0–N score is the simplest rubric (one criterion). Pure: the grading queue, the student's
result and item analysis all read the same arithmetic from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_CRITERIA = 6
MAX_LEVELS = 6
HOLISTIC_WORDS = ("No answer, or off the point", "A start, with major gaps", "Partly successful",
                  "Mostly successful", "Fully successful")


class RubricError(ValueError):
    """A rubric as written cannot be used; the message says why."""


@dataclass(frozen=True)
class Level:
    """One cell of a rubric: what an answer at this level does, and what it earns."""

    points: int
    text: str


@dataclass(frozen=True)
class Criterion:
    """One row of a rubric: its name and its levels, points rising from the first."""

    name: str
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> int:
        """The points of the top level."""
        return self.levels[-1].points


@dataclass(frozen=True)
class Rubric:
    """Criteria × levels; the score of an answer is the points of the chosen cells over the maximum."""

    criteria: tuple[Criterion, ...]

    @property
    def max_points(self) -> int:
        """Points for the top level of every criterion."""
        return sum(c.max_points for c in self.criteria)

    def points(self, choice: Sequence[int | None]) -> int | None:
        """The points of one level index per criterion; None until every criterion has a level."""
        if len(choice) != len(self.criteria) or any(c is None for c in choice):
            return None
        return sum(criterion.levels[i].points for criterion, i in zip(self.criteria, choice, strict=True))

    def score(self, choice: Sequence[int | None]) -> float | None:
        """The share of the maximum (0–1) that a complete choice earns; None while incomplete."""
        total = self.points(choice)
        return None if total is None or not self.max_points else total / self.max_points

    def valid(self, choice: Sequence[Any]) -> bool:
        """Whether a choice names an existing level (or none yet) for every criterion."""
        return len(choice) == len(self.criteria) and all(
            c is None or (isinstance(c, int) and not isinstance(c, bool) and 0 <= c < len(criterion.levels))
            for criterion, c in zip(self.criteria, choice, strict=True))

    def as_json(self) -> list[dict[str, Any]]:
        """As stored in a question snapshot or an assignment."""
        return [{"criterion": c.name, "levels": [{"points": lv.points, "text": lv.text} for lv in c.levels]}
                for c in self.criteria]


def holistic(top: int) -> Rubric:
    """One criterion scored 0..top, with plain descriptions."""
    if not 1 <= top <= 10:
        raise RubricError("a holistic score runs from 0 to between 1 and 10 points")
    words = [HOLISTIC_WORDS[min(len(HOLISTIC_WORDS) - 1, round(i * (len(HOLISTIC_WORDS) - 1) / top))]
             for i in range(top + 1)]
    return Rubric((Criterion("Overall", tuple(Level(i, words[i]) for i in range(top + 1))),))


DEFAULT = holistic(4)


def read_levels(rubric: Rubric, values: Sequence[str | None]) -> list[int | None]:
    """Level indexes from form values (one per criterion, blank for none picked yet); RubricError for
    anything the rubric does not offer (a tampered form)."""
    if len(values) != len(rubric.criteria):
        raise RubricError("one level per criterion is expected")
    chosen: list[int | None] = []
    for criterion, value in zip(rubric.criteria, values, strict=True):
        if value is None or value == "":
            chosen.append(None)
        elif value.isascii() and value.isdigit() and len(value) <= 2 and int(value) < len(criterion.levels):
            chosen.append(int(value))
        else:
            raise RubricError(f"'{criterion.name}' has no level {value[:10]!r}")
    return chosen


def rubric_for(override: Any, own: Rubric) -> Rubric:
    """The rubric a written answer is graded with: the assignment's own (stored as JSON) if it set
    one, else the prompt's."""
    return parse_rubric(override) if override else own


def parse_rubric(raw: Any) -> Rubric:
    """A rubric from its bank (TOML) or JSON form: a list of {criterion, levels: [{points, text}]}."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CRITERIA:
        raise RubricError(f"'rubric' must list 1–{MAX_CRITERIA} criteria")
    criteria = []
    for entry in raw:
        if not isinstance(entry, Mapping) or set(entry) - {"criterion", "levels"}:
            raise RubricError("each rubric criterion needs exactly 'criterion' and 'levels'")
        name, levels = entry.get("criterion"), entry.get("levels")
        if not isinstance(name, str) or not name.strip():
            raise RubricError("each rubric criterion needs a name ('criterion')")
        if not isinstance(levels, list) or not 2 <= len(levels) <= MAX_LEVELS:
            raise RubricError(f"criterion '{name}' needs 2–{MAX_LEVELS} levels")
        cells = []
        for level in levels:
            cell = level if isinstance(level, Mapping) else {}
            points, text = cell.get("points"), cell.get("text")
            if isinstance(points, bool) or not isinstance(points, int) or points < 0 \
                    or not isinstance(text, str) or not text.strip():
                raise RubricError(f"each level of '{name}' needs whole 'points' ≥ 0 and a 'text'")
            cells.append(Level(points, text.strip()))
        if cells[0].points != 0 or any(b.points <= a.points for a, b in zip(cells, cells[1:], strict=False)):
            raise RubricError(f"the levels of '{name}' must start at 0 points and rise")
        criteria.append(Criterion(name.strip(), tuple(cells)))
    if len({c.name.casefold() for c in criteria}) != len(criteria):
        raise RubricError("two rubric criteria have the same name")
    return Rubric(tuple(criteria))


def parse_rubric_text(text: str) -> Rubric:
    """An instructor's rubric typed in a form: one criterion per line, `Name: level 0 | level 1 | …`
    (points 0, 1, 2, … in order), or a single whole number N for a holistic 0–N score."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    if len(lines) == 1 and lines[0].isascii() and lines[0].isdigit() and len(lines[0]) <= 3:
        return holistic(int(lines[0]))
    raw = []
    for line in lines:
        name, colon, cells = line.partition(":")
        if not colon or not name.strip():
            raise RubricError(f"'{line[:40]}' needs a criterion name, a colon, then its levels")
        levels = [cell.strip() for cell in cells.split("|")]
        raw.append({"criterion": name.strip(),
                    "levels": [{"points": i, "text": cell} for i, cell in enumerate(levels)]})
    if not raw:
        raise RubricError("write at least one criterion, or a number for a holistic score")
    return parse_rubric(raw)


def rubric_text(rubric: Rubric) -> str | None:
    """The typed form of a rubric (see `parse_rubric_text`), or None when it cannot be typed that way
    (points that skip a step, a colon in a name, a bar in a level)."""
    lines = []
    for criterion in rubric.criteria:
        if ":" in criterion.name or any("|" in lv.text or "\n" in lv.text for lv in criterion.levels) \
                or [lv.points for lv in criterion.levels] != list(range(len(criterion.levels))):
            return None
        lines.append(f"{criterion.name}: " + " | ".join(lv.text for lv in criterion.levels))
    return "\n".join(lines)


@dataclass(frozen=True)
class CriterionStats:
    """How a class did on one criterion: answers per level and the mean share of its points."""

    criterion: Criterion
    counts: tuple[int, ...]
    mean_share: float | None


def criterion_stats(rubric: Rubric, choices: Sequence[Sequence[int | None]]) -> list[CriterionStats]:
    """Per criterion, how many graded answers reached each level and the mean share of its points."""
    stats = []
    for n, criterion in enumerate(rubric.criteria):
        picked = [c[n] for c in choices if len(c) == len(rubric.criteria) and c[n] is not None]
        counts = tuple(sum(1 for i in picked if i == level) for level in range(len(criterion.levels)))
        top = criterion.max_points
        shares = [criterion.levels[i].points / top for i in picked] if top else []
        stats.append(CriterionStats(criterion, counts, sum(shares) / len(shares) if shares else None))
    return stats


def weakest(stats: Sequence[CriterionStats]) -> CriterionStats | None:
    """The criterion where the class earned the smallest share of the points (first on ties)."""
    scored = [s for s in stats if s.mean_share is not None]
    return min(scored, key=lambda s: s.mean_share) if scored else None
