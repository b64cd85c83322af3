"""The linter's own input model: plain frozen records, independent of the app's question classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ITEM_TYPES = ("single", "multi", "truefalse", "text", "numeric", "order", "match", "essay", "source")


@dataclass(frozen=True)
class LintItem:
    """One question as the linter sees it (line = the line of its `id = ...`)."""

    id: str
    bank: str
    path: str
    line: int
    type: str
    prompt: str
    options: tuple[str, ...] = ()
    keys: tuple[int, ...] = ()
    truth: bool | None = None
    accepted: tuple[str, ...] = ()
    number: float | None = None
    items: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    distractors: tuple[str, ...] = ()
    excerpt: str = ""  # the stimulus shown: a source's own text, or that of the source a question cites
    skill: str = "recall"
    group: str | None = None
    lint_ok: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LintBank:
    """One quiz bank: pool is "bank" (drawn alone) or "course" (drawn with every lesson bank)."""

    slug: str
    path: str
    pool: str
    lesson: str | None
    items: tuple[LintItem, ...]


@dataclass(frozen=True)
class LintLesson:
    """One lesson: its timeline as (date, event text, line) and its Markdown body.

    body_line is the file line of the body's first line, so findings in the text can name a file line.
    """

    slug: str
    path: str
    timeline: tuple[tuple[str, str, int], ...]
    text: str
    body_line: int = 1


@dataclass(frozen=True)
class Finding:
    """One problem, printed as `path:line: [rule] message`."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"
