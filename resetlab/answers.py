"""Turn submitted form values into canonical answers, and back into JSON and words.

Pure: takes a mapping of field name -> list of values, never a Flask request.
A value no honest form could send (an option id not in the question) raises TamperedAnswer;
a mistake a person can make (duplicate positions, a word where a year goes) raises AnswerProblem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .content.model import Question
from .grading import key_answer

MAX_TEXT = 200


class TamperedAnswer(ValueError):
    """The form carried a value that the served question never offered."""


class AnswerProblem(ValueError):
    """The answer cannot be graded as given; the person should fix it."""


def field_name(position: int, sub: str = "") -> str:
    """Form field name for question `position` of an attempt (and a sub-part)."""
    return f"a{position}-{sub}" if sub else f"a{position}"


def _number(value: float) -> str:
    """The shortest text that reads back as exactly `value`: 2009.0 -> '2009', 1234567.0 -> '1234567'."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _one(values: Sequence[str]) -> str:
    if len(values) > 1:
        raise TamperedAnswer("a single answer was sent more than once")
    return values[0].strip() if values else ""


def parse_answer(question: Question, position: int, form: Mapping[str, Sequence[str]]) -> Any:
    """The canonical answer to `question` shown at `position`, or None if left blank."""
    name = field_name(position)
    t = question.type
    if t == "single":
        value = _one(form.get(name, []))
        if not value:
            return None
        if value not in {c.id for c in question.options}:
            raise TamperedAnswer(f"'{value}' is not an option of this question")
        return value
    if t == "multi":
        values = [v.strip() for v in form.get(name, []) if v.strip()]
        if not values:
            return None
        ids = {c.id for c in question.options}
        if any(v not in ids for v in values) or len(set(values)) != len(values):
            raise TamperedAnswer("an option that is not in this question was sent")
        return frozenset(values)
    if t == "truefalse":
        value = _one(form.get(name, []))
        if not value:
            return None
        if value not in ("true", "false"):
            raise TamperedAnswer("a true/false answer must be 'true' or 'false'")
        return value == "true"
    if t == "text":
        value = _one(form.get(name, []))
        if len(value) > MAX_TEXT:
            raise AnswerProblem(f"Keep this answer under {MAX_TEXT} characters.")
        return value or None
    if t == "numeric":
        value = _one(form.get(name, [])).replace(" ", "").replace(",", "")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise AnswerProblem("Enter a number, for example 2009.") from None
        if not math.isfinite(number) or len(value) > 20:
            raise AnswerProblem("Enter a number, for example 2009.")
        return number
    if t == "order":
        return _parse_order(question, position, form)
    return _parse_match(question, position, form)


def _parse_order(question: Question, position: int, form: Mapping[str, Sequence[str]]) -> Any:
    size = len(question.items)
    placed: dict[str, int] = {}
    for item in question.items:
        value = _one(form.get(field_name(position, item.id), []))
        if not value:
            continue
        if not value.isdecimal() or not 1 <= int(value) <= size:
            raise TamperedAnswer(f"position '{value}' is not between 1 and {size}")
        placed[item.id] = int(value)
    if not placed:
        return None
    if len(placed) < size:
        raise AnswerProblem("Give every item a position, or leave them all blank.")
    if len(set(placed.values())) != size:
        raise AnswerProblem("Use each position once: two items share a position.")
    return tuple(sorted(placed, key=placed.__getitem__))


def _parse_match(question: Question, position: int, form: Mapping[str, Sequence[str]]) -> Any:
    rights = {c.id for c in question.rights}
    chosen: dict[str, str] = {}
    for left in question.lefts:
        value = _one(form.get(field_name(position, left.id), []))
        if not value:
            continue
        if value not in rights:
            raise TamperedAnswer(f"'{value}' is not a choice of this question")
        chosen[left.id] = value
    return chosen or None


def to_json(question: Question, answer: Any) -> Any:
    """A JSON-able form of a canonical answer."""
    if answer is None:
        return None
    if question.type == "multi":
        return sorted(answer)
    if question.type == "order":
        return list(answer)
    return answer


def from_json(question: Question, stored: Any) -> Any:
    """The canonical answer back from its stored JSON."""
    if stored is None:
        return None
    if question.type == "multi":
        return frozenset(stored)
    if question.type == "order":
        return tuple(stored)
    return stored


def form_values(question: Question, position: int, answer: Any) -> dict[str, list[str]]:
    """The form fields that would submit `answer`, to refill a form after an error."""
    if answer is None:
        return {}
    name = field_name(position)
    t = question.type
    if t == "multi":
        return {name: sorted(answer)}
    if t == "truefalse":
        return {name: ["true" if answer else "false"]}
    if t == "numeric":
        return {name: [_number(answer)]}
    if t == "order":
        return {field_name(position, item): [str(i)] for i, item in enumerate(answer, 1)}
    if t == "match":
        return {field_name(position, left): [right] for left, right in answer.items()}
    return {name: [str(answer)]}


def describe(question: Question, answer: Any) -> str:
    """The answer in words, as the student or the key would say it."""
    if answer is None:
        return "No answer"
    t = question.type
    texts = {c.id: c.text for c in (*question.options, *question.items,
                                     *question.lefts, *question.rights)}
    if t == "single":
        return texts.get(answer, "?")
    if t == "multi":
        return "; ".join(texts.get(c.id, "?") for c in question.options if c.id in answer)
    if t == "truefalse":
        return "True" if answer else "False"
    if t == "numeric":
        unit = f" ({question.unit})" if question.unit and question.unit != "year" else ""
        return f"{_number(answer)}{unit}"
    if t == "order":
        return " → ".join(texts.get(i, "?") for i in answer)
    if t == "match":
        return "; ".join(f"{left.text} → {texts.get(answer.get(left.id), '—')}"
                         for left in question.lefts)
    return str(answer)


def describe_key(question: Question) -> str:
    """The right answer in words (every accepted spelling for text questions)."""
    if question.type == "text":
        return " or ".join(question.accepted)
    if question.type == "numeric" and question.tolerance:
        return f"{_number(question.number)} (±{_number(question.tolerance)})"
    return describe(question, key_answer(question))
