"""Parse a lesson file (TOML front matter + Markdown) into a Lesson, rendering it once."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..markdown import render
from .model import Lesson, Problem, Source, Term, TimelineEvent, TocEntry
from .toml_lines import LineIndex, decode_error_line, key_line

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
FENCE = "+++"
WORDS = re.compile(r"[\w’'-]+")
TAGS = re.compile(r"<[^>]+>")
H2 = re.compile(r"^##\s+(.*)$")


def render_markdown(text: str) -> tuple[str, list[TocEntry]]:
    """Markdown to sanitised HTML plus its heading anchors (h2 and h3), as TocEntry records."""
    html, headings = render(text)
    return html, [TocEntry(anchor, title, level) for anchor, title, level in headings]


def count_words(*texts: str) -> int:
    """Words in the given texts, ignoring HTML tags."""
    return sum(len(WORDS.findall(TAGS.sub(" ", t))) for t in texts)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None when the fences are missing."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return None
    for n, line in enumerate(lines[1:], 2):
        if line.strip() == FENCE:
            return "\n".join(lines[1 : n - 1]), "\n".join(lines[n:]), n + 1
    return None


class _Reader:
    """Collects problems while reading one lesson's front matter."""

    def __init__(self, path: str, front: str, data: dict[str, Any]):
        self.path, self.front, self.data = path, front, data
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        return key_line(self.front, key) + 1

    def error(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, line, message, severity))

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(1, f"missing required field '{key}'")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(self.line(key), f"'{key}' must be a non-empty string")
            return ""
        return value.strip()

    def text_list(self, key: str, low: int, high: int) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            self.error(1, f"missing required field '{key}' ({low}–{high} entries)")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(self.line(key), f"'{key}' must be a list of non-empty strings")
            return ()
        if not low <= len(value) <= high:
            self.error(self.line(key), f"'{key}' has {len(value)} entries; expected {low}–{high}")
        return tuple(v.strip() for v in value)

    def tables(self, key: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()):
        """Yield (index, line, dict) for each valid entry of an array of tables."""
        value = self.data.get(key)
        if not value:
            self.error(1, f"missing required table '[[{key}]]'")
            return
        if not isinstance(value, list):
            self.error(self.line(key), f"'{key}' must be an array of tables ([[{key}]])")
            return
        index = LineIndex(self.front, key, offset=1)
        for i, entry in enumerate(value):
            line = index.entry(i)
            if not isinstance(entry, dict):
                self.error(line, f"'{key}' entry must be a table")
                continue
            missing = [f for f in fields if not isinstance(entry.get(f), str) or not entry[f].strip()]
            if missing:
                self.error(line, f"[[{key}]] entry is missing {', '.join(missing)}")
                continue
            unknown = set(entry) - set(fields) - set(optional)
            if unknown:
                self.error(line, f"[[{key}]] entry has unknown field(s) {', '.join(sorted(unknown))}")
            yield i, line, entry


def parse_lesson(path: Path, display: str) -> tuple[Lesson | None, list[Problem]]:
    """Read one lesson file; returns the Lesson (None if unusable) and every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(display, 1, f"cannot read file: {err}")]
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(display, 1, "lesson must start with a '+++' TOML front matter block "
                                          "closed by another '+++' line")]
    front, body, body_line = parts
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as err:
        return None, [Problem(display, decode_error_line(err) + 1, f"invalid TOML: {err}")]

    r = _Reader(display, front, data)
    slug = r.text("slug")
    if slug and not SLUG.match(slug):
        r.error(r.line("slug"), f"slug '{slug}' must be lowercase letters, digits and hyphens")
        slug = ""
    title = r.text("title")
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        r.error(r.line("order") if "order" in data else 1, "'order' must be an integer")
        order = 0
    era = r.text("era", required=False)
    summary = r.text("summary")
    objectives = r.text_list("objectives", 3, 5)
    discussion = r.text_list("discussion", 3, 5)
    known = {"title", "slug", "order", "era", "summary", "objectives", "discussion",
             "timeline", "terms", "sources"}
    for key in sorted(set(data) - known):
        r.error(r.line(key), f"unknown field '{key}'")

    html, toc = render_markdown(body)
    anchors = frozenset(entry.anchor for entry in toc)

    timeline = []
    dates = LineIndex(front, "timeline", offset=1)
    for i, line, e in r.tables("timeline", ("date", "event", "section")):
        if not DATE.match(e["date"]):
            r.error(line, f"timeline date '{e['date']}' must be YYYY, YYYY-MM or YYYY-MM-DD")
        elif e["section"] not in anchors:
            r.error(line, f"timeline event links to section '#{e['section']}', which does not exist")
        else:
            timeline.append(TimelineEvent(e["date"], e["event"].strip(), slug, e["section"],
                                          dates.field(i, "date")))
    terms = []
    for _, line, e in r.tables("terms", ("term", "definition", "section")):
        if e["section"] not in anchors:
            r.error(line, f"term '{e['term']}' links to section '#{e['section']}', "
                          "which does not exist")
        else:
            terms.append(Term(e["term"].strip(), e["definition"].strip(), slug, e["section"]))
    sources = [Source(e["title"].strip(), e.get("url", "").strip(), e.get("note", "").strip())
               for _, _, e in r.tables("sources", ("title",), ("url", "note"))]

    body_lines = body.splitlines()
    h2_count = 0
    for n, line in enumerate(body_lines, body_line):
        match = H2.match(line)
        if match:
            h2_count += 1
            if "{#" not in match.group(1):
                r.error(n, "section heading has no stable anchor: add {#anchor}", "warning")
    if h2_count == 0:
        r.error(body_line, "lesson has no titled sections ('## Title {#anchor}')")
    for n, line in enumerate(body_lines, body_line):
        if line.lstrip().startswith("|") and n + 1 < body_line + len(body_lines) \
                and set(body_lines[n + 1 - body_line].replace("|", "").strip()) <= set("-: ") \
                and any(not cell.strip() for cell in line.strip().strip("|").split("|")):
            r.error(n, "table header has an empty cell: screen readers need a name for every column")
    if '!!! sources' not in body:
        r.error(body_line, "no '!!! sources' box (sources disagree / read the source critically)",
                "warning")

    words = count_words(summary, *objectives, *discussion, html,
                        *(t.event for t in timeline), *(t.definition for t in terms))
    lesson = Lesson(slug=slug, title=title, order=order, era=era, summary=summary,
                    objectives=objectives, discussion=discussion, timeline=tuple(timeline),
                    terms=tuple(terms), sources=tuple(sources), html=html, toc=tuple(toc),
                    anchors=anchors, words=words, path=display, body=body, body_line=body_line)
    usable = bool(slug and title)
    return (lesson if usable else None), r.problems
