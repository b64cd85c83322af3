"""The engine: registry, lint_ok silencing, ordering, and the package's purity."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from resetlab.core.content.lint import RULES, Finding, lint
from resetlab.core.content.lint.registry import rule

from .factories import make_bank, make_item, where

PACKAGE = Path(__file__).resolve().parents[3] / "resetlab" / "core" / "content" / "lint"

LONG_KEY_ITEM = make_item(
    line=140, prompt="What did the NATO–Russia Council of 2002 give Russia?",
    options=("A voice as an equal partner on agreed issues such as terrorism, though no veto over NATO",
             "A veto over enlargement", "Full NATO membership", "Observer status"))


def test_registry_lists_every_spec_rule_once_with_scope_summary_and_docs():
    expected = {
        "item": {"key-longest", "all-none-above", "combined-options", "absolute-terms", "negative-stem",
                 "clang", "article-mismatch", "duplicate-options", "option-count", "truefalse-negative",
                 "cognitive-level", "lint-ok"},
        "bank": {"key-longest-share", "key-position", "truefalse-balance", "reasoning-share"},
        "course": {"duplicate-item", "give-away"},
        "lessons": {"date-consistency"},
    }
    assert {scope: {r.id for r in RULES.values() if r.scope == scope} for scope in expected} == expected
    for registered in RULES.values():
        assert registered.summary and registered.docs == f"docs/rules/{registered.id}.md"


def test_a_rule_cannot_be_registered_twice_or_with_an_unknown_scope():
    with pytest.raises(ValueError):
        rule("key-longest", "item", "again")
    with pytest.raises(ValueError):
        rule("brand-new", "galaxy", "no such scope")


def test_finding_prints_path_line_rule_message():
    assert str(Finding("quizzes/x.toml", 7, "clang", "msg")) == "quizzes/x.toml:7: [clang] msg"


def test_lint_ok_silences_exactly_that_rule_for_that_item():
    before = {f.rule for f in lint([make_bank(LONG_KEY_ITEM)]) if f.line == 140}
    assert "key-longest" in before
    silenced = replace(LONG_KEY_ITEM, lint_ok={"key-longest": "the key quotes the source students read"})
    after = {f.rule for f in lint([make_bank(silenced)]) if f.line == 140}
    assert after == before - {"key-longest"}


def test_lint_ok_with_an_empty_reason_silences_nothing_and_is_reported():
    item = replace(LONG_KEY_ITEM, lint_ok={"key-longest": ""})
    rules = [f.rule for f in lint([make_bank(item)]) if f.line == 140]
    assert "key-longest" in rules and "lint-ok" in rules


def test_lint_ok_silences_course_rules_on_the_reporting_item():
    year = make_item(id="y", line=77, type="numeric", options=(), keys=(), number=2009.0,
                     prompt="In which year was the button handed over?")
    printing = make_item(id="p", line=90, prompt="What happened in Geneva in March 2009?",
                         lint_ok={"give-away": "the exam never draws both; year is not the point"})
    assert [f for f in lint([make_bank(year, printing)]) if f.rule == "give-away"] == []


def test_findings_are_sorted_by_path_line_rule():
    a = make_item(id="a", path="quizzes/b.toml", line=30, options=("Geneva", "None of the above"))
    b = make_item(id="b", path="quizzes/a.toml", line=50, options=("Geneva", "All of these"))
    findings = lint([make_bank(a, path="quizzes/b.toml"), make_bank(b, path="quizzes/a.toml")])
    keys = [(f.path, f.line, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert ("quizzes/a.toml", 50, "all-none-above") in where(findings)


def test_package_imports_only_the_standard_library_and_itself():
    forbidden = ("flask", "sqlalchemy", "wtforms", "markdown", "resetlab")
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.split(".")[0] in forbidden], (path.name, names)


def test_rules_use_no_clock_and_no_files():
    for path in PACKAGE.glob("*.py"):
        if path.name == "__main__.py":
            continue  # the command line is the one place that reads files
        source = path.read_text(encoding="utf-8")
        for word in ("datetime", "import time", "open(", "read_text", "pathlib", "os.environ", "random"):
            assert word not in source, (path.name, word)
