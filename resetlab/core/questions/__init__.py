"""Question types: one class per type in `types/`, found by the registry; helpers that dispatch to it.

Adding a type means one new class in `types/`, one template partial in `templates/questions/`
and its tests. Nothing else switches on a type's name.
"""

from __future__ import annotations

import dataclasses
import hmac
import random
from collections.abc import Mapping
from typing import Any

from .base import (
    AnswerProblem,
    Choice,
    Form,
    QuestionError,
    QuestionType,
    TamperedAnswer,
    choice_id,
    field_name,
)
from .question import Question
from .registry import TYPES, UnknownType, kind

__all__ = ["TYPES", "AnswerProblem", "Choice", "Form", "Question", "QuestionError", "QuestionType",
           "TamperedAnswer", "UnknownType", "choice_id", "describe", "describe_key", "field_name",
           "form_values", "from_json", "in_order", "key_answer", "kind", "opaque_ids", "parse_answer",
           "present", "rename_form", "renamed", "to_json"]


def parse_answer(question: Question, position: int, form: Form) -> Any:
    """The canonical answer to `question` shown at `position`, or None if left blank."""
    return question.kind.parse_form(question, position, form)


def form_values(question: Question, position: int, answer: Any) -> dict[str, list[str]]:
    """The form fields that would submit `answer`, to refill a form after an error."""
    return question.kind.form_values(question, position, answer)


def to_json(question: Question, answer: Any) -> Any:
    """A JSON-able form of a canonical answer (None stays None)."""
    return None if answer is None else question.kind.to_json(question, answer)


def from_json(question: Question, stored: Any) -> Any:
    """The canonical answer back from its stored JSON."""
    return None if stored is None else question.kind.from_json(question, stored)


def describe(question: Question, answer: Any) -> str:
    """The answer in words, as the student would say it."""
    return "No answer" if answer is None else question.kind.describe(question, answer)


def describe_key(question: Question) -> str:
    """The right answer in words (every accepted spelling for text questions)."""
    return question.kind.describe_key(question)


def key_answer(question: Question) -> Any:
    """The answer key in the same canonical form a student's answer takes."""
    return question.kind.key(question)


def present(question: Question, rng: random.Random) -> tuple[str, ...]:
    """A shuffled order of the choices shown for this question (empty if it has none)."""
    return question.kind.present(question, rng)


def in_order(question: Question, order: tuple[str, ...] | list[str]) -> list[Choice]:
    """The question's shuffled choices in the order an attempt (or review card) shows them."""
    pool = {c.id: c for c in question.kind.choices(question)}
    return [pool[i] for i in order if i in pool]


def opaque_ids(question: Question, key: bytes) -> dict[str, str]:
    """Per-attempt names for the question's choice ids (`key` is secret and differs per attempt), so the
    ids a page shows say nothing about the ids of the same question anywhere else."""
    return {c.id: "o" + hmac.digest(key, c.id.encode(), "sha256").hex()[:12]  # one C call each
            for c in question.kind.choices(question)}


def _rename(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, tuple):
        return tuple(_rename(v, names) for v in value)
    if isinstance(value, Choice):
        return Choice(names.get(value.id, value.id), value.text)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _rename(getattr(value, f.name), names)
                                             for f in dataclasses.fields(value)})
    return value


def renamed(question: Question, names: Mapping[str, str]) -> Question:
    """The question with its choice ids renamed (for a page that must not show the real ones)."""
    return dataclasses.replace(question, body=_rename(question.body, names))


def rename_form(form: Form, names: Mapping[str, str]) -> dict[str, list[str]]:
    """Form fields with choice ids renamed in field names (`a3-<id>`) and in values."""
    renamed_form: dict[str, list[str]] = {}
    for name, values in form.items():
        head, dash, tail = name.partition("-")
        key = f"{head}-{names.get(tail, tail)}" if dash else name
        renamed_form.setdefault(key, []).extend(names.get(v, v) for v in values)
    return renamed_form
