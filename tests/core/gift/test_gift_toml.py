"""bank_to_toml: a bank file that tomllib reads back to the same dict, laid out as our bank files are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from resetlab.core.content.banks import parse_bank
from resetlab.core.content.gift import parse_gift, to_gift
from resetlab.core.content.toml_write import bank_to_toml

QUIZZES = Path(__file__).resolve().parents[3] / "quizzes"

ESSAY = {
    "id": "obama-essay-button-symbol", "type": "essay",
    "prompt": "Was the Geneva button a good symbol?\n\nAnswer in a paragraph.",
    "min_words": 120, "max_words": 400,
    "exemplar": "A model answer.\n\n> with a quote and a \"quoted\" word\\ and a backslash\n",
    "explanation": "What a strong answer does.", "section": "geneva-button", "difficulty": "medium",
    "skill": "reasoning",
    "rubric": [
        {"criterion": "Claim", "levels": [{"points": 0, "text": "No clear answer."},
                                          {"points": 2, "text": "A clear, \"specific\" answer."}]},
        {"criterion": "Evidence", "levels": [{"points": 0, "text": "None."}, {"points": 1, "text": "Some."}]},
    ],
}
SOURCE = {
    "id": "obama-source-munich-2009", "type": "source", "prompt": "Biden at Munich, 7 February 2009",
    "excerpt": "> It is time to press the reset button.\n",
    "citation": "Joseph R. Biden Jr., remarks at the 45th Munich Security Conference, 7 February 2009.",
    "url": "https://example.org/munich", "explanation": "Why it matters.", "section": "munich",
    "difficulty": "medium", "skill": "reasoning",
}


def test_layout() -> None:
    bank = {"draw": 2, "pool": "bank", "lesson": "obama-medvedev", "title": "The 2009 reset", "secure": True,
            "questions": [ESSAY, SOURCE]}
    text = bank_to_toml(bank)
    assert tomllib.loads(text) == bank
    assert text.startswith('title = "The 2009 reset"\nlesson = "obama-medvedev"\ndraw = 2\npool = "bank"\n'
                           "secure = true\n\n[[questions]]\nid = \"obama-essay-button-symbol\"\n")
    assert 'prompt = """\nWas the Geneva button a good symbol?\n\nAnswer in a paragraph."""\n' in text
    assert ("\n[[questions.rubric]]\ncriterion = \"Claim\"\nlevels = [\n"
            "  { points = 0, text = \"No clear answer.\" },\n"
            "  { points = 2, text = \"A clear, \\\"specific\\\" answer.\" },\n]\n") in text
    assert text.index("[[questions.rubric]]") > text.index('skill = "reasoning"')
    assert 'excerpt = """\n> It is time to press the reset button.\n"""\n' in text


def test_short_arrays_on_one_line_pairs_one_per_line() -> None:
    text = bank_to_toml({"title": "T", "questions": [
        {"id": "m", "type": "match", "pairs": [["a", "b"], ["c", "d"]], "distractors": ["e"]},
        {"id": "s", "type": "single", "options": ["x" * 50, "y" * 50], "answer": 0}]})
    assert 'pairs = [\n  ["a", "b"],\n  ["c", "d"],\n]\ndistractors = ["e"]\n' in text
    assert 'options = [\n  "' + "x" * 50 + '",\n' in text


def test_the_shipped_banks_come_back_equal() -> None:
    for path in sorted(QUIZZES.glob("*.toml")):
        bank = tomllib.loads(path.read_text(encoding="utf-8"))
        assert tomllib.loads(bank_to_toml(bank)) == bank, path.name


def test_an_imported_gift_file_becomes_a_bank_file() -> None:
    bank = {"title": "The 2009 reset", "lesson": "obama-medvedev", "draw": 2, "questions": [ESSAY, SOURCE]}
    result = parse_gift(to_gift(bank), "x.gift")
    assert result.ok
    assert tomllib.loads(bank_to_toml(result.bank())) == bank


def test_our_loader_reads_the_written_banks(tmp_path: Path) -> None:
    for path in sorted(QUIZZES.glob("*.toml")):
        written = tmp_path / path.name
        written.write_text(bank_to_toml(tomllib.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
        bank, problems = parse_bank(written, path.name)
        assert problems == [] and bank is not None, [str(p) for p in problems]
        original, _ = parse_bank(path, path.name)
        assert bank.questions == original.questions
