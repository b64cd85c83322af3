"""Rules that judge one question on its own (Haladyna, Downing & Rodriguez 2002; Moore et al.'s IWF)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import LintItem
from .registry import RULES, rule
from .text import EDGE_AFTER, EDGE_BEFORE, char_ratio, folded, normal, plain, word_set_pattern, words

CHOICE_TYPES = ("single", "multi")
NO_STEM_TYPES = ("source",)


def _short(markdown: str, limit: int = 60) -> str:
    text = plain(markdown)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _split(item: LintItem) -> tuple[list[str], list[str]]:
    """Key options and distractors of a choice item; key indices outside the options are ignored."""
    keyset = {k for k in item.keys if 0 <= k < len(item.options)}
    keys = [o for i, o in enumerate(item.options) if i in keyset]
    others = [o for i, o in enumerate(item.options) if i not in keyset]
    return keys, others


# --- key-longest -----------------------------------------------------------------------------------

@rule("key-longest", "item", "The key is clearly the longest option (≥ 1.3 × and ≥ 12 characters longer).")
def key_longest(item: LintItem) -> Iterator[str]:
    """Catch the commonest cue: test-wise students pick the longest, most qualified option."""
    if item.type not in CHOICE_TYPES:
        return
    keys, others = _split(item)
    if not keys or not others:
        return
    key_len = min(len(plain(k)) for k in keys)
    other_len = max(len(plain(o)) for o in others)
    if key_len >= 1.3 * other_len and key_len >= other_len + 12:
        what = "the key is" if len(keys) == 1 else "every key is at least"
        yield (f"{what} {key_len} characters against at most {other_len} for any distractor: "
               f"shorten the key or lengthen the distractors")


# --- all-none-above --------------------------------------------------------------------------------

_ALL_NONE = re.compile(EDGE_BEFORE + r"(?:all|none) of (?:the above|these)" + EDGE_AFTER)


@rule("all-none-above", "item", "An option is “all of the above” / “none of the above” (or “… of these”).")
def all_none_above(item: LintItem) -> Iterator[str]:
    """These options reward partial knowledge and can be answered without reading every option."""
    if item.type not in CHOICE_TYPES:
        return
    for option in item.options:
        if _ALL_NONE.search(folded(option)):
            yield f"option “{_short(option)}” refers to the other options; write a real distractor"


# --- combined-options ------------------------------------------------------------------------------

_COMBINED_START = re.compile(r"^(?:both|neither|all of)" + EDGE_AFTER)
_REF = r"(?:\([A-Fa-f1-6]\)|[A-F]|[1-6])"
_REF_PAIR = re.compile(rf"(?<![\w.(]){_REF}(?:\s*,\s*{_REF})*\s*(?:and|&)\s+{_REF}(?![\w-]|[.,]\d)")
_ONLY_REF = re.compile(r"(?<![^\W_])(?i:only)\s+(?:(?i:option|answer|choice)\s+)?"
                       r"(?:\([A-Fa-f1-6]\)|[A-F](?![\w-])|[1-6](?=\s*(?:$|[;)]|[,.](?!\d)|and\b|&)))")
# A reference like "A and B" is an option reference only when no noun precedes it ("Essays A and B").
_REF_LEADS = {"option", "options", "answer", "answers", "choice", "choices", "both", "only", "neither",
              "either", "nor", "all"}
_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")


def _refers_to_options(text: str) -> bool:
    for match in _REF_PAIR.finditer(text):
        before = _LAST_WORD.search(text[: match.start()])
        if before is None or before.group(1).casefold() in _REF_LEADS:
            return True
    return bool(_ONLY_REF.search(text))


@rule("combined-options", "item",
      "An option combines other options (“Both …”, “Neither …”, “A and B”, “only A”).")
def combined_options(item: LintItem) -> Iterator[str]:
    """Options built from other options turn one question into several and reward test-wiseness."""
    if item.type not in CHOICE_TYPES:
        return
    for option in item.options:
        text = plain(option)
        if _ALL_NONE.search(text.casefold()):
            continue  # all-none-above reports it
        if _COMBINED_START.search(text.casefold()) or _refers_to_options(text):
            yield f"option “{_short(option)}” combines other options; make each option stand alone"


# --- absolute-terms --------------------------------------------------------------------------------

ABSOLUTES = ("always", "never", "only", "all", "none", "every", "completely", "entirely", "totally",
             "solely")
_ABSOLUTE = word_set_pattern(ABSOLUTES)


@rule("absolute-terms", "item",
      "Absolute words (always, never, only, all …) appear in distractors but in no key.")
def absolute_terms(item: LintItem) -> Iterator[str]:
    """Students learn that absolute options are usually wrong, so such words mark the distractors."""
    if item.type not in CHOICE_TYPES:
        return
    keys, others = _split(item)
    if not keys or any(_ABSOLUTE.search(folded(k)) for k in keys):
        return
    found = sorted({m.group(0).casefold() for o in others for m in _ABSOLUTE.finditer(folded(o))})
    marked = sum(1 for o in others if _ABSOLUTE.search(folded(o)))
    if found:
        yield (f"{marked} distractor(s) use {', '.join(found)} and no key does: the absolute word "
               f"marks them as wrong")


# --- negative-stem ---------------------------------------------------------------------------------

_NEGATIVE = re.compile(EDGE_BEFORE + r"(not|except|never|least|incorrect|false)" + EDGE_AFTER, re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__"
                       r"|(?<![*\w])\*(?!\*)(.+?)(?<!\*)\*|(?<![^\W_])_(.+?)_(?![^\W_])", re.DOTALL)
# Phrases that contain a listed word but do not make the stem negative.
_NOT_NEGATIVE = re.compile(r"(?i:at\s+least|not\s+only)\b")
# In a true/false item "false" is the format, and not/never are reported by truefalse-negative.
_TRUEFALSE_SKIP = {"false", "not", "never"}


def _emphasised(markdown: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _EMPHASIS.finditer(markdown)]


@rule("negative-stem", "item",
      "The stem is negative (not, except, never, least …) and the word is not emphasised.")
def negative_stem(item: LintItem) -> Iterator[str]:
    """A student who misses a quiet NOT answers the opposite question; emphasise it or rephrase."""
    if item.type in NO_STEM_TYPES:
        return
    stem = item.prompt or ""
    spans = _emphasised(stem)
    harmless = [(m.start(), m.end()) for m in _NOT_NEGATIVE.finditer(stem)]
    quiet: list[str] = []
    for match in _NEGATIVE.finditer(stem):
        word = match.group(1)
        if item.type == "truefalse" and word.casefold() in _TRUEFALSE_SKIP:
            continue
        if any(s <= match.start() < e for s, e in harmless):
            continue
        if word.isupper() or any(s <= match.start() and match.end() <= e for s, e in spans):
            continue
        if word.casefold() not in quiet:
            quiet.append(word.casefold())
    if quiet:
        yield (f"negative word(s) {', '.join(quiet)} in the stem are not emphasised: write them in "
               f"capitals or bold, or rephrase positively")


# --- clang -----------------------------------------------------------------------------------------

STOP_WORDS = frozenset("""
about above across after again against along already although among another answer answers apply
around became because become becomes been before began begin being below between beyond both could
describe described describes during either enough every first following former further having
itself later latter least likely might neither never other others otherwise ought question quite
rather right select seems should since someone something statement statements still their theirs
there these thing things think third those though three through throughout today together under
until which while whole whose within without would wrong years option options choose correct true
false fourth second where whether
""".split())


def _prefixes(markdown: str) -> dict[str, str]:
    """First five letters of each distinctive word (≥ 5 letters, not a stop word) -> the word."""
    found: dict[str, str] = {}
    for word in words(markdown):
        if len(word) >= 5 and word.isalpha() and word not in STOP_WORDS:
            found.setdefault(word[:5], word)
    return found


@rule("clang", "item", "A distinctive stem word is repeated in the key and in no distractor.")
def clang(item: LintItem) -> Iterator[str]:
    """Echoing the stem's wording in the key lets students match words instead of knowing the answer."""
    if item.type not in CHOICE_TYPES:
        return
    keys, others = _split(item)
    if not keys or not others:
        return
    stem = _prefixes(item.prompt)
    in_keys = {p for k in keys for p in _prefixes(k)}
    in_others = {p for o in others for p in _prefixes(o)}
    echoed = sorted(stem[p] for p in stem.keys() & in_keys - in_others)
    if echoed:
        yield (f"stem word(s) {', '.join(echoed)} reappear in the key and in no distractor: reword the "
               f"key or use the word in a distractor too")


