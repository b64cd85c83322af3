"""Our bank dict -> GIFT text that Moodle imports and that parse_gift reads back to the same dict."""

from __future__ import annotations

import json
import math
from typing import Any

from .model import CARRIED
from .text import escape, format_number, format_percent, guard, moodle_fraction, shortanswer_encode

HEADER = """// Reset Lab quiz bank, exported as GIFT for Moodle.
// A comment line '// resetlab: {...}' above a question carries the fields Moodle has no place for
// (section, difficulty, skill, ...). Moodle ignores comments; Reset Lab's importer restores them.
// Keep each one directly above its question, with no blank line between."""


class GiftExportError(ValueError):
    """A bank that cannot be written as GIFT; `problems` lists every reason, one per question."""

    def __init__(self, problems: list[str]):
        """Keep every problem, one line each in the exception's message."""
        self.problems = problems
        super().__init__("\n".join(problems))


class _Refuse(Exception):
    """Raised for one question that cannot be written; the message says why."""


def to_gift(bank: dict[str, Any], *, slug: str | None = None) -> str:
    """Write a bank (the dict tomllib gives for a bank file) as GIFT, so a Moodle course can use it."""
    problems: list[str] = []
    blocks = [HEADER]
    title = bank.get("title")
    meta = {k: v for k, v in bank.items() if k not in ("title", "questions")}
    if slug:
        meta["slug"] = slug
    category: list[str] = []
    try:
        if meta:
            category.append("// resetlab: " + _json(meta))
    except _Refuse as err:
        problems.append(f"bank: {err}")
    if isinstance(title, str) and title.strip():
        clean = " ".join(title.split()).replace("/", "//")
        category.append(f"$CATEGORY: $course$/{clean}")
        blocks.append("\n".join(category))
    else:
        problems.append("bank: no 'title' (it becomes the Moodle category)")
    questions = bank.get("questions", [])
    if not isinstance(questions, list):
        questions = []
        problems.append("bank: 'questions' must be a list")
    for number, question in enumerate(questions, 1):
        label = question.get("id") if isinstance(question, dict) else None
        try:
            blocks.append(_question(question))
        except _Refuse as err:
            problems.append(f"question {label or f'#{number}'}: {err}")
    if problems:
        raise GiftExportError(problems)
    return "\n\n".join(blocks) + "\n"


