"""Building lint records from raw TOML, and the command line."""

from __future__ import annotations

import tomllib

from resetlab.core.content.lint import bank_from_text, from_bank_dict
from resetlab.core.content.lint.__main__ import main
from resetlab.core.content.lint.load import question_lines

BANK = '''lesson = "obama-medvedev"
title = "The 2009 reset"
draw = 3

[[questions]]
id = "obama-button-city"
type = "single"
prompt = "In which city did Clinton give Lavrov the button?"
options = ["Munich", "Moscow", "Geneva", "Prague"]
answer = 2
skill = "recall"
#@ group = "geneva"
#@ lint_ok = { clang = "the city is the point" }

[[questions]]
id = "obama-alphabet"
type = "multi"
prompt = "What does the Latin script explain?"
options = ["a", "b", "c"]
answer = [0, 2]
skill = "reasoning"

[[questions]]
id = "obama-latin"
type = "truefalse"
prompt = "The button was printed in Latin letters."
answer = true

[[questions]]
id = "obama-year"
type = "numeric"
prompt = "In which year?"
answer = 2009

[[questions]]
id = "obama-word"
type = "text"
prompt = "Type the word."
answers = ["perezagruzka", "перезагрузка"]

[[questions]]
id = "obama-order"
type = "order"
prompt = "Order these."
items = ["Munich speech", "Geneva button", "New START"]

[[questions]]
id = "obama-match"
type = "match"
prompt = "Match."
pairs = [["перезагрузка", "reset"], ["peregruzka", "overload"], ["груз", "a load"]]
distractors = ["détente"]
'''


def test_bank_from_text_builds_every_field_and_switches_on_new_fields():
    bank = bank_from_text(BANK, "obama-medvedev", "quizzes/obama-medvedev.toml")
    assert (bank.slug, bank.pool, bank.lesson) == ("obama-medvedev", "bank", "obama-medvedev")
    city, multi, tf, year, word, order, match = bank.items
    assert (city.line, city.keys, city.group, dict(city.lint_ok)) == (6, (2,), "geneva",
                                                                     {"clang": "the city is the point"})
    assert (multi.keys, multi.skill) == ((0, 2), "reasoning")
    assert (tf.truth, year.number, word.accepted) == (True, 2009.0, ("perezagruzka", "перезагрузка"))
    assert order.items == ("Munich speech", "Geneva button", "New START")
    assert match.pairs[1] == ("peregruzka", "overload") and match.distractors == ("détente",)
    assert [q.line for q in bank.items] == [6, 16, 24, 30, 36, 42, 48]


def test_from_bank_dict_tolerates_odd_values():
    data = tomllib.loads('pool = "course"\n[[questions]]\nid = "x"\ntype = "single"\nanswer = true\n'
                        'options = ["a", 1]\nlint_ok = "yes"\n')
    bank = from_bank_dict(data, "final-exam", "quizzes/final-exam.toml", {"x": 2})
    item = bank.items[0]
    assert (bank.pool, bank.lesson, item.keys, item.options, item.line) == ("course", None, (), ("a",), 2)
    assert list(item.lint_ok.values()) == [""]  # reported by the lint-ok rule, not silently dropped


def test_question_lines_ignore_ids_outside_questions():
    text = '[meta]\nid = "not-a-question"\n[[questions]]\nid = "q1"\n[[questions.rubric]]\nid = "r"\n'
    assert question_lines(text) == {"q1": 4}


def test_command_line_prints_findings_and_exits_1(tmp_path, capsys):
    bank = tmp_path / "obama-medvedev.toml"
    bank.write_text(BANK.replace(
        '"Munich", "Moscow", "Geneva", "Prague"', '"Munich", "Moscow", "Geneva", "None of the above"'),
        encoding="utf-8")
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    lesson = lessons / "03-obama-medvedev.md"
    lesson.write_text('+++\nslug = "obama-medvedev"\n+++\nBody.\n', encoding="utf-8")
    assert main([str(bank), "--lessons", str(lessons)]) == 1
    out = capsys.readouterr()
    assert f"{bank}:6: [all-none-above]" in out.out
    assert "finding(s)" in out.err


def test_command_line_exits_0_when_clean_and_2_on_bad_toml(tmp_path, capsys):
    clean = tmp_path / "clean.toml"
    clean.write_text('pool = "course"\n', encoding="utf-8")
    assert main([str(clean)]) == 0
    broken = tmp_path / "broken.toml"
    broken.write_text("questions = [\n", encoding="utf-8")
    assert main([str(broken)]) == 2
    assert "cannot lint" in capsys.readouterr().err
