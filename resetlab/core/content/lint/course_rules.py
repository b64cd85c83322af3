"""Rules that compare items with each other: duplicates, and items that print another's answer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import combinations

from .model import LintBank, LintItem
from .registry import rule
from .text import folded, jaccard, normal, phrase_pattern, plain, word_ratio, words

_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _ordered(banks: Sequence[LintBank]) -> list[LintItem]:
    """Every item in (path, line) order, the input order breaking ties, so "later" never uses ids."""
    indexed = [(q.path, q.line, n, q) for n, q in enumerate(q for b in banks for q in b.items)]
    return [q for *_, q in sorted(indexed, key=lambda t: t[:3])]


def _where(item: LintItem) -> str:
    return f"{item.id} ({item.path}:{item.line})"


# --- duplicate-item --------------------------------------------------------------------------------

def asked_words(item: LintItem) -> list[str]:
    """What an item asks, as words: the prompt, plus the events or pairs of order and match items,
    whose prompts alone are generic ("Put these events in order")."""
    parts = [item.prompt]
    if item.type == "order":
        parts.extend(item.items)
    elif item.type == "match":
        parts.extend(f"{left} {right}" for left, right in item.pairs)
    return [w for part in parts for w in words(part)]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def key_texts(item: LintItem) -> frozenset[str] | None:
    """The item's key in a comparable form, or None for items without one."""
    if item.type in ("single", "multi"):
        chosen = {normal(item.options[k]) for k in item.keys if 0 <= k < len(item.options)}
        return frozenset(chosen) or None
    if item.type == "truefalse" and item.truth is not None:
        return frozenset({"true" if item.truth else "false"})
    if item.type == "text":
        return frozenset(a for a in map(normal, item.accepted) if a) or None
    if item.type == "numeric" and item.number is not None:
        return frozenset({_number_text(item.number)})
    if item.type == "order" and item.items:
        return frozenset({" | ".join(map(normal, item.items))})
    if item.type == "match" and item.pairs:
        return frozenset({" | ".join(sorted(f"{normal(a)} = {normal(b)}" for a, b in item.pairs))})
    return None


def same_key(a: LintItem, b: LintItem) -> bool:
    """Two items are keyed alike; a text item matches if it accepts one of the other's answers."""
    return _keys_match(a, b, key_texts(a), key_texts(b))


def _keys_match(a: LintItem, b: LintItem, ka: frozenset[str] | None, kb: frozenset[str] | None) -> bool:
    if not ka or not kb:
        return False
    if "text" in (a.type, b.type):
        return bool(ka & kb)
    return ka == kb


@rule("duplicate-item", "course", "Two items in the course ask nearly the same thing.")
def duplicate_item(banks: Sequence[LintBank]) -> Iterator[tuple[LintItem, str]]:
    """Duplicates over-weight one fact and can be drawn together, one answering the other."""
    items = [q for q in _ordered(banks) if q.type != "source"]
    asked = [asked_words(q) for q in items]
    keys = [key_texts(q) for q in items]
    for (i, first), (j, later) in combinations(enumerate(items), 2):
        ratio = word_ratio(asked[i], asked[j], floor=0.8)
        if ratio >= 0.8:
            yield later, f"asks nearly the same as {_where(first)} (wording {ratio:.0%} alike)"
            continue
        if _keys_match(first, later, keys[i], keys[j]):
            overlap = jaccard(asked[i], asked[j])
            if overlap >= 0.6:
                yield later, (f"has the same key as {_where(first)} and {overlap:.0%} of the same words: "
                              f"it asks the same thing")
            elif first.type == later.type == "text" and keys[i] == keys[j] and len(keys[i] or ()) >= 2:
                # One list of two or more accepted spellings: both ask for the same word.
                yield later, f"accepts exactly the same answers as {_where(first)}: it asks for the same word"


# --- give-away -------------------------------------------------------------------------------------

