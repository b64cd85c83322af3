"""GIFT text -> our bank's question dicts, reporting every problem as path:line: message."""

from __future__ import annotations

import re
from typing import Any

from .answers import Answers
from .blocks import Block, split_blocks
from .model import GiftProblem, GiftResult, GiftSummary, ordered
from .text import SLUG, Src, php_trim, slugify, split_format, to_markdown

OUR_TYPE = {"multichoice": "single", "truefalse": "truefalse", "shortanswer": "text", "numerical": "numeric",
            "match": "match", "essay": "essay", "description": "source"}
FOLDED = "Feedback on particular answers (from the GIFT file):"


def parse_gift_bytes(data: bytes, path: str) -> GiftResult:
    """Entry point for a file's raw bytes: refuse anything but UTF-8 (a BOM is allowed), as Moodle's
    validate_is_utf8_file does, and NUL characters (no database stores them in text), naming every line
    with a bad byte."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        result = GiftResult()
        lines = data.split(b"\n") if b"\n" in data else data.split(b"\r")
        for number, raw in enumerate(lines, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as err:
                result.problems.append(GiftProblem(
                    path, number, f"not UTF-8: byte 0x{raw[err.start]:02x} at column {err.start + 1}; "
                                  "save the file as UTF-8 (Moodle refuses it too)"))
        return result
    if "\x00" in text:
        result = GiftResult()
        for number, line in enumerate(text.split("\n"), 1):
            if "\x00" in line:
                result.problems.append(GiftProblem(
                    path, number, f"a NUL character (byte 0x00) at column {line.index(chr(0)) + 1}: this is "
                                  "not a text file, or it was saved badly; save it as UTF-8 text"))
        return result
    return parse_gift(text, path)


def parse_gift(text: str, path: str) -> GiftResult:
    """Read a GIFT file into our question dicts, keeping going after errors to report them all."""
    return _Importer(path).run(text)


class _Importer:
    """Reads a whole file block by block, collecting questions, lines, summary and problems."""
    def __init__(self, path: str):
        """Start with nothing read."""
        self.path = path
        self.result = GiftResult()
        self.without_meta: list[int] = []
        self.without_explanation: list[int] = []

    def report(self, line: int, message: str, severity: str = "error") -> None:
        """Record one problem at a line of the file."""
        self.result.problems.append(GiftProblem(self.path, line, message, severity))

    def run(self, text: str) -> GiftResult:
        """Read every block, then add the file-wide warnings and sort problems by line."""
        for block in split_blocks(text, self.report):
            self.block(block)
        if self.without_explanation:
            where = _where(self.without_explanation)
            self.report(self.without_explanation[0], f"no general feedback (####…) {where}: a Reset Lab "
                                                     "question needs an explanation", "warning")
        if self.without_meta:
            self.report(self.without_meta[0], f"no '// resetlab:' comment {_where(self.without_meta)}: add "
                                              "section, difficulty and skill by hand before the bank loads",
                        "warning")
        self.result.problems.sort(key=lambda p: p.line)
        return self.result

    def block(self, block: Block) -> None:
        """One blank-line-separated block: a comment, a category or a question."""
        if not block.lines:
            if block.meta is not None:
                self.report(block.meta_line, "a '// resetlab:' comment with no question under it (is there a "
                                             "blank line between them?)")
            return
        first = block.lines[0][1]
        if first.startswith("$CATEGORY:"):
            self.category(block)
            return
        if re.match(r"\$category\s*:", first, re.IGNORECASE):
            self.report(block.line, "write '$CATEGORY:' exactly (capitals, colon right after): Moodle reads "
                                    "anything else as a description question")
            return
        reader = _Question(block, self.report)
        moodle_type, name, question = reader.read()
        qid = None
        if question is not None:
            qid = self.assign_id(block, reader.name)
            question = ordered({"id": qid, **question})
            self.result.questions.append(question)
            self.result.lines[qid] = block.line
            if block.meta is None and question["type"] != "source":
                self.without_meta.append(block.line)
            if "explanation" not in question:
                self.without_explanation.append(block.line)
        self.result.summary.append(GiftSummary(block.line, name, moodle_type,
                                               question["type"] if question else None, qid))

    def category(self, block: Block) -> None:
        """A $CATEGORY block: the category path, our bank comment, title and slug hints."""
        number, line = block.lines[0]
        if len(block.lines) > 1:
            self.report(block.lines[1][0], "put a blank line after the $CATEGORY line: Moodle would make "
                                           "this line part of the category name")
        path = php_trim(line[len("$CATEGORY:"):])
        if self.result.category is not None:
            if path != self.result.category:
                self.report(number, f"a second $CATEGORY ('{path}'): Reset Lab imports one GIFT file as one "
                                    f"bank, so every question goes to '{self.result.category}'", "warning")
            return
        self.result.category = path
        segments = [s.replace("//", "/") for s in re.split(r"(?<!/)/(?!/)", path)]
        if segments and re.fullmatch(r"\$\w+\$", segments[0]):
            segments = segments[1:]
        if segments and segments[0] == "top":
            segments = segments[1:]
        title = php_trim(segments[-1]) if segments else ""
        meta = block.meta or {}
        for key in ("title", "questions"):
            if key in meta:
                self.report(block.meta_line, f"the bank's '// resetlab:' comment must not carry '{key}'")
        self.result.bank_meta = {k: v for k, v in meta.items() if k not in ("title", "questions")}
        self.result.title_hint = title or None
        slug = meta.get("slug") or meta.get("lesson") or slugify(title)
        self.result.slug_hint = slug if isinstance(slug, str) and slug else None

    def assign_id(self, block: Block, name: str) -> str:
        """From [id:...], else the ::name:: slugified (at most 60 characters), else q-<line>; made unique
        within the file."""
        line = block.line
        if block.idnumber:
            qid = block.idnumber if SLUG.match(block.idnumber) else slugify(block.idnumber)
            if qid != block.idnumber:
                self.report(line, f"the ID number '{block.idnumber}' is not an id of lowercase letters, "
                                  f"digits and hyphens; using '{qid or f'q-{line}'}'", "warning")
        else:
            qid = slugify(name)
            if len(qid) > 60:
                qid = qid[:61].rsplit("-", 1)[0] if "-" in qid[:61] else qid[:60]
        qid = qid or f"q-{line}"
        base, n = qid, 2
        while qid in self.result.lines:
            qid, n = f"{base}-{n}", n + 1
        if qid != base:
            self.report(line, f"the id '{base}' is taken (line {self.result.lines[base]}); this question "
                              f"becomes '{qid}'", "warning")
        return qid


class _Question:
    """One question block -> (Moodle's type, name, our question dict or None when refused)."""

    def __init__(self, block: Block, report: Any):
        """Start with nothing read."""
        self.block = block
        self._report = report
        self.failed = block.meta_error
        self.name = ""  # the ::name::, if the question has one

    def error(self, line: int, message: str) -> None:
        """Refuse the question, saying why."""
        self.failed = True
        self._report(line, message)

    def warn(self, line: int, message: str) -> None:
        """Keep the question, noting a doubt."""
        self._report(line, message, "warning")

    def read(self) -> tuple[str, str, dict[str, Any] | None]:
        """Name, answer block, text, general feedback and type, then our question dict."""
        src = Src.from_lines(self.block.lines)
        name, body = "", src
        if src.text.startswith("::"):
            end = src.text.find("::", 2)
            if end < 0:
                self.error(src.line(), "the question name opens with '::' but never closes (escape a "
                                       "literal colon as \\:)")
                return "?", "", None
            name = self.name = php_trim(src[2:end].plain())
            body = src[end + 2:].trim()
            if not name:
                self.warn(src.line(), "an empty question name '::::'")
        pairs = self.braces(body)
        if pairs is None:
            return "?", name or php_trim(body.plain())[:80], None
        answer: Src | None = None
        text = body
        if pairs:
            start, end = pairs[0]
            answer = body[start + 1: end].trim()
            after = body[end + 1:]
            text = body[:start] + (Src("_____", (body.line(start),) * 5, body.line(start)) + after
                                   if after.text else after)
            if after.trim().text.startswith("//"):
                self.warn(after.trim().line(), "'//' is a comment only at the start of a line: Moodle keeps "
                                               f"'{php_trim(after.plain())}' in the question text")
        general = None
        if answer is not None:
            cut = answer.text.rfind("####")
            if cut >= 0:
                general, answer = answer[cut + 4:], answer[:cut].trim()
        fmt, prompt = split_format(text, "moodle")
        if not prompt:
            self.error(src.line(), "the question has no text")
        moodle_type = _moodle_type(answer)
        answers = Answers(self._report, fmt)
        fields = self.fields(moodle_type, answer, answers)
        if self.failed or answers.failed or fields is None:
            return moodle_type, name, None
        question = {"type": OUR_TYPE[moodle_type], "prompt": to_markdown(prompt, fmt), **fields}
        if question["type"] == "single" and isinstance(question["answer"], list):
            question["type"] = "multi"
        explanation = None
        if general is not None:
            gfmt, gtext = split_format(general, fmt)
            explanation = to_markdown(gtext, gfmt)
        if answers.feedback:
            folded = "\n".join(f"- {label}: {text}" for label, text in answers.feedback)
            explanation = (explanation + "\n\n" if explanation else "") + FOLDED + "\n\n" + folded
            self.warn(self.block.line, "per-answer feedback (#…) is folded into the explanation: Reset Lab "
                                       "shows one explanation after answering")
        if explanation is not None:
            question["explanation"] = explanation
        question = self.apply_meta(question, name)
        if self.block.tags:
            self.warn(self.block.first, f"Moodle tags are not kept ({', '.join(self.block.tags)})")
        return moodle_type, name or prompt[:80], question

    def braces(self, body: Src) -> list[tuple[int, int]] | None:
        """The answer block's (start, end); None after reporting unclosed, unopened, nested or extra
        braces."""
        pairs: list[tuple[int, int]] = []
        start, depth, bad = 0, 0, False
        for i in body.positions("{}"):
            if body.text[i] == "{":
                if depth:
                    self.error(body.line(i), "'{' inside an answer block: braces do not nest (escape a "
                                             "literal brace as \\{)")
                    bad = True
                else:
                    start = i
                depth += 1
            elif not depth:
                self.error(body.line(i), "'}' with no '{' before it (escape a literal brace as \\})")
                bad = True
            else:
                depth -= 1
                if not depth:
                    pairs.append((start, i))
        if depth:
            self.error(body.line(start), "'{' is never closed: the answer block needs its '}' (Moodle: brace "
                                         "error)")
            bad = True
        for second, _ in pairs[1:]:
            self.error(body.line(second), "a second answer block: Moodle would keep it as literal text in "
                                          "the question; a question has one answer block")
            bad = True
        return None if bad else pairs

    def fields(self, moodle_type: str, answer: Src | None, answers: Answers) -> dict[str, Any] | None:
        """The type's own fields, read by Answers (nothing for essays and descriptions)."""
        if moodle_type in ("description", "essay"):
            return {}
        assert answer is not None
        reader = getattr(answers, moodle_type)
        return reader(answer)

    def apply_meta(self, question: dict[str, Any], name: str) -> dict[str, Any] | None:
        """Merge the // resetlab: fields; turn a description into a source and a marked match into order."""
        meta = dict(self.block.meta or {})
        at = self.block.meta_line or self.block.line
        wanted = meta.pop("type", None)
        if "id" in meta:
            self.error(at, "the '// resetlab:' comment must not carry 'id' ([id:…] and ::name:: do)")
        if wanted == "order" and question["type"] == "match":
            question = self.as_order(question, at)
        elif wanted is not None and wanted != question["type"]:
            self.error(at, f"the '// resetlab:' comment says type '{wanted}' but the answer block makes a "
                           f"{question['type']} question")
        if question is not None and question["type"] == "source":
            question = self.as_source(question, meta, name)
        for key, value in meta.items():
            if question is not None and key in question:
                self.error(at, f"the '// resetlab:' comment repeats '{key}', which the GIFT text carries")
            elif question is not None:
                question[key] = value
        return None if self.failed else question

    def as_order(self, question: dict[str, Any], at: int) -> dict[str, Any] | None:
        """Order travels as a matching of each item to its position 1..n."""
        pairs, n = question["pairs"], len(question["pairs"])
        positions = sorted(str(i) for i in range(1, n + 1))
        if "distractors" in question or sorted(r for _, r in pairs) != positions:
            self.error(at, f"an order question is written as a matching of each item to its position 1..{n}, "
                           "with no distractors")
            return None
        items = [left for left, _ in sorted(pairs, key=lambda p: int(p[1]))]
        rest = {k: v for k, v in question.items() if k not in ("pairs", "distractors")}
        return {**rest, "type": "order", "items": items}

    def as_source(self, question: dict[str, Any], meta: dict[str, Any], name: str) -> dict[str, Any]:
        """A description is a source: its text is the excerpt; our exporter adds the title in bold above
        and the citation below, and the comment carries both, so they are taken off again."""
        text = question.pop("prompt")
        title, citation = meta.get("prompt"), meta.get("citation")
        if isinstance(title, str) and text.startswith(head := f"**{title}**\n\n"):
            text = text[len(head):]
        elif title is not None:
            self.warn(self.block.line, "the source's title in the text differs from its '// resetlab:' "
                                       "comment; the comment's title is kept")
        if isinstance(citation, str) and text.endswith(tail := f"\n\n— {citation}"):
            text = text[: -len(tail)]
        elif citation is not None:
            self.warn(self.block.line, "the source's citation in the text differs from its '// resetlab:' "
                                       "comment; the comment's citation is kept")
        if title is None:
            question["prompt"] = name or php_trim(text.split("\n", 1)[0])[:80]
        if citation is None:
            self._report(self.block.line, "a source needs a citation (add \"citation\" to its '// resetlab:' "
                                          "comment)")
        question["excerpt"] = text
        return question


def _where(lines: list[int]) -> str:
    """Which questions a summary warning is about, as 'on N questions (lines ...)'."""
    if len(lines) == 1:
        return "on this question"
    shown = ", ".join(str(n) for n in lines[:8]) + (", …" if len(lines) > 8 else "")
    return f"on {len(lines)} questions (lines {shown})"


def _moodle_type(answer: Src | None) -> str:
    """Moodle's type detection, in its order (format.php, readquestion)."""
    if answer is None:
        return "description"
    text = answer.text
    if not text:
        return "essay"
    if text[0] == "#":
        return "numerical"
    if "~" in text:
        return "multichoice"
    if "=" in text and "->" in text:
        return "match"
    check = php_trim(text[: text.find("#")]) if text.find("#") > 0 else text
    return "truefalse" if check in ("T", "TRUE", "F", "FALSE") else "shortanswer"

