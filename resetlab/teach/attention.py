"""The class overview's "who needs me, and why": the dashboard grid read by the rules of core.attention.

The attention list, its filters, the summary strip and the sort come from one `class_grid()` reading
of the whole class; the shown rows' cells from one more query (`Grid.cells_of`, see `class_grid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..core import attention as rules
from .dashboards import Cell, Grid, Student, StudentRow, collector_paused

TOP = 10  # students shown first on the overview
SHOW = {"all": "Everyone", "attention": "Needs attention", **{r.key: r.name for r in rules.RULES}}
GRID_SORTS = {"name": "name", "average": "average, lowest first", "urgency": "most urgent first"}


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

    def order(self, grid: Grid, show: str, sort: str) -> list[Student]:
        """The whole class's students for a filter ('all', 'attention' or a rule key) in an order
        ('name', 'average' or 'urgency': the attention list's order, then everyone else by name)."""
        picked = list(grid.students)
        if show != "all":
            listed = {a.student for a in self.ranked(None if show == "attention" else show)}
            picked = [s for s in picked if s.id in listed]
        if sort == "urgency":
            order = {a.student: i for i, a in enumerate(self.ranked())}
            picked.sort(key=lambda s: (order.get(s.id, len(order)), _by_name(s)))
        elif sort == "average":
            average = {key: a.facts.average for key, a in self.assessed.items()}
            picked.sort(key=lambda s: (average[s.id] is None, average[s.id] or 0.0, _by_name(s)))
        else:
            picked.sort(key=_by_name)
        return picked

    def rows(self, grid: Grid, students: list[Student]) -> list[StudentRow]:
        """The grid's rows of these students (their cells made now, and only theirs)."""
        cells = grid.cells_of(students)
        return [StudentRow(s, cells[s.id], self.assessed[s.id].facts.average) for s in students]


def _by_name(student: Student) -> tuple[str, int]:
    return student.display_name.casefold(), student.id


def read_grid(grid: Grid, now: datetime) -> ClassView:
    """Assess every student of the grid and sum up the class, in one lean pass over the counted scores
    (no cell objects: at 10,000 students the page shows 50 rows of 200,000 cells)."""
    works = [rules.Work(a.id, a.title, a.due_at, a.closed) for a in grid.assignments]
    reader = rules.Reader(works, now)
    scores, assessed = [], {}
    blank: list[float | None] = [None] * len(grid.assignments)  # rows are only read here, never changed
    with collector_paused():
        for student in grid.students:
            row = grid.scores.get(student.id, blank)
            scores.append(row)
            assessed[student.id] = reader.assess(student.id, student.display_name,
                                                 grid.was_handed_in(student.id), row)
    return ClassView(works, assessed, reader.summary(grid.handed, grid.on_time, len(grid.students), scores))
