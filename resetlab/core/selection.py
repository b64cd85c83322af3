"""Pure: which questions an attempt gets and in what order its choices appear.

The random generator is passed in, so tests can fix the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from .content.model import Bank
from .questions import Question


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
