"""Instructors' uploads before the database (resetlab.core.content.owned): whatever bytes or TOML values
arrive, reading and checking give problems on real lines of the file — never an exception — and nothing
that holds a NUL character is ever passed on to be saved."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resetlab.core.content.owned import check_upload, read_upload

ANCHORS = {"alpha": frozenset({"treaty", "button"})}
KEYS = ["id", "type", "prompt", "options", "answer", "answers", "explanation", "section", "difficulty",
        "skill", "tolerance", "pairs", "items", "feedback", "secure", "group", "weight", "\x00"]
SCALARS = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True)
           | st.sampled_from(["single", "multi", "truefalse", "text", "numeric", "order", "match", "essay",
                              "source", "easy", "recall", "treaty", "alpha#button", "q1", "Q 1", "", "\x00",
                              "a\x00b", "b1-x"])
           | st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_leaves=12)
QUESTIONS = st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=9), max_size=4)


def toml_value(value) -> str:
    """A value as TOML (JSON strings are TOML basic strings; None has no TOML form, so it is a string)."""
    if value is None or isinstance(value, float) and value != value:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        written = json.dumps(value)
        return written if abs(value) < 2**63 and written not in ("Infinity", "-Infinity") else '"huge"'
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_bank(questions: list[dict]) -> str:
    return "title = \"T\"\n" + "".join(
        "\n[[questions]]\n" + "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in q.items())
        for q in questions)


def assert_sound(data: bytes, name: str) -> None:
    """Read and check; every problem is on a line of the file; nothing kept holds a NUL."""
    upload = read_upload(data, name)
    for practice in (True, False):
        checked = check_upload(upload, lesson="alpha", anchors=ANCHORS, practice=practice, prefix="b1-")
        last = max(data.count(b"\n"), data.count(b"\r")) + 1  # GIFT reads a lone CR as a line break
        assert all(1 <= p.line <= last for p in checked.problems), checked.problems
        assert "\x00" not in json.dumps(checked.data, default=str, ensure_ascii=False)
        assert checked.ok == (not checked.errors and bool(checked.questions))
        assert len(checked.data) == len(checked.questions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUESTIONS)
def test_any_toml_bank_is_checked_or_refused_on_its_lines(questions: list[dict]) -> None:
    assert_sound(toml_bank(questions).encode(), "mine.toml")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=80), st.sampled_from(["x.gift", "x.toml", "pasted"]))
def test_any_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    assert_sound(data, name)


def test_nul_characters_are_refused_where_they_are() -> None:
    gift = read_upload(b"::a::One?{TRUE}\n\n::b::T\x00wo?{FALSE}\n", "x.gift")
    assert [(p.line, p.message.split(":")[0]) for p in gift.problems] == [
        (3, "a NUL character (byte 0x00) at column 7")]
    assert gift.questions == []
    toml = read_upload(b'title = "T\\u0000"\n\n[[questions]]\nid = "q"\ntype = "truefalse"\n'
                       b'prompt = "x\\u0000"\nanswer = true\n', "x.toml")
    assert [(p.line, p.message) for p in toml.problems] == [
        (1, "'title' holds a NUL character (\\u0000), which no text may hold: remove it"),
        (6, "'prompt' holds a NUL character (\\u0000), which no text may hold: remove it")]
    assert toml.questions == [] and toml.title is None
