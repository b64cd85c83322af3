"""Every registered rule has a documentation page with its id and a bad and a good example."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from resetlab.core.content.lint import RULES, LintItem

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_a_docs_page_with_bad_and_good_examples(rule_id):
    page = ROOT / RULES[rule_id].docs
    assert page.is_file(), f"missing {RULES[rule_id].docs}"
    text = page.read_text(encoding="utf-8")
    assert f"`{rule_id}`" in text
    assert "## Bad" in text and "## Good" in text
    assert "Silencing" in text


def test_index_lists_every_rule_with_its_scope_and_defines_reasoning():
    index = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| [`{rule.id}`]({rule.id}.md) | {rule.scope} |" in index
    assert "**reasoning**" in index and "**recall**" in index


def test_no_docs_page_without_a_rule():
    pages = {p.stem for p in (ROOT / "docs" / "rules").glob("*.md")} - {"README"}
    assert pages == set(RULES)


def _examples(text: str, part: str) -> list[dict]:
    section = text.split(f"## {part}")[1].split("\n## ")[0]
    blocks = [tomllib.loads(b) for b in re.findall(r"```toml\n(.*?)```", section, re.S)]
    return [b for b in blocks if {"prompt", "options", "lint_ok"} & b.keys()]


def _item(example: dict) -> LintItem:
    answer = example.get("answer", 0)
    keys = tuple(answer) if isinstance(answer, list) else (answer,) if type(answer) is int else ()
    return LintItem(id="doc", bank="doc", path="docs", line=1, type=example.get("type", "single"),
                    prompt=example.get("prompt", "Which?"), options=tuple(example.get("options", ())),
                    keys=keys, truth=answer if isinstance(answer, bool) else None,
                    skill=example.get("skill", "recall"), lint_ok=example.get("lint_ok", {}))


@pytest.mark.parametrize("rule_id", sorted(r.id for r in RULES.values() if r.scope == "item"))
def test_item_rule_docs_examples_behave_as_documented(rule_id):
    text = (ROOT / RULES[rule_id].docs).read_text(encoding="utf-8")
    bad, good = _examples(text, "Bad"), _examples(text, "Good")
    assert bad and good
    assert all(list(RULES[rule_id].check(_item(b))) for b in bad)
    assert not any(list(RULES[rule_id].check(_item(g))) for g in good)
