"""Every GIFT construct, read from the examples Moodle documents (docs.moodle.org "GIFT format",
question/format/gift/examples.txt, and the inputs of question/format/gift/tests/giftformat_test.php)."""

from __future__ import annotations

from typing import Any

import pytest

from resetlab.core.content.gift import GiftResult, parse_gift, parse_gift_bytes


def read(text: str) -> GiftResult:
    return parse_gift(text, "moodle.gift")


def one(text: str) -> dict[str, Any]:
    """The single question in text, with no errors; its id is dropped for shorter expectations."""
    result = read(text)
    assert result.errors == [], [str(p) for p in result.errors]
    assert len(result.questions) == 1
    return {k: v for k, v in result.questions[0].items() if k != "id"}


def messages(result: GiftResult, severity: str = "warning") -> list[str]:
    return [p.message for p in result.problems if p.severity == severity]


# --- multiple choice, missing word, short answer, true/false --------------------------------------------

def test_multiple_choice() -> None:
    assert one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}") == {
        "type": "single", "prompt": "Who's buried in Grant's tomb?",
        "options": ["Grant", "Jefferson", "no one"], "answer": 2}


def test_missing_word_puts_a_blank_where_the_block_was() -> None:
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q["prompt"] == "Grant is _____ in Grant's tomb."
    assert q["options"] == ["buried", "entombed", "living"] and q["answer"] == 1


def test_answers_on_their_own_indented_lines() -> None:
    q = one("The American holiday of Thanksgiving is celebrated on the {\n    ~second\n    ~third\n"
            "    =fourth\n} Thursday of November.")
    assert q["prompt"] == ("The American holiday of Thanksgiving is celebrated on the _____ Thursday of "
                           "November.")
    assert q["options"] == ["second", "third", "fourth"] and q["answer"] == 2


def test_short_answer() -> None:
    assert one("Who's buried in Grant's tomb?{=no one =nobody}") == {
        "type": "text", "prompt": "Who's buried in Grant's tomb?", "answers": ["no one", "nobody"]}
    assert one("Two plus two equals {=four =4}.")["prompt"] == "Two plus two equals _____."


@pytest.mark.parametrize(("block", "truth"), [("{T}", True), ("{TRUE}", True), ("{F}", False),
                                               ("{FALSE}", False)])
def test_true_false_spellings(block: str, truth: bool) -> None:
    assert one("The sun rises in the east." + block) == {
        "type": "truefalse", "prompt": "The sun rises in the east.", "answer": truth}


def test_true_false_feedback_if_wrong_then_if_right_goes_into_the_explanation() -> None:
    result = read("// true/false\n::Q1:: 42 is the Absolute Answer to everything.{\n"
                  "FALSE#42 is the Ultimate Answer.#You gave the right answer.}")
    q = result.questions[0]
    assert q["id"] == "q1" and q["answer"] is False
    assert q["explanation"].endswith("- if answered wrongly: 42 is the Ultimate Answer.\n"
                                     "- if answered rightly: You gave the right answer.")
    assert any("folded into the explanation" in m for m in messages(result))


# --- numeric ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("block", "answer", "tolerance"), [
    ("{#1822}", 1822, None),
    ("{#1822:5}", 1822, 5),
    ("{#3.1415:0.0005}", 3.1415, 0.0005),
    ("{#3.141..3.142}", 3.1415, 0.0005),
    ("{#1..5}", 3, 2),
    ("{#-5..-1}", -3, 2),
    ("{#\n    =1822:0}", 1822, 0),
])
def test_numeric(block: str, answer: float, tolerance: float | None) -> None:
    q = one("When was Ulysses S. Grant born?" + block)
    assert q["type"] == "numeric" and q["answer"] == answer and type(q["answer"]) is type(answer)
    assert q.get("tolerance") == tolerance


