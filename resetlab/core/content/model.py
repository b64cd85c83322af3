"""Immutable content objects: what a course is made of once loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from ..questions import Question

DIFFICULTIES = ("easy", "medium", "hard")
SKILLS = ("recall", "reasoning")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a content file, reported as path:line: message."""

    path: str
    line: int
    message: str
    severity: str = "error"
    rule: str | None = None  # the item-writing lint rule that found it (docs/rules/<rule>.md)

    def __str__(self) -> str:
        if self.rule is not None:
            return f"{self.path}:{self.line}: [{self.rule}] {self.message}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised when a course cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Bank:
    """A pool of questions for one lesson (or the course-wide final exam).

    The last three fields are authoring metadata, not content: `lines` (question id -> line of its
    `id =` in the file) and `lint_ok` (question id -> rule id -> reason) feed the item-writing lint;
    `conflicts` (question id -> ids it must not share an attempt with) is set by the catalog for a
    course-wide pool, from the give-away pairs that only that pool can bring together.
    """

    slug: str
    title: str
    lesson: str | None
    draw: int
    pool: str
    questions: tuple[Question, ...]
    path: str
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    lint_ok: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False, repr=False)
    conflicts: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event, taught in a lesson section; builds the course timeline."""

    date: str
    event: str
    lesson: str
    section: str
    line: int = field(default=1, compare=False)  # the entry's `date =` line in the lesson file


@dataclass(frozen=True)
class Term:
    """A key term with a short definition; builds the glossary."""

    term: str
    definition: str
    lesson: str
    section: str


@dataclass(frozen=True)
class Source:
    """A work a lesson relies on."""

    title: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class TocEntry:
    """A heading of a lesson, with its anchor, for the table of contents."""

    anchor: str
    title: str
    level: int


@dataclass(frozen=True)
class Lesson:
    """A lesson, with its Markdown rendered once at load time."""

    slug: str
    title: str
    order: int
    era: str
    summary: str
    objectives: tuple[str, ...]
    discussion: tuple[str, ...]
    timeline: tuple[TimelineEvent, ...]
    terms: tuple[Term, ...]
    sources: tuple[Source, ...]
    html: str
    toc: tuple[TocEntry, ...]
    anchors: frozenset[str]
    words: int
    path: str
    body: str = field(default="", compare=False, repr=False)  # the Markdown as written, for the lint
    body_line: int = field(default=1, compare=False)  # file line of the body's first line

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at 200 words a minute, at least one."""
        return max(1, round(self.words / 200))


@dataclass(frozen=True)
class Catalog:
    """The whole course, loaded once at start-up and shared read-only by every request."""

    lessons: tuple[Lesson, ...]
    banks: MappingProxyType[str, Bank]
    warnings: tuple[Problem, ...] = field(default=())

    def lesson(self, slug: str) -> Lesson | None:
        """The lesson with this slug, or None."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def bank(self, slug: str) -> Bank | None:
        """The quiz bank with this slug, or None."""
        return self.banks.get(slug)

    @cached_property
    def questions(self) -> MappingProxyType[str, Question]:
        """Every question of the course by id (ids are unique across the course)."""
        return MappingProxyType({q.id: q for bank in self.banks.values() for q in bank.questions})

    def bank_for_lesson(self, slug: str) -> Bank | None:
        """The bank paired with a lesson, if it has one."""
        return next((b for b in self.banks.values() if b.lesson == slug), None)

    @cached_property
    def question_count(self) -> int:
        """Questions across all banks (a source excerpt is not a question: it is shown with some); counted
        once, as /healthz asks on every request and the catalog never changes."""
        return sum(1 for b in self.banks.values() for q in b.questions if q.kind.answerable)

    @property
    def glossary(self) -> list[Merged]:
        """Every lesson's key terms, alphabetised; a term several lessons define appears once."""
        groups: dict[str, list[Term]] = {}
        for term in (t for lesson in self.lessons for t in lesson.terms):
            groups.setdefault(term.term.casefold(), []).append(term)
        merged = [_merge(group, group[0].term, lambda t: t.definition) for group in groups.values()]
        return sorted(merged, key=lambda m: m.key.casefold())

    @property
    def timeline(self) -> list[Merged]:
        """Every lesson's dated events in date order; one event told in several lessons appears once."""
        groups: list[list[TimelineEvent]] = []
        for event in (e for lesson in self.lessons for e in lesson.timeline):
            same = next((g for g in groups if g[0].date == event.date
                         and event.lesson not in {e.lesson for e in g}), None)
            if same is None:
                groups.append([event])
            else:
                same.append(event)
        merged = [_merge(group, group[0].date, lambda e: e.event) for group in groups]
        return sorted(merged, key=lambda m: m.key)


@dataclass(frozen=True)
class Merged:
    """A term or event for a course-wide page: the fullest wording, linked to every lesson with it."""

    key: str
    text: str
    places: tuple[tuple[str, str], ...]

    @property
    def lesson(self) -> str:
        """The lesson whose wording is shown."""
        return self.places[0][0]

    @property
    def section(self) -> str:
        """The section of that lesson."""
        return self.places[0][1]


def _merge(group, key: str, text_of) -> Merged:
    """The longest wording first; the other lessons that teach it follow."""
    ordered = sorted(group, key=lambda item: -len(text_of(item)))
    return Merged(key, text_of(ordered[0]), tuple((item.lesson, item.section) for item in ordered))
