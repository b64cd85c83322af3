"""Write a bank dict as a TOML bank file, laid out as people write them, that tomllib reads back equal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomli_w

TOP_ORDER = ("title", "lesson", "draw", "pool")
QUESTION_ORDER = ("id", "type", "prompt", "excerpt", "citation", "url", "options", "items", "pairs",
                  "distractors", "answer", "answers", "tolerance", "unit", "min_words", "max_words",
                  "exemplar", "explanation", "section", "difficulty", "skill", "group", "secure", "source")
WIDTH = 110
INDENT = "  "


def bank_to_toml(bank: Mapping[str, Any]) -> str:
    """A bank file for the dict (e.g. an imported GIFT file): plain keys (title, lesson, draw, pool, ...),
    then one [[questions]] table each, with [[questions.rubric]] tables nested under their essay."""
    out: list[str] = []
    top = {k: v for k, v in bank.items() if k != "questions"}
    plain, tables = _split(_ordered(top, TOP_ORDER))
    for key, value in plain.items():
        out.append(_pair(key, value))
    for question in bank.get("questions", []):
        out += ["", "[[questions]]"]
        out += _table(_ordered(question, QUESTION_ORDER), "questions")
    for key, value in tables.items():
        out += _tables(key, value)
    return "\n".join(out).lstrip("\n") + "\n"


def _ordered(table: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The table's keys in the given order first, the others after in their own order."""
    known = {k: table[k] for k in order if k in table}
    return known | {k: v for k, v in table.items() if k not in known}


def _is_tables(value: Any) -> bool:
    """A non-empty list of tables, written as [[name]] sections rather than inline."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _split(table: Mapping[str, Any], inline: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plain key = value pairs, and what must come after them as [sub] or [[sub]] tables (below a nested
    table such as [[questions.rubric]], lists of tables stay inline: levels = [{ points = 0, ... }])."""
    plain = {k: v for k, v in table.items()
             if not (isinstance(v, Mapping) or (_is_tables(v) and not inline))}
    return plain, {k: v for k, v in table.items() if k not in plain}


def _table(table: Mapping[str, Any], name: str) -> list[str]:
    """The lines of one table's body: its plain pairs, then its sub-tables."""
    plain, tables = _split(table, inline="." in name)
    lines = [_pair(key, value) for key, value in plain.items()]
    for key, value in tables.items():
        lines += _tables(f"{name}.{_key(key)}", value)
    return lines


def _tables(name: str, value: Any) -> list[str]:
    """A [name] table, or one [[name]] table per entry of a list of tables."""
    if isinstance(value, Mapping):
        return ["", f"[{name}]", *_table(value, name)]
    lines: list[str] = []
    for entry in value:
        lines += ["", f"[[{name}]]", *_table(entry, name)]
    return lines


def _key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, quoted otherwise."""
    return tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _scalar(value: Any, multiline: bool = False) -> str:
    """tomli-w's rendering of one value (strings with newlines as multi-line strings when allowed)."""
    return tomli_w.dumps({"v": value}, multiline_strings=multiline)[len("v = "):-1]


def _pair(key: str, value: Any) -> str:
    """One `key = value` line (or lines, for a multi-line string or a long array)."""
    return f"{_key(key)} = {_value(value, multiline=True)}"


def _value(value: Any, multiline: bool = False) -> str:
    """Short arrays on one line, long ones one item a line; tables inline; multi-line strings with '\"\"\"'
    where a string has line breaks (and no carriage return, which tomli-w would normalise)."""
    if isinstance(value, str):
        return _scalar(value, multiline and "\n" in value and "\r" not in value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        items = [_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        nested = any(isinstance(v, list | tuple | Mapping) for v in value)
        if not items or (not nested and len(one_line) <= WIDTH - 20):
            return one_line
        return "[\n" + "".join(f"{INDENT}{item},\n" for item in items) + "]"
    return _scalar(value)
