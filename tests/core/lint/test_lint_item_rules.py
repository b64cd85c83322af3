"""Each per-item rule: one fixture that fires (rule, path, line asserted) and one that does not."""

from __future__ import annotations

import pytest

from resetlab.core.content.lint import lint

from .factories import PATH, found, make_bank, make_item, where


def test_clean_default_item_has_no_item_findings():
    item = make_item(skill="reasoning", prompt="Why did Clinton give Lavrov a button?")
    assert [f for f in lint([make_bank(item)]) if f.line == item.line] == []


# --- key-longest ---

NRC_LONG_KEY = make_item(
    line=140, prompt="What did the NATO–Russia Council of 2002 give Russia?",
    options=("A voice as an equal partner on agreed issues such as terrorism, though no veto over NATO",
             "A veto over enlargement", "Full NATO membership", "Observer status"),
    keys=(0,))


def test_key_longest_fires_on_a_long_key():
    assert where(found("key-longest", NRC_LONG_KEY)) == [(PATH, 140, "key-longest")]


def test_key_longest_quiet_when_options_match_in_length():
    item = make_item(options=("A voice as an equal on agreed issues, but no veto",
                              "A veto over NATO enlargement decisions",
                              "Observer status at the North Atlantic Council",
                              "A Membership Action Plan leading to entry"))
    assert found("key-longest", item) == []


def test_key_longest_needs_both_the_ratio_and_twelve_characters():
    # 20 vs 10 characters: ratio 2.0 but only 10 longer.
    item = make_item(options=("Abstained on the vote", "Vetoed it.", "Voted yes.", "Was absent"))
    assert found("key-longest", item) == []


def test_key_longest_applies_to_multi_when_every_key_is_long():
    item = make_item(
        type="multi", line=100, keys=(0, 1),
        options=("The word reached Russians as a transliteration, a spelling made for foreigners",
                 "To an English-speaking checker the two words were similar strings of letters",
                 "Peregruzka is right in Cyrillic", "The letters spelled the right word"))
    assert where(found("key-longest", item)) == [(PATH, 100, "key-longest")]


# --- all-none-above ---

def test_all_none_above_fires():
    item = make_item(line=20, options=("Geneva", "Munich", "Prague", "None of the above"))
    assert where(found("all-none-above", item)) == [(PATH, 20, "all-none-above")]
    item = make_item(line=21, options=("Geneva", "Munich", "ALL OF THESE"))
    assert where(found("all-none-above", item)) == [(PATH, 21, "all-none-above")]


def test_all_none_above_quiet_on_ordinary_options():
    item = make_item(options=("None of NATO's members objected", "Geneva", "Munich"))
    assert found("all-none-above", item) == []


# --- combined-options ---

@pytest.mark.parametrize("option", [
    "Both A and C", "Neither of them", "All of the reasons given", "A and B", "Options 1 and 3",
    "(a) and (b)", "Only B", "only option 2",
])
def test_combined_options_fires(option):
    item = make_item(line=30, options=("Geneva", "Munich", option))
    assert where(found("combined-options", item)) == [(PATH, 30, "combined-options")]


@pytest.mark.parametrize("option", [
    "Essays A and B agree on the dates", "Between 1 and 2 per cent of GDP", "Only 1,700–2,200 warheads",
    "Only a few diplomats were expelled", "Russia and China abstained",
])
def test_combined_options_quiet_on_ordinary_options(option):
    assert found("combined-options", make_item(options=("Geneva", "Munich", option))) == []


def test_all_of_the_above_is_left_to_its_own_rule():
    item = make_item(options=("Geneva", "Munich", "All of the above"))
    assert found("combined-options", item) == []


# --- absolute-terms ---

def test_absolute_terms_fires_when_only_distractors_are_absolute():
    item = make_item(line=40, prompt="How did Russia vote on Resolution 1973 on Libya?",
                     options=("It abstained", "It always vetoes Western resolutions", "It voted in favour"))
    assert where(found("absolute-terms", item)) == [(PATH, 40, "absolute-terms")]


def test_absolute_terms_quiet_when_a_key_is_absolute_too():
    item = make_item(options=("It never used its veto on Libya", "It always vetoes Western resolutions",
                              "It voted in favour"))
    assert found("absolute-terms", item) == []


