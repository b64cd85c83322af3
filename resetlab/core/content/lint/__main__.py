"""Command line: lint bank files (and lessons) and print one finding per line.

    python -m resetlab.core.content.lint quizzes/*.toml [--lessons lessons/]

Exit status: 0 no findings, 1 findings, 2 a file could not be read. This module is the package's only
file I/O; the rules themselves stay pure.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from . import bank_from_text, lesson_from_text, lint
from .model import LintBank, LintLesson


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(bank_paths: Sequence[str], lessons_dir: str | None) -> tuple[list[LintBank], list[LintLesson]]:
    """Read the named files into lint records (OSError / TOMLDecodeError propagate)."""
    banks = [bank_from_text(_read(Path(p)), Path(p).stem, p) for p in bank_paths]
    lessons = []
    if lessons_dir is not None:
        for path in sorted(Path(lessons_dir).glob("*.md")):
            slug = path.stem.split("-", 1)[1] if path.stem[:2].isdigit() and "-" in path.stem else path.stem
            lessons.append(lesson_from_text(_read(path), slug, str(path)))
    return banks, lessons


def main(argv: Sequence[str] | None = None) -> int:
    """Print every finding for the given banks and lessons; the exit status says whether any exist."""
    parser = argparse.ArgumentParser(prog="python -m resetlab.core.content.lint",
                                     description="Item-writing lint for quiz banks (docs/rules/).")
    parser.add_argument("banks", nargs="+", help="bank files (quizzes/*.toml)")
    parser.add_argument("--lessons", metavar="DIR", help="lesson folder, for date-consistency")
    args = parser.parse_args(argv)
    try:
        banks, lessons = load(args.banks, args.lessons)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        print(f"cannot lint: {err}", file=sys.stderr)
        return 2
    findings = lint(banks, lessons)
    for finding in findings:
        print(finding)
    counts = Counter(f.rule for f in findings)
    summary = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))
    print(f"{len(findings)} finding(s)" + (f": {summary}" if summary else ""), file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
