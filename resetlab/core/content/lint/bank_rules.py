"""Rules that judge a bank as a whole: patterns a test-wise student learns across its items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .model import LintBank, LintItem
from .registry import rule
from .text import plain

MIN_SINGLES = 4  # below this a share says nothing (the content checker's key-balance floor)


def _singles(bank: LintBank) -> list[LintItem]:
    return [q for q in bank.items if q.type == "single" and len(q.keys) == 1
            and 0 <= q.keys[0] < len(q.options)]


def key_strictly_longest(item: LintItem) -> bool:
    """The key option of a single-choice item is longer than every other option."""
    key = item.keys[0]
    lengths = [len(plain(o)) for o in item.options]
    return all(lengths[key] > n for i, n in enumerate(lengths) if i != key)


@rule("key-longest-share", "bank", "Over 35% of the bank's single-choice keys are the longest option.")
def key_longest_share(bank: LintBank) -> Iterator[str]:
    """Even modest length cues add up: a student who always picks the longest should not score well."""
    singles = _singles(bank)
    if len(singles) < MIN_SINGLES:
        return
    longest = sum(1 for q in singles if key_strictly_longest(q))
    if longest / len(singles) > 0.35:
        yield (f"{longest} of {len(singles)} single-choice keys ({longest / len(singles):.0%}) are the "
               f"longest option; keep it near chance (≤ 35%)")


@rule("key-position", "bank", "Single-choice keys cluster on one authored position.")
def key_position(bank: LintBank) -> Iterator[str]:
    """Authored positions leak wherever options are not shuffled (print, exports, GIFT)."""
    singles = _singles(bank)
    if len(singles) < MIN_SINGLES:
        return
    positions = Counter(q.keys[0] for q in singles)
    top, count = min(positions.items(), key=lambda kv: (-kv[1], kv[0]))
    if count / len(singles) > 0.5 or (len(singles) >= 8 and len(positions) < 3):
        spread = ", ".join(f"{p}: {positions[p]}" for p in sorted(positions))
        yield (f"single-choice answer keys are unbalanced (index {top} holds {count} of {len(singles)}; "
               f"spread {spread})")


@rule("truefalse-balance", "bank", "With 4+ true/false items, under 30% or over 70% are true.")
def truefalse_balance(bank: LintBank) -> Iterator[str]:
    """A bank that is mostly "true" teaches students to answer true when unsure."""
    truths = [q.truth for q in bank.items if q.type == "truefalse" and q.truth is not None]
    if len(truths) < 4:
        return
    share = sum(truths) / len(truths)
    if not 0.3 <= share <= 0.7:
        yield f"{sum(truths)} of {len(truths)} true/false items are true ({share:.0%}); aim for 30–70%"


@rule("reasoning-share", "bank", "A lesson bank has under 40% items labelled reasoning.")
def reasoning_share(bank: LintBank) -> Iterator[str]:
    """Lesson banks should test causes, comparisons and sources, not only facts and dates."""
    if bank.pool != "bank":
        return
    counted = [q for q in bank.items if q.type != "source"]
    if not counted:
        return
    reasoning = sum(1 for q in counted if q.skill == "reasoning")
    if reasoning / len(counted) < 0.4:
        yield (f"{reasoning} of {len(counted)} items ({reasoning / len(counted):.0%}) are labelled "
               f"reasoning; a lesson bank needs at least 40%")
