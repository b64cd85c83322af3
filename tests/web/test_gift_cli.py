"""`flask gift check|import|export` on a copy of a course, round trips through the real loader
(check_course: the same load as `flask content check` and the app's start)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from resetlab.core.content import Rules, check_course
from resetlab.factory import create_app

from ..helpers import CONTENT, ROOT, make_config

SHIPPED = sorted(p.stem for p in (ROOT / "quizzes").glob("*.toml"))
FOREIGN = """$CATEGORY: $course$/Arms control

// [id:new-start-year]
::New START::When was New START signed?{#2010:1 ####In April 2010.}

::buried::Grant is {~buried =entombed ~living ####He is entombed.} in Grant's tomb.

::geneva::The button was handed over in Geneva.{T ####In March 2009.}
"""


def course_copy(tmp_path: Path, source: Path = CONTENT) -> Path:
    course = tmp_path / "course"
    shutil.copytree(source / "lessons", course / "lessons")
    shutil.copytree(source / "quizzes", course / "quizzes")
    return course


def runner_for(tmp_path: Path, course: Path, **extra):
    rules = {} if course.name == "shipped" else {"min_questions": 3, "min_words": 10, "max_words": 5000}
    app = create_app(make_config(tmp_path, LESSONS_DIR=str(course / "lessons"), CONTENT_RULES=rules,
                                 QUIZZES_DIR=str(course / "quizzes"), CONTENT_ROOT=str(course), **extra))
    return app.test_cli_runner()


FIXTURE_RULES = Rules(min_questions=3, min_words=10, max_words=5000)


def loaded(course: Path, rules: Rules = FIXTURE_RULES):
    catalog, problems = check_course(course / "lessons", course / "quizzes", rules, course)
    assert catalog is not None, "\n".join(str(p) for p in problems)
    return catalog


@pytest.fixture
def course(tmp_path) -> Path:
    return course_copy(tmp_path)


def test_check_lists_each_question_and_exits_0(tmp_path, course):
    gift = tmp_path / "foreign.gift"
    gift.write_text(FOREIGN, encoding="utf-8")
    result = runner_for(tmp_path, course).invoke(args=["gift", "check", str(gift)])
    assert result.exit_code == 0, result.output
    assert f"{gift}:4: numeric [Moodle numerical] 'New START' -> new-start-year" in result.output
    assert f"{gift}:6: single [Moodle multichoice] 'buried' -> buried" in result.output
    assert f"{gift}:8: truefalse [Moodle truefalse] 'geneva' -> geneva" in result.output
    assert "OK: 3 question(s)" in result.output


@pytest.mark.parametrize("text, line, message", [
    ("Year?{#abc}\n", 1, "the numeric answer 'abc' is not a number"),
    ("Pick {=a ~b}\nand {=c ~d}\n", 2, "second answer block"),
    ("Pick {~%50%a ~%50%b =c}\n", 1, "'='"),
    ("Pick {=a ~b\n\nNext?{TRUE}\n", 1, "never closed"),
])
def test_check_refuses_with_path_line_message_and_exit_1(tmp_path, course, text, line, message):
    gift = tmp_path / "bad.gift"
    gift.write_text(text, encoding="utf-8")
    result = runner_for(tmp_path, course).invoke(args=["gift", "check", str(gift)])
    assert result.exit_code == 1
    assert any(row.startswith(f"{gift}:{line}: ") and message in row for row in result.output.splitlines()), \
        result.output


def test_an_essay_and_a_source_are_checked_as_ours(tmp_path, course):
    """GIFT {} is an essay (our written answer), a description with a citation our source excerpt."""
    gift = tmp_path / "written.gift"
    gift.write_text('// resetlab: {"citation": "Press remarks, Geneva, March 2009", "prompt": "Geneva"}\n'
                    "::geneva::The button said *peregruzka*.\n\n::why::Why did the reset fail?{}\n",
                    encoding="utf-8")
    result = runner_for(tmp_path, course).invoke(args=["gift", "check", str(gift)])
    assert result.exit_code == 0, result.output
    assert f"{gift}:4: essay [Moodle essay] 'why'" in result.output
    assert f"{gift}:2: source [Moodle description] 'geneva'" in result.output


def test_check_refuses_a_file_that_is_not_utf8(tmp_path, course):
    gift = tmp_path / "latin.gift"
    gift.write_bytes("Ok?{TRUE}\n\nCafé?{TRUE}\n".encode("latin-1"))
    result = runner_for(tmp_path, course).invoke(args=["gift", "check", str(gift)])
    assert result.exit_code == 1 and f"{gift}:3: not UTF-8: byte 0xe9" in result.output


def test_check_refuses_a_nul_character_at_its_line(tmp_path, course):
    gift = tmp_path / "nul.gift"
    gift.write_bytes(b"Ok?{TRUE}\n\nNo\x00?{TRUE}\n")
    result = runner_for(tmp_path, course).invoke(args=["gift", "check", str(gift)])
    assert result.exit_code == 1 and f"{gift}:3: a NUL character (byte 0x00) at column 3" in result.output


def test_import_writes_a_bank_the_course_loads_and_refuses_to_overwrite(tmp_path, course):
    gift = tmp_path / "foreign.gift"
    gift.write_text(FOREIGN, encoding="utf-8")
    runner = runner_for(tmp_path, course)
    args = ["gift", "import", str(gift), "--bank", "alpha", "--lesson", "alpha", "--section", "treaty",
            "--difficulty", "medium", "--skill", "recall"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "alpha.toml exists; add --force to replace it" in refused.output
    result = runner.invoke(args=[*args, "--force"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "3 question(s)" in result.output
    assert "9 missing field(s) filled from the options" in result.output
    bank = loaded(course).bank("alpha")
    assert [q.id for q in bank.questions] == ["new-start-year", "buried", "geneva"]
    assert bank.title == "Arms control" and bank.questions[0].section == "treaty"
    assert bank.questions[0].body.tolerance == 1
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output


def test_import_writes_nothing_when_the_course_would_not_load(tmp_path, course):
    gift = tmp_path / "foreign.gift"
    gift.write_text(FOREIGN, encoding="utf-8")
    runner = runner_for(tmp_path, course)
    result = runner.invoke(args=["gift", "import", str(gift), "--bank", "gamma"])
    assert result.exit_code == 1
    assert "quizzes/gamma.toml:1: bank needs 'lesson" in result.output
    assert "nothing was written" in result.output
    assert not (course / "quizzes" / "gamma.toml").exists()
    unnamed = runner.invoke(args=["gift", "import", str(gift), "--bank", "gamma", "--lesson", "alpha"])
    assert unnamed.exit_code == 1 and "is missing 'section'" in unnamed.output
    assert "quizzes/gamma.toml:1: bank file should be named alpha.toml" in unnamed.output
    bad = tmp_path / "bad.gift"
    bad.write_text("Year?{#abc}\n", encoding="utf-8")
    refused = runner.invoke(args=["gift", "import", str(bad), "--bank", "gamma", "--lesson", "alpha"])
    assert refused.exit_code == 1 and f"{bad}:1: the numeric answer 'abc'" in refused.output
    for slug in ("b12", "Gamma", "../x"):
        named = runner.invoke(args=["gift", "import", str(gift), "--bank", slug])
        assert named.exit_code == 1 and "is not a bank slug" in named.output
    assert not (course / "quizzes" / "gamma.toml").exists()


def test_export_to_stdout_and_to_a_file(tmp_path, course):
    runner = runner_for(tmp_path, course)
    result = runner.invoke(args=["gift", "export", "alpha"])
    assert result.exit_code == 0 and "$CATEGORY: $course$/Alpha quiz" in result.output
    out = tmp_path / "alpha.gift"
    assert runner.invoke(args=["gift", "export", "alpha", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == result.output
    missing = runner.invoke(args=["gift", "export", "nope"])
    assert missing.exit_code == 1 and "no bank 'nope'" in missing.output


def test_every_shipped_bank_round_trips_through_gift_and_the_real_loader(tmp_path):
    """Every bank of the shipped course: export -> delete the file -> import the GIFT under the same slug
    -> the course loads with questions equal to the original ones (every field of every Question: text,
    key, section, difficulty, skill, group, secure...). Course-wide exams go last: they draw from the rest."""
    course = tmp_path / "shipped"
    shutil.copytree(ROOT / "lessons", course / "lessons")
    shutil.copytree(ROOT / "quizzes", course / "quizzes")
    before = loaded(course, Rules())
    runner = runner_for(tmp_path, course)
    slugs = sorted(before.banks, key=lambda slug: (before.banks[slug].pool == "course", slug))
    for slug in slugs:
        exported = runner.invoke(args=["gift", "export", slug, "-o", str(tmp_path / f"{slug}.gift")])
        assert exported.exit_code == 0, exported.output
        (course / "quizzes" / f"{slug}.toml").unlink()
    for slug in slugs:
        result = runner.invoke(args=["gift", "import", str(tmp_path / f"{slug}.gift"), "--bank", slug])
        assert result.exit_code == 0, result.output
    after = loaded(course, Rules())
    assert sorted(after.banks) == sorted(SHIPPED) and len(SHIPPED) == 8
    for slug, bank in before.banks.items():
        again = after.bank(slug)
        assert again.questions == bank.questions, slug
        assert (again.title, again.lesson, again.draw, again.pool) == (bank.title, bank.lesson, bank.draw,
                                                                       bank.pool)
    assert after.question_count == before.question_count > 150


def test_the_command_line_as_an_operator_runs_it(tmp_path, course):
    env = {"PATH": str(Path(sys.executable).parent), "RESETLAB_LESSONS_DIR": str(course / "lessons"),
           "RESETLAB_QUIZZES_DIR": str(course / "quizzes"), "RESETLAB_CONTENT_ROOT": str(course),
           "RESETLAB_SECRET_KEY": "x" * 32, "HOME": str(tmp_path),
           "RESETLAB_CONTENT_RULES": '{"min_questions": 3, "min_words": 10, "max_words": 5000}'}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "gift", "export", "beta"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "::beta-city::" in done.stdout, done.stderr