# --- article-mismatch ------------------------------------------------------------------------------

_STEM_END = re.compile(r"(?<![^\W_])(a|an)[\s_:.…\-–—]*$", re.IGNORECASE)
_FIRST = re.compile(r"[^\W_][\w.’'-]*")
_DETERMINERS = frozenset("a an the this that these those his her its their our my your some any no "
                         "every each".split())
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
_YOU_SOUND = ("uni", "use", "usu", "usa", "ura", "uti", "ubi", "uk", "euro", "eu", "ewe")
_AN_UN = ("unin", "unim", "unint")
_LETTER_VOWEL = set("AEFHILMNORSX")
_CONSONANT_ONE = ("one", "once")


def _article_for(option: str) -> str | None:
    """The indefinite article that fits before the option ("a" or "an"), or None if unsure."""
    match = _FIRST.search(plain(option))
    if match is None:
        return None
    token = match.group(0).rstrip(".’'-")
    lower = token.casefold()
    if lower in _DETERMINERS:
        return "none"
    if token[0].isdigit():
        digits = re.match(r"\d[\d,]*", token)
        lead = (digits.group(0) if digits else token).split(",")[0]
        return "an" if lead.startswith("8") or lead in ("11", "18") else "a"
    letters = token.replace(".", "")
    spelled_out = len(letters) <= 3 or not re.search("[AEIOU]", letters[1:])  # FSB, USSR; not NATO
    if letters.isupper() and len(letters) >= 2 and spelled_out:
        return "an" if letters[0] in _LETTER_VOWEL else "a"
    if lower.startswith(_SILENT_H):
        return "an"
    if lower.startswith(_CONSONANT_ONE):
        return "a"
    if lower.startswith(_AN_UN):
        return "an"
    if lower.startswith(_YOU_SOUND) or (lower.startswith("una") and lower.startswith("unan")):
        return "a"
    if not lower[0].isalpha() or not lower[0].isascii():
        return None
    return "an" if lower[0] in "aeiou" else "a"


