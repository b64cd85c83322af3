"""Server-rendered SVG charts: well-formed, accessible, escaped, themeable and clash-free on one page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from resetlab.core import charts
from resetlab.core.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>"


def parse(chart: Markup) -> ET.Element:
    assert isinstance(chart, Markup)
    return ET.fromstring(str(chart))


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    return width, height


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in (el.get("class") or "").split()]


def assert_accessible(root: ET.Element) -> None:
    """role=img, labelled by a <title> and a <desc> that are inside this very SVG."""
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert view_box(root)[0] == charts.WIDTH
    title_id, desc_id = root.get("aria-labelledby", "").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert ids[title_id].tag == f"{SVG}title" and ids[desc_id].tag == f"{SVG}desc"
    assert ids[title_id].text and ids[desc_id].text


def assert_themeable(chart: Markup) -> None:
    """No inline colours: only currentColor (or none), so page CSS and dark mode decide."""
    text = str(chart)
    assert "<style" not in text and "style=" not in text
    colours = re.findall(r'\b(?:fill|stroke)="([^"]*)"', text)
    assert colours and set(colours) <= {"currentColor", "none"}


def assert_readable(root: ET.Element) -> None:
    """Every label is at least 12 px on a phone's 358 px of content width (the viewBox scales down)."""
    sizes = [float(el.get("font-size", "0")) for el in root.iter(f"{SVG}text")]
    scale = charts.PHONE_WIDTH_PX / view_box(root)[0]
    assert all(size * scale >= 12 for size in sizes), (sizes, scale)


# --- bar chart -------------------------------------------------------------------------------

def test_bar_chart_is_accessible_svg():
    chart = bar_chart([("0–9%", 1), ("10–19%", 4), ("20–29%", 2)], "Scores", value_suffix=" students")
    root = parse(chart)
    assert_accessible(root)
    assert_themeable(chart)
    assert_readable(root)
    assert len(by_class(root, "bar")) == 3
    assert by_class(root, "axis") and by_class(root, "label")
    assert root.find(f"{SVG}title").text == "Scores"
    desc = root.find(f"{SVG}desc").text
    assert "3 values" in desc and "Highest: 10–19%, 4 students" in desc and "lowest: 0–9%, 1 students" in desc


def test_bar_heights_are_proportional():
    root = parse(bar_chart([("a", 2), ("b", 4), ("c", 0)], "T"))
    heights = [float(r.get("height")) for r in by_class(root, "bar")]
    assert heights[1] == 2 * heights[0] and heights[2] == 0


def test_labels_and_title_are_escaped():
    chart = bar_chart([(NASTY, 3), ('"quoted" & more', 1)], NASTY, value_suffix=NASTY)
    text = str(chart)
    assert "<script" not in text
    assert str(escape(NASTY)) in text
    root = parse(chart)
    assert root.find(f"{SVG}title").text == NASTY
    assert NASTY in root.find(f"{SVG}desc").text
    assert NASTY in [el.text for el in by_class(root, "label")]
    assert [t.text for t in root.iter(f"{SVG}title")][1] == f"{NASTY}: 3{NASTY}"


def test_empty_bar_chart_says_no_data():
    root = parse(bar_chart([], "Nothing yet"))
    assert_accessible(root)
    assert by_class(root, "bar") == []
    assert "No data" in [el.text for el in root.iter(f"{SVG}text")]
    assert "no data" in root.find(f"{SVG}desc").text


def test_count_axis_uses_whole_numbers():
    root = parse(bar_chart([("a", 1), ("b", 0)], "T"))
    ticks = [el.text for el in root.find(f"{SVG}g").iter(f"{SVG}text")]
    assert ticks == ["0", "1"]


def test_negative_values_hang_below_the_zero_line():
    root = parse(bar_chart([("up", 3), ("down", -2)], "T"))
    up, down = by_class(root, "bar")
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(float(down.get("y")), abs=0.02)
    assert float(down.get("height")) > 0


def test_long_or_many_labels_are_rotated_and_shortened():
    data = [(f"Lesson {i}: a rather long lesson title indeed", i) for i in range(12)]
    root = parse(bar_chart(data, "Per lesson"))
    x_labels = [el for el in by_class(root, "label") if el.get("transform")]
    assert len(x_labels) == 12
    assert all(len(el.text) <= 24 and el.text.endswith("…") for el in x_labels)
    assert view_box(root)[1] > 320  # room made below for the slanted labels
    # The full label stays available to pointer and screen-reader users.
    assert "Lesson 3: a rather long lesson title indeed" in root.find(f"{SVG}desc").text


def test_desc_lists_at_most_twenty_values():
    root = parse(bar_chart([(f"b{i}", i) for i in range(30)], "Many"))
    desc = root.find(f"{SVG}desc").text
    assert "b19: 19" in desc and "b20: 20" not in desc and "and 10 more" in desc


def test_blank_title_falls_back_to_the_kind_of_chart():
    assert parse(bar_chart([("a", 1)], "  ")).find(f"{SVG}title").text == "Bar chart"
    assert parse(line_chart([("a", 1)], "")).find(f"{SVG}title").text == "Line chart"


