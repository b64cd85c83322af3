"""Inline Markdown for options and prompts: emphasis rendered, blocks never made, markup never in CSV."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from resetlab.core.inline import inline_html, plain_text


def test_emphasis_is_rendered_and_plain_text_drops_it():
    assert inline_html("*Peregruzka* would be right") == "<em>Peregruzka</em> would be right"
    assert inline_html("**Essay B's** claim") == "<strong>Essay B's</strong> claim"
    assert plain_text("**Essay B's** claim") == "Essay B's claim"
    assert plain_text("пере**за**грузка (*pere**za**gruzka*)") == "перезагрузка (perezagruzka)"
    assert inline_html("`code`") == "<code>code</code>"


def test_short_texts_never_become_blocks():
    for text in ("1. first", "# heading", "- item", "> quote", "---"):
        assert "<" not in inline_html(text).replace("&lt;", "").replace("&gt;", ""), text
        assert plain_text(text) == text
    assert inline_html("a\n\nb") == "a<br>b" and plain_text("a\n\nb") == "a b"


def test_html_and_scripts_are_removed():
    assert inline_html("<script>alert(1)</script> x") == "x"
    assert "javascript" not in inline_html("[l](javascript:alert(1))")
    assert inline_html("x < y & z") == "x &lt; y &amp; z" and plain_text("x < y & z") == "x < y & z"
    assert inline_html('<img src=x onerror="alert(1)">') == ""


@given(st.text(max_size=80))
def test_any_text_renders_safely(text):
    rendered = inline_html(text)
    assert "<script" not in rendered.lower() and "onerror" not in rendered.lower()
    assert "<p>" not in rendered and "<li>" not in rendered and "<h" not in rendered
    assert plain_text(text) == " ".join(plain_text(text).split())  # one line for a CSV cell
