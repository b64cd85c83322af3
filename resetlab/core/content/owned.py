"""Instructors' own banks, before the database: read an upload (GIFT or TOML), fill what a foreign file
lacks, check every question with the course's own rules and lint it. Pure: bytes and dicts in, records out.

In the catalog an instructor's bank is `b<bank id>` and its questions `b<bank id>-<local id>`; the shipped
course may not use names of that shape (`reserved`), so the two never collide.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..questions import Question, QuestionError
from .banks import parse_question, with_stimuli
from .gift import parse_gift_bytes
from .lessons import SLUG
from .lint import from_bank_dict, lint_bank
from .model import DIFFICULTIES, SKILLS, Problem
from .toml_lines import LineIndex, decode_error_line, key_line

RESERVED = re.compile(r"^b[0-9]+(?:-|$)")
MAX_QUESTIONS = 500
MAX_LOCAL_ID = 60
DEFAULTS = {"difficulty": "medium", "skill": "recall",
            "explanation": "No explanation was given for this question."}
FORMATS = ("auto", "gift", "toml")
NUL_ESCAPE = "'{}' holds a NUL character (\\u0000), which no text may hold: remove it"


def reserved(name: str) -> bool:
    """Whether a bank slug or question id has the shape kept for instructors' banks (b12, b12-...)."""
    return bool(RESERVED.match(name))


def bank_slug(bank_id: int) -> str:
    """The catalog slug of an instructor's bank."""
    return f"b{bank_id}"


def question_id(bank_id: int, local_id: str) -> str:
    """The catalog id of a question of an instructor's bank."""
    return f"b{bank_id}-{local_id}"


def bank_number(slug: str) -> int | None:
    """The bank id in a slug made by bank_slug, else None."""
    match = re.fullmatch(r"b([1-9][0-9]{0,9})", slug)
    return int(match.group(1)) if match else None


