"""The core stays pure: it never reads the clock, and no module of the app is part of an import cycle."""

from __future__ import annotations

import ast

import grimp
import pytest
from grimp import ImportGraph
from importlinter.domain.contract import ContractCheck

from ..helpers import ROOT
from ..layering import ForbiddenNamesContract

CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
         ("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("time", "process_time")}


def clock_reads(source: str) -> list[int]:
    """Lines that read the clock (`datetime.now()`, `time.time()`, ...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else \
                owner.attr if isinstance(owner, ast.Attribute) else None
            if (name, node.func.attr) in CLOCK:
                found.append(node.lineno)
    return found


def test_the_core_never_reads_the_clock():
    offenders = {str(path.relative_to(ROOT)): lines for path in (ROOT / "resetlab" / "core").rglob("*.py")
                 if (lines := clock_reads(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_clock_check_can_fail():
    assert clock_reads("from datetime import datetime\nx = datetime.now()\n") == [2]
    assert clock_reads("import time\nt = time.monotonic()\n") == [2]
    assert clock_reads("def f(now):\n    return now\n") == []


def cycles(graph: ImportGraph, modules: set[str]) -> list[list[str]]:
    """Groups of modules that import each other at module level (Tarjan's strongly connected components)."""
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in modules
                       and any(not d["is_lazy"] for d in graph.get_import_details(importer=m, imported=i)))
             for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_is_part_of_an_import_cycle():
    graph = grimp.build_graph("resetlab", exclude_type_checking_imports=True)
    assert cycles(graph, set(graph.modules)) == []


def test_the_cycle_check_can_fail():
    graph = ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import x")
    assert cycles(graph, set(graph.modules)) == [["p.a", "p.b", "p.c"]]


@pytest.mark.parametrize(("line", "kept"), [
    ("from flask import current_app", True),
    ("from flask import abort, current_app", False),
    ("from flask import request", False),
    ("from flask import requests_helper", True),
])
def test_the_forbidden_names_contract_reads_what_is_imported(line, kept):
    graph = ImportGraph()
    graph.add_module("flask", is_squashed=True)
    graph.add_import(importer="app.study.services", imported="flask", line_number=3, line_contents=line)
    contract = ForbiddenNamesContract("t", {}, {"source_modules": ["app.*.services"], "module": "flask",
                                                "names": ["abort", "request"]})
    check: ContractCheck = contract.check(graph, verbose=False)
    assert check.kept is kept
