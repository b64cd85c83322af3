"""Pure: which questions an attempt gets.

Practice draws only practice questions; an assessment (an assignment) draws its bank's secure
questions first and tops up with practice ones. Questions that share an exclusion `group` (they
give each other away) never meet in one attempt, nor do two questions of different banks that a
course-wide bank lists as conflicting (`Bank.conflicts`: one prints the other's answer; the catalog
finds them at load with the item-writing lint). The random generator is passed in, so tests can fix
the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from enum import StrEnum

from .content.model import Bank
from .questions import Question


class Purpose(StrEnum):
    """Why questions are drawn: it decides whether secure (assessment-only) questions may be."""

    PRACTICE = "practice"
    ASSESSMENT = "assessment"


def pools(bank: Bank, all_banks: Iterable[Bank]) -> list[list[Question]]:
    """The bank's own questions, and for a course-wide exam every lesson bank's too."""
    if bank.pool != "course":
        return [list(bank.questions)]
    return [list(bank.questions)] + [list(b.questions) for b in all_banks
                                     if b.slug != bank.slug and b.pool == "bank"]


def tiers(bank: Bank, all_banks: Iterable[Bank], purpose: Purpose) -> list[list[list[Question]]]:
    """The pools to draw from, in order: secure questions first for an assessment; never for practice."""
    found = pools(bank, all_banks)
    open_ = [[q for q in pool if not q.secure] for pool in found]
    if purpose == Purpose.PRACTICE:
        return [open_]
    return [[[q for q in pool if q.secure] for pool in found], open_]


def available(bank: Bank, all_banks: Iterable[Bank], purpose: Purpose) -> int:
    """How many questions a draw for this purpose can choose from."""
    return sum(len(pool) for tier in tiers(bank, all_banks, purpose) for pool in tier)


def draw_questions(bank: Bank, all_banks: Iterable[Bank], count: int, rng: random.Random,
                   purpose: Purpose = Purpose.PRACTICE) -> list[Question]:
    """Pick up to `count` distinct questions; a course-wide pool is spread evenly across banks."""
    picked: list[Question] = []
    seen: set[str] = set()
    groups_used: set[str] = set()
    barred: set[str] = set()  # ids that give away, or are given away by, a question already picked
    for tier in tiers(bank, list(all_banks), purpose):
        queues = [list(pool) for pool in tier if pool]
        for queue in queues:
            rng.shuffle(queue)
        rng.shuffle(queues)
        while len(picked) < count and any(queues):
            for queue in queues:
                if queue and len(picked) < count:
                    q = queue.pop()
                    if q.id in seen or q.id in barred or (q.group is not None and q.group in groups_used):
                        continue
                    seen.add(q.id)
                    if q.group is not None:
                        groups_used.add(q.group)
                    barred.update(bank.conflicts.get(q.id, ()))
                    picked.append(q)
    return picked
