"""Split a GIFT file into question blocks and read their comment lines, as Moodle's readquestions does."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .text import NONCHARACTERS, php_trim

# Moodle 4 metadata in comments (format.php, extract_idnumber_and_tags_from_comment): the first
# [id:...] gives the ID number, every [tag:...] a tag; \] escapes a bracket.
ID_TOKEN = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
TAG_TOKEN = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
META = re.compile(r"^//\s*resetlab:\s*(.*)$")


@dataclass
class Block:
    """One question's lines (trimmed, numbered), its comment lines, and what they carry."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)
    meta: dict[str, Any] | None = None
    meta_line: int = 0
    meta_error: bool = False  # a bad // resetlab: comment: the question is refused
    idnumber: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        """Line the block starts on, comments included."""
        return min(n for n, _ in self.lines + self.comments)

    @property
    def line(self) -> int:
        """Line the question itself starts on (its first non-comment line)."""
        return self.lines[0][0] if self.lines else self.first


Report = Callable[..., None]  # report(line, message, severity="error")


def split_lines(text: str) -> list[str]:
    """Physical lines: split on LF (a CR before it is trimmed away), or on CR in a CR-only file."""
    return text.split("\n") if "\n" in text else text.split("\r")


def split_blocks(text: str, report: Report) -> list[Block]:
    """Questions are separated by blank lines; every line is trimmed; '//' at a line start is a comment."""
    blocks: list[Block] = []
    current = Block()
    for number, raw in enumerate(split_lines(text.removeprefix("\ufeff")), 1):
        line = php_trim(raw)
        if NONCHARACTERS.search(line):
            report(number, "the line contains a Unicode noncharacter (U+FDD0–U+FDEF); remove it")
            line = NONCHARACTERS.sub("\ufffd", line)
        if line in ("", "0"):
            if line == "0":
                report(number, "a line holding only '0' ends the question in Moodle (PHP's empty('0') is "
                               "true): write it on the line before, or as \\n0")
            if current.lines or current.comments:
                blocks.append(current)
            current = Block()
        elif line.startswith("//"):
            current.comments.append((number, line))
        else:
            current.lines.append((number, line))
    if current.lines or current.comments:
        blocks.append(current)
    for block in blocks:
        _read_comments(block, report)
    return blocks


def _read_comments(block: Block, report: Report) -> None:
    """The block's [id:], [tag:] and // resetlab: comment."""
    comments = "\n".join(text for _, text in block.comments)
    found = ID_TOKEN.search(comments)
    if found:
        block.idnumber = php_trim(found.group(1).replace("\\]", "]"))
    block.tags = [php_trim(t.replace("\\]", "]")) for t in TAG_TOKEN.findall(comments)]
    for number, text in block.comments:
        match = META.match(text)
        if not match:
            continue
        if block.meta is not None:
            report(number, f"a second '// resetlab:' comment (the first is on line {block.meta_line}); "
                           "one question has one")
            block.meta_error = True
            continue
        block.meta_line = number
        try:
            value = json.loads(match.group(1))
        except json.JSONDecodeError as err:
            report(number, f"the '// resetlab:' comment is not valid JSON ({err.msg} at column "
                           f"{err.colno + match.start(1)})")
            block.meta, block.meta_error = {}, True
            continue
        except RecursionError:  # json parses nested arrays and objects recursively
            report(number, "the '// resetlab:' comment nests arrays or objects too deeply to read")
            block.meta, block.meta_error = {}, True
            continue
        if not isinstance(value, dict):
            report(number, "the '// resetlab:' comment must hold a JSON object {...}")
            value, block.meta_error = {}, True
        block.meta = value
