"""to_gift: the layout it writes, what it refuses, and an independent check that Moodle's own reading
(format.php's readquestion, transcribed below with PHP's string operations) gets back what we meant."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resetlab.core.content.gift import GiftExportError, parse_gift, to_gift

from .test_gift_roundtrip import questions

BANK = {"title": "The 2009 reset", "lesson": "obama-medvedev", "draw": 1}
PHP_TRIM = " \t\n\r\0\x0b"


def gift(*qs: dict[str, Any], **bank: Any) -> str:
    return to_gift({**BANK, **bank, "questions": list(qs)})


def blocks(text: str) -> list[str]:
    return text.split("\n\n")


# --- layout ----------------------------------------------------------------------------------------------

def test_layout_of_a_bank() -> None:
    q = {"id": "obama-button-city", "type": "single", "prompt": "In which city: Geneva?",
         "options": ["Munich", "Geneva"], "answer": 1, "explanation": "It was #1 {Geneva}.",
         "section": "geneva-button", "difficulty": "easy", "skill": "recall"}
    out = blocks(gift(q, slug="obama-medvedev"))
    assert out[0].startswith("// Reset Lab quiz bank, exported as GIFT for Moodle.")
    assert out[1] == ('// resetlab: {"lesson":"obama-medvedev","draw":1,"slug":"obama-medvedev"}\n'
                      "$CATEGORY: $course$/The 2009 reset")
    assert out[2] == (
        "// [id:obama-button-city]\n"
        '// resetlab: {"section":"geneva-button","difficulty":"easy","skill":"recall"}\n'
        "::obama-button-city::[markdown]In which city\\: Geneva?{\n"
        "\t~Munich\n"
        "\t=Geneva\n"
        "\t####It was \\#1 \\{Geneva\\}.\n"
        "}\n")


def test_each_type_has_its_answer_block() -> None:
    def block(q: dict[str, Any]) -> str:
        return blocks(gift({"id": "q", "prompt": "P", **q}))[2].split("::[markdown]P", 1)[1].rstrip("\n")

    assert block({"type": "truefalse", "answer": True}) == "{TRUE}"
    assert block({"type": "truefalse", "answer": False, "explanation": "E"}) == "{FALSE\n\t####E\n}"
    assert block({"type": "multi", "options": ["a", "b", "c"], "answer": [0, 2]}) == \
        "{\n\t~%50%a\n\t~%-50%b\n\t~%50%c\n}"
    assert block({"type": "text", "answers": ["perezagruzka", "2*3"]}) == "{\n\t=perezagruzka\n\t=2\\\\*3\n}"
    assert block({"type": "numeric", "answer": 2009}) == "{#2009}"
    assert block({"type": "numeric", "answer": 2009.5, "tolerance": 0.5, "unit": "year"}) == "{#2009.5:0.5}"
    assert block({"type": "match", "pairs": [["a", "b"], ["c", "d"]], "distractors": ["e"]}) == \
        "{\n\t=a -> b\n\t=c -> d\n\t= -> e\n}"
    assert block({"type": "order", "items": ["first", "second", "third"]}) == \
        "{\n\t=first -> 1\n\t=second -> 2\n\t=third -> 3\n}"
    assert block({"type": "essay"}) == "{}"
    assert block({"type": "essay", "explanation": "E"}) == "{\n\t####E\n}"


def test_order_carries_its_type_in_the_comment() -> None:
    text = gift({"id": "q", "type": "order", "prompt": "P", "items": ["a", "b", "c"], "section": "s"})
    assert '// resetlab: {"type":"order","section":"s"}' in text


def test_source_is_a_description_with_title_and_citation() -> None:
    text = gift({"id": "munich", "type": "source", "prompt": "Biden at Munich",
                 "excerpt": "> Press the reset button.", "explanation": "Why.",
                 "citation": "Joseph R. Biden Jr., Munich, 7 February 2009"})
    assert blocks(text)[2].splitlines()[-1] == (
        "::munich::[markdown]**Biden at Munich**\\n\\n> Press the reset button.\\n\\n— Joseph R. Biden Jr., "
        "Munich, 7 February 2009")
    assert "{" not in blocks(text)[2].splitlines()[-1]


@pytest.mark.parametrize(("option", "written"), [
    ("%50% of voters", "[markdown]%50% of voters"),
    ("[html] is a tag", "[markdown][html] is a tag"),
    ("[not a format]", "[not a format]"),
    ("a = b ~ c # d : e", "a \\= b \\~ c \\# d \\: e"),
    ("back\\slash\nnewline", "back\\\\slash\\nnewline"),
])
def test_options_are_escaped_and_guarded(option: str, written: str) -> None:
    text = gift({"id": "q", "type": "single", "prompt": "P", "options": [option, "other"], "answer": 0})
    assert f"\t={written}\n" in text


def test_moodle_metadata_tokens_inside_our_comment_are_hidden_from_moodle() -> None:
    text = gift({"id": "q", "type": "essay", "prompt": "P", "exemplar": "see [id:x] and [tag:y]"})
    line = [x for x in text.splitlines() if x.startswith("// resetlab:")][-1]
    assert "[id:" not in line and "[tag:" not in line
    assert json.loads(line.split(":", 1)[1])["exemplar"] == "see [id:x] and [tag:y]"


@pytest.mark.parametrize(("right", "weight"), [(1, "100"), (2, "50"), (3, "33.33333"), (4, "25"), (5, "20"),
                                               (6, "16.66667"), (7, "14.28571"), (8, "12.5"), (9, "11.11111"),
                                               (10, "10")])
def test_multi_weights_are_in_moodles_list(right: int, weight: str) -> None:
    q = {"id": "q", "type": "multi", "prompt": "P", "options": [f"o{i}" for i in range(12)],
         "answer": list(range(right))}
    text = gift(q)
    assert text.count(f"\t~%{weight}%") == right and text.count(f"\t~%-{weight}%") == 12 - right


# --- refusals --------------------------------------------------------------------------------------------

def test_every_unwritable_question_is_listed() -> None:
    qs = [
        {"id": "a", "type": "match", "prompt": "P", "pairs": [["x -> y", "1"], ["z", "2"]]},
        {"id": "b", "type": "text", "prompt": "P", "answers": ["a->b"]},
        {"id": "c", "type": "order", "prompt": "P", "items": ["1 -> 2", "b", "c"]},
        {"id": "d", "type": "multi", "prompt": "P", "options": [f"o{i}" for i in range(12)],
         "answer": list(range(11))},
        {"id": "e", "type": "poll", "prompt": "P"},
        {"id": "f", "type": "single", "prompt": "P", "options": ["a", "b"], "answer": 2},
        {"id": "g", "type": "numeric", "prompt": "P", "answer": float("nan")},
        {"id": "h", "type": "single", "prompt": " ", "options": ["a", "b"], "answer": 0},
        {"id": "i", "type": "essay", "prompt": "P", "when": object()},
    ]
    with pytest.raises(GiftExportError) as caught:
        to_gift({"questions": qs})
    assert caught.value.problems == [
        "bank: no 'title' (it becomes the Moodle category)",
        "question a: the left-hand side 'x -> y' contains '->', which GIFT cannot escape: Moodle would split "
        "the pair there",
        "question b: the accepted answer 'a->b' contains '->', which GIFT cannot escape: Moodle would split "
        "the pair there",
        "question c: the item '1 -> 2' contains '->', which GIFT cannot escape: Moodle would split the pair "
        "there",
        "question d: 11 right options need weights of 9.09091%, which Moodle does not accept",
        "question e: unknown question type 'poll'",
        "question f: 'answer' must be an option index 0–1",
        "question g: 'answer' must be a finite number",
        "question h: 'prompt' must be a non-empty string",
        "question i: a field GIFT cannot carry is not a plain JSON value (Object of type object is not JSON "
        "serializable)",
    ]


# --- what Moodle itself reads ----------------------------------------------------------------------------

def _pre(text: str) -> str:
    """escapedchar_pre: \\\\ first, then the escapes, then the backslash back."""
    text = text.replace("\\\\", "&&092;")
    for esc, placeholder in zip(["\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n"],
                                ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"],
                                strict=True):
        text = text.replace(esc, placeholder)
    return text.replace("&&092;", "\\")


def _post(text: str) -> str:
    for placeholder, char in zip(["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"],
                                 [":", "#", "=", "{", "}", "~", "\n"], strict=True):
        text = text.replace(placeholder, char)
    return text


def _fmt(text: str) -> str:
    """parse_text_with_format, returning the text only."""
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in ("moodle", "html", "plain", "markdown"):
            text = text[end + 1:]
    return _post(text).strip(PHP_TRIM)


def _comment(answer: str) -> str:
    """commentparser: the answer text before the first #."""
    return _fmt(answer.split("#", 1)[0].strip(PHP_TRIM))