def test_absolute_terms_quiet_without_absolutes():
    assert found("absolute-terms", make_item()) == []


# --- negative-stem ---

@pytest.mark.parametrize("prompt", [
    "Which of these was not a result of the 2009 reset?",
    "All of these joined NATO in 2004 except which state?",
    "Which claim about the Geneva button is false?",
])
def test_negative_stem_fires(prompt):
    item = make_item(line=50, prompt=prompt)
    assert where(found("negative-stem", item)) == [(PATH, 50, "negative-stem")]


@pytest.mark.parametrize("prompt", [
    "Which of these was **not** a result of the 2009 reset?",
    "Which of these was NOT a result of the 2009 reset?",
    "All of these joined NATO in 2004 *except* which state?",
    "Which result of the 2009 reset lasted at least a decade?",
    "Which result of the 2009 reset lasted longest?",
])
def test_negative_stem_quiet(prompt):
    assert found("negative-stem", make_item(prompt=prompt)) == []


def test_negative_stem_leaves_true_or_false_wording_to_truefalse_rules():
    item = make_item(type="truefalse", options=(), keys=(), truth=True,
                     prompt="True or false: Russia abstained on Resolution 1973.")
    assert found("negative-stem", item) == []
    item = make_item(type="truefalse", options=(), keys=(), truth=True, line=51,
                     prompt="Every NATO member except Hungary backed the 1999 campaign.")
    assert where(found("negative-stem", item)) == [(PATH, 51, "negative-stem")]


# --- clang ---

def test_clang_fires_when_a_stem_word_reappears_only_in_the_key():
    item = make_item(line=61, prompt="Clinton backed Yeltsin in October 1993. Why did critics object?",
                     options=("Washington backed a man rather than institutions", "Parliament was newer",
                              "Troops were sent to Moscow", "A referendum had been lost"))
    assert where(found("clang", item)) == [(PATH, 61, "clang")]


def test_clang_compares_the_first_five_letters_only():
    item = make_item(line=62, prompt="Which treaty of 2010 limited deployed strategic warheads?",
                     options=("One of the New START treaties", "SALT I", "The INF accord"))
    assert where(found("clang", item)) == [(PATH, 62, "clang")]
    item = make_item(prompt="Which treaty of 2010 limited deployed strategic warheads?",
                     options=("One of the New START treaties", "SALT I", "The INF Treaty"))
    assert found("clang", item) == []


def test_clang_quiet_when_a_distractor_shares_the_word():
    item = make_item(prompt="Clinton backed Yeltsin in October 1993. Why did critics object?",
                     options=("Washington backed a man rather than institutions",
                              "Washington backed parliament instead", "Troops were sent to Moscow"))
    assert found("clang", item) == []


# --- article-mismatch ---

def test_article_mismatch_fires_when_an_option_does_not_fit():
    item = make_item(line=70, prompt="In Geneva, Clinton handed Lavrov a",
                     options=("button", "treaty", "agreement", "letter"))
    assert where(found("article-mismatch", item)) == [(PATH, 70, "article-mismatch")]
    item = make_item(line=71, prompt="The 2002 forum gave Russia an ____:",
                     options=("equal voice on agreed issues", "veto over enlargement", "observer seat"))
    assert where(found("article-mismatch", item)) == [(PATH, 71, "article-mismatch")]


@pytest.mark.parametrize(("prompt", "options"), [
    ("In Geneva, Clinton handed Lavrov a", ("button", "treaty", "U.S. flag", "one-page letter")),
    ("Russia's security service is an", ("FSB agency", "honest broker", "army", "8-member board")),
    ("Where did Clinton give Lavrov the button?", ("Geneva", "an office", "a hotel")),
])
def test_article_mismatch_quiet_when_every_option_fits(prompt, options):
    assert found("article-mismatch", make_item(prompt=prompt, options=options)) == []


# --- duplicate-options ---

def test_duplicate_options_fires_on_near_copies():
    item = make_item(line=80, options=("Russia abstained on the vote", "Russia abstained on the vote.",
                                       "Russia vetoed it"))
    assert where(found("duplicate-options", item)) == [(PATH, 80, "duplicate-options")]
    item = make_item(line=81, type="match", options=(), keys=(),
                     pairs=(("Clinton", "Yeltsin"), ("Bush", "Putin"), ("Obama", "Medvedev")),
                     distractors=("Medvedev.",))
    assert where(found("duplicate-options", item)) == [(PATH, 81, "duplicate-options")]