@rule("article-mismatch", "item", "The stem ends with “a”/“an” and an option does not fit that article.")
def article_mismatch(item: LintItem) -> Iterator[str]:
    """A stem ending in "an" points at the options that start with a vowel sound: a grammatical cue."""
    if item.type not in CHOICE_TYPES:
        return
    end = _STEM_END.search(plain(item.prompt))
    if end is None:
        return
    article = end.group(1).casefold()
    misfits = [o for o in item.options if _article_for(o) not in (article, None)]
    if misfits:
        shown = "; ".join(f"“{_short(o, 40)}”" for o in misfits)
        yield (f"the stem ends with “{article}” but {shown} do(es) not fit it: end the stem before the "
               f"article, or write “a/an”")


# --- duplicate-options -----------------------------------------------------------------------------

def _choice_groups(item: LintItem) -> list[tuple[str, ...]]:
    if item.type in CHOICE_TYPES:
        return [item.options]
    if item.type == "order":
        return [item.items]
    if item.type == "match":
        return [tuple(left for left, _ in item.pairs),
                tuple(right for _, right in item.pairs) + item.distractors]
    return []


def _labels(markdown: str) -> list[str]:
    """Numbers and one-letter labels ("Essay A", "Resolution 1973"): tokens that make options differ."""
    return [w for w in words(markdown) if w.isdigit() or (len(w) == 1 and w.isalpha())]


def near_same(a: str, b: str) -> bool:
    """Two option texts are the same or nearly (similarity ≥ 0.9, and no number or label differs)."""
    na, nb = normal(a), normal(b)
    if na == nb:
        return True
    return char_ratio(na, nb, floor=0.9) >= 0.9 and _labels(a) == _labels(b)


@rule("duplicate-options", "item", "Two options of one item are the same or nearly the same.")
def duplicate_options(item: LintItem) -> Iterator[str]:
    """A near-copy is a wasted distractor, and two equal options make the key ambiguous."""
    for group in _choice_groups(item):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if near_same(a, b):
                    yield f"options “{_short(a, 40)}” and “{_short(b, 40)}” are (nearly) the same"