@dataclass
class Upload:
    """A bank as uploaded or pasted, read but not yet checked: question dicts with their source lines."""

    source: str
    format: str
    title: str | None = None
    questions: list[dict[str, Any]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # source line of each question
    problems: list[Problem] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        """Nothing stops the file from being read (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    def line(self, index: int, key: str | None = None) -> int:
        """The source line of question `index` (of one of its fields, when TOML says where)."""
        if self.format == "toml" and key:
            return LineIndex(self.text, "questions").field(index, key)
        return self.starts[index] if index < len(self.starts) else 1


def detect_format(source: str, text: str) -> str:
    """GIFT or TOML, from the file name, else from the text (a TOML bank has [[questions]])."""
    lower = source.lower()
    if lower.endswith(".toml"):
        return "toml"
    if lower.endswith((".gift", ".txt")):
        return "gift"
    return "toml" if re.search(r"^\s*\[\[\s*questions\s*\]\]", text, re.MULTILINE) else "gift"


def read_upload(data: bytes, source: str, fmt: str = "auto") -> Upload:
    """Read GIFT or TOML bytes (UTF-8, a BOM allowed) into question dicts, every problem as path:line."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    fmt = detect_format(source, text) if fmt == "auto" else fmt
    if fmt == "gift":
        return _from_gift(data, source)
    return _from_toml(data, source)


# The GIFT reader's advice for course authors ("add section, difficulty and skill by hand", "needs an
# explanation"): instructors' banks fill those fields instead, and say so (check_upload).
FILLED_HERE = ("no '// resetlab:' comment", "no general feedback (####")


def _from_gift(data: bytes, source: str) -> Upload:
    result = parse_gift_bytes(data, source)
    upload = Upload(source, "gift", title=result.title_hint, questions=list(result.questions),
                    starts=[result.lines[q["id"]] for q in result.questions])
    upload.problems = [Problem(p.path, p.line, p.message, p.severity) for p in result.problems
                       if not (p.severity == "warning" and p.message.startswith(FILLED_HERE))]
    if not result.summary and not result.problems:
        upload.problems.append(Problem(source, 1, "no questions found"))
    return upload


TOO_DEEP = "arrays or tables are nested too deeply to read"


def _from_toml(data: bytes, source: str) -> Upload:
    upload = Upload(source, "toml")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        upload.problems.append(Problem(source, line, f"not UTF-8 (byte 0x{data[err.start]:02x}): save the "
                                                     "file as UTF-8"))
        return upload
    upload.text = text
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        upload.problems.append(Problem(source, decode_error_line(err), f"invalid TOML: {err}"))
        return upload
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        upload.problems.append(Problem(source, 1, f"invalid TOML: {TOO_DEEP}"))
        return upload
    title = parsed.get("title")
    if _holds_nul(title):
        upload.problems.append(Problem(source, key_line(text, "title"), NUL_ESCAPE.format("title")))
        title = None
    upload.title = title.strip() if isinstance(title, str) and title.strip() else None
    raw = parsed.get("questions", [])
    if not isinstance(raw, list) or not raw:
        upload.problems.append(Problem(source, 1, "no questions found: each one starts with [[questions]]"))
        return upload
    index = LineIndex(text, "questions")
    for i, question in enumerate(raw):
        if not isinstance(question, dict):
            upload.problems.append(Problem(source, index.entry(i), "a [[questions]] entry must be a table"))
            continue
        bad = [key for key, value in question.items() if _holds_nul(key) or _holds_nul(value)]
        if bad:
            upload.problems.append(Problem(source, index.field(i, bad[0]), NUL_ESCAPE.format(bad[0])))
            continue
        upload.questions.append(question)
        upload.starts.append(index.entry(i))
    return upload


def _holds_nul(value: Any) -> bool:
    """Whether a parsed TOML value holds a NUL character anywhere (a \\u0000 escape)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


@dataclass(frozen=True)
class Checked:
    """An upload checked question by question: what would be saved, and every problem and lint finding."""

    questions: tuple[Question, ...]  # built with the catalog ids when a prefix was given
    data: tuple[dict[str, Any], ...]  # each question dict as it is saved (defaults filled, local id)
    problems: tuple[Problem, ...]
    filled: Mapping[str, int] = field(default_factory=dict)  # field -> how many questions got the default

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop the bank from being saved."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Lint findings and other doubts: shown, not blocking."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """Nothing stops saving."""
        return not self.errors and bool(self.questions)


def check_upload(upload: Upload, *, lesson: str | None, anchors: Mapping[str, frozenset[str]],
                 practice: bool, prefix: str = "", context: Sequence[dict[str, Any]] = ()) -> Checked:
    """Check every question as the course loader would, with instructors' defaults: difficulty, skill and
    explanation are filled when missing (reported); `section` is optional and, when given, must be an
    anchor of the bank's lesson (or `lesson#anchor`). `prefix` (b<id>-) gives the questions their catalog
    ids. A question's `source` names a source excerpt of the upload, or of `context` (the rest of the
    bank, when one question is edited); the excerpt travels in the question (its stimulus)."""
    problems = list(upload.problems)
    filled: dict[str, int] = {}
    built: list[Question] = []
    kept: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    refs: dict[str, tuple[str, int]] = {}
    if len(upload.questions) > MAX_QUESTIONS:
        problems.append(Problem(upload.source, 1, f"{len(upload.questions)} questions: a bank holds at most "
                                                  f"{MAX_QUESTIONS}"))
    for index, raw in enumerate(upload.questions[:MAX_QUESTIONS]):
        line = upload.line(index)
        try:
            data = _filled(raw, filled)
            question = _build(data, lesson, anchors, practice, prefix)
        except QuestionError as err:
            problems.append(Problem(upload.source, upload.line(index, err.key or None), str(err)))
            continue
        local = data["id"]
        if local in seen:
            problems.append(Problem(upload.source, line, f"duplicate question id '{local}' "
                                                         f"(first at line {seen[local]})"))
            continue
        if "source" in data:
            if not isinstance(data["source"], str):
                problems.append(Problem(upload.source, upload.line(index, "source"),
                                        "'source' must name a source's id"))
                continue
            refs[question.id] = (prefix + data["source"], upload.line(index, "source"))
        seen[local] = line
        built.append(question)
        kept.append(data)
    built = _with_sources(built, refs, context, upload.source, problems, lesson, anchors, practice, prefix)
    for name, count in filled.items():
        problems.append(Problem(upload.source, 1, f"{count} question(s) had no {name}: "
                                                  f"'{DEFAULTS[name]}' assumed (edit them to change it)",
                                "warning"))
    problems.extend(lint_findings(kept, seen, upload.source, lesson))
    problems.sort(key=lambda p: (p.line, p.severity != "error"))
    return Checked(tuple(built), tuple(kept), tuple(problems), filled)


def _with_sources(built: list[Question], refs: dict[str, tuple[str, int]], context: Sequence[dict[str, Any]],
                  source: str, problems: list[Problem], lesson: str | None,
                  anchors: Mapping[str, frozenset[str]], practice: bool, prefix: str) -> list[Question]:
    """The questions with the source excerpts they name attached (a problem for a name that is not a
    source of the bank); sources of `context` count, without being checked or kept here."""
    if not refs:
        return built
    ours = {q.id for q in built}
    extra = []
    for data in context:
        if data.get("type") == "source" and prefix + str(data.get("id")) not in ours:
            try:
                extra.append(_build(_filled(data, {}), lesson, anchors, practice, prefix))
            except QuestionError:
                continue
    before = len(problems)
    resolved = with_stimuli(built + extra, refs, source, problems)[:len(built)]
    for i in range(before, len(problems) if prefix else before):  # ids as the instructor wrote them
        problems[i] = dataclasses.replace(problems[i], message=problems[i].message.replace(f"'{prefix}", "'"))
    return resolved


def _filled(raw: dict[str, Any], filled: dict[str, int]) -> dict[str, Any]:
    """A copy of the question dict with the instructors' defaults put in (and counted)."""
    data = dict(raw)
    local = data.get("id")
    if not isinstance(local, str) or not SLUG.match(local) or len(local) > MAX_LOCAL_ID:
        raise QuestionError("id", f"question 'id' must be lowercase letters, digits and hyphens "
                                  f"(at most {MAX_LOCAL_ID} characters)")
    for name, default in DEFAULTS.items():
        if name not in data:
            data[name] = default
            filled[name] = filled.get(name, 0) + 1
    return data


