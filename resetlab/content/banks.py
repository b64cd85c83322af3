"""Parse a quiz bank (TOML) into a Bank, checking each question's fields and answer key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..grading import normalise_text
from .lessons import SLUG, render_inline
from .model import (
    DIFFICULTIES,
    QUESTION_TYPES,
    SKILLS,
    Bank,
    Choice,
    Problem,
    Question,
    choice_id,
)
from .toml_lines import LineIndex, decode_error_line, key_line

COMMON = {"id", "type", "prompt", "explanation", "section", "difficulty", "skill"}
TYPE_FIELDS = {
    "single": {"options", "answer"},
    "multi": {"options", "answer"},
    "truefalse": {"answer"},
    "text": {"answers"},
    "numeric": {"answer", "tolerance", "unit"},
    "order": {"items"},
    "match": {"pairs", "distractors"},
}
MAX_CHOICES = 6


class QuestionError(Exception):
    """A problem with one field of one question."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _strings(q: dict[str, Any], key: str, low: int, high: int = MAX_CHOICES) -> list[str]:
    value = q.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionError(key, f"'{key}' must be a list of non-empty strings")
    if not low <= len(value) <= high:
        raise QuestionError(key, f"'{key}' has {len(value)} entries; expected {low}–{high}")
    if len({v.strip().casefold() for v in value}) != len(value):
        raise QuestionError(key, f"'{key}' has duplicate entries")
    return [v.strip() for v in value]


def _index(value: Any, size: int, key: str = "answer") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise QuestionError(key, f"'{key}' must be a 0-based option index")
    if not 0 <= value < size:
        raise QuestionError(key, f"answer key {value} does not fit {size} options (0–{size - 1})")
    return value


def _choices(qid: str, texts: list[str]) -> tuple[Choice, ...]:
    return tuple(Choice(choice_id(qid, t), t) for t in texts)


def _key(qid: str, qtype: str, q: dict[str, Any]) -> dict[str, Any]:
    """Type-specific fields of a Question, or QuestionError."""
    if qtype in ("single", "multi"):
        options = _strings(q, "options", 2 if qtype == "single" else 3)
        choices = _choices(qid, options)
        if "answer" not in q:
            raise QuestionError("answer", "missing answer key 'answer'")
        if qtype == "single":
            correct = (choices[_index(q["answer"], len(options))].id,)
        else:
            raw = q["answer"]
            if not isinstance(raw, list) or not raw:
                raise QuestionError("answer", "'answer' must be a non-empty list of option indices")
            indices = {_index(v, len(options)) for v in raw}
            correct = tuple(choices[i].id for i in sorted(indices))
        return {"options": choices, "correct": correct}
    if qtype == "truefalse":
        if not isinstance(q.get("answer"), bool):
            raise QuestionError("answer", "missing answer key: 'answer' must be true or false")
        return {"truth": q["answer"]}
    if qtype == "text":
        accepted = _strings(q, "answers", 1, 20)
        if any(not normalise_text(a) for a in accepted):
            raise QuestionError("answers", "an accepted answer is only punctuation or spaces: "
                                           "nobody could match it")
        return {"accepted": tuple(accepted)}
    if qtype == "numeric":
        answer, tolerance = q.get("answer"), q.get("tolerance", 0)
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise QuestionError("answer", "missing answer key: 'answer' must be a number")
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise QuestionError("tolerance", "'tolerance' must be a number ≥ 0")
        unit = q.get("unit", "")
        if not isinstance(unit, str):
            raise QuestionError("unit", "'unit' must be a string")
        return {"number": float(answer), "tolerance": float(tolerance), "unit": unit}
    if qtype == "order":
        return {"items": _choices(qid, _strings(q, "items", 3))}
    # match
    pairs = q.get("pairs")
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s.strip() for s in p)
        for p in pairs
    ):
        raise QuestionError("pairs", "'pairs' must be a list of [left, right] string pairs")
    if not 3 <= len(pairs) <= MAX_CHOICES:
        raise QuestionError("pairs", f"'pairs' has {len(pairs)} entries; expected 3–{MAX_CHOICES}")
    lefts = [p[0].strip() for p in pairs]
    rights = [p[1].strip() for p in pairs]
    extra = _strings(q, "distractors", 0, 3) if "distractors" in q else []
    if len({s.casefold() for s in lefts}) != len(lefts):
        raise QuestionError("pairs", "two pairs have the same left-hand side")
    if len({s.casefold() for s in rights + extra}) != len(rights) + len(extra):
        raise QuestionError("pairs", "right-hand sides and distractors must all differ")
    left_c = _choices(qid, ["L:" + s for s in lefts])
    right_c = _choices(qid, ["R:" + s for s in rights + extra])
    left_c = tuple(Choice(c.id, t) for c, t in zip(left_c, lefts, strict=True))
    right_c = tuple(Choice(c.id, t) for c, t in zip(right_c, rights + extra, strict=True))
    return {"lefts": left_c, "rights": right_c,
            "pairs": tuple((left_c[i].id, right_c[i].id) for i in range(len(pairs)))}


