"""Our dict -> GIFT -> our dict is the identity, for every type, with awkward text; and the shipped course
survives to_gift -> parse_gift and bank_to_toml -> tomllib unchanged."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resetlab.core.content.gift import parse_gift, to_gift
from resetlab.core.content.toml_write import bank_to_toml

QUIZZES = Path(__file__).resolve().parents[3] / "quizzes"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every GIFT control character, the sequences that matter to Moodle (-> %50% [html] \n \\ //), Markdown,
# Cyrillic, quotes and spaces.
PIECES = st.sampled_from([
    "~", "=", "#", "{", "}", ":", "::", "\\", "\\n", "->", "-", ">", "%", "%50%", "[html]", "[markdown]",
    "[foo]", "####", "*", "**bold**", "_", "`code`", "//", "$CATEGORY:", "T", "TRUE", "_____", "перезагрузка",
    "Лавров", "ё", "“", "’", "\"", "'", " ", "  ", "\n", "\n\n", "\t", "a", "b", "Reset", "2009", "0", ".",
    "..", "&", "<b>", "\u00a0", "é",
])


def _text(*, arrow: bool = True) -> st.SearchStrategy[str]:
    """Awkward, non-empty text without surrounding whitespace (Moodle trims every text it reads)."""
    texts = st.lists(PIECES, min_size=1, max_size=8).map("".join)
    texts = texts.filter(lambda s: s.strip() and s == s.strip())
    return texts if arrow else texts.filter(lambda s: "->" not in s)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _distinct(size: tuple[int, int], *, arrow: bool = True) -> st.SearchStrategy[list[str]]:
    return st.lists(_text(arrow=arrow), min_size=size[0], max_size=size[1], unique_by=_key)


SLUGS = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
NUMBERS = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False))
EXTRA = st.fixed_dictionaries({}, optional={
    "explanation": _text(),
    "section": SLUGS,
    "difficulty": st.sampled_from(["easy", "medium", "hard"]),
    "skill": st.sampled_from(["recall", "reasoning"]),
    "group": SLUGS,
    "secure": st.booleans(),
    "source": SLUGS,
    "future_field": st.one_of(st.integers(), _text(), st.lists(_text(), max_size=3)),
})


@st.composite
def questions(draw: st.DrawFn, qtype: str) -> dict[str, Any]:
    """One valid question of the type, with a random selection of the optional fields."""
    q: dict[str, Any] = {"id": draw(SLUGS), "type": qtype}
    if qtype != "source":
        q["prompt"] = draw(_text())
    if qtype in ("single", "multi"):
        q["options"] = draw(_distinct((2, 6)))
        n = len(q["options"])
        q["answer"] = (draw(st.integers(0, n - 1)) if qtype == "single" else
                       sorted(draw(st.sets(st.integers(0, n - 1), min_size=1))))
    elif qtype == "truefalse":
        q["answer"] = draw(st.booleans())
    elif qtype == "text":
        q["answers"] = draw(_distinct((1, 4), arrow=False))
    elif qtype == "numeric":
        q["answer"] = draw(NUMBERS)
        if draw(st.booleans()):
            q["tolerance"] = abs(draw(NUMBERS))
        if draw(st.booleans()):
            q["unit"] = draw(_text())
    elif qtype == "order":
        q["items"] = draw(_distinct((3, 6), arrow=False))
    elif qtype == "match":
        lefts = draw(_distinct((2, 6), arrow=False))
        rights = draw(_distinct((len(lefts), len(lefts) + 3)))
        q["pairs"] = [[left, right] for left, right in zip(lefts, rights, strict=False)]
        extra = rights[len(lefts):]
        if extra or draw(st.booleans()):
            q["distractors"] = extra
    elif qtype == "essay":
        for key in ("min_words", "max_words"):
            if draw(st.booleans()):
                q[key] = draw(st.integers(0, 2000))
        if draw(st.booleans()):
            q["exemplar"] = draw(_text())
        if draw(st.booleans()):
            levels = st.lists(st.fixed_dictionaries({"points": st.integers(0, 5), "text": _text()}),
                              min_size=2, max_size=4)
            q["rubric"] = draw(st.lists(st.fixed_dictionaries({"criterion": _text(), "levels": levels}),
                                        min_size=1, max_size=3))
    elif qtype == "source":
        q["prompt"] = draw(_text())
        q["excerpt"] = draw(_text())
        q["citation"] = draw(_text())
        if draw(st.booleans()):
            q["url"] = "https://example.org/" + draw(SLUGS)
    q.update(draw(EXTRA))
    if qtype == "source" or draw(st.booleans()):
        q.setdefault("explanation", draw(_text()))
    return q


def _roundtrip(bank: dict[str, Any]) -> dict[str, Any]:
    result = parse_gift(to_gift(bank), "bank.gift")
    assert result.errors == [], [str(p) for p in result.errors]
    return result.bank()


def _check(question: dict[str, Any]) -> None:
    bank = {"title": "A bank: with / slashes", "lesson": "obama-medvedev", "draw": 1, "questions": [question]}
    assert _roundtrip(bank) == bank


@FAST
@given(questions("single"))
def test_single_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("multi"))
def test_multi_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("truefalse"))
def test_truefalse_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("text"))
def test_text_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("numeric"))
def test_numeric_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("order"))
def test_order_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("match"))
def test_match_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("essay"))
def test_essay_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@FAST
@given(questions("source"))
def test_source_round_trips(q: dict[str, Any]) -> None:
    _check(q)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["single", "multi", "truefalse", "text", "numeric", "order", "match",
                                 "essay", "source"]).flatmap(questions),
                min_size=1, max_size=6, unique_by=lambda q: q["id"]))
def test_mixed_bank_round_trips_through_gift_and_toml(qs: list[dict[str, Any]]) -> None:
    bank = {"title": "Mixed", "lesson": "x", "draw": len(qs), "questions": qs}
    assert _roundtrip(bank) == bank
    assert tomllib.loads(bank_to_toml(bank)) == bank


def _course() -> list[Path]:
    paths = sorted(QUIZZES.glob("*.toml"))
    assert paths, "the shipped course has quiz banks"
    return paths


def test_the_shipped_course_round_trips_through_gift() -> None:
    for path in _course():
        bank = tomllib.loads(path.read_text(encoding="utf-8"))
        result = parse_gift(to_gift(bank, slug=path.stem), path.name + ".gift")
        assert result.problems == [], [str(p) for p in result.problems]
        assert result.bank() == bank, path.name
        assert result.slug_hint == path.stem
        assert result.title_hint == bank["title"]
        assert list(result.lines) == [q["id"] for q in bank["questions"]]


def test_the_shipped_course_round_trips_through_toml() -> None:
    for path in _course():
        bank = tomllib.loads(path.read_text(encoding="utf-8"))
        text = bank_to_toml(bank)
        assert tomllib.loads(text) == bank, path.name
        assert text.startswith(f"title = {bank_to_toml({'title': bank['title']}).split(' = ', 1)[1]}")
