"""CSV exports that open cleanly in spreadsheets and cannot smuggle formulas (pure: no Flask)."""

from __future__ import annotations

import csv
import io
import numbers
import re
import unicodedata
from collections.abc import Iterable, Sequence

BOM = b"\xef\xbb\xbf"
# A spreadsheet treats a cell starting with any of these as a formula (or strips them and then does).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_FILENAME = 80
# Names Windows refuses whatever the extension.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV injection), else return it as is."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(value: object) -> str:
    """None becomes empty, numbers stay numbers (so -3 is not neutralised), everything else text."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return str(value)
    return neutralise(str(value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A UTF-8 CSV with a BOM and CRLF line ends, so Excel opens it right, with formula cells defused."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return BOM + buffer.getvalue().encode("utf-8")


def safe_filename(text: str) -> str:
    """An ASCII-only slug usable as a Content-Disposition filename on any OS ("export" if nothing is left)."""
    # Accents are folded ("Résumé" → "resume"), other characters become single hyphens, a final
    # extension such as ".csv" is kept, and the result never starts with a dot or contains "..".
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9.]+", "-", folded)
    slug = re.sub(r"-*\.[-.]*", ".", slug)  # collapse dot runs and hyphens around dots
    slug = slug.strip("-.")
    if len(slug) > MAX_FILENAME:
        stem, dot, ext = slug.rpartition(".")
        if dot and 0 < len(ext) <= 8 and stem:
            slug = stem[: MAX_FILENAME - len(ext) - 1].rstrip("-.") + "." + ext
        else:
            slug = slug[:MAX_FILENAME].rstrip("-.")
    if not slug or slug.startswith("."):
        return "export"
    if slug.split(".")[0] in _RESERVED:
        slug = "file-" + slug
    return slug