def _json(value: Any) -> str:
    """Compact JSON on one line; '[id:' and '[tag:' inside strings are written \\u005b... so that
    Moodle does not take them for its own comment metadata."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise _Refuse(f"a field GIFT cannot carry is not a plain JSON value ({err})") from None
    return text.replace("[id:", "\\u005bid:").replace("[tag:", "\\u005btag:")


def _text(q: dict[str, Any], key: str, *, empty: bool = False) -> str:
    """The field as a string, refusing anything else (and blank text unless allowed)."""
    value = q.get(key)
    if not isinstance(value, str) or not (empty or value.strip()):
        raise _Refuse(f"'{key}' must be a non-empty string")
    return value


def _texts(q: dict[str, Any], key: str, minimum: int = 1) -> list[str]:
    """The field as a list of non-empty strings, refusing anything else."""
    value = q.get(key)
    if not isinstance(value, list) or len(value) < minimum or not all(
            isinstance(v, str) and v.strip() for v in value):
        raise _Refuse(f"'{key}' must be a list of at least {minimum} non-empty strings")
    return value


def _number(q: dict[str, Any], key: str) -> int | float:
    """The field as a finite int or float, refusing anything else (including booleans)."""
    value = q.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Refuse(f"'{key}' must be a finite number")
    return value


def _no_arrow(texts: list[str], what: str) -> None:
    """Refuse texts holding '->', which GIFT cannot escape."""
    for text in texts:
        if "->" in text:
            raise _Refuse(f"the {what} '{text}' contains '->', which GIFT cannot escape: Moodle "
                          "would split the pair there")


def _block(lines: list[str], explanation: str | None) -> str:
    """An answer block with one answer a line, tab-indented as Moodle writes it."""
    body = "".join(f"\t{line}\n" for line in lines)
    if explanation is not None:
        body += f"\t####{guard(explanation)}\n"
    return "{\n" + body + "}"


def _question(q: Any) -> str:
    """One question block: [id:] comment, our comment, ::id::[markdown]text{answers}."""
    if not isinstance(q, dict):
        raise _Refuse("a question must be a table")
    qid = _text(q, "id")
    if "\n" in qid or "\r" in qid:
        raise _Refuse("the id must be on one line")
    qtype = q.get("type")
    if qtype not in CARRIED:
        raise _Refuse(f"unknown question type '{qtype}'")
    meta = {k: v for k, v in q.items() if k not in CARRIED[qtype] and k not in ("id", "type")}
    if qtype == "order":
        meta = {"type": "order", **meta}
    if qtype == "match" and q.get("distractors") == []:
        meta["distractors"] = []
    explanation = None
    if qtype != "source" and "explanation" in q:
        explanation = _text(q, "explanation", empty=True)
    head = [f"// [id:{qid.replace(']', chr(92) + ']')}]"]
    if meta:
        head.append("// resetlab: " + _json(meta))
    name = f"::{escape(qid)}::[markdown]"
    if qtype == "source":
        text = _text(q, "excerpt")
        if isinstance(q.get("prompt"), str):
            text = f"**{q['prompt']}**\n\n{text}"
        if isinstance(q.get("citation"), str):
            text += f"\n\n— {q['citation']}"
        return "\n".join([*head, name + escape(text)])
    prompt = _text(q, "prompt")
    return "\n".join([*head, name + escape(prompt) + _answers(q, qtype, explanation)])


def _answers(q: dict[str, Any], qtype: str, explanation: str | None) -> str:
    """The answer block for the question's type."""
    if qtype == "essay":
        return _block([], explanation) if explanation is not None else "{}"
    if qtype == "truefalse":
        if not isinstance(q.get("answer"), bool):
            raise _Refuse("'answer' must be true or false")
        word = "TRUE" if q["answer"] else "FALSE"
        return "{" + word + ("\n" + _block([], explanation)[2:] if explanation is not None else "}")
    if qtype == "numeric":
        value = format_number(_number(q, "answer"))
        if "tolerance" in q:
            tolerance = _number(q, "tolerance")
            if tolerance < 0:
                raise _Refuse("'tolerance' must be ≥ 0")
            value += ":" + format_number(tolerance)
        return "{#" + value + ("\n" + _block([], explanation)[2:] if explanation is not None else "}")
    if qtype in ("single", "multi"):
        return _block(_choices(q, qtype), explanation)
    if qtype == "text":
        answers = _texts(q, "answers")
        _no_arrow(answers, "accepted answer")
        return _block([f"={guard(shortanswer_encode(a))}" for a in answers], explanation)
    if qtype == "order":
        items = _texts(q, "items", 2)
        _no_arrow(items, "item")
        return _block([f"={guard(item)} -> {n}" for n, item in enumerate(items, 1)], explanation)
    pairs = q.get("pairs")
    if not isinstance(pairs, list) or len(pairs) < 2 or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s.strip() for s in p)
            for p in pairs):
        raise _Refuse("'pairs' must be a list of at least two [left, right] pairs of non-empty strings")
    _no_arrow([left for left, _ in pairs], "left-hand side")
    distractors = _texts(q, "distractors", 0) if "distractors" in q else []
    lines = [f"={guard(left)} -> {escape(right)}" for left, right in pairs]
    return _block(lines + [f"= -> {escape(d)}" for d in distractors], explanation)


def _choices(q: dict[str, Any], qtype: str) -> list[str]:
    """The =/~ lines of a single-choice question, or the weighted ~%n% lines of a multi."""
    options = _texts(q, "options", 2)
    answer = q.get("answer")
    if qtype == "single":
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(options):
            raise _Refuse(f"'answer' must be an option index 0–{len(options) - 1}")
        return [("=" if i == answer else "~") + guard(o) for i, o in enumerate(options)]
    if not isinstance(answer, list) or not answer or not all(
            isinstance(a, int) and not isinstance(a, bool) and 0 <= a < len(options) for a in answer):
        raise _Refuse(f"'answer' must be a non-empty list of option indices 0–{len(options) - 1}")
    if len(set(answer)) != len(answer):
        raise _Refuse("'answer' lists an option twice")
    # Each right option is worth 100/n %, each wrong one -100/n %: Moodle's sum-of-weights scoring then
    # equals ours, (right ticks - wrong ticks) / right options, floored at 0.
    weight = 100 / len(answer)
    if moodle_fraction(weight) is None:
        raise _Refuse(f"{len(answer)} right options need weights of {format_percent(weight)}%, which Moodle "
                      "does not accept")
    shown = format_percent(weight)
    return [f"~%{'' if i in answer else '-'}{shown}%{guard(o)}" for i, o in enumerate(options)]