def test_numeric_as_moodle_exports_it_with_wrong_answer_feedback() -> None:
    result = read("// question: 666  name: Q5\n::Q5::What is a number from 1 to 5?{#\n\t=%100%3:2#\n"
                  "\t~#Completely wrong\n}")
    assert result.errors == []
    q = result.questions[0]
    assert (q["answer"], q["tolerance"]) == (3, 2)
    assert q["explanation"].endswith("- a wrong answer: Completely wrong")


# --- matching --------------------------------------------------------------------------------------------

def test_matching() -> None:
    q = one("Match the following countries with their corresponding capitals. {\n    =Canada -> Ottawa\n"
            "    =Italy  -> Rome\n    =Japan  -> Tokyo\n    =India  -> New Delhi\n    }")
    assert q["type"] == "match"
    assert q["pairs"] == [["Canada", "Ottawa"], ["Italy", "Rome"], ["Japan", "Tokyo"], ["India", "New Delhi"]]
    assert "distractors" not in q


def test_matching_without_spaces_and_with_a_distractor_and_formats() -> None:
    compact = one("Match capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}")
    assert compact["pairs"][0] == ["Canada", "Ottawa"]
    q = one("// question: 2  name: Moodle activities\n::Moodle activities::[html]Match the <b>activity</b> "
            "to the description.{\n    =[html]An activity supporting asynchronous discussions. -> Forum\n"
            "    =[moodle]A teacher asks a question. -> Choice\n"
            "    =[plain]A bank of record entries. -> Database\n"
            "    =[markdown]A collection of *web pages*. -> Wiki\n    = -> Chat\n}")
    assert q["prompt"] == "Match the <b>activity</b> to the description."
    assert q["pairs"] == [["An activity supporting asynchronous discussions.", "Forum"],
                          ["A teacher asks a question.", "Choice"],
                          ["A bank of record entries.", "Database"],
                          ["A collection of *web pages*.", "Wiki"]]
    assert q["distractors"] == ["Chat"]


# --- essay, description ----------------------------------------------------------------------------------

def test_essay() -> None:
    assert one("// essay\n::Q8:: How are you? {}") == {"type": "essay", "prompt": "How are you?"}
    assert one("Describe the 2001 Crawford meeting.{####Look for the ranch diplomacy.}") == {
        "type": "essay", "prompt": "Describe the 2001 Crawford meeting.",
        "explanation": "Look for the ranch diplomacy."}


def test_description_is_a_source_that_needs_a_citation() -> None:
    result = read("::Munich 2009::It is time to press the reset button.")
    assert result.questions == [{"id": "munich-2009", "type": "source", "prompt": "Munich 2009",
                                 "excerpt": "It is time to press the reset button."}]
    assert [str(p) for p in result.errors] == ["moodle.gift:1: a source needs a citation (add \"citation\" "
                                              "to its '// resetlab:' comment)"]


# --- feedback, general feedback, formats -----------------------------------------------------------------

def test_per_answer_feedback_is_folded_into_the_explanation() -> None:
    result = read("What's the answer to this multiple-choice question?{\n"
                  "~wrong answer#feedback comment on the wrong answer\n"
                  "~another wrong answer#feedback comment on this wrong answer\n=right answer#Very good!}")
    q = result.questions[0]
    assert q["options"] == ["wrong answer", "another wrong answer", "right answer"]
    assert q["explanation"] == ("Feedback on particular answers (from the GIFT file):\n\n"
                                "- “wrong answer”: feedback comment on the wrong answer\n"
                                "- “another wrong answer”: feedback comment on this wrong answer\n"
                                "- “right answer”: Very good!")
    assert "per-answer feedback (#…) is folded into the explanation: Reset Lab shows one explanation " \
           "after answering" in messages(result)


def test_general_feedback_is_the_explanation_and_keeps_its_own_format() -> None:
    q = one("Where was the button handed over?{=Geneva ~Moscow ~Prague ####[html]<p>March 2009</p>}")
    assert q["options"] == ["Geneva", "Moscow", "Prague"]
    assert q["explanation"] == "<p>March 2009</p>"


