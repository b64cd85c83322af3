"""Text measures shared by the rules: plain text from Markdown, words, similarity."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\(.)")
_MARKERS = re.compile(r"[*_`]")
_SPACE = re.compile(r"\s+")
WORD = re.compile(r"[^\W_]+")
# Edges of a whole word or number: no letter or digit may touch the match.
EDGE_BEFORE = r"(?<![^\W_])"
EDGE_AFTER = r"(?![^\W_])"


@lru_cache(maxsize=8192)
def plain(markdown: str) -> str:
    """Markdown as the student reads it: tags, links, emphasis markers and extra spaces removed."""
    text = unicodedata.normalize("NFC", markdown or "")
    text = _TAG.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _MARKERS.sub("", text)
    return _SPACE.sub(" ", text).strip()


def folded(markdown: str) -> str:
    """Plain text, case-folded, for case-blind matching."""
    return plain(markdown).casefold()


def words(markdown: str) -> list[str]:
    """The case-folded words (runs of letters or digits, any script) of a Markdown text."""
    return WORD.findall(folded(markdown))


def normal(markdown: str) -> str:
    """Words joined by single spaces: the form compared for sameness."""
    return " ".join(words(markdown))


def char_ratio(a: str, b: str, floor: float = 0.0) -> float:
    """difflib similarity of two normalised strings (1.0 = identical); below `floor` only an upper
    bound is returned."""
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        if bound() < floor:
            return bound()
    return matcher.ratio()


def word_ratio(a: list[str], b: list[str], floor: float = 0.0) -> float:
    """difflib similarity of two word sequences; below `floor` only an upper bound is returned."""
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        if bound() < floor:
            return bound()
    return matcher.ratio()


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of distinct words two texts have in common."""
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex finding the phrase as whole words in folded text, whatever the spacing."""
    parts = [re.escape(p) for p in plain(phrase).casefold().split(" ") if p]
    return re.compile(EDGE_BEFORE + r"\s+".join(parts) + EDGE_AFTER)


def word_set_pattern(alternatives: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive regex finding any of the given words as a whole word."""
    body = "|".join(re.escape(w) for w in sorted(alternatives, key=len, reverse=True))
    return re.compile(EDGE_BEFORE + f"(?:{body})" + EDGE_AFTER, re.IGNORECASE)