def test_duplicate_options_quiet_when_a_label_or_number_differs():
    item = make_item(options=("Essay A's verdict on the Clinton–Yeltsin years",
                              "Essay B's verdict on the Clinton–Yeltsin years",
                              "Resolution 1973 on Libya", "Resolution 1970 on Libya"))
    assert found("duplicate-options", item) == []


# --- option-count ---

@pytest.mark.parametrize("options", [("Geneva", "Munich"),
                                     ("Geneva", "Munich", "Prague", "Moscow", "Vienna", "Helsinki")])
def test_option_count_fires(options):
    item = make_item(line=90, options=options)
    assert where(found("option-count", item)) == [(PATH, 90, "option-count")]


@pytest.mark.parametrize("count", [3, 4, 5])
def test_option_count_quiet_for_three_to_five(count):
    options = ("Geneva", "Munich", "Prague", "Moscow", "Vienna")[:count]
    assert found("option-count", make_item(options=options)) == []


def test_option_count_ignores_multi():
    item = make_item(type="multi", keys=(0, 1), options=("a1", "b2", "c3", "d4", "e5", "f6"))
    assert found("option-count", item) == []


# --- truefalse-negative ---

@pytest.mark.parametrize("prompt", [
    "Russia did not veto Resolution 1973.", "Russia didn't veto Resolution 1973.",
    "Trump's warm words meant that no new sanctions were imposed.", "Bush never met Putin before 9/11.",
])
def test_truefalse_negative_fires(prompt):
    item = make_item(type="truefalse", options=(), keys=(), truth=False, line=110, prompt=prompt)
    assert where(found("truefalse-negative", item)) == [(PATH, 110, "truefalse-negative")]


@pytest.mark.parametrize("prompt", [
    "Russia abstained on Resolution 1973.", "Resolution 1973 set up a no-fly zone over Libya.",
    "True or false: Bush first met Putin in June 2001.",
])
def test_truefalse_negative_quiet(prompt):
    item = make_item(type="truefalse", options=(), keys=(), truth=True, prompt=prompt)
    assert found("truefalse-negative", item) == []


# --- cognitive-level ---

@pytest.mark.parametrize("prompt", [
    "In which year did Clinton hand Lavrov the button?",
    "Who handed the “reset” button to whom at Geneva?",
    "Essay A says the second reset “followed the Sept. 11 attacks”. What does the record add?",
    "How many warheads did New START allow?",
])
def test_cognitive_level_fires_on_recall_stems_labelled_reasoning(prompt):
    item = make_item(skill="reasoning", line=120, prompt=prompt)
    assert where(found("cognitive-level", item)) == [(PATH, 120, "cognitive-level")]


@pytest.mark.parametrize("prompt", [
    "Why did Russia abstain on Resolution 1973 rather than veto it?",
    "What best explains Moscow's anger over Libya?",
    "Which event would most undermine Essay B's claim?",
    "Essay A blames the button for the failure. What is the best critical response?",
    "Put these events in order.",
])
def test_cognitive_level_quiet_on_reasoning_stems(prompt):
    assert found("cognitive-level", make_item(skill="reasoning", prompt=prompt)) == []


def test_cognitive_level_ignores_recall_items_and_statements():
    assert found("cognitive-level", make_item(prompt="In which year was the button?")) == []
    statement = make_item(type="truefalse", options=(), keys=(), truth=True, skill="reasoning",
                          prompt="True or false: when Essay A was published, the aid pause had been lifted.")
    assert found("cognitive-level", statement) == []


# --- lint-ok ---

@pytest.mark.parametrize("lint_ok", [{"no-such-rule": "because"}, {"key-longest": "  "},
                                     {"key-position": "a bank rule"}, {"lint-ok": "cannot silence itself"}])
def test_lint_ok_entry_problems_are_findings(lint_ok):
    item = make_item(line=130, lint_ok=lint_ok)
    assert where(found("lint-ok", item)) == [(PATH, 130, "lint-ok")]


def test_lint_ok_with_a_known_rule_and_reason_is_fine():
    item = make_item(lint_ok={"duplicate-options": "telling the two spellings apart is the point"})
    assert found("lint-ok", item) == []