def _build(data: dict[str, Any], lesson: str | None, anchors: Mapping[str, frozenset[str]], practice: bool,
           prefix: str) -> Question:
    """The Question, checked by the course's own parser; the section is checked against real lessons."""
    section = data.get("section")
    target, anchor = lesson or "", ""
    if section is not None:
        if not isinstance(section, str) or not section.strip():
            raise QuestionError("section", "'section' must be a lesson anchor (or leave it out)")
        head, hash_, tail = section.strip().rpartition("#")
        target, anchor = (head or lesson or "", tail) if hash_ else (lesson or "", section.strip())
        if not target:
            raise QuestionError("section", f"'section' names '{anchor}' but the bank goes with no lesson: "
                                           "choose a lesson for the bank, or write lesson-slug#anchor")
        if target not in anchors:
            raise QuestionError("section", f"'section' names lesson '{target}', which does not exist")
        if anchor not in anchors[target]:
            raise QuestionError("section", f"'section' names '#{anchor}', which is not a heading of "
                                           f"lesson '{target}'")
    for key in ("difficulty", "skill"):
        allowed = DIFFICULTIES if key == "difficulty" else SKILLS
        if data.get(key) not in allowed:
            raise QuestionError(key, f"'{key}' must be one of {', '.join(allowed)}")
    question = parse_question({**data, "id": prefix + data["id"] if prefix else data["id"], "section": "x"},
                              lesson)
    return dataclasses.replace(question, lesson=target, section=anchor,
                               secure=question.secure or not practice)


def lint_findings(data: Sequence[dict[str, Any]], lines: Mapping[str, int], source: str,
                  lesson: str | None) -> list[Problem]:
    """The item-writing lint on one bank on its own, each finding as a warning with its rule id."""
    record = from_bank_dict({"questions": list(data), "lesson": lesson}, "upload", source, dict(lines))
    return [Problem(f.path, f.line, f.message, "warning", f.rule) for f in lint_bank(record, [])]