def test_non_finite_values_do_not_break_the_chart():
    root = parse(bar_chart([("a", float("nan")), ("b", float("inf")), ("c", 1e300)], "T"))
    assert len(by_class(root, "bar")) == 3


# --- line chart ------------------------------------------------------------------------------

def test_line_chart_is_accessible_svg():
    points = [("Week 1", 40.0), ("Week 2", 55.5), ("Week 3", 72.0)]
    chart = line_chart(points, "Average score")
    root = parse(chart)
    assert_accessible(root)
    assert_themeable(chart)
    assert_readable(root)
    [line] = by_class(root, "line")
    assert len(line.get("points").split()) == 3
    assert len(by_class(root, "point")) == 3
    desc = root.find(f"{SVG}desc").text
    assert "Week 1: 40%" in desc and "Week 2: 55.5%" in desc and "Highest: Week 3, 72%" in desc
    ticks = [el.text for el in root.find(f"{SVG}g").iter(f"{SVG}text")]
    assert ticks == ["0%", "25%", "50%", "75%", "100%"]


def test_line_chart_with_no_points():
    root = parse(line_chart([], "Completion"))
    assert_accessible(root)
    assert by_class(root, "line") == [] and by_class(root, "point") == []
    assert "No data" in [el.text for el in root.iter(f"{SVG}text")]


def test_line_chart_with_one_point():
    root = parse(line_chart([("Today", 80)], "Completion"))
    assert_accessible(root)
    assert by_class(root, "line") == []
    assert len(by_class(root, "point")) == 1
    assert "80%" in [el.text for el in by_class(root, "value")]


def test_line_chart_stretches_above_y_max():
    root = parse(line_chart([("a", 50), ("b", 130)], "T"))
    _, height = view_box(root)
    assert all(0 <= float(c.get("cy")) <= height for c in by_class(root, "point"))


def test_line_chart_thins_crowded_x_labels():
    points = [(f"2026-01-{day:02d}", day) for day in range(1, 31)]
    root = parse(line_chart(points, "Daily", value_suffix=""))
    x_axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    labels = [el.text for el in x_axis]
    assert 2 <= len(labels) < 30
    assert labels[0] == "2026-01-01" and labels[-1] == "2026-01-30"
    assert len(by_class(root, "point")) == 30


def test_line_chart_escapes_labels():
    chart = line_chart([(NASTY, 10), ("ok", 20)], NASTY)
    assert "<script" not in str(chart)
    root = parse(chart)
    assert root.find(f"{SVG}title").text == NASTY
    assert NASTY in [el.text for el in by_class(root, "label")]


# --- several charts on one page --------------------------------------------------------------

def test_ids_are_unique_across_charts_on_a_page():
    charts = [bar_chart([("a", 1)], "Same"), bar_chart([("a", 1)], "Same"), line_chart([("a", 1)], "Same"),
              line_chart([], "Other")]
    page = "<div>" + "".join(str(c) for c in charts) + "</div>"
    root = ET.fromstring(page)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == 12
    assert len(set(ids)) == len(ids)


# --- properties ------------------------------------------------------------------------------

LABELS = st.text(max_size=40)
VALUES = st.floats(allow_nan=True, allow_infinity=True)


@given(st.lists(st.tuples(LABELS, VALUES), max_size=40), st.text(max_size=60), st.text(max_size=5))
def test_any_bar_chart_is_well_formed(data, title, suffix):
    chart = bar_chart(data, title, value_suffix=suffix)
    root = parse(chart)
    assert_accessible(root)
    assert_themeable(chart)
    width, height = view_box(root)
    bars = by_class(root, "bar")
    assert len(bars) == len(data)
    for bar in bars:
        y, h = float(bar.get("y")), float(bar.get("height"))
        assert 0 <= y and h >= 0 and y + h <= height + 0.01
        assert 0 <= float(bar.get("x")) <= width


@given(st.lists(st.tuples(LABELS, VALUES), max_size=60), st.text(max_size=60),
       st.floats(min_value=0.01, max_value=1e6))
def test_any_line_chart_is_well_formed(points, title, y_max):
    chart = line_chart(points, title, y_max=y_max)
    root = parse(chart)
    assert_accessible(root)
    assert_themeable(chart)
    width, height = view_box(root)
    circles = by_class(root, "point")
    assert len(circles) == len(points)
    assert all(0 <= float(c.get("cx")) <= width and 0 <= float(c.get("cy")) <= height for c in circles)


@given(st.sampled_from([NASTY, "</svg>", "a & b", '"q"', "it's", "]]>"]))
def test_markup_like_labels_round_trip_through_xml(label):
    root = parse(bar_chart([(label, 1)], label))
    assert root.find(f"{SVG}title").text == label
    assert label in [el.text for el in by_class(root, "label")]


def test_centred_labels_stay_inside_the_drawing():
    """The last date of a line chart is not cut off at the right edge (nor the first at the left)."""
    chart = parse(line_chart([(f"{d} Nov", 50) for d in range(1, 31)], "Scores"))
    for label in chart.iter(f"{SVG}text"):
        if label.get("text-anchor") == "middle" and "transform" not in label.attrib and label.text:
            half = len(label.text) * charts.CHAR_WIDTH / 2
            assert half <= float(label.get("x")) <= charts.WIDTH - half, (label.text, label.get("x"))