# --- option-count ----------------------------------------------------------------------------------

@rule("option-count", "item", "A single-choice item has fewer than 3 or more than 5 options.")
def option_count(item: LintItem) -> Iterator[str]:
    """Three plausible options are enough; more rarely add a working distractor, fewer invite guessing."""
    if item.type == "single" and not 3 <= len(item.options) <= 5:
        yield f"{len(item.options)} options: write 3–5 (three good ones are enough)"


# --- truefalse-negative ----------------------------------------------------------------------------

_TF_NEGATION = re.compile(EDGE_BEFORE + r"(?:not|never|cannot|no(?![-‐]|\.\s*\d))" + EDGE_AFTER
                          + r"|[^\W_]n[’']t" + EDGE_AFTER)


@rule("truefalse-negative", "item", "A true/false statement contains a negation (not, no, never, n't).")
def truefalse_negative(item: LintItem) -> Iterator[str]:
    """Keyed false, a negated statement becomes a double negative that tests reading, not knowledge."""
    if item.type != "truefalse":
        return
    found = sorted({m.group(0) for m in _TF_NEGATION.finditer(folded(item.prompt))})
    if found:
        yield f"the statement is negated ({', '.join(found)}): state it positively"


# --- cognitive-level -------------------------------------------------------------------------------

_RECALL_QUESTION = re.compile(
    r"^(?:(?:in|on|at|by|from|to|for|of|during|under|with|and|so|then|but)\s+)?"
    r"(?:who|whom|whose|what|when|where|which\s+years?|how\s+many)" + EDGE_AFTER)
# Stems of the spec's cue words, so inflections count too (explains, caused, differences …); "critic"
# (critical, critically) is the course's own wording for evaluating a source.
REASONING_CUES = ("why", "because", "explain", "compar", "contrast", "evaluat", "assess", "infer",
                  "suggest", "argu", "claim", "evidence", "source", "would", "could", "consequen", "caus",
                  "effect", "reason", "weakness", "strongest", "differ", "similar", "impli", "imply",
                  "support", "undermin", "critic")
_MOST_LIKELY = re.compile(r"\bmost\s+likely\b")
_SENTENCE = re.compile(r"(?<=[.?!:])\s+")


def _question_sentence(stem: str) -> str:
    """The last sentence that asks something ("" if the stem asks nothing, e.g. a statement)."""
    asked = [s for s in _SENTENCE.split(stem) if "?" in s]
    return asked[-1].lstrip("“\"'‘([ ") if asked else ""


@rule("cognitive-level", "item",
      "Labelled reasoning, but the stem is a who/what/when/where question with no reasoning cue.")
def cognitive_level(item: LintItem) -> Iterator[str]:
    """A declared level that the stem does not ask for overstates what the quiz measures."""
    if item.skill != "reasoning" or item.type in NO_STEM_TYPES:
        return
    stem = folded(item.prompt)
    if not _RECALL_QUESTION.search(_question_sentence(stem)):
        return
    if _MOST_LIKELY.search(stem) or any(w.startswith(REASONING_CUES) for w in words(item.prompt)):
        return
    yield ("labelled reasoning, but the stem asks who/what/when/where with no reasoning cue: ask for a "
           "cause, comparison or judgement, or label it recall")


# --- lint-ok ---------------------------------------------------------------------------------------

@rule("lint-ok", "item", "A lint_ok entry names an unknown or non-item rule, or gives no reason.",
      silenceable=False)
def lint_ok(item: LintItem) -> Iterator[str]:
    """Silencing must name a real rule and say why, or it hides flaws without a trace."""
    for rule_id, reason in item.lint_ok.items():
        known = RULES.get(rule_id)
        if known is None:
            yield f"lint_ok names {rule_id!r}, which is not a rule id (see docs/rules/README.md)"
        elif not known.silenceable:
            yield f"lint_ok cannot silence {rule_id!r}: it is a {known.scope} rule, not one about this item"
        elif not isinstance(reason, str) or not reason.strip():
            yield f"lint_ok for {rule_id!r} gives no reason; say why the item is fine"
