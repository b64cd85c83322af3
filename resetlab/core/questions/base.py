"""What every question type shares: choices, answer errors, form helpers and the QuestionType base.

A question type owns everything that differs between kinds of question (see `QuestionType`); the
rest of the app asks the registry (`resetlab.core.questions.kind`) instead of switching on names.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .question import Question

Form = Mapping[str, Sequence[str]]
MAX_CHOICES = 6


class TamperedAnswer(ValueError):
    """The form carried a value that the served question never offered."""


class AnswerProblem(ValueError):
    """The answer cannot be graded as given; the person should fix it."""


class QuestionError(Exception):
    """A problem with one field of one question in a bank file."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def choice_id(question_id: str, text: str) -> str:
    """A stable, order-free id for an option, item or match side, derived from its text."""
    digest = hashlib.sha1(f"{question_id}\x1f{text}".encode()).hexdigest()
    return "c" + digest[:8]


@dataclass(frozen=True)
class Choice:
    """An option (single/multi), an item (order) or one side of a pair (match)."""

    id: str
    text: str


def choices(question_id: str, texts: Sequence[str]) -> tuple[Choice, ...]:
    """Choices with ids derived from their text."""
    return tuple(Choice(choice_id(question_id, t), t) for t in texts)


def choices_json(items: Sequence[Choice]) -> list[list[str]]:
    """Choices as stored in a question snapshot."""
    return [[c.id, c.text] for c in items]


def choices_from_json(data: Any) -> tuple[Choice, ...]:
    """Choices back from a question snapshot."""
    return tuple(Choice(i, t) for i, t in data or [])


def field_name(position: int, sub: str = "") -> str:
    """Form field name for question `position` of an attempt (and a sub-part)."""
    return f"a{position}-{sub}" if sub else f"a{position}"


def number_text(value: float) -> str:
    """The shortest text that reads back as exactly `value`: 2009.0 -> '2009'."""
    return repr(float(value)).removesuffix(".0")


def one(values: Sequence[str]) -> str:
    """The single value of a field (blank if absent); a repeated value is tampering."""
    if len(values) > 1:
        raise TamperedAnswer("a single answer was sent more than once")
    return values[0].strip() if values else ""


def strings(q: Mapping[str, Any], key: str, low: int, high: int = MAX_CHOICES) -> list[str]:
    """A bank field that must be a list of distinct non-empty strings, `low` to `high` long."""
    value = q.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionError(key, f"'{key}' must be a list of non-empty strings")
    if not low <= len(value) <= high:
        raise QuestionError(key, f"'{key}' has {len(value)} entries; expected {low}–{high}")
    if len({v.strip().casefold() for v in value}) != len(value):
        raise QuestionError(key, f"'{key}' has duplicate entries")
    return [v.strip() for v in value]


class QuestionType:
    """One kind of question. Subclasses own their bank fields, shuffling, form parsing and refill,
    JSON round trip, describing answers in words, grading, offline checking and their template."""

    name: ClassVar[str]
    label: ClassVar[str]
    order: ClassVar[int]  # where the type is listed in messages and docs
    fields: ClassVar[frozenset[str]] = frozenset()  # bank keys beyond the common ones
    reports_options: ClassVar[bool] = False  # item analysis shows how often each option was picked
    manual: ClassVar[bool] = False  # an instructor grades it (a written answer), not the server
    answerable: ClassVar[bool] = True  # False for a stimulus that questions refer to, never drawn itself

    @property
    def template(self) -> str:
        """The partial under templates/ that renders this type's answer controls."""
        return f"questions/{self.name}.html"

    # --- bank file and snapshot -------------------------------------------------------------
    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> Any:
        """The type's own data (a frozen dataclass) from a bank entry; raises QuestionError."""
        raise NotImplementedError

    def snapshot(self, body: Any) -> dict[str, Any]:
        """The type's data as JSON for a question snapshot."""
        raise NotImplementedError

    def from_snapshot(self, data: Mapping[str, Any]) -> Any:
        """The type's data back from a snapshot."""
        raise NotImplementedError

    # --- presentation ----------------------------------------------------------------------
    def choices(self, q: Question) -> tuple[Choice, ...]:
        """Every choice whose id can appear in this question's form (names or values)."""
        return ()

    def shuffled(self, q: Question) -> tuple[str, ...]:
        """Ids of the choices that are shown in a per-attempt random order (empty: none)."""
        return ()

    def present(self, q: Question, rng: random.Random) -> tuple[str, ...]:
        """A shuffled order of the choices shown for this question."""
        ids = list(self.shuffled(q))
        rng.shuffle(ids)
        return tuple(ids)

    # --- answers ---------------------------------------------------------------------------
    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        """The canonical answer from submitted form values, None if blank.

        Raises TamperedAnswer for values no honest form could send, AnswerProblem for mistakes.
        """
        raise NotImplementedError

    def salvage(self, q: Question, position: int, form: Form) -> Any:
        """What counts of an answer that does not fit (see parse_form) when time ran out and the
        learner can no longer fix it: nothing, unless a type can keep part of it."""
        return None

    def form_values(self, q: Question, position: int, answer: Any) -> dict[str, list[str]]:
        """The form fields that would submit `answer` (to refill a form)."""
        return {} if answer is None else {field_name(position): [str(answer)]}

    def to_json(self, q: Question, answer: Any) -> Any:
        """A JSON-able form of a canonical answer."""
        return answer

    def from_json(self, q: Question, stored: Any) -> Any:
        """The canonical answer back from its stored JSON."""
        return stored

    def json_fits(self, q: Question, raw: Any) -> bool:
        """Whether JSON from a device has this type's canonical shape."""
        raise NotImplementedError

    def describe(self, q: Question, answer: Any) -> str:
        """A non-blank answer in words, as the student or the key would say it."""
        return str(answer)

    def key(self, q: Question) -> Any:
        """The answer key in canonical form."""
        raise NotImplementedError

    def describe_key(self, q: Question) -> str:
        """The right answer in words."""
        return self.describe(q, self.key(q))

    def score(self, q: Question, answer: Any) -> float:
        """The score of a non-blank canonical answer, in [0, 1]."""
        raise NotImplementedError

    # --- offline practice, item analysis, demo ---------------------------------------------
    def offline_check(self, q: Question) -> dict[str, Any]:
        """What the device needs to give instant feedback, in one of the generic rules that
        static/js/practice.js knows (choice, text, number, fields) over the form's fields."""
        raise NotImplementedError

    def analysed_options(self, q: Question) -> tuple[tuple[Choice, bool], ...]:
        """Options whose popularity item analysis reports, each with whether it is right."""
        return ()

    def picked(self, q: Question, stored: Any) -> tuple[str, ...]:
        """Option ids chosen in a stored (JSON) answer, for item analysis."""
        return ()

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        """A wrong answer a real student might give (the demo class uses it)."""
        raise NotImplementedError

    def popular_wrong(self, q: Question, rng: random.Random) -> str | None:
        """The wrong option most of a demo class falls for, if the type has options."""
        return None
