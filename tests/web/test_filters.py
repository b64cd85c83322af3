"""Template filters: the Russian-language marking, kept for short texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from resetlab.web.filters import KEEP_UP_TO, _russian_html, russian

LETTERS = list("ab <>&\"'-\u00a0") + list("Перзагукаи")
texts = st.text(alphabet=st.sampled_from(LETTERS), max_size=KEEP_UP_TO + 60)


@given(texts)
def test_a_kept_result_is_the_computed_one(text):
    assert russian(text) == _russian_html(str(escape(text)))  # plain text is escaped first
    assert russian(text) == russian(text)  # the second call answers from the table
    assert russian(Markup(text)) == _russian_html(text)  # markup is marked between its tags


def test_cyrillic_runs_are_marked_and_tags_left_alone():
    assert russian("the перезагрузка button") == 'the <span lang="ru">перезагрузка</span> button'
    marked = russian(Markup('<a title="Путин">Путин</a>'))
    assert marked == '<a title="Путин"><span lang="ru">Путин</span></a>'
    assert russian("<b>") == "&lt;b&gt;"
