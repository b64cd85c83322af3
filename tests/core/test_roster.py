"""The CSV roster parser: spreadsheet dialects, headers, and a problem (with its line) for every bad row."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.roster import MAX_ROWS, RosterProblem, RosterRow, parse_roster


def test_header_with_any_column_order_semicolons_bom_and_blank_lines():
    data = "\ufeffE-mail;Full name\n\nana@example.org;Ana Lima\n BOB@Example.org ; Bob  Ray \n".encode()
    rows, problems = parse_roster(data)
    assert problems == []
    assert rows == [RosterRow(3, "Ana Lima", "ana@example.org"), RosterRow(4, "Bob Ray", "bob@example.org")]


def test_first_and_last_name_columns_and_no_header():
    rows, _ = parse_roster(b"First name,Last name,Email\nAna,Lima,ana@example.org\n")
    assert rows == [RosterRow(2, "Ana Lima", "ana@example.org")]
    rows, _ = parse_roster(b"Ana Lima,ana@example.org\nbob@example.org,Bob\n")
    assert [(r.line, r.name) for r in rows] == [(1, "Ana Lima")]
    rows, problems = parse_roster(b"ana@example.org,Ana\nbob@example.org,Bob\n")
    assert [r.name for r in rows] == ["Ana", "Bob"] and problems == []


def test_every_bad_row_is_named_by_its_line():
    data = ("name,email\nAna,ana@example.org\n,nobody@example.org\nBob,\nCarl,not-an-email\n"
            "Ana again,ANA@example.org\n" + "X" * 81 + ",x@example.org\n").encode()
    rows, problems = parse_roster(data)
    assert [r.line for r in rows] == [2]
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (3, "no name"), (4, "no email for Bob"), (5, "“not-an-email” is not an email address"),
        (6, "ana@example.org is already on line 2"), (7, "the name is longer than 80 characters")]


def test_a_file_that_is_not_utf8_or_empty_or_too_long():
    assert parse_roster("name,email\nCafé,c@example.org\n".encode("latin-1"))[1] == [
        RosterProblem(2, "the file is not UTF-8: save it as “CSV UTF-8” and try again")]
    assert parse_roster(b"\n\n")[1][0].message.startswith("no students found")
    many = "".join(f"S{i},s{i}@example.org\n" for i in range(MAX_ROWS + 5)).encode()
    rows, problems = parse_roster(many)
    assert len(rows) == MAX_ROWS and problems[-1].message.startswith("more than")


@given(st.lists(st.tuples(st.text(min_size=0, max_size=30), st.text(max_size=30)), max_size=20))
def test_every_non_blank_line_is_a_row_or_a_problem(pairs):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([("name", "email"), *pairs])
    rows, problems = parse_roster(buffer.getvalue().encode())
    lines = [r.line for r in rows] + [p.line for p in problems]
    assert len(lines) == len(set(lines)) or any(p.message.startswith("the CSV") for p in problems)
    assert all(1 <= line for line in lines)
