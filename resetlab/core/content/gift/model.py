"""What a GIFT import returns, and which of our question fields the GIFT text itself carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Fields of our question dict that the GIFT text carries, by type. Everything else (section, difficulty,
# skill, group, secure, source, unit, essay limits and rubric, the source's title and citation, ...)
# travels in the `// resetlab: {json}` comment above the question. `id` travels as [id:] and ::name::.
CARRIED: dict[str, frozenset[str]] = {
    "single": frozenset({"prompt", "explanation", "options", "answer"}),
    "multi": frozenset({"prompt", "explanation", "options", "answer"}),
    "truefalse": frozenset({"prompt", "explanation", "answer"}),
    "text": frozenset({"prompt", "explanation", "answers"}),
    "numeric": frozenset({"prompt", "explanation", "answer", "tolerance"}),
    "order": frozenset({"prompt", "explanation", "items"}),
    "match": frozenset({"prompt", "explanation", "pairs", "distractors"}),
    "essay": frozenset({"prompt", "explanation"}),
    "source": frozenset({"excerpt"}),
}
TYPES = tuple(CARRIED)

# Key order of an imported question (only for readable TOML; dict equality ignores order).
KEY_ORDER = ("id", "type", "prompt", "excerpt", "citation", "url", "options", "items", "pairs",
             "distractors", "answer", "answers", "tolerance", "unit", "min_words", "max_words", "exemplar",
             "explanation", "section", "difficulty", "skill", "group", "secure", "source", "rubric")


@dataclass(frozen=True)
class GiftProblem:
    """One thing wrong (error) or doubtful (warning) in a GIFT file, printed as path:line: message."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        """The problem as `path:line: message` (warnings say so)."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class GiftSummary:
    """One question block as `gift check` lists it: where, what Moodle sees, what we made of it."""

    line: int
    name: str
    moodle_type: str
    type: str | None  # our type; None when the question was refused
    id: str | None


@dataclass
class GiftResult:
    """Everything parse_gift found: our question dicts, their lines, every problem, the category."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[GiftProblem] = field(default_factory=list)
    category: str | None = None
    title_hint: str | None = None
    slug_hint: str | None = None
    bank_meta: dict[str, Any] = field(default_factory=dict)
    summary: list[GiftSummary] = field(default_factory=list)

    @property
    def errors(self) -> list[GiftProblem]:
        """Problems that make the file unfit to import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[GiftProblem]:
        """Problems worth a look that do not stop the import."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (warnings allowed)."""
        return not self.errors

    def bank(self) -> dict[str, Any]:
        """The bank dict (as tomllib would give it) that this file describes, for bank_to_toml."""
        bank: dict[str, Any] = {}
        if self.title_hint:
            bank["title"] = self.title_hint
        bank.update({k: v for k, v in self.bank_meta.items() if k not in ("title", "slug", "questions")})
        bank["questions"] = self.questions
        return bank


def ordered(question: dict[str, Any]) -> dict[str, Any]:
    """The question's keys in our usual order, unknown keys last in their own order."""
    known = {k: question[k] for k in KEY_ORDER if k in question}
    return known | {k: v for k, v in question.items() if k not in known}
