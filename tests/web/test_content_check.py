"""The item-writing lint in `flask content check` and at the app's start: output, --strict, CONTENT_STRICT."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from resetlab.core.content import ContentError
from resetlab.factory import create_app

from ..helpers import CONTENT, ROOT, make_config

FLASK = [sys.executable, "-m", "flask", "--app", "app", "content", "check"]
FINDING = re.compile(r"^(?P<path>[\w./-]+):(?P<line>\d+): \[(?P<rule>[a-z-]+)\] (?P<message>.+)$")


def env_for(course: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(Path(sys.executable).parent), "RESETLAB_LESSONS_DIR": str(course / "lessons"),
            "RESETLAB_QUIZZES_DIR": str(course / "quizzes"), "RESETLAB_CONTENT_ROOT": str(course),
            "RESETLAB_SECRET_KEY": "x" * 32, "HOME": str(tmp_path),
            "RESETLAB_CONTENT_RULES": '{"min_questions": 3, "min_words": 10, "max_words": 5000}', **extra}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def planted(tmp_path) -> Path:
    """The fixture course with one flaw planted: an "all of the above" option in alpha-single."""
    course = tmp_path / "planted"
    shutil.copytree(CONTENT, course)
    bank = course / "quizzes" / "alpha.toml"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(text.replace('"perestroika", "glasnost"]', '"perestroika", "All of the above"]', 1),
                    encoding="utf-8")
    return course


def id_line(bank: Path, qid: str) -> int:
    return next(n for n, line in enumerate(bank.read_text().splitlines(), 1) if line == f'id = "{qid}"')


def test_a_planted_flaw_is_reported_through_the_real_cli_with_its_rule_id_and_line(planted, tmp_path):
    result = run(FLASK, env_for(planted, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr  # warnings do not fail by default
    line = id_line(planted / "quizzes" / "alpha.toml", "alpha-single")
    assert (f"quizzes/alpha.toml:{line}: [all-none-above] option “All of the above” refers to the other "
            f"options; write a real distractor") in result.stdout.splitlines()
    findings = [FINDING.match(out) for out in result.stdout.splitlines()[:-1]]
    assert findings and all(findings), result.stdout  # every line is path:line: [rule-id] message
    assert {"all-none-above", "give-away", "reasoning-share", "option-count"} <= {f["rule"] for f in findings}
    assert result.stdout.splitlines()[-1].startswith("OK: 2 lessons, 3 banks, 14 questions,")
    assert "Traceback" not in result.stderr


def test_strict_makes_every_warning_an_error(planted, tmp_path):
    result = run([*FLASK, "--strict"], env_for(planted, tmp_path))
    assert result.returncode == 1
    assert "[all-none-above]" in result.stdout and "OK:" not in result.stdout
    assert "0 error(s)" in result.stderr and "--strict: every warning is an error" in result.stderr
    assert run(FLASK, env_for(planted, tmp_path, RESETLAB_CONTENT_STRICT="true")).returncode == 1


def test_the_shipped_course_passes_strict(tmp_path):
    result = run([*FLASK, "--strict"], {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path),
                                        "RESETLAB_SECRET_KEY": "x" * 32})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().startswith("OK: 7 lessons, 8 banks,")
    assert result.stdout.strip().endswith("0 warning(s)")


def test_in_process_check_reports_rule_ids_and_exit_codes(app, runner):
    with app.app_context():
        default = runner.invoke(args=["content", "check"])
        strict = runner.invoke(args=["content", "check", "--strict"])
    assert default.exit_code == 0 and "[give-away]" in default.output
    assert strict.exit_code == 1 and "[give-away]" in strict.output


def test_the_app_logs_lint_warnings_and_starts(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="resetlab"):
        app = create_app(make_config(tmp_path))
    assert app.extensions["resetlab.catalog"].question_count == 14
    logged = [r.getMessage() for r in caplog.records if r.name == "resetlab"]
    assert any("[give-away]" in m and "quizzes/alpha.toml" in m for m in logged), logged


def test_content_strict_stops_the_app_on_a_warning(planted, tmp_path, capsys):
    config = make_config(tmp_path, LESSONS_DIR=str(planted / "lessons"), QUIZZES_DIR=str(planted / "quizzes"),
                         CONTENT_ROOT=str(planted), CONTENT_STRICT=True)
    with pytest.raises(ContentError) as err:
        create_app(config)
    assert any(p.rule == "all-none-above" for p in err.value.problems)
    assert "CONTENT_STRICT" in capsys.readouterr().err
