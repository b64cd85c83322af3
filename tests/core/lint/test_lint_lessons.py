"""date-consistency: (a) timeline entries across lessons, (b) a lesson's prose against a timeline."""

from __future__ import annotations

from resetlab.core.content.lint import LintLesson, lesson_from_text

from .factories import found_in, where

INTRO = "lessons/00-what-is-a-reset.md"
BUTTON = "In Geneva, Hillary Clinton hands Sergei Lavrov the reset button."
BUTTON_AGAIN = "In Geneva, Hillary Clinton gives Sergei Lavrov the reset button."
MUNICH = "In Munich, Joe Biden calls for pressing the reset button with Russia."
OBAMA = "lessons/03-obama-medvedev.md"


def _lesson(path, timeline, text="", body_line=40):
    return LintLesson(slug=path.split("-", 1)[1][:-3], path=path, timeline=tuple(timeline), text=text,
                      body_line=body_line)


def test_timelines_that_date_one_event_twice_are_reported_on_the_later_entry():
    intro = _lesson(INTRO, [("2009-03-06", BUTTON, 32)])
    obama = _lesson(OBAMA, [("2009-03-07", BUTTON_AGAIN, 26)])
    findings = found_in("date-consistency", [], (obama, intro))
    assert where(findings) == [(OBAMA, 26, "date-consistency")]
    assert "2009-03-06" in findings[0].message


def test_timelines_agree_when_dates_match_or_one_is_less_precise():
    intro = _lesson(INTRO, [("2009-03", BUTTON, 32),
                            ("2021-06-16", "Biden and Putin meet in Geneva.", 42)])
    obama = _lesson(OBAMA, [("2009-03-06", BUTTON_AGAIN, 26),
                            ("2018-07-16", "Trump and Putin meet in Helsinki.", 52)])
    assert found_in("date-consistency", [], (intro, obama)) == []


def test_same_lesson_entries_are_not_compared():
    obama = _lesson(OBAMA, [("2025-02-12", "Trump and Putin speak by phone.", 21),
                            ("2025-02-18", "Trump and Putin speak by phone again.", 31)])
    assert found_in("date-consistency", [], (obama,)) == []


def test_prose_giving_another_day_for_a_timeline_event_is_reported_on_the_entry():
    obama = _lesson(OBAMA, [("2009-02-07", MUNICH, 21)])
    intro = _lesson(INTRO, [], "## The phrase\n\nOn 8 February 2009 in Munich, Joe Biden called for pressing "
                               "the reset button with Russia.\n", body_line=60)
    findings = found_in("date-consistency", [], (intro, obama))
    assert where(findings) == [(OBAMA, 21, "date-consistency")]
    assert f"{INTRO}:62" in findings[0].message


def test_prose_that_agrees_or_dates_another_event_is_quiet():
    obama = _lesson(OBAMA, [("2009-02-07", MUNICH, 21),
                            ("2009-03-06", "In Geneva, Hillary Clinton hands Sergei Lavrov the button.", 26)])
    text = ("On 7 February 2009 in Munich, Joe Biden called for pressing the reset button with Russia. "
            "On 6 March 2009, a month after Biden pressed for a reset in Munich, Clinton handed Lavrov "
            "the button.")
    assert found_in("date-consistency", [], (_lesson(INTRO, [], text), obama)) == []


def test_lesson_from_text_reads_timeline_lines_and_body():
    text = """+++
title = "Obama and Medvedev"
slug = "obama-medvedev"

[[timeline]]
date = "2009-02-07"
event = "In Munich, Joe Biden calls for pressing the reset button."
section = "reset-idea"

[[terms]]
term = "перезагрузка"
definition = "reset"

[[timeline]]
section = "geneva-button"
date = "2009-03-06"
event = "In Geneva, Clinton gives Lavrov a button."
+++
## The reset {#reset-idea}
Body text.
"""
    lesson = lesson_from_text(text, "x", OBAMA)
    assert lesson.slug == "obama-medvedev"
    assert lesson.timeline == (("2009-02-07", "In Munich, Joe Biden calls for pressing the reset button.", 6),
                               ("2009-03-06", "In Geneva, Clinton gives Lavrov a button.", 16))
    assert lesson.text.startswith("## The reset") and lesson.body_line == 19


def test_lesson_without_front_matter_is_all_body():
    lesson = lesson_from_text("# Just text\n", "plain", "lessons/plain.md")
    assert lesson.timeline == () and lesson.text == "# Just text\n"


def test_entries_that_name_different_things_are_different_events():
    bush = _lesson("lessons/02-bush-putin.md",
                   [("2002-06-13", "The U.S. withdrawal from the ABM Treaty takes effect.", 71)])
    trump = _lesson("lessons/04-trump-biden.md",
                    [("2019-08-02", "U.S. withdrawal from the INF Treaty takes effect.", 96),
                     ("2020-11-22", "U.S. withdrawal from the Treaty on Open Skies takes effect.", 101)])
    assert found_in("date-consistency", [], (bush, trump)) == []
    # The same treaty with another date is still one event dated twice.
    other = _lesson(OBAMA, [("2002-06-14", "U.S. withdrawal from the ABM Treaty takes effect.", 30)])
    assert where(found_in("date-consistency", [], (bush, other))) == [(OBAMA, 30, "date-consistency")]


def test_a_span_of_days_in_prose_covers_each_day_in_it():
    clinton = "lessons/01-clinton-yeltsin.md"
    entry = ("1994-09-27", "Yeltsin arrives at the White House for a two-day summit.", 61)
    table = "| 27–28 September 1994 | Washington, the White House | Summit with Yeltsin |\n"
    assert found_in("date-consistency", [], (_lesson(clinton, [entry], table),)) == []
    wrong = "| 28–29 September 1994 | Washington, the White House | Summit with Yeltsin |\n"
    findings = found_in("date-consistency", [], (_lesson(clinton, [entry], wrong),))
    assert where(findings) == [(clinton, 61, "date-consistency")]
