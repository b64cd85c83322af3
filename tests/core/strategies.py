"""Question factories and hypothesis strategies shared by the core tests."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from resetlab.core.content import Rules, load_catalog
from resetlab.core.content.model import Catalog
from resetlab.core.questions import TYPES, Choice, Question, choice_id
from resetlab.core.questions.types.choice import ChoiceBody
from resetlab.core.questions.types.match import MatchBody
from resetlab.core.questions.types.numeric import NumericBody
from resetlab.core.questions.types.order import OrderBody
from resetlab.core.questions.types.text import TextBody
from resetlab.core.questions.types.truefalse import TrueFalseBody

from ..helpers import CONTENT

# The types the server grades, and those a learner answers at all (a source excerpt is only shown).
MACHINE_GRADED = tuple(name for name, kind in TYPES.items() if kind.answerable and not kind.manual)
ANSWERABLE = tuple(name for name, kind in TYPES.items() if kind.answerable)

RULES = Rules(min_questions=3, min_words=10, max_words=5000)


@cache
def catalog() -> Catalog:
    """The fixture course, loaded once."""
    return load_catalog(CONTENT / "lessons", CONTENT / "quizzes", RULES)


def fixture_question(qtype: str) -> Question:
    """The question of this type in the alpha bank (it has one of each)."""
    return next(q for q in catalog().bank("alpha").questions if q.type == qtype)


BODIES: dict[str, Any] = {"single": ChoiceBody, "multi": ChoiceBody, "truefalse": TrueFalseBody,
                          "text": TextBody, "numeric": NumericBody, "order": OrderBody, "match": MatchBody}
BODY_DEFAULTS = {"numeric": {"tolerance": 0.0, "unit": ""}}


def make_question(qtype: str, qid: str = "q", **fields: Any) -> Question:
    """A question with dull common fields and the given type-specific ones."""
    body = BODIES[qtype](**{**BODY_DEFAULTS.get(qtype, {}), **fields})
    return Question(id=qid, type=qtype, prompt="P", prompt_html="<p>P</p>", explanation_html="<p>E</p>",
                    lesson="alpha", section="button", difficulty="easy", skill="recall", body=body)


def choices(qid: str, texts: list[str], prefix: str = "") -> tuple[Choice, ...]:
    """Choices with ids derived the way the loader derives them."""
    return tuple(Choice(choice_id(qid, prefix + t), t) for t in texts)


# --- Hypothesis strategies -------------------------------------------------------------------

SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
LABELS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÀéüñЖжёй0123456789-'", min_size=1, max_size=16) \
    .map(str.strip).filter(bool)
# Accepted spellings: realistic text that keeps at least one letter after normalising.
SPELLINGS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZéÉèüßñçпереза ГРУЗКАёй .,!?'-", min_size=1,
                    max_size=24).filter(lambda s: any(c.isalpha() for c in s))


def labels(low: int, high: int) -> st.SearchStrategy[list[str]]:
    """Distinct option texts, distinct even ignoring case (as the loader insists)."""
    return st.lists(LABELS, min_size=low, max_size=high, unique_by=str.casefold)


@st.composite
def questions(draw: st.DrawFn, qtype: str | None = None) -> Question:
    """A valid question of `qtype` (or of any machine-graded type), shaped as the bank loader builds them."""
    qtype = qtype or draw(st.sampled_from(MACHINE_GRADED))
    qid = draw(SLUGS)
    if qtype in ("single", "multi"):
        options = choices(qid, draw(labels(2 if qtype == "single" else 3, 6)))
        if qtype == "single":
            picked = [draw(st.integers(0, len(options) - 1))]
        else:
            picked = sorted(draw(st.sets(st.integers(0, len(options) - 1), min_size=1)))
        return make_question(qtype, qid, options=options, correct=tuple(options[i].id for i in picked))
    if qtype == "truefalse":
        return make_question(qtype, qid, truth=draw(st.booleans()))
    if qtype == "text":
        accepted = draw(st.lists(SPELLINGS.map(str.strip), min_size=1, max_size=4, unique=True))
        return make_question(qtype, qid, accepted=tuple(accepted))
    if qtype == "numeric":
        number = draw(st.one_of(st.integers(-5000, 5000).map(float),
                                st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)))
        tolerance = draw(st.one_of(st.just(0.0), st.floats(0, 100)))
        return make_question(qtype, qid, number=number, tolerance=tolerance,
                             unit=draw(st.sampled_from(["", "year", "km"])))
    if qtype == "order":
        return make_question(qtype, qid, items=choices(qid, draw(labels(3, 6))))
    texts = draw(labels(3, 9))
    size = draw(st.integers(3, min(6, len(texts))))
    lefts = draw(labels(size, size))
    left_c = choices(qid, lefts, "L:")
    right_c = choices(qid, texts, "R:")
    return make_question(qtype, qid, lefts=left_c, rights=right_c,
                         pairs=tuple((left_c[i].id, right_c[i].id) for i in range(size)))


NUMBER_TEXT = st.from_regex(r"-?[0-9]{1,9}(\.[0-9]{1,6})?", fullmatch=True)


@st.composite
def valid_answers(draw: st.DrawFn, q: Question) -> Any:
    """A canonical answer that parse_answer can produce for `q` (never None)."""
    t = q.type
    if t == "single":
        return draw(st.sampled_from([c.id for c in q.body.options]))
    if t == "multi":
        return frozenset(draw(st.sets(st.sampled_from([c.id for c in q.body.options]), min_size=1)))
    if t == "truefalse":
        return draw(st.booleans())
    if t == "text":
        text = draw(st.one_of(st.sampled_from(q.body.accepted), st.text(min_size=1, max_size=200)))
        stripped = text.strip()
        return stripped if stripped else "x"
    if t == "numeric":
        return float(draw(NUMBER_TEXT))
    if t == "order":
        return tuple(draw(st.permutations([c.id for c in q.body.items])))
    lefts = draw(st.lists(st.sampled_from([c.id for c in q.body.lefts]), min_size=1, unique=True))
    return {left: draw(st.sampled_from([c.id for c in q.body.rights])) for left in lefts}


@st.composite
def any_answers(draw: st.DrawFn, q: Question) -> Any:
    """Valid answers, None, and junk an honest form would not send but the grader must survive."""
    t = q.type
    junk: st.SearchStrategy[Any]
    if t in ("single", "multi"):
        ids = st.sampled_from([c.id for c in q.body.options]) | st.text(max_size=10)
        junk = st.frozensets(ids) if t == "multi" else ids
    elif t == "truefalse":
        junk = st.booleans()
    elif t == "text":
        junk = st.text(max_size=50)
    elif t == "numeric":
        junk = st.floats()
    elif t == "order":
        junk = st.lists(st.sampled_from([c.id for c in q.body.items]) | st.text(max_size=5),
                        max_size=8).map(tuple)
    else:
        junk = st.dictionaries(st.sampled_from([c.id for c in q.body.lefts]) | st.text(max_size=5),
                               st.sampled_from([c.id for c in q.body.rights]) | st.text(max_size=5))
    return draw(st.one_of(st.none(), valid_answers(q), junk))


@st.composite
def question_and_answer(draw: st.DrawFn, anything: bool = False) -> tuple[Question, Any]:
    q = draw(questions())
    return q, draw(any_answers(q) if anything else valid_answers(q))
