"""Read one question's answer block, type by type, as Moodle's qformat_gift::readquestion does, but refuse
what Reset Lab cannot represent or what Moodle would silently misread."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .text import (
    WEIGHT,
    Src,
    format_percent,
    moodle_fraction,
    parse_number,
    php_trim,
    shortanswer_decode,
    shortanswer_wildcard,
    split_format,
    to_markdown,
)

TF_WORDS = ("T", "TRUE", "F", "FALSE")
ALLOWED = ("100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, "
           "14.28571, 12.5, 11.11111, 10, 5, 0 and their negatives")
Feedback = list[tuple[str, str]]


class Answers:
    """Parses an answer block; collects errors (the question is refused) and warnings, and the per-answer
    feedback that will be folded into the explanation."""

    def __init__(self, report: Callable[..., None], fmt: str):
        """Nothing read yet; answers inherit the question text's format."""
        self._report = report
        self.fmt = fmt  # the question text's format: answers and feedback inherit it
        self.failed = False
        self.feedback: Feedback = []

    def error(self, line: int, message: str) -> None:
        """Refuse the question, saying why."""
        self.failed = True
        self._report(line, message)

    def warn(self, line: int, message: str) -> None:
        """Accept the question, noting a doubt."""
        self._report(line, message, "warning")

    # --- shared pieces -------------------------------------------------------------------------------

    def _split(self, block: Src, markers: str, what: str) -> list[tuple[str, Src]]:
        """Cut the block at every live marker character; text before the first marker is refused
        (Moodle would quietly turn it into an extra answer)."""
        cuts = list(block.positions(markers))
        lead = block[: cuts[0]] if cuts else block
        if php_trim(lead.plain()):
            self.error(lead.line(), f"text '{php_trim(lead.plain())}' before the first {what}: every answer "
                                    f"starts with {what} (Moodle would take this text as one more answer)")
        for i in cuts:
            prev = block.text[i - 1] if i else " "
            if not prev.isspace() and prev not in "{~=":
                self.warn(block.line(i), f"'{block.text[i]}' right after '{prev}' starts a new answer; if it "
                                         f"belongs to the text, escape it as \\{block.text[i]}")
        ends = cuts[1:] + [len(block)] if cuts else []
        return [(block.text[i], block[i + 1: end].trim()) for i, end in zip(cuts, ends, strict=True)]

    def _weight(self, piece: Src) -> tuple[float | None, Src, bool]:
        """A leading %n% weight: (percent or None, rest, whether it was valid)."""
        match = WEIGHT.match(piece.text)
        if not match:
            return None, piece, True
        percent = float(match.group(1))
        if moodle_fraction(percent) is None:
            text = php_trim(piece[match.end():].plain().split("#", 1)[0])
            self.error(piece.line(), f"weight {match.group(0)} on '{text}' is not one Moodle accepts (it "
                                     f"would refuse the question); allowed: {ALLOWED}")
            return percent, piece[match.end():], False
        return percent, piece[match.end():], True

    def _text_and_feedback(self, piece: Src, label: str | None = None) -> tuple[str, str]:
        """Answer text and its #feedback (Moodle's commentparser: the first # splits). Feedback is kept
        for the explanation, labelled with the answer text."""
        parts = piece.split("#", 1)
        fmt, text = split_format(parts[0], self.fmt)
        if len(parts) > 1:
            ffmt, feedback = split_format(parts[1], self.fmt)
            if feedback:
                self.feedback.append((label or f"“{text}”", to_markdown(feedback, ffmt)))
        return fmt, text

    def _distinct(self, texts: list[tuple[str, int]], what: str, why: str = "") -> None:
        """Refuse a text that repeats an earlier one (ignoring case and spacing)."""
        seen: dict[str, int] = {}
        for text, line in texts:
            key = " ".join(text.casefold().split())
            if key in seen:
                self.error(line, f"duplicate {what} '{text}' (also on line {seen[key]}){why}")
            else:
                seen[key] = line

    # --- the types -----------------------------------------------------------------------------------

    def multichoice(self, block: Src) -> dict[str, Any]:
        """{=right ~wrong} is our single; {~%50%a ~%50%b ~%-50%c} our multi."""
        options: list[tuple[str, int, float, str]] = []  # text, line, percent, marker
        for marker, piece in self._split(block, "~=", "'~' or '='"):
            line = piece.line()
            if marker == "=":
                weight = WEIGHT.match(piece.text)
                if weight:
                    self.error(line, f"'={weight.group(0)}': after '=' Moodle ignores the weight and keeps "
                                     "it in the answer text; write ~%n% for a weighted answer")
                percent: float | None = 100.0
            else:
                if piece.text.startswith("%") and not WEIGHT.match(piece.text):
                    self.error(line, "an answer starting with '%' but no weight %n%: Moodle would keep the "
                                     "'%…' in the text; write ~%n%text, or [markdown]% if '%' is text")
                percent, piece, _ = self._weight(piece)
                percent = 0.0 if percent is None else percent
            fmt, text = self._text_and_feedback(piece)
            if not text:
                self.error(line, "an empty answer")
            options.append((to_markdown(text, fmt), line, percent, marker))
        if len(options) < 2:
            self.error(block.line(), "a multiple-choice question needs at least two answers")
        self._distinct([(o[0], o[1]) for o in options], "answer")
        if "=" in block.text:
            return self._single(options)
        if self.failed:
            return {}
        return self._multi([(t, n, p) for t, n, p, _ in options], block.line())

    def _single(self, options: list[tuple[str, int, float, str]]) -> dict[str, Any]:
        """Single choice: exactly one '=', no weights on the '~' answers."""
        rights = [i for i, option in enumerate(options) if option[3] == "="]
        for text, line, percent, marker in options:
            if marker == "~" and percent > 0:
                self.error(line, "'=' inside a multiple-answer (weighted ~%n%) set: because of the '=' "
                                 "Moodle makes the question single-answer, so "
                                 f"'~%{format_percent(percent)}%{text}' becomes partial credit, and Reset "
                                 "Lab scores single choice 1 or 0; write every right answer as ~%n% "
                                 "(multiple answers) or drop the weights")
            elif percent < 0:
                self.error(line, f"negative weight on '{text}' in a single-answer question: Reset Lab's "
                                 "single choice has no penalty; drop the weight")
        if len(rights) > 1:
            self.error(options[rights[1]][1], f"{len(rights)} right answers (=) in a single-answer question: "
                                              "Reset Lab's single choice has one; for several right answers "
                                              "write each as ~%n% (a multiple-answer set)")
        return {"options": [o[0] for o in options], "answer": rights[0] if rights else 0}

    def _multi(self, options: list[tuple[str, int, float]], line: int) -> dict[str, Any]:
        """Multiple answers: equal right weights, penalties of exactly minus that weight."""
        right = [(i, p) for i, (_, _, p) in enumerate(options) if p > 0]
        if not right:
            self.error(line, "no right answer: in a multiple-answer set each right answer carries ~%n% "
                             "(without '=' Moodle makes every plain ~ answer wrong)")
            return {}
        weight = right[0][1]
        shown = ", ".join(f"{format_percent(p)}%" for _, p in right)
        if any(abs(p - weight) > 0.001 for _, p in right):
            self.error(line, f"the right answers carry different weights ({shown}): Reset Lab scores every "
                             "right answer the same")
        zero = False
        for text, at, percent in options:
            if percent < 0 and abs(percent + weight) > 0.001:
                self.error(at, f"'{text}' is weighted {format_percent(percent)}% but each right answer is "
                               f"{format_percent(weight)}%: Reset Lab takes off exactly one right answer's "
                               f"worth (-{format_percent(weight)}%) for each wrong tick, so this cannot be "
                               "kept")
            zero = zero or percent == 0
        if zero and not self.failed:
            self.warn(line, "wrong answers without a negative weight: Moodle takes nothing off for ticking "
                            "them, but Reset Lab's multiple-answer scoring subtracts one right answer's "
                            "worth for each wrong tick, so students can score lower than in Moodle")
        if abs(weight * len(right) - 100) > 0.01 and not self.failed:
            self.warn(line, f"the right answers add up to {format_percent(weight * len(right))}%, not 100%; "
                            "Reset Lab gives full marks for ticking all of them")
        return {"options": [o[0] for o in options], "answer": [i for i, _ in right]}

    def truefalse(self, block: Src) -> dict[str, Any]:
        """{T}, {TRUE}, {F}, {FALSE}, optionally #feedback if wrong #feedback if right."""
        parts = block.split("#", 2)
        value = php_trim(parts[0].plain())
        for label, part in zip(("if answered wrongly", "if answered rightly"), parts[1:], strict=False):
            fmt, text = split_format(part, self.fmt)
            if text:
                self.feedback.append((label, to_markdown(text, fmt)))
        return {"answer": value in ("T", "TRUE")}

    def shortanswer(self, block: Src) -> dict[str, Any]:
        """{=spelling =other} is our text question; every spelling scores full marks."""
        lead_end = block.text.find("=")
        lead = php_trim((block[:lead_end] if lead_end >= 0 else block).plain())
        if lead:
            word = re.split(r"[\s#]", lead, maxsplit=1)[0]
            if word in TF_WORDS:
                self.error(block.line(), f"anything after {word} other than #feedback: Moodle would read "
                                         f"'{lead}' as a short answer, not true/false")
                return {}
            if word.upper() in TF_WORDS:
                shown = php_trim(lead.split("#", 1)[0])
                self.error(block.line(), f"'{word}' is not a true/false answer: Moodle accepts exactly T, "
                                         "TRUE, F or FALSE (capitals) and would read this as a short answer "
                                         f"'{shown}'")
                return {}
        answers: list[tuple[str, int]] = []
        for _, piece in self._split(block, "=", "'='"):
            line = piece.line()
            percent, piece, valid = self._weight(piece)
            _, text = self._text_and_feedback(piece)
            percent = 100.0 if percent is None else percent
            if not text:
                self.error(line, "an empty answer")
                continue
            if not valid:
                continue
            if percent == 0:
                self.warn(line, f"the 0% answer '{text}' is dropped: Reset Lab lists only accepted spellings")
                continue
            if percent != 100:
                self.error(line, f"partial credit ({format_percent(percent)}%) for '{text}': Reset Lab "
                                 "accepts every listed spelling for full marks")
                continue
            if shortanswer_wildcard(text):
                self.error(line, f"'*' in '{text}' is a wildcard in Moodle short answers (it matches "
                                 "anything); Reset Lab compares spellings: write \\* for a literal star")
                continue
            answers.append((shortanswer_decode(text), line))
        if not answers and not self.failed:
            self.error(block.line(), "no accepted answer (a short answer needs one =spelling at 100%)")
        self._distinct(answers, "answer")
        return {"answers": [a for a, _ in answers]}

    def numerical(self, block: Src) -> dict[str, Any]:
        """{#n}, {#n:tolerance}, {#min..max}, and Moodle's {#=n:t =%50%n:t2 ~#feedback} when only one
        answer is worth 100% and the rest 0%."""
        body = block[1:]
        tilde = body.text.find("~")
        if tilde >= 0:
            wrong = body[tilde + 1:].trim()
            if not wrong.text.startswith("#"):
                self.error(wrong.line(), "after '~' a numeric block takes only '#feedback for wrong answers' "
                                         "(Moodle drops anything else)")
            else:
                fmt, text = split_format(wrong[1:], self.fmt)
                if text:
                    self.feedback.append(("a wrong answer", to_markdown(text, fmt)))
            body = body[:tilde]
        pieces = body.split("=")
        if not php_trim(pieces[0].plain()):
            pieces = pieces[1:]
        found: list[tuple[int | float, int | float | None, float, int]] = []
        for piece in pieces:
            piece = piece.trim()
            line = piece.line()
            percent, piece, valid = self._weight(piece)
            _, text = self._text_and_feedback(piece, "the right answer" if percent in (None, 100.0) else None)
            value = self._number_answer(text, line)
            if value is not None and valid:
                found.append((*value, 100.0 if percent is None else percent, line))
        if not pieces:
            self.error(block.line(), "a numeric block with no number (write {#2009} or {#2009:1})")
        full = [f for f in found if f[2] == 100]
        for number, _, percent, line in found:
            if percent == 0:
                self.warn(line, f"the 0% answer {number} is dropped: Reset Lab's numeric question has one "
                                "answer")
            elif percent != 100:
                self.error(line, f"partial credit ({format_percent(percent)}%) for {number}: Reset Lab's "
                                 "numeric question has one answer and a tolerance, nothing in between")
        if len(full) > 1:
            shown = ", ".join(str(f[0]) for f in full)
            self.error(full[1][3], f"{len(full)} accepted numbers ({shown}): Reset Lab's numeric question "
                                   "has one answer ± tolerance")
        if not full:
            if found and not self.failed:
                self.error(block.line(), "no answer worth 100%")
            return {}
        number, tolerance, _, _ = full[0]
        return {"answer": number} | ({} if tolerance is None else {"tolerance": tolerance})

    def _number_answer(self, text: str, line: int) -> tuple[int | float, int | float | None] | None:
        """(answer, tolerance) from 'n', 'n:t' or 'min..max' (Moodle checks '..' first, then ':')."""
        def number(part: str, what: str) -> int | float | None:
            """A number from the text, or None after saying why not."""
            value = parse_number(part)
            if value is None:
                extra = (" (Moodle would store an answer that accepts any reply: its importer assigns '*' "
                         "where it means to compare)") if what == "answer" else ""
                self.error(line, f"the numeric {what} '{part.strip()}' is not a number{extra}")
            return value

        if text.find("..") > 0:
            low_text, high_text = text.split("..", 1)
            low, high = number(low_text, "range start"), number(high_text, "range end")
            if low is None or high is None:
                return None
            if low > high:
                self.error(line, f"the range {text} runs backwards (write min..max)")
                return None
            if isinstance(low, int) and isinstance(high, int) and (low + high) % 2 == 0:
                mid: int | float = (low + high) // 2
                return mid, high - mid
            # Decimal arithmetic, so that 3.141..3.142 gives 3.1415 ± 0.0005 and not 3.1414999999999997.
            low_d, high_d = Decimal(low_text.strip()), Decimal(high_text.strip())
            return float((low_d + high_d) / 2), float((high_d - low_d) / 2)
        if text.find(":") > 0:
            value_text, tolerance_text = text.split(":", 1)
            value, tolerance = number(value_text, "answer"), number(tolerance_text, "tolerance")
            if value is None or tolerance is None:
                return None
            if tolerance < 0:
                self.error(line, f"the tolerance {tolerance} is negative")
                return None
            return value, tolerance
        value = number(text, "answer")
        return None if value is None else (value, None)

    def match(self, block: Src) -> dict[str, Any]:
        """{=left -> right ... = -> distractor}."""
        pairs: list[tuple[str, str, int]] = []
        distractors: list[tuple[str, int]] = []
        for _, piece in self._split(block, "=", "'='"):
            line = piece.line()
            arrow = piece.text.find("->")
            if arrow < 0:
                self.error(line, f"'{php_trim(piece.plain())}' has no '->': each pair is =left -> right")
                continue
            if "#" in piece.text:
                self.error(line, "'#' in a matching pair: Moodle has no feedback for pairs and keeps '#…' in "
                                 "the text; escape it as \\#")
            fmt, left = split_format(piece[:arrow], self.fmt)
            right = php_trim(piece[arrow + 2:].plain())
            if not right:
                self.error(line, "an empty right-hand side")
            elif not left:
                distractors.append((right, line))
            else:
                pairs.append((to_markdown(left, fmt), right, line))
        if len(pairs) < 2 and not self.failed:
            self.error(block.line(), "a matching question needs at least two pairs =left -> right")
        self._distinct([(left, n) for left, _, n in pairs], "left-hand side")
        self._distinct([(r, n) for _, r, n in pairs] + distractors, "right-hand side",
                       ": Moodle would offer it once for both, Reset Lab needs distinct right-hand sides")
        result: dict[str, Any] = {"pairs": [[left, right] for left, right, _ in pairs]}
        if distractors:
            result["distractors"] = [d for d, _ in distractors]
        return result
