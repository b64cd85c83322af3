"""Markdown to sanitised HTML, once (at load time): lessons, prompts, options, explanations, excerpts.

Pure: the Markdown library and nh3 (an HTML sanitiser) only.
"""

from __future__ import annotations

import html as html_text
import re
from typing import Any

import markdown
import nh3
from markdown_it import MarkdownIt

MD_EXTENSIONS = ["toc", "tables", "footnotes", "admonition", "attr_list", "def_list", "sane_lists"]
MD_CONFIG = {"toc": {"toc_depth": "2-3"}, "footnotes": {"BACKLINK_TITLE": "Back to text"}}
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"*": {"id", "class", "title", "lang"}, "a": {"href"}, "td": {"align"},
                      "th": {"align", "scope"}, "ol": {"start"}}
TAGS = re.compile(r"<[^>]+>")
TABLE = re.compile(r"<table[^>]*>.*?</table>", re.S)
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)


def scrollable_tables(html: str) -> str:
    """Wrap each table in a named, focusable region that scrolls sideways, so large text never
    squeezes a table letter by letter nor makes the page itself scroll (WCAG 1.4.10, 2.1.1)."""

    def wrap(match: re.Match[str]) -> str:
        heads = [html_text.unescape(TAGS.sub("", h)).strip() for h in HEADER_CELL.findall(match.group(0))]
        label = "Table: " + ", ".join(h for h in heads if h) if any(heads) else "Table"
        return (f'<div class="table-wrap" role="region" tabindex="0" '
                f'aria-label="{html_text.escape(label)}">{match.group(0)}</div>')

    return TABLE.sub(wrap, html)


def render(text: str) -> tuple[str, list[tuple[str, str, int]]]:
    """Markdown to sanitised HTML plus its headings as (anchor, title, level), h2 and h3."""
    md = markdown.Markdown(extensions=MD_EXTENSIONS, extension_configs=MD_CONFIG)
    html = md.convert(text)
    headings: list[tuple[str, str, int]] = []

    def walk(tokens: list[dict[str, Any]]) -> None:
        for token in tokens:
            headings.append((token["id"], TAGS.sub("", token["name"]), token["level"]))
            walk(token.get("children", []))

    walk(getattr(md, "toc_tokens", []))
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return scrollable_tables(clean), headings


def render_inline(text: str) -> str:
    """Short Markdown (a prompt, an explanation, an excerpt) to sanitised HTML."""
    html, _ = render(text)
    return html


ANSWER_TAGS = {"p", "em", "strong", "ul", "ol", "li", "blockquote", "br", "code"}
_ANSWER_RULES = ["image", "link", "autolink", "html_inline", "html_block", "heading", "lheading",
                 "code_block", "fence", "table", "reference", "hr", "entity"]
_answers = (MarkdownIt("commonmark", {"html": False, "breaks": True})
            .disable(_ANSWER_RULES, ignoreInvalid=True))


def _letters(text: str) -> int:
    return sum(c.isalnum() for c in text)


def render_answer(text: str) -> str:
    """A student's written answer to HTML: emphasis, lists, quotes and line breaks only, no links,
    images, headings or attributes. markdown-it parses in linear time whatever is typed (the lesson
    renderer does not: 20,000 '[' took minutes), and if its nesting limit would hide any of the text,
    the answer is shown as plain paragraphs instead, so a grader always sees every word."""
    html = nh3.clean(_answers.render(text), tags=ANSWER_TAGS, attributes={})
    if _letters(html_text.unescape(TAGS.sub("", html))) < _letters(text):
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        html = "".join("<p>" + html_text.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs)
    return html