def test_general_feedback_after_per_answer_feedback() -> None:
    q = one("::Shortanswer::Which is the best animal?{\n    =Frog#Good!\n    =Toad\n"
            "    ####Here is some general feedback!\n}")
    assert q["answers"] == ["Frog", "Toad"]
    assert q["explanation"].startswith("Here is some general feedback!\n\nFeedback on particular answers")


@pytest.mark.parametrize(("tagged", "prompt"), [
    ("[markdown]Who's buried in **Grant's tomb**?", "Who's buried in **Grant's tomb**?"),
    ("[moodle]Who's buried in **Grant's tomb**?", "Who's buried in **Grant's tomb**?"),
    ("[html]Who's buried in <b>Grant's tomb</b>?", "Who's buried in <b>Grant's tomb</b>?"),
    ("[plain]Who's buried in *Grant's* <tomb>?", "Who's buried in \\*Grant's\\* &lt;tomb\\>?"),
    ("[foo]Who's buried here?", "[foo]Who's buried here?"),
])
def test_text_formats(tagged: str, prompt: str) -> None:
    assert one(tagged + "{=no one#excellent answer!\n=nobody}")["prompt"] == prompt


def test_options_inherit_the_question_format_unless_they_have_their_own() -> None:
    q = one("[plain]Pick *one*{=a*b ~[markdown]c*d*}")
    assert q["options"] == ["a\\*b", "c*d*"]


# --- escapes ---------------------------------------------------------------------------------------------

def test_escaped_control_characters() -> None:
    q = one("Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }")
    assert q["options"] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"] and q["answer"] == 1
    q = one("Escape test\\: a \\{brace\\}.{=a\\=b#ok ~a\\~b ~a\\#b}")
    assert q["prompt"] == "Escape test: a {brace}."
    assert q["options"] == ["a=b", "a~b", "a#b"]


def test_gift_control_characters_example() -> None:
    q = one("::GIFT Control Characters::\nWhich of the following is NOT a control character? {\n"
            "   ~ \\~     # \\~ is a control character.\n   ~ \\=     # \\= is a control character.\n"
            "   ~ \\#     # \\# is a control character.\n   ~ \\{     # \\{ is a control character.\n"
            "   ~ \\}     # \\} is a control character.\n"
            "   = \\\\     # Correct! \\\\ (backslash) is not.\n}")
    assert q["options"] == ["~", "=", "#", "{", "}", "\\"] and q["answer"] == 5


def test_newline_escape_and_backslashes() -> None:
    q = one("::double backslash:: A \\\\ B \\\\\\\\ C\\nnext line{}")
    assert q["prompt"] == "A \\ B \\\\ C\nnext line"
    # \\ is resolved first, so the brace after it is live: the block is {=b}.
    assert one("A \\\\{=b}")["prompt"] == "A \\"


# --- comments, names, ids, metadata ----------------------------------------------------------------------

def test_moodle4_id_and_tags_and_name() -> None:
    result = read("// [id:reset-2009] [tag:obama] [tag:reset]\n::Button::[markdown]In 2009 the reset button "
                  "read *peregruzka*.{TRUE#No - it was mislabelled.#Yes - it means \"overload\".}")
    q = result.questions[0]
    assert q["id"] == "reset-2009" and q["type"] == "truefalse" and q["answer"] is True
    assert q["prompt"] == "In 2009 the reset button read *peregruzka*."
    assert "Moodle tags are not kept (obama, reset)" in messages(result)
    assert result.lines == {"reset-2009": 2}
    assert result.summary[0].name == "Button" and result.summary[0].moodle_type == "truefalse"


def test_ids_come_from_id_then_name_then_line_and_are_unique() -> None:
    result = read("// A basic comment with [id:frog] in it.\nA?{T}\n\n::Frog!::B?{T}\n\nC?{T}\n\n"
                  "// [id:i\\]d]\nD?{T}")
    assert [q["id"] for q in result.questions] == ["frog", "frog-2", "q-6", "i-d"]
    assert sorted(m for m in messages(result) if " id" in m.casefold()) == [
        "the ID number 'i]d' is not an id of lowercase letters, digits and hyphens; using 'i-d'",
        "the id 'frog' is taken (line 2); this question becomes 'frog-2'"]


