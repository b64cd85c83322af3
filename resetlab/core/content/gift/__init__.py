"""GIFT (Moodle's question text format) import and export for Reset Lab banks, stricter than Moodle.

parse_gift / parse_gift_bytes read GIFT into the question dicts of our bank format; to_gift writes a
bank dict as GIFT. Pure: no app, no database, no files (callers pass text or bytes). See docs/gift.md.
"""

from __future__ import annotations

from .exporter import GiftExportError, to_gift
from .importer import parse_gift, parse_gift_bytes
from .model import GiftProblem, GiftResult, GiftSummary

__all__ = ["GiftExportError", "GiftProblem", "GiftResult", "GiftSummary", "parse_gift", "parse_gift_bytes",
           "to_gift"]
