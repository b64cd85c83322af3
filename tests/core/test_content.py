"""The catalog: parsing lessons and banks, rendering once, and every validation message."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from resetlab.core.content import ContentError, Rules, check_course, load_catalog
from resetlab.core.questions import Question

from ..helpers import CONTENT

RULES = Rules(min_questions=3, min_words=10, max_words=5000)


@pytest.fixture
def course(tmp_path) -> Path:
    """A writable copy of the fixture course."""
    shutil.copytree(CONTENT, tmp_path / "course")
    return tmp_path / "course"


def check(root: Path, rules: Rules = RULES):
    catalog, problems = check_course(root / "lessons", root / "quizzes", rules, root)
    return catalog, [str(p) for p in problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_course_loads(course):
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    assert [lesson.slug for lesson in catalog.lessons] == ["alpha", "beta"]
    assert catalog.question_count == 14  # the source excerpt is not counted
    alpha = catalog.lesson("alpha")
    assert alpha.anchors >= {"button", "treaty"}
    assert [e.anchor for e in alpha.toc] == ["button", "treaty"]
    assert 'class="admonition sources"' in alpha.html
    assert "<table>" in alpha.html and 'class="footnote"' in alpha.html
    assert alpha.reading_minutes == 1
    assert catalog.bank_for_lesson("alpha").slug == "alpha"
    assert catalog.bank("final-exam").pool == "course"


def test_glossary_and_timeline_come_from_lessons(course):
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    assert [t.key for t in catalog.glossary] == ["Ljubljana", "перегрузка (peregruzka)",
                                                 "перезагрузка (perezagruzka)"]
    assert [e.key for e in catalog.timeline] == ["2001-06-16", "2009-03-06", "2010"]
    assert catalog.timeline[0].lesson == "beta" and catalog.timeline[0].places == (("beta", "meeting"),)


def test_an_event_or_term_in_two_lessons_appears_once(course):
    lesson = course / "lessons" / "02-beta.md"
    extra = ('[[timeline]]\ndate = "2009-03-06"\nevent = "Button day."\nsection = "meeting"\n\n'
             '[[terms]]\nterm = "ПЕРЕГРУЗКА (peregruzka)"\n'
             'definition = "Overload, the word actually printed on the button."\nsection = "meeting"\n\n')
    edit(lesson, "[[sources]]", extra + "[[sources]]")
    catalog, problems = check(course)
    assert catalog is not None, problems
    day = [e for e in catalog.timeline if e.key == "2009-03-06"]
    assert len(day) == 1 and day[0].text == "The button is handed over in Geneva."
    assert day[0].places == (("alpha", "button"), ("beta", "meeting"))
    term = [t for t in catalog.glossary if t.key.casefold() == "перегрузка (peregruzka)"]
    assert len(term) == 1 and term[0].text.startswith("Overload, the word") and term[0].lesson == "beta"


def test_rendered_html_is_sanitised(course):
    edit(course / "lessons" / "01-alpha.md", "An opening paragraph",
         '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) An opening')
    catalog, _ = check(course)
    html = catalog.lesson("alpha").html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_questions_parse_every_type(course):
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    by_id = {q.id: q for q in catalog.bank("alpha").questions}
    assert set(by_id) == {"alpha-single", "alpha-multi", "alpha-tf", "alpha-text", "alpha-year",
                          "alpha-order", "alpha-match", "alpha-source", "alpha-essay"}
    assert by_id["alpha-single"].body.correct == (by_id["alpha-single"].body.options[0].id,)
    assert len(by_id["alpha-multi"].body.correct) == 2
    assert by_id["alpha-tf"].body.truth is True
    assert by_id["alpha-text"].body.accepted == ("perezagruzka", "перезагрузка")
    assert by_id["alpha-year"].body.number == 2010.0
    assert [c.text for c in by_id["alpha-order"].body.items][0] == "Meeting in Ljubljana"
    assert by_id["alpha-order"].lesson == "beta" and by_id["alpha-order"].section == "meeting"
    match = by_id["alpha-match"]
    assert len(match.body.rights) == 4 and len(match.body.pairs) == 3
    assert "<em>peregruzka</em>" in by_id["alpha-single"].explanation_html


def test_snapshot_round_trips(course):
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    for bank in catalog.banks.values():
        for q in bank.questions:
            again = Question.from_snapshot(q.to_snapshot())
            assert again == replace(q, secure=False, group=None)  # policy is not served content
            assert again.content_hash == q.content_hash


def test_option_ids_do_not_depend_on_position(course):
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    before = {c.text: c.id for c in catalog.bank("alpha").questions[0].body.options}
    edit(course / "quizzes" / "alpha.toml",
         'options = ["peregruzka", "perezagruzka", "perestroika", "glasnost"]\nanswer = 0',
         'options = ["glasnost", "perestroika", "perezagruzka", "peregruzka"]\nanswer = 3')
    catalog = load_catalog(course / "lessons", course / "quizzes", RULES, course)
    after = {c.text: c.id for c in catalog.bank("alpha").questions[0].body.options}
    assert before == after


BANK_BREAKAGES = [
    ('type = "single"', 'type = "poem"', "alpha.toml:7: unknown question type 'poem'"),
    ("answer = 0\nexplanation", "explanation", "alpha.toml:5: missing answer key 'answer'"),
    ("answer = 0\n", "answer = 7\n", "alpha.toml:10: answer key 7 does not fit 4 options (0–3)"),
    ("answer = [0, 1]", "answer = [0, 9]", "answer key 9 does not fit 4 options"),
    ("answer = true", 'answer = "yes"', "'answer' must be true or false"),
    ('answers = ["perezagruzka", "перезагрузка"]', "answers = []", "'answers' has 0 entries"),
    ("answer = 2010", 'answer = "2010"', "'answer' must be a number"),
    ("tolerance = 0", "tolerance = -1", "'tolerance' must be a number ≥ 0"),
    ('items = ["Meeting in Ljubljana", "Button in Geneva", "Treaty signed"]',
     'items = ["Meeting in Ljubljana", "Treaty signed"]', "'items' has 2 entries; expected 3–6"),
    ('["perestroika", "restructuring"]]', '["perestroika", "reset"]]',
     "right-hand sides and distractors must all differ"),
    ('section = "treaty"', 'section = "no-such-part"',
     "question 'alpha-year' links to section '#no-such-part', which does not exist"),
    ('section = "beta#meeting"\ndifficulty = "medium"', 'section = "gamma#x"\ndifficulty = "medium"',
     "question 'alpha-order' links to lesson 'gamma', which does not exist"),
    ('difficulty = "easy"', 'difficulty = "trivial"', "'difficulty' must be one of easy"),
    ('id = "alpha-tf"', 'id = "alpha-single"', "duplicate question id 'alpha-single'"),
    ('id = "alpha-tf"', 'id = "Alpha TF"', "question 'id' must be lowercase letters"),
    ('prompt = "Type the word that was meant."\n', "", "question 'alpha-text' is missing 'prompt'"),
    ('unit = "year"', 'unit = "year"\ncolour = "red"', "unknown field(s) for a numeric question"),
    ("draw = 7", "draw = 70", "'draw' is 70 but the bank has 7 questions"),
    ('lesson = "alpha"', 'lesson = "gamma"', "paired with lesson 'gamma', which does not exist"),
    ("[[questions]]\nid", "[[questions\nid", "invalid TOML"),
    ('difficulty = "easy"', 'difficulty = "easy"\ngroup = "Not A Slug"', "'group' must be lowercase letters"),
    ('difficulty = "easy"', 'difficulty = "easy"\nsecure = "yes"', "'secure' must be true or false"),
    ('difficulty = "easy"', 'difficulty = "easy"\nlint_ok = 5', "'lint_ok' must be a table"),
    ('draw = 7', 'draw = 7\nsecure = 1', "alpha.toml:4: 'secure' must be true or false"),
]


@pytest.mark.parametrize(("old", "new", "message"), BANK_BREAKAGES)
def test_bank_problems_are_reported_with_path_and_line(course, old, new, message):
    edit(course / "quizzes" / "alpha.toml", old, new)
    catalog, problems = check(course)
    assert catalog is None
    assert any(message in p for p in problems), problems
    assert all(p.split(":")[1].isdigit() for p in problems)


def test_secure_and_group_marks(course):
    edit(course / "quizzes" / "alpha.toml", "draw = 7", "draw = 7\nsecure = true")
    edit(course / "quizzes" / "alpha.toml", 'difficulty = "easy"', 'difficulty = "easy"\nsecure = false\n'
         'group = "button-word"\nlint_ok = { clang = "the stem names the button on purpose" }')
    catalog, problems = check(course)
    assert catalog is not None, problems
    alpha = {q.id: q for q in catalog.bank("alpha").questions}
    assert alpha["alpha-single"].secure is False and alpha["alpha-single"].group == "button-word"
    assert all(q.secure for qid, q in alpha.items() if qid != "alpha-single")
    assert {q.id for q in catalog.bank("beta").questions if q.secure} == {"beta-secure-why", "beta-secure-tf"}
    assert "secure" not in alpha["alpha-multi"].to_snapshot()  # policy, not content: hashes unchanged


def test_duplicate_ids_across_banks(course):
    edit(course / "quizzes" / "beta.toml", 'id = "beta-city"', 'id = "alpha-single"')
    catalog, problems = check(course)
    assert catalog is None
    assert any(p.startswith("quizzes/beta.toml:") and "duplicate question id 'alpha-single' "
               "(also in quizzes/alpha.toml)" in p for p in problems), problems


LESSON_BREAKAGES = [
    ("+++\ntitle", "title", "must start with a '+++' TOML front matter block"),
    ('slug = "alpha"', 'slug = "Alpha Lesson"', "slug 'Alpha Lesson' must be lowercase"),
    ('summary = "A small fixture lesson about the Geneva button."\n', "",
     "missing required field 'summary'"),
    ('objectives = ["Tell the two words apart.", "Name the city.", "Give the year."]',
     'objectives = ["Only one."]', "'objectives' has 1 entries; expected 3–5"),
    ('date = "2009-03-06"', 'date = "6 March 2009"', "must be YYYY, YYYY-MM or YYYY-MM-DD"),
    ('section = "treaty"', 'section = "nowhere"', "links to section '#nowhere', which does not exist"),
    ("[[sources]]\n", "[[bibliography]]\n", "missing required table '[[sources]]'"),
    ('era = "2009"', 'era = "2009"\ncolour = "red"', "unknown field 'colour'"),
    ('order = 1', 'order = "first"', "'order' must be an integer"),
    ('title = "Alpha: the first lesson"', 'title = "Alpha', "invalid TOML"),
    ("## The button {#button}", "The button", "lesson.html links"),
]


@pytest.mark.parametrize(("old", "new", "message"), LESSON_BREAKAGES[:-1])
def test_lesson_problems_are_reported(course, old, new, message):
    edit(course / "lessons" / "01-alpha.md", old, new)
    catalog, problems = check(course)
    assert catalog is None
    assert any(p.startswith("lessons/01-alpha.md:") and message in p for p in problems), problems


def test_empty_table_header_cell_is_an_error(course):
    edit(course / "lessons" / "01-alpha.md", "| Word | Meaning |", "| | Meaning |")
    catalog, problems = check(course)
    assert catalog is None
    assert any("lessons/01-alpha.md:" in p and "table header has an empty cell" in p for p in problems)


def test_missing_anchor_on_heading_is_a_warning(course):
    edit(course / "lessons" / "02-beta.md", "They met in June 2001.",
         "They met in June 2001.\n\n## Aftermath\n\nLater.")
    catalog, problems = check(course)
    assert catalog is not None
    assert any("lessons/02-beta.md:27: warning: section heading has no stable anchor" in p
               for p in problems), problems


def test_line_numbers_point_at_the_field(course):
    edit(course / "quizzes" / "alpha.toml", 'difficulty = "hard"', 'difficulty = "extreme"')
    _, problems = check(course)
    text = (course / "quizzes" / "alpha.toml").read_text().splitlines()
    line = next(n for n, t in enumerate(text, 1) if "extreme" in t)
    assert f"quizzes/alpha.toml:{line}: 'difficulty' must be one of easy, medium, hard" in problems


def test_bank_size_rule_and_unbalanced_keys(course):
    _, problems = check(course, Rules(min_questions=15, min_words=10, max_words=5000))
    assert "quizzes/alpha.toml:1: bank has 7 questions; at least 15 are required" in problems
    bank = course / "quizzes" / "beta.toml"
    extra = "".join(
        f'\n[[questions]]\nid = "beta-extra-{i}"\ntype = "single"\nprompt = "Q{i}?"\n'
        f'options = ["a{i}", "b{i}", "c{i}"]\nanswer = 0\nexplanation = "e"\n'
        f'section = "meeting"\ndifficulty = "easy"\n' for i in range(4))
    bank.write_text(bank.read_text() + extra)
    _, problems = check(course)
    assert any("quizzes/beta.toml:1: [key-position] single-choice answer keys are unbalanced" in p
               for p in problems), problems


def test_lesson_without_bank_and_word_count_warn(course):
    (course / "quizzes" / "beta.toml").unlink()
    catalog, problems = check(course, Rules(min_questions=3, min_words=1000, max_words=1800))
    assert catalog is not None
    assert "lessons/02-beta.md:1: warning: lesson has no quiz bank" in problems
    assert any("warning: lesson has" in p and "words; aim for 1000–1800" in p for p in problems)


def test_load_catalog_raises_with_every_error(course):
    edit(course / "quizzes" / "alpha.toml", 'type = "single"', 'type = "poem"')
    edit(course / "quizzes" / "beta.toml", "answer = false", "answer = 3")
    with pytest.raises(ContentError) as err:
        load_catalog(course / "lessons", course / "quizzes", RULES, course)
    messages = [str(p) for p in err.value.problems]
    assert any("unknown question type 'poem'" in m for m in messages)
    assert any("quizzes/beta.toml" in m and "true or false" in m for m in messages)


def test_unreadable_file_is_a_problem_not_a_crash(course):
    (course / "quizzes" / "alpha.toml").write_bytes(b"\xff\xfe\x00bad")
    catalog, problems = check(course)
    assert catalog is None and any("alpha.toml:1: cannot read file" in p for p in problems)
