"""The essay and source question types: bank fields, answers, snapshots, stimuli shown with the
questions that cite them, and how draws treat them."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.content import check_course
from resetlab.core.questions import (
    AnswerProblem,
    Question,
    TamperedAnswer,
    from_json,
    parse_answer,
    to_json,
)
from resetlab.core.questions.types.essay import MAX_CHARACTERS, word_count
from resetlab.core.rubrics import DEFAULT
from resetlab.core.selection import Purpose, draw_questions, with_sources_together, written

from ..helpers import CONTENT
from .strategies import RULES, catalog, fixture_question, make_question

POS = 4


def test_the_fixture_essay_and_source_parse_with_their_fields():
    essay, source = fixture_question("essay"), fixture_question("source")
    cited = fixture_question("truefalse")
    assert (essay.body.min_words, essay.body.max_words) == (5, 60)
    assert [c.name for c in essay.body.rubric.criteria] == ["Claim", "Evidence"]
    assert essay.body.rubric.max_points == 5 and "<em>symbol</em>" in essay.body.exemplar_html
    assert source.body.citation.startswith("Hillary Rodham Clinton")
    assert "<blockquote>" in source.body.excerpt_html
    assert cited.stimulus is not None and cited.stimulus.id == "alpha-source"
    assert cited.stimulus.excerpt_html == source.body.excerpt_html
    assert essay.kind.manual and essay.kind.answerable and not source.kind.answerable


def test_a_stimulus_is_content_it_changes_the_hash_and_survives_the_snapshot():
    cited = fixture_question("truefalse")
    again = Question.from_snapshot(cited.to_snapshot())
    assert again.stimulus == cited.stimulus and again.content_hash == cited.content_hash
    bare = Question.from_snapshot({k: v for k, v in cited.to_snapshot().items() if k != "stimulus"})
    assert bare.stimulus is None and bare.content_hash != cited.content_hash
    assert "stimulus" not in fixture_question("single").to_snapshot()  # others keep their hashes


def test_an_essay_snapshot_keeps_its_rubric_and_exemplar():
    essay = fixture_question("essay")
    assert Question.from_snapshot(essay.to_snapshot()) == essay


@given(st.text(max_size=400))
def test_an_essay_answer_is_its_text_within_the_limits(text):
    essay = fixture_question("essay")
    try:
        answer = parse_answer(essay, POS, {f"a{POS}": [text]})
    except AnswerProblem as problem:
        assert word_count(text) > 60 and "60 words" in str(problem)
        return
    assert answer == (text.strip() or None)
    assert from_json(essay, to_json(essay, answer)) == answer


def test_essay_answers_refuse_what_no_textarea_sends():
    essay = fixture_question("essay")
    with pytest.raises(AnswerProblem, match="characters"):
        parse_answer(essay, POS, {f"a{POS}": ["x" * (MAX_CHARACTERS + 1)]})
    with pytest.raises(TamperedAnswer):
        parse_answer(essay, POS, {f"a{POS}": ["one", "two"]})
    assert parse_answer(essay, POS, {}) is None


def test_a_source_is_never_answered():
    with pytest.raises(TamperedAnswer):
        parse_answer(fixture_question("source"), POS, {f"a{POS}": ["anything"]})


def test_words_are_counted_as_a_student_would():
    assert word_count("The reset's button — “peregruzka” — said overload, in 2009.") == 8
    assert word_count("Перезагрузка не удалась") == 3
    assert word_count("   ") == 0
    assert word_count("a - b -- “ ” 1") == 3


@pytest.fixture
def course(tmp_path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "course")
    return tmp_path / "course"


def problems_after(course: Path, old: str, new: str) -> list[str]:
    bank = course / "quizzes" / "alpha.toml"
    text = bank.read_text(encoding="utf-8")
    assert old in text
    bank.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, found = check_course(course / "lessons", course / "quizzes", RULES, course)
    return [str(p) for p in found if p.severity == "error"]


@pytest.mark.parametrize("old, new, message", [
    ('source = "alpha-source"', 'source = "no-such-source"', "names source 'no-such-source'"),
    ('source = "alpha-source"', "source = 3", "'source' must name a source's id"),
    ("min_words = 5", "min_words = 100", "'min_words' is more than 'max_words'"),
    ("max_words = 60", "max_words = 0", "'max_words' must be a whole number"),
    ('exemplar = "It mattered little for policy but a lot as a *symbol*."', "exemplar = 3",
     "'exemplar' must be text"),
    ('{ points = 1, text = "A vague answer." }', '{ points = 0, text = "A vague answer." }',
     "must start at 0"),
    ('citation = "Hillary Rodham Clinton, remarks with Foreign Minister Lavrov, Geneva, 6 March 2009."',
     'citation = ""', "needs a 'citation'"),
    ('url = "https://2009', 'url = "ftp://2009', "'url' must be an http(s) address"),
])
def test_bank_mistakes_in_written_items_are_reported_with_their_line(course, old, new, message):
    found = problems_after(course, old, new)
    assert any(message in p for p in found), found
    assert all(p.startswith("quizzes/alpha.toml:") for p in found if message in p)


def test_an_essay_without_a_rubric_gets_a_holistic_score(course):
    start = (course / "quizzes" / "alpha.toml").read_text(encoding="utf-8").index("[[questions.rubric]]")
    bank = course / "quizzes" / "alpha.toml"
    bank.write_text(bank.read_text(encoding="utf-8")[:start], encoding="utf-8")
    catalog_, found = check_course(course / "lessons", course / "quizzes", RULES, course)
    assert not [p for p in found if p.severity == "error"]
    assert catalog_.questions["alpha-essay"].body.rubric == DEFAULT


def test_draws_skip_sources_and_essays_and_keep_a_source_run_together():
    alpha = catalog().bank("alpha")
    for seed in range(30):
        picked = draw_questions(alpha, catalog().banks.values(), 7, random.Random(seed), Purpose.ASSESSMENT)
        assert not any(q.kind.manual or not q.kind.answerable for q in picked)
    assert [q.id for q in written(alpha)] == ["alpha-essay"]


def cited(qid: str, source: str | None) -> Question:
    from resetlab.core.questions.question import Stimulus

    q = make_question("truefalse", qid, truth=True)
    if source is None:
        return q
    from dataclasses import replace

    return replace(q, stimulus=Stimulus(source, source, "<p>x</p>", "c"))


@given(st.lists(st.sampled_from([None, "s1", "s2", "s3"]), max_size=12))
def test_questions_on_one_source_end_up_side_by_side(sources):
    questions = [cited(f"q{i}", s) for i, s in enumerate(sources)]
    placed = with_sources_together(questions)
    assert sorted(q.id for q in placed) == sorted(q.id for q in questions)
    runs = [q.stimulus.id if q.stimulus else None for q in placed]
    for source in {"s1", "s2", "s3"} & set(runs):
        where = [i for i, r in enumerate(runs) if r == source]
        assert where == list(range(where[0], where[0] + len(where)))  # contiguous
    plain = [q.id for q in placed if q.stimulus is None]
    assert plain == [q.id for q in questions if q.stimulus is None]  # the others keep their order


def test_a_written_prompt_added_to_an_attempt_keeps_its_group_out_of_the_draw():
    from dataclasses import replace

    alpha = catalog().bank("alpha")
    grouped = tuple(replace(q, group="button-word") if q.id in ("alpha-essay", "alpha-single") else q
                    for q in alpha.questions)
    bank = replace(alpha, questions=grouped)
    essays = written(bank)
    for seed in range(40):
        picked = draw_questions(bank, [bank], 7, random.Random(seed), Purpose.ASSESSMENT, taken=essays)
        assert "alpha-single" not in {q.id for q in picked} and len(picked) == 6
    assert "alpha-single" in {q.id for q in draw_questions(bank, [bank], 7, random.Random(0))}


def test_when_time_runs_out_an_over_long_essay_goes_to_the_grader_not_to_zero():
    essay = fixture_question("essay")
    long = "word " * 200
    with pytest.raises(AnswerProblem):
        parse_answer(essay, POS, {f"a{POS}": [long]})
    assert essay.kind.salvage(essay, POS, {f"a{POS}": [long]}) == long.strip()
    huge = "x" * (MAX_CHARACTERS + 50)
    assert essay.kind.salvage(essay, POS, {f"a{POS}": [huge]}) == "x" * MAX_CHARACTERS
    assert essay.kind.salvage(essay, POS, {f"a{POS}": ["  "]}) is None
    assert essay.kind.salvage(essay, POS, {}) is None
    single = fixture_question("single")
    assert single.kind.salvage(single, POS, {f"a{POS}": ["?"]}) is None  # other types: nothing kept
