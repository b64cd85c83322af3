"""Low-level GIFT text handling: escapes, format tags, weights, numbers and slugs, as Moodle reads them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Characters a backslash escapes in GIFT (format.php, escapedchar_pre): \: \# \= \{ \} \~ and \n.
SPECIALS = ":#={}~"
# While a question is parsed, escaped specials are masked with Unicode noncharacters (reserved for
# internal use), so that the parser only ever sees live control characters. Moodle does the same with
# "&&058;"-style placeholders.
_MASK = {c: chr(0xFDD0 + i) for i, c in enumerate(SPECIALS + "n")}
_UNMASK = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _MASK.items()})
NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")

FORMATS = ("moodle", "html", "plain", "markdown")
FORMAT_TAG = re.compile(r"\[(moodle|html|plain|markdown)\]")
PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's trim() removes; Python's strip() removes more

# Moodle's list of allowed answer grades (question/engine/bank.php, ensure_fraction_options_initialised):
# p/q for q <= 6, p/10, 1/q for q <= 10, 1/20, their negatives, 0 and +-1.
_POSITIVE = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
             0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05)
MOODLE_FRACTIONS = (0.0, *_POSITIVE, *(-f for f in _POSITIVE))
# Strict weight syntax; Moodle's own regex is ^%\-*([0-9]{1,2})\.?([0-9]*)%  (readquestion).
WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def php_trim(text: str) -> str:
    """Trim exactly what PHP's trim() trims, so a no-break space survives as it does in Moodle."""
    return text.strip(PHP_WHITESPACE)


@dataclass(frozen=True)
class Src:
    """A piece of a question's text with escapes masked, remembering the file line of every character."""

    text: str
    lines: tuple[int, ...]
    at: int  # line reported for an empty piece

    @classmethod
    def from_lines(cls, numbered: list[tuple[int, str]]) -> Src:
        """Join trimmed physical lines with newlines and mask escapes, as Moodle's escapedchar_pre does."""
        chars: list[str] = []
        lines: list[int] = []
        raw = "\n".join(text for _, text in numbered)
        owner = [n for n, text in numbered for _ in range(len(text) + 1)]
        i = 0
        while i < len(raw):
            c = raw[i]
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            if c == "\\" and nxt == "\\":
                chars.append("\\")
                i += 2
            elif c == "\\" and nxt in _MASK:
                chars.append(_MASK[nxt])
                i += 2
            else:
                chars.append(c)
                i += 1
            lines.append(owner[i - 1])
        first = numbered[0][0] if numbered else 1
        return cls("".join(chars), tuple(lines), first)

    def __len__(self) -> int:
        """Number of characters."""
        return len(self.text)

    def __getitem__(self, key: slice) -> Src:
        """A slice, keeping each character's line."""
        start = key.start or 0
        at = self.lines[start] if start < len(self.lines) else (self.lines[-1] if self.lines else self.at)
        return Src(self.text[key], self.lines[key], at)

    def __add__(self, other: Src) -> Src:
        """Concatenation, keeping each character's line."""
        return Src(self.text + other.text, self.lines + other.lines, self.at)

    def line(self, index: int = 0) -> int:
        """File line of the character at index (the piece's own line when empty)."""
        if 0 <= index < len(self.lines):
            return self.lines[index]
        return self.lines[-1] if self.lines and index >= len(self.lines) else self.at

    def trim(self) -> Src:
        """PHP-style trim that keeps the line bookkeeping."""
        start, end = 0, len(self.text)
        while start < end and self.text[start] in PHP_WHITESPACE:
            start += 1
        while end > start and self.text[end - 1] in PHP_WHITESPACE:
            end -= 1
        return self[start:end] if (start, end) != (0, len(self.text)) else self

    def split(self, sep: str, maxsplit: int = -1) -> list[Src]:
        """str.split on the masked text (so escaped separators never split)."""
        parts, pos = [], 0
        while maxsplit < 0 or len(parts) < maxsplit:
            found = self.text.find(sep, pos)
            if found < 0:
                break
            parts.append(self[pos:found])
            pos = found + len(sep)
        parts.append(self[pos:])
        return parts

    def plain(self) -> str:
        """The text with escapes resolved (Moodle's escapedchar_post)."""
        return self.text.translate(_UNMASK)

    def positions(self, chars: str) -> Iterator[int]:
        """Indices of live (unescaped) occurrences of any of chars."""
        return (i for i, c in enumerate(self.text) if c in chars)


def split_format(piece: Src, default: str) -> tuple[str, str]:
    """Format tag and text, as parse_text_with_format: a leading [html]/[moodle]/[plain]/[markdown] is
    taken off; any other [word] stays in the text. The text is then unescaped and trimmed."""
    text = piece.text
    fmt = default
    match = FORMAT_TAG.match(text)
    if match:
        fmt, text = match.group(1), text[match.end():]
    return fmt, php_trim(text.translate(_UNMASK))


def escape(text: str) -> str:
    """Escape text for GIFT as Moodle's exporter (repchar) does: backslash first, then ~ = # { } :,
    newline as \\n; carriage returns are dropped."""
    out = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for c in SPECIALS:
        out = out.replace(c, "\\" + c)
    return out.replace("\n", "\\n")


def guard(text: str) -> str:
    """Escaped text that Moodle will not mistake for a weight or a format tag: if it starts with '%' or
    with [html]-like, an explicit [markdown] tag goes first (Moodle strips only the first tag)."""
    if text.startswith("%") or FORMAT_TAG.match(text):
        return "[markdown]" + escape(text)
    return escape(text)


def to_markdown(text: str, fmt: str) -> str:
    """Our fields are Markdown: [plain] text has Markdown specials escaped; [html], [moodle] and
    [markdown] text is kept as it is."""
    if fmt != "plain":
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = re.sub(r"([\\`*_\[\]#>!])", r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([-+]|\d+\.)(?=\s)", lambda m: m.group(1) + "\\" + m.group(2), text)


def moodle_fraction(percent: float) -> float | None:
    """The grade in Moodle's list that this percentage means (match_grade_options, 'error' mode:
    within 0.00001 of an allowed fraction), or None when Moodle would refuse it."""
    for allowed in MOODLE_FRACTIONS:
        if abs(percent / 100 - allowed) < 0.00001:
            return allowed
    return None


def format_percent(percent: float) -> str:
    """A weight as GIFT writes it: at most five decimals, no trailing zeros (33.33333, 50, -12.5)."""
    text = f"{percent:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_number(text: str) -> int | float | None:
    """A plain decimal number (int when written without point or exponent), else None."""
    text = text.strip()
    if not NUMBER.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def format_number(value: int | float) -> str:
    """A number as our exporter writes it, read back to the same int or float."""
    return str(value) if isinstance(value, int) else repr(float(value))


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and hyphens from any text ('' when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def shortanswer_encode(text: str) -> str:
    """Moodle short answers treat * as a wildcard and \\* as a literal star (qtype_shortanswer,
    compare_string_with_wildcard), so every star of an accepted spelling is written \\*."""
    return text.replace("*", "\\*")


def shortanswer_wildcard(text: str) -> bool:
    """Whether a stored short answer contains a live wildcard star, as Moodle's regex (?<!\\\\)\\*+ finds."""
    return re.search(r"(?<!\\)\*", text) is not None


def shortanswer_decode(text: str) -> str:
    """The accepted spelling a (wildcard-free) Moodle short answer stands for."""
    return text.replace("\\*", "*")