def _question(q: Any, lesson: str | None) -> Question:
    if not isinstance(q, dict):
        raise QuestionError("", "a [[questions]] entry must be a table")
    qid = q.get("id")
    if not isinstance(qid, str) or not SLUG.match(qid):
        raise QuestionError("id", "question 'id' must be lowercase letters, digits and hyphens")
    qtype = q.get("type")
    if qtype not in QUESTION_TYPES:
        raise QuestionError("type", f"unknown question type '{qtype}' "
                                    f"(expected one of {', '.join(QUESTION_TYPES)})")
    for key in ("prompt", "explanation", "section"):
        if not isinstance(q.get(key), str) or not q[key].strip():
            raise QuestionError(key, f"question '{qid}' is missing '{key}'")
    if q.get("difficulty") not in DIFFICULTIES:
        raise QuestionError("difficulty", f"'difficulty' must be one of {', '.join(DIFFICULTIES)}")
    skill = q.get("skill", "recall")
    if skill not in SKILLS:
        raise QuestionError("skill", f"'skill' must be one of {', '.join(SKILLS)}")
    unknown = set(q) - COMMON - TYPE_FIELDS[qtype]
    if unknown:
        raise QuestionError(sorted(unknown)[0], f"unknown field(s) for a {qtype} question: "
                                                f"{', '.join(sorted(unknown))}")
    section = q["section"].strip()
    target_lesson, _, anchor = section.rpartition("#")
    target_lesson = target_lesson or (lesson or "")
    return Question(
        id=qid, type=qtype, prompt=q["prompt"].strip(),
        prompt_html=render_inline(q["prompt"]),
        explanation_html=render_inline(q["explanation"]),
        lesson=target_lesson, section=anchor, difficulty=q["difficulty"], skill=skill,
        **_key(qid, qtype, q),
    )


def parse_bank(path: Path, display: str) -> tuple[Bank | None, list[Problem]]:
    """Read one bank file; returns the Bank (None if unusable) and every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(display, 1, f"cannot read file: {err}")]
    except tomllib.TOMLDecodeError as err:
        return None, [Problem(display, decode_error_line(err), f"invalid TOML: {err}")]
    problems: list[Problem] = []
    slug = path.stem
    lesson = data.get("lesson")
    pool = data.get("pool", "bank")
    if lesson is not None and (not isinstance(lesson, str) or not SLUG.match(lesson)):
        problems.append(Problem(display, key_line(text, "lesson"), "'lesson' must be a lesson slug"))
        lesson = None
    if lesson is None and pool != "course":
        problems.append(Problem(display, 1, "bank needs 'lesson = \"slug\"' "
                                            "(or pool = \"course\" for a course-wide exam)"))
    if pool not in ("bank", "course"):
        problems.append(Problem(display, key_line(text, "pool"), "'pool' must be 'bank' or 'course'"))
        pool = "bank"
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(display, key_line(text, "title"), "bank is missing 'title'"))
        title = slug
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list):
        problems.append(Problem(display, key_line(text, "questions"),
                                "'questions' must be an array of tables ([[questions]])"))
        raw_questions = []
    index = LineIndex(text, "questions")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_questions):
        try:
            question = _question(raw, lesson)
        except QuestionError as err:
            line = index.field(i, err.key) if err.key else index.entry(i)
            problems.append(Problem(display, line, str(err)))
            continue
        if question.id in seen:
            problems.append(Problem(display, index.field(i, "id"),
                                    f"duplicate question id '{question.id}' "
                                    f"(first at line {seen[question.id]})"))
            continue
        seen[question.id] = index.field(i, "id")
        questions.append(question)
    draw = data.get("draw", len(questions))
    if isinstance(draw, bool) or not isinstance(draw, int) or draw < 1:
        problems.append(Problem(display, key_line(text, "draw"), "'draw' must be a positive integer"))
        draw = max(1, len(questions))
    elif pool == "bank" and draw > len(questions):
        problems.append(Problem(display, key_line(text, "draw"),
                                f"'draw' is {draw} but the bank has {len(questions)} questions"))
    bank = Bank(slug=slug, title=title.strip(), lesson=lesson, draw=draw, pool=pool,
                questions=tuple(questions), path=display)
    return bank, problems


def question_lines(path: Path) -> dict[str, int]:
    """Line of each question id in a bank file, for cross-file messages."""
    text = path.read_text(encoding="utf-8")
    index = LineIndex(text, "questions")
    try:
        raw = tomllib.loads(text).get("questions", [])
    except tomllib.TOMLDecodeError:
        return {}
    return {q.get("id"): index.field(i, "id") for i, q in enumerate(raw) if isinstance(q, dict)}
