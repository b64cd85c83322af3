"""Consistency across lessons: one event, one date."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import combinations

from .model import LintLesson
from .registry import rule
from .text import char_ratio, normal, word_ratio, words

MONTHS = {name: n for n, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], 1) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "27 September 1994", and "27–28 September 1994" (a span: every day in it counts as given).
_DAY_FIRST = re.compile(rf"\b(?:(\d{{1,2}})\s*[–-]\s*)?(\d{{1,2}})\s+({_MONTH})\.?\s+(\d{{4}})\b",
                        re.IGNORECASE)
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLAUSE = re.compile(r"[^.!?;\n]+(?:[.!?;]|$)", re.MULTILINE)
# A clause that dates one event relative to another ("twenty days before the invasion") is skipped.
_RELATIVE = re.compile(r"\b(?:before|after|earlier|later|since|until|ago)\b", re.IGNORECASE)
_COMMON = frozenset("""that this with from their they were have into over after when then than also
which while where there these those about because first last year years later before during
""".split())


def _dates_differ(a: str, b: str) -> bool:
    """Dates conflict unless one is a less precise form of the other (2009-03 vs 2009-03-06)."""
    a, b = a.strip(), b.strip()
    return not (a.startswith(b) or b.startswith(a))


def day_dates(text: str) -> list[str]:
    """ISO forms of the day dates written in a text ("7 February 2009", "February 7, 2009")."""
    found = []
    for first, day, month, year in _DAY_FIRST.findall(text):
        days = range(int(first), int(day) + 1) if first and int(first) < int(day) else [int(day)]
        found.extend(f"{year}-{MONTHS[month.casefold()]:02d}-{d:02d}" for d in days)
    for month, day, year in _MONTH_FIRST.findall(text):
        found.append(f"{year}-{MONTHS[month.casefold()]:02d}-{int(day):02d}")
    return found


def _dated_elsewhere(date: str, clause_words: set[str], entries: list[tuple[str, int, str, str]]) -> bool:
    """The clause's date belongs to another timeline entry that the clause also mentions."""
    return any(d == date and len(_content(event) & clause_words) >= 2 for _, _, d, event in entries)


def _content(text: str) -> set[str]:
    return {w for w in words(text) if len(w) >= 4 and w.isalpha() and w not in _COMMON}


SAME_EVENT = 0.75
SHARED_WORDS = 0.5
# Names: an acronym (ABM, INF), a number, or a capitalised word after the first (Open Skies, Brdo).
_NAME = re.compile(r"(?<![^\W_])(?:[A-Z]{2,}|\d+|(?<=\s)[A-Z][^\W\d_]+)(?![^\W_])")
_NOT_NAMES = frozenset({"The", "A", "An", "In", "On", "At", "U", "S"})


class _Event:
    """A timeline entry's text, measured once: the same entry is compared with every other."""

    def __init__(self, text: str):
        self.normal = normal(text)
        self.words = words(text)
        self.chars = Counter(self.normal)
        self.word_counts = Counter(self.words)
        self.names = {n for n in _NAME.findall(text) if n not in _NOT_NAMES}


def _bound(a: Counter[str], b: Counter[str]) -> float:
    """difflib's quick_ratio from counts kept per entry: an upper bound of the similarity."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def _similar(a: _Event, b: _Event) -> float:
    """Similarity of two event texts (the better of characters and words), or an upper bound below 0.75.

    Characters are compared only when the texts share at least half their words: letters alone overlap
    in any two English sentences, and comparing them is the costly part.
    """
    words_bound = _bound(a.word_counts, b.word_counts)
    if words_bound < SHARED_WORDS:
        return words_bound
    best = word_ratio(a.words, b.words, floor=SAME_EVENT) if words_bound >= SAME_EVENT else 0.0
    if best < SAME_EVENT and _bound(a.chars, b.chars) >= SAME_EVENT:
        best = max(best, char_ratio(a.normal, b.normal, floor=SAME_EVENT))
    return best


def _other_things(a: _Event, b: _Event) -> bool:
    """Each text names something the other does not (the ABM Treaty vs the INF Treaty): two events."""
    return bool(a.names - b.names) and bool(b.names - a.names)


@rule("date-consistency", "lessons", "One event carries different dates in different lessons.")
def date_consistency(lessons: Sequence[LintLesson]) -> Iterator[tuple[str, int, str]]:
    """A course that dates one event two ways teaches students that dates do not matter."""
    entries = sorted(((lesson.path, line, date, event) for lesson in lessons
                      for date, event, line in lesson.timeline), key=lambda e: e[:2])
    measured = {event: _Event(event) for *_, event in entries}
    for first, later in combinations(entries, 2):
        if first[0] == later[0] or not _dates_differ(first[2], later[2]):
            continue
        a, b = measured[first[3]], measured[later[3]]
        similarity = _similar(a, b)
        if similarity >= SAME_EVENT and not _other_things(a, b):
            yield later[0], later[1], (f"dated {later[2]}, but {first[0]}:{first[1]} dates the same event "
                                       f"{first[2]} ({similarity:.0%} alike)")
    yield from _text_contradictions(lessons, entries)


def _text_contradictions(lessons: Sequence[LintLesson],
                         entries: list[tuple[str, int, str, str]]) -> Iterator[tuple[str, int, str]]:
    """Best effort: a sentence that names the event of a day-dated entry with another day of that year."""
    clauses = []
    for lesson in lessons:
        for match in _CLAUSE.finditer(lesson.text):
            dates = day_dates(match.group(0))
            if dates:
                line = lesson.body_line + lesson.text.count("\n", 0, match.start())
                clauses.append((lesson.path, line, dates, _content(match.group(0)), match.group(0)))
    for path, line, date, event in entries:
        if not _ISO_DAY.match(date):
            continue
        wanted = _content(event)
        if len(wanted) < 3:
            continue
        for where, at, dates, found, clause in clauses:
            if date in dates:
                continue
            shared = wanted & found
            if len(shared) < 3 or len(shared) < 0.6 * len(wanted):
                continue
            if _RELATIVE.search(clause):
                continue
            other = next((d for d in dates if d[:4] == date[:4]
                          and not _dated_elsewhere(d, found, entries)), None)
            if other is not None:
                yield path, line, (f"dated {date}, but {where}:{at} gives {other} for what reads as the same "
                                   f"event (“{clause.strip()[:60]}”)")
