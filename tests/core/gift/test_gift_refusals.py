"""What Moodle silently accepts (or misreads) and we refuse: one test per refusal, asserting path, line and
message; and a file with many problems reports every one of them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resetlab.core.content.gift import parse_gift, parse_gift_bytes

PATH = "quizzes/bad.gift"


def errors(text: str) -> list[str]:
    """Every error for text, as path:line: message; the text holds one question, which must be refused."""
    result = parse_gift(text, PATH)
    assert result.questions == []
    return [str(p) for p in result.errors]


def only_error(text: str) -> str:
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def test_non_utf8_bytes_are_refused_line_by_line() -> None:
    result = parse_gift_bytes(b"A?{T}\n\nB\xe9?{T}\nok\n\xff\xfe", PATH)
    assert result.questions == []
    assert [str(p) for p in result.problems] == [
        f"{PATH}:3: not UTF-8: byte 0xe9 at column 2; save the file as UTF-8 (Moodle refuses it too)",
        f"{PATH}:5: not UTF-8: byte 0xff at column 1; save the file as UTF-8 (Moodle refuses it too)"]


@pytest.mark.parametrize(("text", "expected"), [
    ("A?{=a\n~b", "1: '{' is never closed: the answer block needs its '}' (Moodle: brace error)"),
    ("A? =a\n~b}", "2: '}' with no '{' before it (escape a literal brace as \\})"),
    ("A?{=a\n{~b} ~c}", "2: '{' inside an answer block: braces do not nest (escape a literal brace as \\{)"),
    ("Two blanks {=a} and\n{=b}", "2: a second answer block: Moodle would keep it as literal text in the "
                                  "question; a question has one answer block"),
])
def test_brace_errors(text: str, expected: str) -> None:
    assert only_error(text) == f"{PATH}:{expected}"


@pytest.mark.parametrize(("block", "expected"), [
    ("{#abc}", "the numeric answer 'abc' is not a number (Moodle would store an answer that accepts any "
               "reply: its importer assigns '*' where it means to compare)"),
    ("{#*}", "the numeric answer '*' is not a number (Moodle would store an answer that accepts any reply: "
             "its importer assigns '*' where it means to compare)"),
    ("{#2009:x}", "the numeric tolerance 'x' is not a number"),
    ("{#2009:-1}", "the tolerance -1 is negative"),
    ("{#5..1}", "the range 5..1 runs backwards (write min..max)"),
    ("{#=2009:0 =%50%2009:1}", "partial credit (50%) for 2009: Reset Lab's numeric question has one answer "
                               "and a tolerance, nothing in between"),
    ("{#=2009 =2010}", "2 accepted numbers (2009, 2010): Reset Lab's numeric question has one answer ± "
                       "tolerance"),
    ("{#2009 ~oops}", "after '~' a numeric block takes only '#feedback for wrong answers' (Moodle drops "
                      "anything else)"),
])
def test_numeric_refusals(block: str, expected: str) -> None:
    assert only_error("Year?" + block) == f"{PATH}:1: {expected}"


def test_equals_inside_a_weighted_set() -> None:
    assert errors("Which?{\n~%50%a\n~%50%b\n=c}") == [
        f"{PATH}:{n}: '=' inside a multiple-answer (weighted ~%n%) set: because of the '=' Moodle makes "
        f"the question single-answer, so '~%50%{x}' becomes partial credit, and Reset Lab scores single "
        "choice 1 or 0; write every right answer as ~%n% (multiple answers) or drop the weights"
        for n, x in ((2, "a"), (3, "b"))]


def test_weights_moodle_does_not_accept() -> None:
    allowed = ("100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, "
               "14.28571, 12.5, 11.11111, 10, 5, 0 and their negatives")
    assert errors("Which?{\n~%33.3%a\n~%33.3%b\n~%33.3%c\n~d}") == [
        f"{PATH}:{n}: weight %33.3% on '{x}' is not one Moodle accepts (it would refuse the question); "
        f"allowed: {allowed}" for n, x in ((2, "a"), (3, "b"), (4, "c"))]
    assert only_error("Which?{~%5x%a =b}") == (
        f"{PATH}:1: an answer starting with '%' but no weight %n%: Moodle would keep the '%…' in the text; "
        "write ~%n%text, or [markdown]% if '%' is text")
    assert only_error("Pick one{=%50%x ~y}") == (
        f"{PATH}:1: '=%50%': after '=' Moodle ignores the weight and keeps it in the answer text; write ~%n% "
        "for a weighted answer")


@pytest.mark.parametrize("text", ["Which?{=a\n~}", "Spell?{=a\n=}", "Spell?{=a\n=#feedback only}"])
def test_empty_answers(text: str) -> None:
    assert only_error(text) == f"{PATH}:2: an empty answer"


@pytest.mark.parametrize(("text", "expected"), [
    ("Which?{=Geneva\n~geneva ~Moscow}", "2: duplicate answer 'geneva' (also on line 1)"),
    ("Spell?{=Putin\n=PUTIN}", "2: duplicate answer 'PUTIN' (also on line 1)"),
    ("Match.{=a -> 1\n=b -> 1}", "2: duplicate right-hand side '1' (also on line 1): Moodle would offer it "
                                 "once for both, Reset Lab needs distinct right-hand sides"),
    ("Match.{=a -> 1 = -> 2\n=A -> 3}", "2: duplicate left-hand side 'A' (also on line 1)"),
])
def test_duplicates(text: str, expected: str) -> None:
    assert only_error(text) == f"{PATH}:{expected}"


@pytest.mark.parametrize(("block", "expected"), [
    ("{TRUE extra}", "anything after TRUE other than #feedback: Moodle would read 'TRUE extra' as a short "
                     "answer, not true/false"),
    ("{T =F}", "anything after T other than #feedback: Moodle would read 'T' as a short answer, not "
               "true/false"),
    ("{true}", "'true' is not a true/false answer: Moodle accepts exactly T, TRUE, F or FALSE (capitals) and "
               "would read this as a short answer 'true'"),
    ("{False#no}", "'False' is not a true/false answer: Moodle accepts exactly T, TRUE, F or FALSE "
                   "(capitals) and would read this as a short answer 'False'"),
])
def test_true_false_spelled_as_moodle_does_not(block: str, expected: str) -> None:
    assert only_error("The button said peregruzka." + block) == f"{PATH}:1: {expected}"


@pytest.mark.parametrize("text", ["{=a ~b}", "::name::{T}", "::name::[markdown]  {=x =y}"])
def test_question_without_text(text: str) -> None:
    assert only_error(text) == f"{PATH}:1: the question has no text"


@pytest.mark.parametrize(("block", "expected"), [
    ("{~a ~b ~c}", "no right answer: in a multiple-answer set each right answer carries ~%n% (without '=' "
                   "Moodle makes every plain ~ answer wrong)"),
    ("{~%50%a ~%25%b ~%25%c}", "the right answers carry different weights (50%, 25%, 25%): Reset Lab scores "
                               "every right answer the same"),
    ("{~%50%a ~%50%b ~%-100%c}", "'c' is weighted -100% but each right answer is 50%: Reset Lab takes "
                                 "off exactly one right answer's worth (-50%) for each wrong tick, so this "
                                 "cannot be kept"),
    ("{=a =b ~c}", "2 right answers (=) in a single-answer question: Reset Lab's single choice has one; for "
                   "several right answers write each as ~%n% (a multiple-answer set)"),
    ("{=a ~%-50%b}", "negative weight on 'b' in a single-answer question: Reset Lab's single choice has no "
                     "penalty; drop the weight"),
])
def test_choice_refusals(block: str, expected: str) -> None:
    assert only_error("Which?" + block) == f"{PATH}:1: {expected}"


@pytest.mark.parametrize(("block", "expected"), [
    ("{=a =%50%b}", "partial credit (50%) for 'b': Reset Lab accepts every listed spelling for full marks"),
    ("{=Gr*nt}", "'*' in 'Gr*nt' is a wildcard in Moodle short answers (it matches anything); Reset Lab "
                 "compares spellings: write \\* for a literal star"),
    ("{a =b}", "text 'a' before the first '=': every answer starts with '=' (Moodle would take this text as "
               "one more answer)"),
    ("{=%0%nobody}", "no accepted answer (a short answer needs one =spelling at 100%)"),
])
def test_short_answer_refusals(block: str, expected: str) -> None:
    assert only_error("Who?" + block) == f"{PATH}:1: {expected}"


def test_escaped_star_is_a_literal_star() -> None:
    assert parse_gift("Who?{=Gr\\*nt}", PATH).questions[0]["answers"] == ["Gr*nt"]


@pytest.mark.parametrize(("block", "expected"), [
    ("{=a -> 1 =b -> 2 =c}", "'c' has no '->': each pair is =left -> right"),
    ("{=a -> 1#well done =b -> 2}", "'#' in a matching pair: Moodle has no feedback for pairs and keeps '#…' "
                                    "in the text; escape it as \\#"),
    ("{=a -> 1 = -> 2}", "a matching question needs at least two pairs =left -> right"),
    ("{=a -> 1 =b -> }", "an empty right-hand side"),
])
def test_matching_refusals(block: str, expected: str) -> None:
    assert only_error("Match." + block) == f"{PATH}:1: {expected}"


@pytest.mark.parametrize(("text", "expected"), [
    ("// resetlab: {bad}\nA?{T}", "1: the '// resetlab:' comment is not valid JSON (Expecting property name "
                                  "enclosed in double quotes at column 15)"),
    ("// resetlab: [1]\nA?{T}", "1: the '// resetlab:' comment must hold a JSON object {...}"),
    ('// resetlab: {"type":"multi"}\nA?{T}', "1: the '// resetlab:' comment says type 'multi' but the answer "
                                             "block makes a truefalse question"),
    ('// resetlab: {"answer":false}\nA?{T}', "1: the '// resetlab:' comment repeats 'answer', which the GIFT "
                                             "text carries"),
    ('// resetlab: {"a":1}\n// resetlab: {"b":2}\nA?{T}', "2: a second '// resetlab:' comment (the first is "
                                                          "on line 1); one question has one"),
    ('// resetlab: {"id":"x"}\nA?{T}', "1: the '// resetlab:' comment must not carry 'id' ([id:…] and "
                                       "::name:: do)"),
    ('// resetlab: {"type":"order"}\nOrder?{=a -> 1 =b -> 3}', "1: an order question is written as a "
                                                               "matching of each item to its position 1..2, "
                                                               "with no distractors"),
])
def test_metadata_comment_refusals(text: str, expected: str) -> None:
    assert only_error(text) == f"{PATH}:{expected}"


def test_metadata_comment_cut_off_by_a_blank_line() -> None:
    result = parse_gift('// resetlab: {"section":"x"}\n\nA?{T}', PATH)
    assert [str(p) for p in result.errors] == [
        f"{PATH}:1: a '// resetlab:' comment with no question under it (is there a blank line between them?)"]


@pytest.mark.parametrize(("text", "expected"), [
    ("$category: Resets", "1: write '$CATEGORY:' exactly (capitals, colon right after): Moodle reads "
                          "anything else as a description question"),
    ("$CATEGORY: Resets\nA?{T}", "2: put a blank line after the $CATEGORY line: Moodle would make this line "
                                 "part of the category name"),
    ("::name A?{T}", "1: the question name opens with '::' but never closes (escape a literal colon as \\:)"),
])
def test_file_structure_refusals(text: str, expected: str) -> None:
    assert only_error(text) == f"{PATH}:{expected}"


def test_a_line_holding_only_zero_ends_the_question_as_in_moodle() -> None:
    assert f"{PATH}:3: a line holding only '0' ends the question in Moodle (PHP's empty('0') is true): " \
           "write it on the line before, or as \\n0" in errors("A?{\n=x\n0\n~y}")


def test_warnings_for_what_moodle_misreads_without_complaint() -> None:
    result = parse_gift('Pick{~a=b ~c}\n\n[html]A?{=<b class="x">a</b> ~b}\n\nA {=x ~y} // note', PATH)
    assert [str(p) for p in result.problems if "'=' right after" in p.message or "'//'" in p.message] == [
        f"{PATH}:1: warning: '=' right after 'a' starts a new answer; if it belongs to the text, escape it "
        "as \\=",
        f"{PATH}:3: warning: '=' right after 's' starts a new answer; if it belongs to the text, escape it "
        "as \\=",
        f"{PATH}:5: warning: '//' is a comment only at the start of a line: Moodle keeps '// note' in the "
        "question text"]


def test_every_problem_in_the_file_is_reported_and_good_questions_still_come_through() -> None:
    text = "\n\n".join([
        "Good?{T####Yes.}",                 # 1
        "Year?{#abc}",                      # 3
        "Broken {=a",                       # 5
        "Which?{~%50%a ~%50%b =c}",         # 7
        "Also good?{=x ~y####Because.}",    # 9
        "{=a ~b}",                          # 11
        "Spell?{true}",                     # 13
    ])
    result = parse_gift(text, PATH)
    assert [q["prompt"] for q in result.questions] == ["Good?", "Also good?"]
    assert [p.line for p in result.errors] == [3, 5, 7, 7, 11, 13]
    assert [(s.line, s.type) for s in result.summary] == [
        (1, "truefalse"), (3, None), (5, None), (7, None), (9, "single"), (11, None), (13, None)]
    assert not result.ok


NOISE = st.sampled_from([*"~=#{}:\\->%[]*TF \n\r\t/0.1a$", "TRUE", "::", "//", "####", "[html]", "[plain]",
                         "$CATEGORY:", '// resetlab: {"type":"order"}\n', "// [id:x]\n", "..", "\n\n"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NOISE, max_size=40).map("".join))
def test_any_text_gets_problems_on_real_lines_and_never_an_exception(text: str) -> None:
    result = parse_gift(text, PATH)
    last = len(text.split("\n") if "\n" in text else text.split("\r"))
    assert all(1 <= p.line <= last for p in result.problems)
    assert set(result.lines) == {q["id"] for q in result.questions}


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_are_read_or_refused(data: bytes) -> None:
    parse_gift_bytes(data, PATH)
