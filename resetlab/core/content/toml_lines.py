"""Find the source line of a TOML key so problems can be reported as path:line."""

from __future__ import annotations

import re
import tomllib

_ERROR_AT = re.compile(r"at line (\d+)")


def decode_error_line(err: tomllib.TOMLDecodeError) -> int:
    """The line tomllib complained about (1 if it did not say)."""
    match = _ERROR_AT.search(str(err))
    return int(match.group(1)) if match else 1


def table_starts(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[header]]` in the text."""
    pattern = re.compile(rf"^\s*\[\[\s*{re.escape(header)}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)]


def key_line(text: str, key: str, start: int = 1, end: int | None = None) -> int:
    """Line of `key = ...` between start and end (inclusive), else start."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = text.splitlines()
    stop = len(lines) if end is None else min(end, len(lines))
    for n in range(start, stop + 1):
        if pattern.match(lines[n - 1]):
            return n
    return start


class LineIndex:
    """Lines of the entries of one array of tables, e.g. each `[[questions]]`."""

    def __init__(self, text: str, header: str, offset: int = 0):
        self.text = text
        self.offset = offset
        self.starts = table_starts(text, header)

    def entry(self, index: int) -> int:
        """Line where entry `index` starts."""
        if index < len(self.starts):
            return self.starts[index] + self.offset
        return 1 + self.offset

    def field(self, index: int, key: str) -> int:
        """Line of `key` inside entry `index`."""
        if index >= len(self.starts):
            return 1 + self.offset
        start = self.starts[index]
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else None
        return key_line(self.text, key, start, end) + self.offset
