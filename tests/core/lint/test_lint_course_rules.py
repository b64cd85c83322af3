"""Across-item rules: duplicate-item and give-away, and lint_bank's within-bank comparison."""

from __future__ import annotations

from resetlab.core.content.lint import bank_from_text, lint_bank
from resetlab.core.content.lint.course_rules import drawing_conflicts

from .factories import PATH, found_in, make_bank, make_item, where

INTRO = "quizzes/what-is-a-reset.toml"
EXAM = "quizzes/final-exam.toml"


def _intro(*items):
    return make_bank(*items, slug="what-is-a-reset", path=INTRO, lesson="what-is-a-reset")


def _exam(*items):
    return make_bank(*items, slug="final-exam", path=EXAM, pool="course", lesson=None)


# --- duplicate-item ---

def test_duplicate_item_fires_on_the_later_of_two_near_identical_prompts():
    first = make_item(id="intro-button-handover", path=INTRO, line=58,
                      prompt="At the Geneva meeting of 6 March 2009, who handed the button to whom?")
    later = make_item(id="obama-button-who", line=55,
                      prompt="At the Geneva meeting of 6 March 2009, who handed the “reset” button to whom?")
    findings = found_in("duplicate-item", [make_bank(later), _intro(first)])
    # Reported once, on the item that comes later by (path, line): what-is-a-reset sorts after obama.
    assert where(findings) == [(INTRO, 58, "duplicate-item")]
    assert "obama-button-who" in findings[0].message


def test_duplicate_item_fires_on_same_key_and_shared_words():
    first = make_item(id="intro-button-year", path=INTRO, line=74, type="numeric", options=(), keys=(),
                      number=2009.0, prompt="In which year did Hillary Clinton present Lavrov the button?")
    later = make_item(id="obama-button-year", line=77, type="numeric", options=(), keys=(), number=2009.0,
                      prompt="In which year did Clinton hand Lavrov the button?")
    findings = found_in("duplicate-item", [make_bank(later), _intro(first)])
    assert where(findings) == [(INTRO, 74, "duplicate-item")]


def test_duplicate_item_fires_on_text_items_accepting_the_same_spellings():
    answers = ("perezagruzka", "перезагрузка")
    first = make_item(id="intro-word", path=INTRO, line=22, type="text", options=(), keys=(),
                      accepted=answers,
                      prompt="Which Russian word did the State Department intend to print on the button?")
    later = make_item(id="obama-word", line=19, type="text", options=(), keys=(), accepted=answers,
                      prompt="Type the Russian for “reset”; Latin or Cyrillic letters are accepted.")
    findings = found_in("duplicate-item", [make_bank(later), _intro(first)])
    assert where(findings) == [(INTRO, 22, "duplicate-item")]


def test_duplicate_item_quiet_for_different_questions():
    a = make_item(id="a", line=10, prompt="In which city did Clinton give Lavrov the button?")
    b = make_item(id="b", line=20, prompt="Which treaty did Obama and Medvedev sign in Prague in 2010?",
                  options=("New START", "SORT", "INF", "START II"))
    c = make_item(id="c", line=30, type="numeric", options=(), keys=(), number=2009.0,
                  prompt="In which year did Biden speak in Munich about the reset?")
    d = make_item(id="d", line=40, type="numeric", options=(), keys=(), number=2009.0,
                  prompt="When did Clinton hand Lavrov the mislabelled button?")
    assert found_in("duplicate-item", [make_bank(a, b, c, d)]) == []


def test_duplicate_item_does_not_confuse_order_items_with_generic_prompts():
    a = make_item(id="a", line=10, type="order", options=(), keys=(), prompt="Put these events in order.",
                  items=("Geneva button", "New START", "Libya vote"))
    b = make_item(id="b", line=20, type="order", options=(), keys=(), prompt="Put these events in order.",
                  items=("Brdo meeting", "ABM withdrawal", "Bucharest summit"))
    assert found_in("duplicate-item", [make_bank(a, b)]) == []


# --- give-away ---

YEAR = make_item(id="obama-button-year", line=77, type="numeric", options=(), keys=(), number=2009.0,
                 prompt="In which year did Clinton hand Lavrov the button?")
CITY = make_item(id="obama-button-city", line=66, prompt="In which city did Clinton give Lavrov the button?",
                 options=("Munich", "Moscow", "Geneva", "Prague"), keys=(2,))


def _printing(text, **fields):
    return make_item(**{"id": "obama-order-events", "line": 297, "type": "order", "options": (), "keys": (),
                        "prompt": "Put these events in order.",
                        "items": (text, "New START is signed", "Russia joins the WTO"), **fields})


def test_give_away_fires_on_the_item_that_prints_a_numeric_answer():
    findings = found_in("give-away", [make_bank(YEAR, _printing("The button is handed over, March 2009"))])
    assert where(findings) == [(PATH, 297, "give-away")]
    assert "obama-button-year" in findings[0].message and "same bank" in findings[0].message