def moodle_read(block: str) -> dict[str, Any]:
    """format.php readquestion, for the parts that decide what a student sees and how it is graded."""
    lines = [" " if line.strip(PHP_TRIM).startswith("//") else line.strip(PHP_TRIM)
             for line in block.split("\n")]
    text = _pre("\n".join(lines).strip(PHP_TRIM))
    if text.startswith("::"):
        text = text[2:]
        text = text[text.find("::") + 2:].strip(PHP_TRIM)
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return {"qtype": "description", "text": _fmt(text)}
    answer = text[start + 1: finish].strip(PHP_TRIM)
    question_text = text[:start] + ("" if text.endswith("}") else "_____") + text[finish + 1:]
    out: dict[str, Any] = {"text": _fmt(question_text)}
    gf = answer.rfind("####")
    if gf >= 0:
        out["general"] = _fmt(answer[gf + 4:])
        answer = answer[:gf].strip(PHP_TRIM)
    weight = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
    if answer == "":
        out["qtype"] = "essay"
    elif answer[0] == "#":
        out["qtype"] = "numerical"
        value = answer[1:].strip(PHP_TRIM)
        out["answer"], _, out["tolerance"] = value.partition(":")
    elif "~" in answer:
        out["qtype"], out["single"] = "multichoice", "=" in answer
        parts = answer.replace("=", "~=").split("~")
        parts = parts[1:] if not parts[0].strip(PHP_TRIM) else parts
        out["answers"], out["fractions"] = [], []
        for part in (p.strip(PHP_TRIM) for p in parts):
            fraction = 0.0
            if part[0] == "=":
                fraction, part = 1.0, part[1:]
            elif weight.match(part):
                end = part.index("%", 1)
                fraction, part = float(part[1:end]) / 100, part[end + 1:]
            out["answers"].append(_comment(part))
            out["fractions"].append(fraction)
    elif "=" in answer and "->" in answer:
        out["qtype"], out["pairs"] = "match", []
        for part in (p.strip(PHP_TRIM) for p in answer.split("=")[1:]):
            left, _, right = part.partition("->")
            out["pairs"].append([_fmt(left.strip(PHP_TRIM)), _post(right).strip(PHP_TRIM)])
    else:
        check = answer[: answer.find("#")].strip(PHP_TRIM) if answer.find("#") > 0 else answer
        if check in ("T", "TRUE", "F", "FALSE"):
            out["qtype"], out["correct"] = "truefalse", check in ("T", "TRUE")
        else:
            out["qtype"] = "shortanswer"
            out["answers"] = [_comment(p.strip(PHP_TRIM)) for p in answer.split("=")[1:]]
    return out


