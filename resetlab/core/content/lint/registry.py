"""The one registry of lint rules: every rule is declared here once, by its decorator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

SCOPES = ("item", "bank", "course", "lessons")
# Findings of these scopes sit on one item's line, so that item's lint_ok can silence them.
ITEM_LEVEL = ("item", "course")


@dataclass(frozen=True)
class Rule:
    """A registered rule.

    check receives, by scope: item -> one LintItem, yields messages; bank -> one LintBank, yields
    messages; course -> every LintBank, yields (LintItem, message); lessons -> every LintLesson,
    yields (path, line, message).
    """

    id: str
    scope: str
    summary: str
    docs: str
    check: Callable[[Any], Iterable[Any]]
    silenceable: bool


_RULES: dict[str, Rule] = {}
RULES = MappingProxyType(_RULES)


def rule(rule_id: str, scope: str, summary: str, *,
         silenceable: bool | None = None) -> Callable[[Callable[[Any], Iterable[Any]]],
                                                      Callable[[Any], Iterable[Any]]]:
    """Register a check under its id, so the engine, the docs test and the CLI all see one list."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} for rule {rule_id!r}")
    if rule_id in _RULES:
        raise ValueError(f"rule {rule_id!r} is registered twice")

    def register(check: Callable[[Any], Iterable[Any]]) -> Callable[[Any], Iterable[Any]]:
        _RULES[rule_id] = Rule(
            id=rule_id, scope=scope, summary=summary, docs=f"docs/rules/{rule_id}.md", check=check,
            silenceable=scope in ITEM_LEVEL if silenceable is None else silenceable,
        )
        return check

    return register
