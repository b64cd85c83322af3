"""Pure: which questions an attempt gets and in what order its choices appear.

The random generator is passed in, so tests can fix the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from .content.model import Bank, Question


def draw_questions(bank: Bank, all_banks: Iterable[Bank], count: int,
                   rng: random.Random) -> list[Question]:
    """Pick `count` distinct questions; a course-wide pool is spread evenly across banks."""
    if bank.pool == "course":
        groups = [list(bank.questions)] + [list(b.questions) for b in all_banks
                                           if b.slug != bank.slug and b.pool == "bank"]
    else:
        groups = [list(bank.questions)]
    groups = [g for g in groups if g]
    for group in groups:
        rng.shuffle(group)
    rng.shuffle(groups)
    picked: list[Question] = []
    seen: set[str] = set()
    while len(picked) < count and any(groups):
        for group in groups:
            if group and len(picked) < count:
                q = group.pop()
                if q.id not in seen:
                    seen.add(q.id)
                    picked.append(q)
    return picked


def present(question: Question, rng: random.Random) -> tuple[str, ...]:
    """A shuffled order of the choices shown for this question (empty if it has none)."""
    if question.type in ("single", "multi"):
        ids = [c.id for c in question.options]
    elif question.type == "order":
        ids = [c.id for c in question.items]
    elif question.type == "match":
        ids = [c.id for c in question.rights]
    else:
        return ()
    shuffled = ids[:]
    rng.shuffle(shuffled)
    if question.type == "order" and shuffled == ids:
        shuffled.reverse()  # never show the events already in the right order
    return tuple(shuffled)
