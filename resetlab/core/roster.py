"""Pure: a class roster from a CSV file (names and emails), with a clear problem for every bad row.

Accepts what spreadsheets write: UTF-8 with or without a BOM, commas, semicolons or tabs, a header row
naming the columns (name / full name / first name + last name, email / e-mail) or no header at all
(name, email in either order). Blank rows are skipped. Line numbers are the file's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_ROWS = 1000
MAX_NAME = 80
MAX_EMAIL = 254
NAME_HEADERS = {"name", "full name", "fullname", "display name", "student", "student name"}
FIRST_HEADERS = {"first name", "first", "given name", "firstname"}
LAST_HEADERS = {"last name", "last", "family name", "surname", "lastname"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}


@dataclass(frozen=True)
class RosterRow:
    """One student to add: the file line, the name, the email (lower case)."""

    line: int
    name: str
    email: str


@dataclass(frozen=True)
class RosterProblem:
    """Why one line (or the whole file, line 1) cannot be used; `text` is the line as written."""

    line: int
    message: str
    text: str = ""


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column positions when the row is a header (it names an email column), else None."""
    names = [" ".join(c.strip().lower().replace("_", " ").split()) for c in cells]
    found: dict[str, int] = {}
    for i, name in enumerate(names):
        for key, options in (("name", NAME_HEADERS), ("first", FIRST_HEADERS), ("last", LAST_HEADERS),
                             ("email", EMAIL_HEADERS)):
            if name in options and key not in found:
                found[key] = i
    return found if "email" in found else None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Every usable row and every problem (each with its line); nothing is dropped silently."""
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        return [], [RosterProblem(line, "the file is not UTF-8: save it as “CSV UTF-8” and try again")]
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        return [], [RosterProblem(line, "the file holds a NUL character")]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0]))
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    columns: dict[str, int] | None = None
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if columns is None and not rows and not problems:
                columns = _header(cells)
                if columns is not None:
                    continue
                columns = {"email": 0, "name": 1} if "@" in cells[0] else {"name": 0, "email": 1}
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(RosterProblem(line, f"more than {MAX_ROWS} students: split the file"))
                break
            row = _row(cells, columns, line)
            written = ", ".join(c.strip() for c in cells if c.strip())[:200]
            if isinstance(row, RosterProblem):
                problems.append(RosterProblem(row.line, row.message, written))
            elif row.email in seen:
                again = f"{row.email} is already on line {seen[row.email]}"
                problems.append(RosterProblem(line, again, written))
            else:
                seen[row.email] = line
                rows.append(row)
    except csv.Error as err:
        problems.append(RosterProblem(reader.line_num, f"the CSV cannot be read here: {err}"))
    if not rows and not problems:
        problems.append(RosterProblem(1, "no students found: one row per student, with a name and an email"))
    return rows, problems


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""


def _row(cells: list[str], columns: dict[str, int], line: int) -> RosterRow | RosterProblem:
    name = _cell(cells, columns, "name") or " ".join(
        part for part in (_cell(cells, columns, "first"), _cell(cells, columns, "last")) if part)
    email = _cell(cells, columns, "email")
    if not name:
        return RosterProblem(line, "no name")
    if len(name) > MAX_NAME:
        return RosterProblem(line, f"the name is longer than {MAX_NAME} characters")
    if not email:
        return RosterProblem(line, f"no email for {name}")
    if len(email) > MAX_EMAIL:
        return RosterProblem(line, "the email is too long")
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as err:
        return RosterProblem(line, f"“{email}” is not an email address ({err})")
    return RosterRow(line, name, checked.normalized.lower())
