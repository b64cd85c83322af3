"""CSV exports (BOM, CRLF, formula neutralising) and download filenames."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.csv import BOM, csv_bytes, neutralise, safe_filename

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def read_back(data: bytes) -> list[list[str]]:
    """What a CSV reader sees, after checking and stripping the BOM."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def expected(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return "'" + value if str(value).startswith(TRIGGERS) else str(value)


# --- concrete examples -----------------------------------------------------------------------

def test_bom_crlf_and_plain_values():
    data = csv_bytes(["student", "score", "note"], [["Ada", 0.75, None], ["Боб", 3, "ok"]])
    assert data == BOM + "student,score,note\r\nAda,0.75,\r\nБоб,3,ok\r\n".encode()


def test_formula_cells_are_neutralised():
    cells = ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://evil\")"]
    [header, row] = read_back(csv_bytes(["=h"], [cells]))
    assert header == ["'=h"]
    assert row == ["'" + c for c in cells]


def test_numbers_are_not_neutralised():
    [_, row] = read_back(csv_bytes(["n"], [[-3, -0.5, float("-inf"), Decimal("-1.50"), True, "-3"]]))
    assert row == ["-3", "-0.5", "-inf", "-1.50", "True", "'-3"]


def test_safe_text_is_untouched():
    cells = ["plain", " =leading space", "a=b", "'quoted", "", "multi\nline, with \"quotes\""]
    [_, row] = read_back(csv_bytes(["h"], [cells]))
    assert row == cells


def test_other_objects_are_written_as_text_and_checked():
    class Weird:
        def __str__(self) -> str:
            return "=1+1"

    [_, row] = read_back(csv_bytes(["h"], [[Weird()]]))
    assert row == ["'=1+1"]


def test_rows_can_be_any_iterable_of_sequences():
    data = csv_bytes(("a", "b"), ((i, i * i) for i in range(3)))
    assert read_back(data) == [["a", "b"], ["0", "0"], ["1", "1"], ["2", "4"]]


def test_neutralise():
    assert neutralise("=1") == "'=1"
    assert neutralise("1=") == "1="
    assert neutralise("") == ""


# --- properties ------------------------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(TRIGGERS).flatmap(lambda t: st.text().map(lambda s: t + s)),
)


@given(st.lists(st.text(), min_size=1, max_size=5), st.lists(st.lists(CELLS, min_size=1, max_size=6),
                                                              max_size=8))
def test_every_cell_reads_back_as_written_or_neutralised(header, rows):
    back = read_back(csv_bytes(header, rows))
    assert back == [[expected(v) for v in header]] + [[expected(v) for v in row] for row in rows]


@given(st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=8))
def test_no_cell_starts_like_a_formula_unless_it_is_a_number(rows):
    back = read_back(csv_bytes(["h"], rows))
    for row, source in zip(back[1:], rows, strict=True):
        for cell, value in zip(row, source, strict=True):
            if cell.startswith(("=", "+", "-", "@")):
                assert isinstance(value, int | float)
                float(cell)  # and it reads as a number


# --- filenames -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "slug"), [
    ("Alpha quiz – results.csv", "alpha-quiz-results.csv"),
    ("Résumé  Final.CSV", "resume-final.csv"),
    ("../../etc/passwd", "etc-passwd"),
    ("...hidden", "hidden"),
    ('a "quoted"; name=x.csv', "a-quoted-name-x.csv"),
    ("перезагрузка", "export"),
    ("", "export"),
    ("CON.csv", "file-con.csv"),
])
def test_safe_filename_examples(text, slug):
    assert safe_filename(text) == slug


def test_safe_filename_keeps_the_extension_when_shortening():
    slug = safe_filename("x" * 200 + ".csv")
    assert len(slug) <= 80 and slug.endswith(".csv")


@given(st.text())
def test_safe_filename_is_always_a_plain_ascii_slug(text):
    slug = safe_filename(text)
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", slug)
    assert ".." not in slug and not slug.endswith((".", "-"))
    assert 0 < len(slug) <= 85