def answers_of(item: LintItem) -> list[str]:
    """Answers that, printed in another item, would give this one away (spec: give-away)."""
    if item.type == "numeric" and item.number is not None and abs(item.number) >= 10:
        text = _number_text(item.number)
        if float(item.number).is_integer() and abs(item.number) >= 1000:
            return [text, f"{int(item.number):,}"]
        return [text]
    candidates: list[str] = []
    if item.type == "text":
        candidates = list(item.accepted)
    elif item.type == "single" and len(item.keys) == 1 and 0 <= item.keys[0] < len(item.options):
        key = item.options[item.keys[0]]
        if len(words(key)) <= 5:
            candidates = [key]
    found = []
    for answer in candidates:
        text = _LEADING_ARTICLE.sub("", plain(answer))
        if len(text) >= 4 and words(text) and text.casefold() not in (f.casefold() for f in found):
            found.append(text)
    return found


def printed_text(item: LintItem, with_excerpt: bool = True) -> str:
    """Everything an item shows the student, case-folded."""
    parts = [item.prompt, *item.options, *item.items, *(s for p in item.pairs for s in p),
             *item.distractors, item.excerpt if with_excerpt else ""]
    return "\n".join(folded(p) for p in parts if p)


def _answer_pattern(answer: str) -> re.Pattern[str]:
    if re.fullmatch(r"[\d.,]+", answer):
        return re.compile(r"(?<!\d)(?<!\d[.,])" + re.escape(answer) + r"(?!\d|[.,]\d)")
    return phrase_pattern(answer)


def give_aways(items: Sequence[LintItem], home: Mapping[int, str] | None = None
               ) -> Iterator[tuple[LintItem, LintItem, str]]:
    """Every (A, B, answer) among items one attempt can draw together where B prints A's answer and
    the two share no group; given `home` (id(item) -> its bank), only pairs from two different banks."""
    answers = {id(q): [(a, _answer_pattern(a)) for a in answers_of(q)] for q in items}
    shown: dict[tuple[int, bool], str] = {}
    for a in items:
        if not answers[id(a)]:
            continue
        for b in items:
            if a is b or (a.group is not None and a.group == b.group) \
                    or (home is not None and home[id(a)] == home[id(b)]):
                continue
            # A stimulus that A is itself asked about may hold A's answer by design.
            view = (id(b), not (a.excerpt and a.excerpt == b.excerpt))
            if view not in shown:
                shown[view] = printed_text(b, with_excerpt=view[1])
            hit = next((text for text, pattern in answers[id(a)] if pattern.search(shown[view])), None)
            if hit is not None:
                yield a, b, hit


def drawing_conflicts(banks: Sequence[LintBank]) -> dict[str, dict[str, frozenset[str]]]:
    """For each course-pool bank, the give-away pairs of items from two different banks of its pool
    (question id -> the ids it must not share an attempt with). Only such a pool brings them together,
    and the drawing keeps them apart, so the give-away rule need not report them."""
    home = {id(q): b.slug for b in banks for q in b.items}
    lesson_items = [q for b in banks if b.pool == "bank" for q in b.items]
    found: dict[str, dict[str, frozenset[str]]] = {}
    for bank in banks:
        if bank.pool != "course":
            continue
        pairs: dict[str, set[str]] = {}
        for a, b, _ in give_aways([*bank.items, *lesson_items], home):
            pairs.setdefault(a.id, set()).add(b.id)
            pairs.setdefault(b.id, set()).add(a.id)
        found[bank.slug] = {qid: frozenset(ids) for qid, ids in pairs.items()}
    return found


@rule("give-away", "course", "An item prints the answer of another item in its own bank.")
def give_away(banks: Sequence[LintBank]) -> Iterator[tuple[LintItem, str]]:
    """A student who reads one item's options should not find another item's answer there.

    Pairs from two banks meet only in a course-wide pool, whose drawing keeps them apart
    (drawing_conflicts); pairs within one bank always can (offline practice ships the whole bank)."""
    for bank in banks:
        for a, b, hit in give_aways(bank.items):
            yield b, (f"prints “{hit}”, the answer of {_where(a)}, in the same bank: reword it, or "
                      f"give both items the same group")
