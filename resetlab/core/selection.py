"""Pure: which questions an attempt gets.

Practice draws only practice questions; an assessment (an assignment) draws its bank's secure
questions first and tops up with practice ones. Source excerpts are never drawn (they come with the
questions that cite them, which are kept next to each other), and written answers are never drawn:
an assignment adds them on purpose. Questions that share an exclusion `group` (they
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


def drawable(question: Question) -> bool:
    """Whether a draw may pick it: not a source excerpt (shown with its questions) and not a written
    answer (an assignment adds those on purpose, see `written`)."""
    return question.kind.answerable and not question.kind.manual


def pools(bank: Bank, all_banks: Iterable[Bank]) -> list[list[Question]]:
    """The bank's own drawable questions, and for a course-wide exam every lesson bank's too."""
    banks = [bank] if bank.pool != "course" else [bank] + [b for b in all_banks
                                                           if b.slug != bank.slug and b.pool == "bank"]
    return [[q for q in b.questions if drawable(q)] for b in banks]


def written(bank: Bank) -> list[Question]:
    """The bank's written-answer prompts, which an assignment may add to every attempt."""
    return [q for q in bank.questions if q.kind.answerable and q.kind.manual]


def with_sources_together(questions: list[Question]) -> list[Question]:
    """The same questions, each run that shares a source excerpt placed where the first of them was, so
    the excerpt is shown once above all of them."""
    placed: dict[str, list[Question]] = {}
    order: list[str | Question] = []
    for q in questions:
        if q.stimulus is None:
            order.append(q)
        elif q.stimulus.id in placed:
            placed[q.stimulus.id].append(q)
        else:
            placed[q.stimulus.id] = [q]
            order.append(q.stimulus.id)
    return [x for entry in order for x in ([entry] if isinstance(entry, Question) else placed[entry])]


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
                   purpose: Purpose = Purpose.PRACTICE, taken: Iterable[Question] = ()) -> list[Question]:
    """Pick up to `count` distinct questions; a course-wide pool is spread evenly across banks.

    `taken` are questions the attempt has anyway (an assignment's written prompts): nothing is drawn
    that shares their group or that they give away."""
    picked: list[Question] = []
    taken = list(taken)
    seen: set[str] = {q.id for q in taken}
    groups_used: set[str] = {q.group for q in taken if q.group is not None}
    barred: set[str] = {c for q in taken for c in bank.conflicts.get(q.id, ())}  # ids that give away, or
    # are given away by, a question already in the attempt
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
    return with_sources_together(picked)
