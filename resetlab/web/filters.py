"""Jinja filters and globals used by the templates."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask
from markupsafe import Markup, escape

from ..core.inline import inline_html, plain_text
from ..core.questions.types.essay import word_count
from .timezones import local

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(value: str) -> str:
    """'2009-03-06' -> '6 March 2009'; '2009-03' -> 'March 2009'; '2009' stays."""
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


CYRILLIC = re.compile(r"[\u0400-\u04ff]+(?:[\s\u00a0-]+[\u0400-\u04ff]+)*")
TAG = re.compile(r"(<[^>]*>)")


def russian(value: object) -> Markup:
    """Mark runs of Cyrillic as Russian (WCAG 3.1.2, language of parts) so screen readers switch voice.

    Markup (rendered lesson HTML) is changed only between tags; anything else is escaped first. The
    same few hundred short texts (options, prompts, advice) come back on every dashboard and quiz page,
    so each short result is kept (by its HTML, which is what the result depends on); long ones (an
    article, a student's essay) are not, so the table stays small.
    """
    html = str(value) if isinstance(value, Markup) else str(escape(value))
    return _short_russian(html) if len(html) <= KEEP_UP_TO else _russian_html(html)


KEEP_UP_TO = 600  # characters


def _russian_html(html: str) -> Markup:
    if not CYRILLIC.search(html):
        return Markup(html)
    parts = TAG.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = CYRILLIC.sub(lambda m: f'<span lang="ru">{m.group(0)}</span>', parts[i])
    return Markup("".join(parts))


_short_russian = lru_cache(maxsize=4096)(_russian_html)


def markdown_inline(value: object) -> Markup:
    """Jinja filter: a short Markdown text (an option, a prompt in a list) as sanitised inline HTML."""
    return Markup(inline_html(str(value or "")))


def register_filters(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["word_count"] = word_count
    app.jinja_env.filters["human_date"] = human_date
    app.jinja_env.filters["ru"] = russian
    app.jinja_env.filters["when"] = local
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["md"] = markdown_inline
    app.jinja_env.filters["plain"] = plain_text