def test_give_away_fires_on_a_short_single_key_and_text_answers():
    printing = _printing("Clinton gives Lavrov the button in Geneva")
    assert where(found_in("give-away", [make_bank(CITY, printing)])) == [(PATH, 297, "give-away")]
    word = make_item(id="w", line=19, type="text", options=(), keys=(), accepted=("perezagruzka",),
                     prompt="Type the intended word.")
    printing = _printing("The button omits za from perezagruzka")
    assert where(found_in("give-away", [make_bank(word, printing)])) == [(PATH, 297, "give-away")]


def test_give_away_quiet_when_the_items_share_a_group():
    bank = make_bank(YEAR.__class__(**{**YEAR.__dict__, "group": "geneva"}),
                     _printing("The button is handed over, March 2009", group="geneva"))
    assert found_in("give-away", [bank]) == []


def test_give_away_quiet_for_neutral_wording_small_numbers_and_short_answers():
    assert found_in("give-away", [make_bank(YEAR, CITY, _printing("The reset button is handed over"))]) == []
    small = make_item(id="n", line=5, type="numeric", options=(), keys=(), number=8.0,
                      prompt="How many members did the G8 have?")
    short = make_item(id="t", line=6, type="text", options=(), keys=(), accepted=("UN",),
                      prompt="Which body?")
    assert found_in("give-away", [make_bank(small, short, _printing("G8 of 8 members, then the UN"))]) == []


def test_give_away_across_banks_is_left_to_the_drawing_of_the_course_pool():
    other = _intro(make_item(id="intro-order", path=INTRO, line=144, type="order", options=(), keys=(),
                             prompt="Put these in order.",
                             items=("Biden in Munich, 2009", "Clinton in Geneva", "Riyadh talks")))
    exam = _exam(make_item(id="exam-q", path=EXAM, line=8, prompt="Who was Yeltsin's first foreign minister?",
                           options=("Kozyrev", "Lavrov", "Primakov"), keys=(0,)))
    # Two lesson banks meet only in the exam's pool, which the drawing keeps apart: no finding.
    assert found_in("give-away", [make_bank(YEAR), other, exam]) == []
    assert drawing_conflicts([make_bank(YEAR), other]) == {}
    assert drawing_conflicts([make_bank(YEAR), other, exam]) == {
        "final-exam": {"obama-button-year": frozenset({"intro-order"}),
                       "intro-order": frozenset({"obama-button-year"})}}


def test_drawing_conflicts_skip_pairs_in_one_bank_or_one_group():
    printing = _printing("The button is handed over, March 2009")
    exam = _exam(make_item(id="exam-q", path=EXAM, line=8, prompt="Which year?", type="numeric", options=(),
                           keys=(), number=1997.0))
    assert drawing_conflicts([make_bank(YEAR, printing), exam]) == {"final-exam": {}}
    grouped = _intro(make_item(id="intro-order", path=INTRO, line=144, type="order", options=(), keys=(),
                               prompt="Put these in order.", group="geneva",
                               items=("Biden in Munich, 2009", "Clinton in Geneva", "Riyadh talks")))
    year = YEAR.__class__(**{**YEAR.__dict__, "group": "geneva"})
    assert drawing_conflicts([make_bank(year), grouped, exam]) == {"final-exam": {}}


def test_lint_bank_compares_within_the_uploaded_bank_only():
    uploaded = make_bank(YEAR, slug="my-quiz", path="upload/my-quiz.toml")
    course = [make_bank(_printing("The button is handed over, March 2009"), slug="x", path="quizzes/x.toml")]
    assert [f.rule for f in lint_bank(uploaded, course)] == ["reasoning-share"]
    printing = _printing("Clinton hands over the button, 2009", path="upload/my-quiz.toml")
    uploaded = make_bank(YEAR, printing, slug="my-quiz", path="upload/my-quiz.toml")
    assert where([f for f in lint_bank(uploaded, course) if f.rule == "give-away"]) == [
        ("upload/my-quiz.toml", 297, "give-away")]


MUNICH_EXCERPT = "> It is time to press the reset button and to revisit the many areas of common work."


def _source_bank(extra):
    bank = bank_from_text(f'''lesson = "obama-medvedev"
[[questions]]
id = "obama-source-munich"
type = "source"
prompt = "Biden at the Munich Security Conference, 7 February 2009"
excerpt = "{MUNICH_EXCERPT}"

[[questions]]
id = "obama-munich-phrase"
type = "text"
source = "obama-source-munich"
prompt = "Which button does Biden say it is time to press?"
answers = ["reset button", "the reset button"]
{extra}''', "obama-medvedev", PATH)
    return bank


def test_a_question_shows_the_excerpt_of_the_source_it_cites():
    bank = _source_bank("")
    assert bank.items[1].excerpt == MUNICH_EXCERPT


def test_give_away_ignores_a_stimulus_that_the_answered_item_is_asked_about():
    assert found_in("give-away", [_source_bank("")]) == []


def test_give_away_still_catches_other_items_printing_the_answer():
    extra = '''
[[questions]]
id = "obama-order"
type = "order"
prompt = "Put these in order."
items = ["Biden calls for pressing the reset button", "Geneva meeting", "New START"]
'''
    bank = _source_bank(extra)
    assert where(found_in("give-away", [bank])) == [(PATH, 16, "give-away")]