EXPECTED = {"single": "multichoice", "multi": "multichoice", "truefalse": "truefalse", "text": "shortanswer",
            "numeric": "numerical", "order": "match", "match": "match", "essay": "essay",
            "source": "description"}


def _moodle_agrees(q: dict[str, Any]) -> None:
    read = moodle_read(blocks(gift(q))[2])
    assert read["qtype"] == EXPECTED[q["type"]]
    if q["type"] != "source":
        assert read["text"] == q["prompt"]
        assert read.get("general") == q.get("explanation")
    else:
        assert q["excerpt"] in read["text"] and read["text"].endswith(q["citation"])
    if q["type"] in ("single", "multi"):
        assert read["single"] == (q["type"] == "single")
        assert read["answers"] == q["options"]
        right = [q["answer"]] if q["type"] == "single" else q["answer"]
        n = len(right)
        expected = [(1.0 if q["type"] == "single" else 1 / n) if i in right else
                    (0.0 if q["type"] == "single" else -1 / n) for i in range(len(q["options"]))]
        assert read["fractions"] == pytest.approx(expected, abs=0.00001)
    elif q["type"] == "truefalse":
        assert read["correct"] is q["answer"]
    elif q["type"] == "text":
        assert [a.replace("\\*", "*") for a in read["answers"]] == q["answers"]
    elif q["type"] == "numeric":
        assert float(read["answer"]) == q["answer"]
        assert float(read["tolerance"] or 0) == q.get("tolerance", 0)
    elif q["type"] == "match":
        assert read["pairs"] == q["pairs"] + [["", d] for d in q.get("distractors", [])]
    elif q["type"] == "order":
        assert read["pairs"] == [[item, str(n)] for n, item in enumerate(q["items"], 1)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EXPECTED)).flatmap(questions))
def test_moodle_reads_what_we_meant(q: dict[str, Any]) -> None:
    _moodle_agrees(q)


def test_moodle_reads_the_example_the_same_way_our_importer_does() -> None:
    text = gift({"id": "q", "type": "multi", "prompt": "Which?", "options": ["a", "b", "c"], "answer": [1]})
    assert moodle_read(blocks(text)[2])["fractions"] == [-1.0, 1.0, -1.0]
    assert parse_gift(text, "x.gift").questions[0]["answer"] == [1]
