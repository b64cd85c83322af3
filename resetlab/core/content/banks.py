"""Parse a quiz bank (TOML) into a Bank, checking each question's fields and answer key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..questions import TYPES, Question, QuestionError
from .lessons import SLUG, render_inline
from .model import DIFFICULTIES, SKILLS, Bank, Problem
from .toml_lines import LineIndex, decode_error_line, key_line

COMMON = {"id", "type", "prompt", "explanation", "section", "difficulty", "skill", "group", "secure",
          "lint_ok"}


def _flag(raw: Any, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise QuestionError(key, f"'{key}' must be true or false")
    return value


def parse_question(q: Any, lesson: str | None, secure_bank: bool = False) -> Question:
    """One [[questions]] table as tomllib reads it -> a Question; QuestionError names the bad field."""
    if not isinstance(q, dict):
        raise QuestionError("", "a [[questions]] entry must be a table")
    qid = q.get("id")
    if not isinstance(qid, str) or not SLUG.match(qid):
        raise QuestionError("id", "question 'id' must be lowercase letters, digits and hyphens")
    qtype = q.get("type")
    if not isinstance(qtype, str) or qtype not in TYPES:
        raise QuestionError("type", f"unknown question type '{qtype}' "
                                    f"(expected one of {', '.join(TYPES)})")
    kind = TYPES[qtype]
    for key in ("prompt", "explanation", "section"):
        if not isinstance(q.get(key), str) or not q[key].strip():
            raise QuestionError(key, f"question '{qid}' is missing '{key}'")
    if q.get("difficulty") not in DIFFICULTIES:
        raise QuestionError("difficulty", f"'difficulty' must be one of {', '.join(DIFFICULTIES)}")
    skill = q.get("skill", "recall")
    if skill not in SKILLS:
        raise QuestionError("skill", f"'skill' must be one of {', '.join(SKILLS)}")
    unknown = set(q) - COMMON - kind.fields
    if unknown:
        raise QuestionError(sorted(unknown)[0], f"unknown field(s) for a {qtype} question: "
                                                f"{', '.join(sorted(unknown))}")
    group = q.get("group")
    if group is not None and (not isinstance(group, str) or not SLUG.match(group)):
        raise QuestionError("group", "'group' must be lowercase letters, digits and hyphens")
    lint_ok = q.get("lint_ok", {})
    if not isinstance(lint_ok, dict) or not all(isinstance(v, str) for v in lint_ok.values()):
        raise QuestionError("lint_ok", "'lint_ok' must be a table of rule id = \"reason\"")
    section = q["section"].strip()
    target_lesson, _, anchor = section.rpartition("#")
    target_lesson = target_lesson or (lesson or "")
    return Question(
        id=qid, type=qtype, prompt=q["prompt"].strip(),
        prompt_html=render_inline(q["prompt"]),
        explanation_html=render_inline(q["explanation"]),
        lesson=target_lesson, section=anchor, difficulty=q["difficulty"], skill=skill,
        body=kind.parse_bank(qid, q), group=group, secure=_flag(q, "secure", secure_bank),
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
    secure_bank = data.get("secure", False)
    if not isinstance(secure_bank, bool):
        problems.append(Problem(display, key_line(text, "secure"), "'secure' must be true or false"))
        secure_bank = False
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list):
        problems.append(Problem(display, key_line(text, "questions"),
                                "'questions' must be an array of tables ([[questions]])"))
        raw_questions = []
    index = LineIndex(text, "questions")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    lint_ok: dict[str, MappingProxyType[str, str]] = {}
    for i, raw in enumerate(raw_questions):
        try:
            question = parse_question(raw, lesson, secure_bank)
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
        if raw.get("lint_ok"):
            lint_ok[question.id] = MappingProxyType(dict(raw["lint_ok"]))
    draw = data.get("draw", len(questions))
    if isinstance(draw, bool) or not isinstance(draw, int) or draw < 1:
        problems.append(Problem(display, key_line(text, "draw"), "'draw' must be a positive integer"))
        draw = max(1, len(questions))
    elif pool == "bank" and draw > len(questions):
        problems.append(Problem(display, key_line(text, "draw"),
                                f"'draw' is {draw} but the bank has {len(questions)} questions"))
    bank = Bank(slug=slug, title=title.strip(), lesson=lesson, draw=draw, pool=pool,
                questions=tuple(questions), path=display, lines=MappingProxyType(seen),
                lint_ok=MappingProxyType(lint_ok))
    return bank, problems
