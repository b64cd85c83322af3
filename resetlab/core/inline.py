"""Inline Markdown for short texts (options, matching items, prompts in lists), rendered once per text.

Options and prompts are authored in Markdown (`*Peregruzka*`, `**Essay B's**`). Pages need them as
inline HTML, with no block elements (an option is never a list or a heading, and "1. x" stays "1. x"),
sanitised; CSV files and `<option>` elements need them as plain text. Both are cached: a quiz or an
item analysis shows the same few hundred texts again and again.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import markdown
import nh3

INLINE_TAGS = {"em", "strong", "code", "sub", "sup", "del", "br", "span", "a"}
INLINE_ATTRIBUTES = {"span": {"lang"}, "a": {"href"}}
# Block syntax that would turn a short text into a list, heading, quote or code block.
BLOCK_PROCESSORS = ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote")
TAG = re.compile(r"<[^>]+>")
PARAGRAPHS = re.compile(r"</p>\s*<p>")
CACHE = 8192


def _converter() -> markdown.Markdown:
    md = markdown.Markdown()
    for name in BLOCK_PROCESSORS:
        md.parser.blockprocessors.deregister(name)
    md.preprocessors.deregister("html_block")
    return md


_MD = _converter()
_LOCK = threading.Lock()  # a Markdown instance keeps state while converting: one text at a time


@lru_cache(maxsize=CACHE)
def inline_html(text: str) -> str:
    """Markdown to sanitised inline HTML (emphasis, code, links; paragraphs become line breaks)."""
    if not text:
        return ""
    with _LOCK:
        converted = _MD.reset().convert(text)
    rendered = PARAGRAPHS.sub("<br>", converted.strip())
    return nh3.clean(rendered, tags=INLINE_TAGS, attributes=INLINE_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer").strip()


@lru_cache(maxsize=CACHE)
def plain_text(text: str) -> str:
    """Markdown as the words a reader sees, without markup: for CSV cells and `<option>` labels."""
    if not text:
        return ""
    words = TAG.sub("", inline_html(text).replace("<br>", " "))
    return " ".join(html.unescape(words).split())
