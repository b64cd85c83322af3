"""Properties that must hold for any input: order, naming and silencing never change verdicts wrongly."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from resetlab.core.content.lint import RULES, LintBank, LintItem, LintLesson, lint
from resetlab.core.content.lint.model import ITEM_TYPES

PHRASES = [
    "Geneva", "Munich", "In Geneva, Clinton gives Lavrov the button", "Russia always vetoes Western drafts",
    "None of the above", "Both A and C", "only B", "New START was signed in Prague in 2010", "перезагрузка",
    "перегрузка", "Which of these was **not** a result?", "Which of these was not a result?",
    "In which year did Clinton hand Lavrov the button?", "2009", "1,550", "Why did Russia abstain?",
    "The Moscow summit opened an airspace route to Afghanistan", "an", "", "The United States",
    "It abstained", "_emphasis_ and `code` [a link](https://example.org)", "<b>bold</b> text",
    "Russia did not veto it", "an equal voice", "a veto", "Essay A's verdict", "Essay B's verdict",
]
TEXT = st.one_of(st.sampled_from(PHRASES), st.text(max_size=30),
                 st.lists(st.sampled_from(PHRASES), max_size=3).map(" ".join))
FAST = settings(max_examples=30, deadline=None)


@st.composite
def choice_items(draw):
    """A single- or multi-choice item with 3–5 options and valid keys."""
    options = tuple(draw(st.lists(TEXT, min_size=3, max_size=5)))
    kind = draw(st.sampled_from(["single", "multi"]))
    if kind == "single":
        keys: tuple[int, ...] = (draw(st.integers(0, len(options) - 1)),)
    else:
        keys = tuple(sorted(draw(st.sets(st.integers(0, len(options) - 1), min_size=1))))
    return LintItem(id="q", bank="b", path="quizzes/b.toml", line=5, type=kind, prompt=draw(TEXT),
                    options=options, keys=keys, skill=draw(st.sampled_from(["recall", "reasoning"])))


ARBITRARY = st.text(max_size=40)
_FIELDS = {
    arbitrary: {
        "type": st.sampled_from(ITEM_TYPES + (("weird", "") if arbitrary else ())),
        "text": text,
        "options": st.lists(text, max_size=6).map(tuple),
        "short": st.lists(text, max_size=3).map(tuple),
        "pairs": st.lists(st.tuples(text, text), max_size=3).map(tuple),
        "keys": st.lists(st.integers(-3, 9) if arbitrary else st.integers(0, 5), max_size=3, unique=True),
        "number": st.one_of(st.none(), st.floats(allow_nan=arbitrary, allow_infinity=arbitrary),
                            st.sampled_from([2009.0, 1973.0, 8.0, 1550.0])),
        "truth": st.one_of(st.none(), st.booleans()),
        "skill": st.sampled_from(["recall", "reasoning"]),
        "group": st.one_of(st.none(), st.sampled_from(["geneva", "libya"])),
    }
    for arbitrary, text in ((False, TEXT), (True, ARBITRARY))
}


@st.composite
def any_items(draw, line, path, bank, arbitrary=False):
    """An item of any type; with arbitrary=True, fields need not be consistent at all."""
    f = _FIELDS[arbitrary]
    options = draw(f["options"])
    keys = tuple(k for k in draw(f["keys"]) if arbitrary or k < len(options))
    return LintItem(
        id=f"{bank}-{line}", bank=bank, path=path, line=line, type=draw(f["type"]), prompt=draw(f["text"]),
        options=options, keys=keys, truth=draw(f["truth"]), accepted=draw(f["short"]),
        number=draw(f["number"]), items=draw(f["short"]), pairs=draw(f["pairs"]),
        distractors=draw(f["short"]), excerpt=draw(f["text"]),
        skill=draw(f["skill"]), group=draw(f["group"]),
    )


@st.composite
def courses(draw, arbitrary=False):
    """One to three banks (maybe one course pool); every item has its own (path, line)."""
    banks = []
    for b in range(draw(st.integers(1, 3))):
        path = f"quizzes/bank{b}.toml"
        count = draw(st.integers(0, 5))
        items = tuple(draw(any_items(10 * (n + 1), path, f"bank{b}", arbitrary)) for n in range(count))
        pool = draw(st.sampled_from(["bank", "bank", "course"]))
        banks.append(LintBank(slug=f"bank{b}", path=path, pool=pool, lesson=None, items=items))
    return banks


def _verdicts(item):
    return {r.id for r in RULES.values() if r.scope == "item" and list(r.check(item))}


@FAST
@given(choice_items(), st.randoms(use_true_random=False))
def test_shuffling_options_never_changes_item_verdicts(item, rng):
    order = list(range(len(item.options)))
    rng.shuffle(order)
    shuffled = replace(item, options=tuple(item.options[i] for i in order),
                       keys=tuple(sorted(new for new, old in enumerate(order) if old in item.keys)))
    before, after = _verdicts(item), _verdicts(shuffled)
    assert before == after
    for rule in ("key-longest", "duplicate-options", "absolute-terms"):
        assert (rule in before) == (rule in after)


def _triples(findings):
    return Counter((f.path, f.line, f.rule) for f in findings)


@FAST
@given(courses())
def test_renaming_item_ids_never_changes_findings(banks):
    renamed = [replace(b, items=tuple(replace(q, id=f"renamed-{n}-{q.line}") for q in b.items))
               for n, b in enumerate(banks)]
    assert _triples(lint(renamed)) == _triples(lint(banks))


@FAST
@given(courses(), st.data())
def test_lint_ok_removes_exactly_that_rules_findings_for_that_item(banks, data):
    items = [(b, q) for b in banks for q in b.items]
    if not items:
        return
    bank, item = data.draw(st.sampled_from(items))
    rule = data.draw(st.sampled_from(sorted(r.id for r in RULES.values() if r.silenceable)))
    silenced = replace(item, lint_ok={rule: "checked by hand"})
    patched = [replace(b, items=tuple(silenced if q is item else q for q in b.items)) if b is bank else b
               for b in banks]
    before = lint(banks)
    expected = [f for f in before if (f.path, f.line, f.rule) != (item.path, item.line, rule)]
    assert lint(patched) == expected


@FAST
@given(courses(arbitrary=True),
       st.lists(st.tuples(st.text(max_size=12), st.text(max_size=60), st.integers(1, 99)), max_size=4),
       st.text(max_size=200))
def test_linter_never_raises_on_arbitrary_text(banks, timeline, body):
    lessons = [LintLesson(slug="x", path="lessons/00-x.md", timeline=tuple(timeline), text=body),
               LintLesson(slug="y", path="lessons/01-y.md", timeline=tuple(reversed(timeline)),
                          text=body + " On 7 February 2009 in Munich, Biden spoke.")]
    findings = lint(banks, lessons)
    assert all(isinstance(str(f), str) for f in findings)


@FAST
@given(courses())
def test_findings_are_sorted_deterministic_and_independent_of_bank_order(banks):
    first = lint(banks)
    assert first == lint(banks) == lint(list(reversed(banks)))
    assert first == sorted(first, key=lambda f: (f.path, f.line, f.rule, f.message))
