"""Parse a quiz bank (TOML) into a Bank, checking each question's fields and answer key."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..markdown import render_inline
from ..questions import TYPES, Question, QuestionError
from ..questions.question import Stimulus
from .lessons import SLUG
from .model import DIFFICULTIES, SKILLS, Bank, Problem
from .toml_lines import LineIndex, decode_error_line, key_line

COMMON = {"id", "type", "prompt", "explanation", "section", "difficulty", "skill", "group", "secure",
          "lint_ok", "source"}


def _flag(raw: Any, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise QuestionError(key, f"'{key}' must be true or false")
    return value


def _question(q: Any, lesson: str | None, secure_bank: bool = False) -> Question:
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


def _with_stimuli(questions: list[Question], refs: dict[str, tuple[str, int]], display: str,
                  problems: list[Problem]) -> list[Question]:
    """Attach to each question the source excerpt it names (`source = "<id>"`, in the same bank)."""
    sources = {q.id: q for q in questions if not q.kind.answerable}
    resolved = []
    for question in questions:
        if question.id in refs:
            ref, line = refs[question.id]
            found = sources.get(ref)
            if found is None:
                problems.append(Problem(display, line, f"question '{question.id}' names source '{ref}', "
                                                       "which is not a source in this bank"))
            else:
                body = found.body
                question = replace(question, stimulus=Stimulus(found.id, found.prompt, body.excerpt_html,
                                                               body.citation, body.url))
        resolved.append(question)
    return resolved


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
    refs: dict[str, tuple[str, int]] = {}
    lint_ok: dict[str, MappingProxyType[str, str]] = {}
    for i, raw in enumerate(raw_questions):
        try:
            question = _question(raw, lesson, secure_bank)
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
        if isinstance(raw.get("source"), str):
            refs[question.id] = (raw["source"], index.field(i, "source"))
        elif "source" in raw:
            problems.append(Problem(display, index.field(i, "source"), "'source' must name a source's id"))
        if raw.get("lint_ok"):
            lint_ok[question.id] = MappingProxyType(dict(raw["lint_ok"]))
    questions = _with_stimuli(questions, refs, display, problems)
    drawable = sum(1 for q in questions if q.kind.answerable and not q.kind.manual)
    draw = data.get("draw", drawable)
    if isinstance(draw, bool) or not isinstance(draw, int) or draw < 1:
        problems.append(Problem(display, key_line(text, "draw"), "'draw' must be a positive integer"))
        draw = max(1, drawable)
    elif pool == "bank" and draw > drawable:
        problems.append(Problem(display, key_line(text, "draw"),
                                f"'draw' is {draw} but the bank has {drawable} questions to draw"))
    bank = Bank(slug=slug, title=title.strip(), lesson=lesson, draw=draw, pool=pool,
                questions=tuple(questions), path=display, lines=MappingProxyType(seen),
                lint_ok=MappingProxyType(lint_ok))
    return bank, problems
