"""Build lint records from bank and lesson text as tomllib reads it (pure: text in, records out)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from .model import LintBank, LintItem, LintLesson

# New fields wait behind this marker until the app's parser accepts them (see the bank-format notes).
NEW_FIELD_MARKER = re.compile(r"^#@ ", re.MULTILINE)
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]\s]+)\s*\]\]?")
_ID = re.compile(r"""^\s*id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DATE = re.compile(r"^\s*date\s*=")
_NOT_A_TABLE = "(lint_ok is not a table)"


def with_new_fields(text: str) -> str:
    """Bank text with `#@ ` field lines switched on (line numbers unchanged)."""
    return NEW_FIELD_MARKER.sub("", text)


def question_lines(text: str) -> dict[str, int]:
    """Line of each question's `id = ...` (the first one, if an id repeats)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            table = header.group(1)
            continue
        match = _ID.match(line)
        if match and table == "questions":
            lines.setdefault(match.group(1) if match.group(1) is not None else match.group(2), number)
    return lines


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lint_ok(value: Any) -> Mapping[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {_NOT_A_TABLE: ""}
    return {str(k): v if isinstance(v, str) else "" for k, v in value.items()}


def _item(q: dict[str, Any], n: int, slug: str, path: str, lines: Mapping[str, int],
          stimuli: Mapping[str, str]) -> LintItem:
    qid = str(q.get("id", f"#{n}"))
    qtype = str(q.get("type", ""))
    answer = q.get("answer")
    keys: tuple[int, ...] = ()
    if qtype == "single" and _int(answer):
        keys = (answer,)
    elif qtype == "multi" and isinstance(answer, list):
        keys = tuple(sorted({a for a in answer if _int(a)}))
    pairs = tuple((p[0], p[1]) for p in q.get("pairs", []) or []
                  if isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p))
    group = q.get("group")
    excerpt = q.get("excerpt") if isinstance(q.get("excerpt"), str) else stimuli.get(str(q.get("source")), "")
    return LintItem(
        id=qid, bank=slug, path=path, line=lines.get(qid, 1), type=qtype,
        prompt=q.get("prompt") if isinstance(q.get("prompt"), str) else "",
        options=_strings(q.get("options")), keys=keys,
        truth=answer if qtype == "truefalse" and isinstance(answer, bool) else None,
        accepted=_strings(q.get("answers")),
        number=float(answer) if qtype == "numeric" and isinstance(answer, int | float)
        and not isinstance(answer, bool) else None,
        items=_strings(q.get("items")), pairs=pairs, distractors=_strings(q.get("distractors")),
        excerpt=excerpt,
        skill=str(q.get("skill", "recall")), group=group if isinstance(group, str) else None,
        lint_ok=_lint_ok(q.get("lint_ok")),
    )


def from_bank_dict(data: dict[str, Any], slug: str, path: str, lines: dict[str, int]) -> LintBank:
    """A LintBank from a bank as tomllib parses it, so the linter runs on raw TOML files."""
    raw = data.get("questions", [])
    questions = [q for q in raw if isinstance(q, dict)] if isinstance(raw, list) else []
    pool = data.get("pool", "bank")
    lesson = data.get("lesson")
    # A question with `source = "id"` is shown below that source's excerpt.
    stimuli = {str(q.get("id")): q["excerpt"] for q in questions
               if q.get("type") == "source" and isinstance(q.get("excerpt"), str)}
    return LintBank(
        slug=slug, path=path, pool=pool if isinstance(pool, str) else "bank",
        lesson=lesson if isinstance(lesson, str) else None,
        items=tuple(_item(q, n, slug, path, lines, stimuli) for n, q in enumerate(questions, 1)),
    )


def bank_from_text(text: str, slug: str, path: str) -> LintBank:
    """A LintBank from a bank file's text (raises tomllib.TOMLDecodeError on invalid TOML)."""
    text = with_new_fields(text)
    return from_bank_dict(tomllib.loads(text), slug, path, question_lines(text))


def lesson_from_text(text: str, slug: str, path: str) -> LintLesson:
    """A LintLesson from a lesson file: `+++` TOML front matter (with [[timeline]]) then Markdown."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        return LintLesson(slug=slug, path=path, timeline=(), text=text)
    end = next((n for n in range(1, len(lines)) if lines[n].strip() == "+++"), None)
    if end is None:
        return LintLesson(slug=slug, path=path, timeline=(), text=text)
    data = tomllib.loads("\n".join(lines[1:end]))
    headers = [(n + 1, m.group(1)) for n in range(1, end) if (m := _TABLE.match(lines[n]))]
    starts = [(line, next((h for h, _ in headers if h > line), end + 1))
              for line, name in headers if name == "timeline"]
    timeline = []
    raw = data.get("timeline", [])
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, dict):
            continue
        start, stop = starts[i] if i < len(starts) else (1, 1)
        line = next((n for n in range(start, stop) if _DATE.match(lines[n - 1])), start)
        timeline.append((str(entry.get("date", "")), str(entry.get("event", "")), line))
    found_slug = data.get("slug")
    return LintLesson(
        slug=found_slug if isinstance(found_slug, str) else slug, path=path, timeline=tuple(timeline),
        text="\n".join(lines[end + 1:]), body_line=end + 2,
    )
