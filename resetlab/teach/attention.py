"""The class overview's "who needs me, and why": the dashboard grid read by the rules of core.attention.

Everything here comes from one `class_overview()`, so the attention list, its filters, the summary strip
and the grid show the same statuses and scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import attention as rules
from .dashboards import Cell, Overview, StudentRow

TOP = 10  # students shown first on the overview
SHOW = {"all": "Everyone", "attention": "Needs attention", **{r.key: r.name for r in rules.RULES}}
GRID_SORTS = {"name": "name", "average": "average, lowest first", "urgency": "most urgent first"}


def works_of(overview: Overview) -> list[rules.Work]:
    """The class's assignments as the rules see them, in the grid's column order."""
    return [rules.Work(a.id, a.title, a.due_at, a.closed) for a in overview.assignments]


def mark(cell: Cell) -> rules.Mark:
    """A grid cell as the rules see it: a handed-in cell without a score is awaiting grading."""
    pending = cell.status == rules.PENDING or (cell.status in rules.HANDED_IN and cell.score is None)
    return rules.Mark(cell.status, None if pending else cell.score, pending, cell.late)


@dataclass
class ClassView:
    """The overview's reading of the grid: an assessment per student and the summary strip."""

    works: list[rules.Work]
    assessed: dict[int, rules.Assessment]  # student id -> why (perhaps nothing)
    summary: rules.Summary

    def ranked(self, only: str | None = None) -> list[rules.Assessment]:
        """Students needing attention (for one rule, or any), most urgent first."""
        return rules.rank(list(self.assessed.values()), only)

    def counts(self) -> dict[str, int]:
        """How many students each rule lists, and how many any rule lists ('attention')."""
        found = {r.key: 0 for r in rules.RULES}
        listed = 0
        for a in self.assessed.values():
            listed += bool(a.reasons)
            for key in a.rules:
                found[key] += 1
        return {"attention": listed, **found}

    def rows(self, overview: Overview, show: str, sort: str) -> list[StudentRow]:
        """The grid's rows for a filter ('all', 'attention' or a rule key) in an order ('name',
        'average' or 'urgency': the attention list's order, then everyone else by name)."""
        picked = list(overview.rows)
        if show != "all":
            listed = {a.student for a in self.ranked(None if show == "attention" else show)}
            picked = [r for r in picked if r.student.id in listed]
        if sort == "urgency":
            order = {a.student: i for i, a in enumerate(self.ranked())}
            picked.sort(key=lambda r: (order.get(r.student.id, len(order)), _by_name(r)))
        elif sort == "average":
            picked.sort(key=lambda r: (r.average is None, r.average or 0.0, _by_name(r)))
        else:
            picked.sort(key=_by_name)
        return picked


def _by_name(row: StudentRow) -> tuple[str, int]:
    return row.student.display_name.casefold(), row.student.id


def read_overview(overview: Overview, now) -> ClassView:
    """Assess every student of the grid and sum up the class."""
    works = works_of(overview)
    grid = [[mark(c) for c in row.cells] for row in overview.rows]
    assessed = {row.student.id: rules.assess(row.student.id, row.student.display_name, works, marks, now)
                for row, marks in zip(overview.rows, grid, strict=True)}
    return ClassView(works, assessed, rules.summarise(works, grid, now))