def test_comment_lines_inside_a_question_do_not_end_it() -> None:
    q = one("Who's buried?{\n// right answer first\n=no one\n// then the wrong ones\n~Grant\n}")
    assert q["options"] == ["no one", "Grant"]


def test_resetlab_comment_restores_our_fields() -> None:
    q = one('// [id:obama-button-order]\n// resetlab: {"type":"order","section":"geneva-button",'
            '"difficulty":"medium","skill":"recall","group":"button"}\n'
            "::obama-button-order::[markdown]Put these in order.{\n\t=Munich speech -> 1\n"
            "\t=Geneva button -> 2\n"
            "\t=New START -> 3\n\t####Explanation.\n}")
    assert q == {"type": "order", "prompt": "Put these in order.",
                 "items": ["Munich speech", "Geneva button", "New START"], "explanation": "Explanation.",
                 "section": "geneva-button", "difficulty": "medium", "skill": "recall", "group": "button"}


# --- multiple answers ------------------------------------------------------------------------------------

def test_multiple_answers_with_penalties() -> None:
    result = read("What two people are entombed in Grant's tomb? {\n    ~%-50%No one\n    ~%50%Grant\n"
                  "    ~%50%Grant's wife\n    ~%-50%Grant's father }")
    q = result.questions[0]
    assert q["type"] == "multi" and q["answer"] == [1, 2]
    assert not [m for m in messages(result) if "negative weight" in m]


def test_multiple_answers_without_penalties_are_kept_with_a_warning() -> None:
    result = read("What two people are entombed in Grant's tomb? {\n    ~No one\n    ~%50%Grant\n"
                  "    ~%50%Grant's wife\n    ~Grant's father }")
    assert result.questions[0]["answer"] == [1, 2]
    assert [str(p) for p in result.problems if "negative weight" in p.message] == [
        "moodle.gift:2: warning: wrong answers without a negative weight: Moodle takes nothing off for "
        "ticking them, but Reset Lab's multiple-answer scoring subtracts one right answer's worth for each "
        "wrong tick, so students can score lower than in Moodle"]


def test_multiple_answers_with_thirds() -> None:
    q = one("Which?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-33.33333%d}")
    assert q["answer"] == [0, 1, 2]


# --- file level: category, line endings, BOM -------------------------------------------------------------

def test_category_gives_title_and_slug_hints() -> None:
    result = read("$CATEGORY: $course$/Resets/Obama 2009\n\nA?{T}")
    assert result.category == "$course$/Resets/Obama 2009"
    assert (result.title_hint, result.slug_hint) == ("Obama 2009", "obama-2009")
    assert read("$CATEGORY: $course$/top/Either//or").title_hint == "Either/or"
    assert read("$CATEGORY: Just a name").title_hint == "Just a name"


def test_bank_comment_on_the_category() -> None:
    result = read('// resetlab: {"lesson":"obama-medvedev","draw":8,"slug":"obama-medvedev"}\n'
                  "$CATEGORY: $course$/The 2009 reset\n\nA?{T####Yes.}")
    assert result.bank() == {"title": "The 2009 reset", "lesson": "obama-medvedev", "draw": 8,
                             "questions": result.questions}
    assert result.slug_hint == "obama-medvedev"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    result = read(newline.join(["// c", "A?{", "=x", "~y}", "", "B?{T}"]))
    assert [q["prompt"] for q in result.questions] == ["A?", "B?"]
    assert result.lines == {"q-2": 2, "q-6": 6}


def test_bytes_with_a_bom() -> None:
    result = parse_gift_bytes("\ufeffРеset?{T}".encode(), "bom.gift")
    assert result.errors == [] and result.questions[0]["prompt"] == "Реset?"
