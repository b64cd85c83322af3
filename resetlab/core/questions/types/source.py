"""A primary-source excerpt (a stimulus) with its citation: shown above the questions asked about it,
never drawn or answered itself."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...markdown import render_inline
from ..base import Form, QuestionError, QuestionType, TamperedAnswer
from ..question import Question

MAX_EXCERPT_WORDS = 250


@dataclass(frozen=True)
class SourceBody:
    """The excerpt (Markdown as written, and rendered), where it comes from, and a link if known."""

    excerpt: str
    excerpt_html: str
    citation: str
    url: str


class Source(QuestionType):
    """Other questions say `source = "<this id>"` to be shown with it."""

    name = "source"
    label = "source excerpt"
    order = 8
    fields = frozenset({"excerpt", "citation", "url"})
    answerable = False

    def parse_bank(self, qid: str, raw: Mapping[str, Any]) -> SourceBody:
        excerpt, citation, url = raw.get("excerpt"), raw.get("citation"), raw.get("url", "")
        if not isinstance(excerpt, str) or not excerpt.strip():
            raise QuestionError("excerpt", "a source needs its 'excerpt' (the quoted text)")
        if len(excerpt.split()) > MAX_EXCERPT_WORDS:
            raise QuestionError("excerpt", f"keep an excerpt under {MAX_EXCERPT_WORDS} words")
        if not isinstance(citation, str) or not citation.strip():
            raise QuestionError("citation", "a source needs a 'citation': who, where, when, which text")
        if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
            raise QuestionError("url", "'url' must be an http(s) address")
        return SourceBody(excerpt.strip(), render_inline(excerpt), citation.strip(), url.strip())

    def snapshot(self, body: SourceBody) -> dict[str, Any]:
        return {"excerpt": body.excerpt, "excerpt_html": body.excerpt_html, "citation": body.citation,
                "url": body.url}

    def from_snapshot(self, data: Mapping[str, Any]) -> SourceBody:
        return SourceBody(data.get("excerpt", ""), data.get("excerpt_html", ""), data.get("citation", ""),
                          data.get("url", ""))

    def parse_form(self, q: Question, position: int, form: Form) -> Any:
        raise TamperedAnswer("a source excerpt is not a question to answer")

    def json_fits(self, q: Question, raw: Any) -> bool:
        return False

    def key(self, q: Question) -> None:
        return None

    def describe_key(self, q: Question) -> str:
        return q.body.citation

    def score(self, q: Question, answer: Any) -> float:
        raise TypeError("a source excerpt is not answered")

    def offline_check(self, q: Question) -> dict[str, Any]:
        return {"rule": "none"}

    def wrong_answer(self, q: Question, rng: random.Random, popular: str | None) -> Any:
        return None
