"""A student's written answer as HTML: every word kept, nothing but light formatting, and a parse that
stays quick on hostile input (the lesson renderer took minutes on 20,000 '[')."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.markdown import ANSWER_TAGS, render_answer

TAG = re.compile(r"</?([a-z0-9]+)([^>]*)>")


def letters(text: str) -> int:
    return sum(c.isalnum() for c in text)


def shown_text(rendered: str) -> str:
    return html.unescape(TAG.sub("", rendered))


MARKDOWNISH = st.text(alphabet=st.sampled_from(list("ab1 \n*_[]()<>!#>-`&;:/\\|{}.\"'")), max_size=300)


@given(MARKDOWNISH)
def test_every_letter_the_student_typed_is_shown(text):
    rendered = render_answer(text)
    assert letters(shown_text(rendered)) == letters(text)


@given(MARKDOWNISH)
def test_only_light_formatting_and_no_attributes(text):
    for name, attributes in TAG.findall(render_answer(text)):
        assert name in ANSWER_TAGS and attributes.strip() in ("", "/")


def test_light_formatting_works_and_the_rest_stays_text():
    rendered = render_answer("A *symbol*, **bold**\nnext line\n\n- one\n- two\n\n> quoted\n\n"
                             "# not a heading\n[link](http://x.example) ![img](y.png) <b>raw</b> "
                             "{#id .class}")
    assert "<em>symbol</em>" in rendered and "<strong>bold</strong>" in rendered and "<br" in rendered
    assert "<li>one</li>" in rendered and "<blockquote>" in rendered
    assert "<h1" not in rendered and "<a " not in rendered and "<img" not in rendered
    assert "&lt;b&gt;raw&lt;/b&gt;" in rendered and "id=" not in rendered and "class=" not in rendered


def test_hostile_input_renders_whole():
    for text in ["[" * 20_000, "*a" * 10_000, "_" * 20_000, "`" * 20_000, ">" * 3_000 + "end",
                 "- " * 3_000 + "end"]:
        rendered = render_answer(text)
        assert letters(shown_text(rendered)) == letters(text)
    assert "end" in render_answer(">" * 3_000 + "end")  # past the nesting limit: shown as plain text
