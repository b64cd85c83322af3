"""Server-rendered, accessible SVG charts for dashboards (pure: no Flask, no JavaScript, no inline CSS).

Colours come from the page: shapes are drawn in ``currentColor`` through presentation attributes,
which any stylesheet rule on the classes ``chart``, ``bar``, ``line``, ``point``, ``grid``, ``axis``
and ``label`` overrides (the CSP forbids ``<style>`` and ``style=""``, so none are emitted).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Drawn 400 units wide: on a 360-px phone (358 px of content) a unit is about 0.9 px, so 14-unit labels
# are 12.5 px; wider screens cap the chart's width in CSS (36rem) so labels stay a reading size.
WIDTH = 400
PHONE_WIDTH_PX = 358
HEIGHT = 260
FONT_SIZE = 14
MARGIN_LEFT = 48
MARGIN_RIGHT = 12
MARGIN_TOP = 20
MARGIN_BOTTOM = 44
ROTATION = 40  # degrees category labels are slanted by when they would collide
MAX_LABEL = 24
MAX_DESC_ITEMS = 20
LIMIT = 1e12
CHAR_WIDTH = 0.6 * FONT_SIZE  # rough average glyph width, for deciding when labels collide

_counter = itertools.count(1)
# Characters XML 1.0 forbids even when escaped; labels come from user content, so drop them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: object) -> str:
    return _XML_INVALID.sub("", str(text))


def _esc(text: object) -> str:
    """Escape text for element content or a double-quoted attribute."""
    return str(escape(_clean(text)))


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(_clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _finite(value: float) -> float:
    """Non-finite values chart as 0; absurd magnitudes are capped so the axis arithmetic stays finite."""
    value = float(value)
    if not math.isfinite(value):
        return 0.0
    return max(-LIMIT, min(LIMIT, value))


def _num(value: float) -> str:
    """A value as people read it: whole numbers without decimals, others to one place."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.1f}"


def _coord(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _tick(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.005 else "0"


def _scale(low: float, high: float, whole: bool = False) -> tuple[float, float, float]:
    """Axis bounds and a round tick step (1, 2, 2.5 or 5 × 10^k) covering [low, high] and zero.

    With `whole` (counts) the step is never below 1, so no tick reads "0.5 students".
    """
    low, high = min(0.0, low), max(0.0, high)
    raw = (high - low) / 4
    if raw <= 0:
        high = low + 1.0
        raw = (high - low) / 4
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)
    step = next(s * power for s in steps if s * power >= raw * (1 - 1e-9))
    if whole:
        step = max(1.0, step)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def _chart_id(kind: str, title: str, data: Sequence[tuple[str, float]]) -> str:
    """An id unique on the page: a hash of the content plus a process-wide counter."""
    digest = hashlib.sha1(repr((kind, title, list(data))).encode("utf-8", "replace")).hexdigest()[:8]
    return f"chart-{digest}-{next(_counter)}"


def _describe(kind: str, data: Sequence[tuple[str, float]], suffix: str) -> str:
    """A sentence or two a screen reader can use instead of looking at the chart."""
    if not data:
        return f"{kind}: no data."
    values = [v for _, v in data]
    high = max(range(len(data)), key=lambda i: values[i])
    low = min(range(len(data)), key=lambda i: values[i])
    noun = "value" if len(data) == 1 else "values"
    parts = [f"{kind} of {len(data)} {noun}."]
    if len(data) > 1:
        parts.append(f"Highest: {data[high][0]}, {_num(values[high])}{suffix}; "
                     f"lowest: {data[low][0]}, {_num(values[low])}{suffix}.")
    listed = "; ".join(f"{label}: {_num(v)}{suffix}" for label, v in data[:MAX_DESC_ITEMS])
    more = f"; and {len(data) - MAX_DESC_ITEMS} more" if len(data) > MAX_DESC_ITEMS else ""
    parts.append(f"Values: {listed}{more}.")
    return " ".join(parts)


def _open(kind: str, cid: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" id="{cid}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{_esc(title)}</title>',
        f'<desc id="{cid}-desc">{_esc(desc)}</desc>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "",
          cls: str = "label") -> str:
    return (f'<text class="{cls}" x="{_coord(x)}" y="{_coord(y)}" text-anchor="{anchor}" '
            f'font-size="{FONT_SIZE}" fill="currentColor"{extra}>{_esc(text)}</text>')


@dataclass(frozen=True)
class _Layout:
    """Where things go in the 600-wide viewBox, after making room for tick and category labels."""

    left: float
    top: float
    bottom: float
    height: int
    slot: float  # horizontal room per bar or point
    low: float
    high: float
    step: float
    shown: tuple[tuple[int, str], ...]  # (index, shortened label) of the category labels drawn
    rotate: bool

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)

    def x(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)


def _layout(labels: Sequence[str], low: float, high: float, step: float, suffix: str,
            every: int = 1) -> _Layout:
    """Margins wide enough for the tick labels, and for category labels slanted when they would collide."""
    ticks = round((high - low) / step)
    tick_width = max(len(_tick(low + step * i) + _clean(suffix)) for i in range(ticks + 1)) * CHAR_WIDTH
    left = max(float(MARGIN_LEFT), tick_width + 12)
    count = max(1, len(labels))
    indices = list(range(0, len(labels), every))
    if indices and indices[-1] != len(labels) - 1:
        # Always label the last point too; it takes the place of a neighbour that would be too close
        # (but never of the first label).
        if len(indices) > 1:
            indices.pop()
        indices.append(len(labels) - 1)
    shown = tuple((i, _short(labels[i])) for i in indices)
    longest = max((len(label) for _, label in shown), default=0) * CHAR_WIDTH
    slot = (WIDTH - left - MARGIN_RIGHT) / count
    rotate = longest > slot * every - 4
    bottom_margin = float(MARGIN_BOTTOM)
    if rotate:
        angle = math.radians(ROTATION)
        # The first label must not run off the left edge, nor the longest off the bottom.
        left = max(left, longest * math.cos(angle) - slot / 2 + 8)
        slot = (WIDTH - left - MARGIN_RIGHT) / count
        bottom_margin = FONT_SIZE + 6 + longest * math.sin(angle) + FONT_SIZE
    height = math.ceil(HEIGHT - MARGIN_BOTTOM + bottom_margin)
    return _Layout(left=left, top=MARGIN_TOP, bottom=height - bottom_margin, height=height, slot=slot,
                   low=low, high=high, step=step, shown=shown, rotate=rotate)


def _y_axis(lay: _Layout, suffix: str) -> list[str]:
    """Gridlines and tick labels at round steps, plus the vertical axis line."""
    parts = ['<g class="y-axis" aria-hidden="true">']
    ticks = round((lay.high - lay.low) / lay.step)
    for i in range(ticks + 1):
        value = lay.low + lay.step * i
        y = _coord(lay.y(value))
        parts.append(f'<line class="grid" x1="{_coord(lay.left)}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y}" '
                     f'y2="{y}" stroke="currentColor" stroke-opacity="0.15"/>')
        parts.append(_text(lay.left - 6, lay.y(value) + FONT_SIZE / 3, f"{_tick(value)}{suffix}",
                           anchor="end"))
    parts.append(f'<line class="axis" x1="{_coord(lay.left)}" x2="{_coord(lay.left)}" '
                 f'y1="{_coord(lay.top)}" y2="{_coord(lay.bottom)}" stroke="currentColor"/>')
    parts.append("</g>")
    return parts


def _x_axis(lay: _Layout, y_value: float = 0.0) -> str:
    """The horizontal axis line, at zero."""
    y = _coord(lay.y(y_value))
    return (f'<line class="axis" x1="{_coord(lay.left)}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y}" y2="{y}" '
            f'stroke="currentColor"/>')


def _x_labels(lay: _Layout) -> list[str]:
    """Category labels under the plot, slanted when they would run into each other."""
    parts = ['<g class="x-axis" aria-hidden="true">']
    y = lay.bottom + FONT_SIZE + 6
    for i, label in lay.shown:
        x = lay.x(i)
        if not lay.rotate:  # keep a centred label inside the drawing (the last date used to be cut off)
            half = len(label) * CHAR_WIDTH / 2
            x = min(max(x, half + 2), WIDTH - half - 2)
        extra = f' transform="rotate(-{ROTATION} {_coord(x)} {_coord(y)})"' if lay.rotate else ""
        parts.append(_text(x, y, label, anchor="end" if lay.rotate else "middle", extra=extra))
    parts.append("</g>")
    return parts


def _no_data(lay: _Layout) -> str:
    return _text((lay.left + WIDTH - MARGIN_RIGHT) / 2, (lay.top + lay.bottom) / 2, "No data")


def bar_chart(data: Sequence[tuple[str, float]], title: str, value_suffix: str = "") -> Markup:
    """An accessible vertical bar chart as inline SVG, so dashboards need no JavaScript or images."""
    data = [(_clean(label), _finite(value)) for label, value in data]
    title = _clean(title).strip() or "Bar chart"
    cid = _chart_id("bar", title, data)
    values = [v for _, v in data]
    low, high, step = _scale(min(values, default=0.0), max(values, default=0.0),
                             whole=all(v.is_integer() for v in values))
    lay = _layout([label for label, _ in data], low, high, step, value_suffix)

    parts = _open("bar", cid, title, _describe("Bar chart", data, value_suffix), lay.height)
    parts += _y_axis(lay, value_suffix)
    if not data:
        parts.append(_no_data(lay))
    zero = lay.y(0.0)
    bar_width = max(1.0, lay.slot * 0.7)
    parts.append('<g class="bars">')
    for i, (label, value) in enumerate(data):
        centre = lay.x(i)
        y_top, y_bottom = sorted((lay.y(value), zero))
        shown_value = f"{_num(value)}{value_suffix}"
        parts.append(f'<rect class="bar" x="{_coord(centre - bar_width / 2)}" y="{_coord(y_top)}" '
                     f'width="{_coord(bar_width)}" height="{_coord(y_bottom - y_top)}" fill="currentColor">'
                     f"<title>{_esc(label)}: {_esc(shown_value)}</title></rect>")
        if len(shown_value) * CHAR_WIDTH <= lay.slot - 2:
            value_y = y_top - 4  # above the bar, or above the zero line for a negative one
            parts.append(_text(centre, value_y, shown_value, cls="label value", extra=' aria-hidden="true"'))
    parts.append("</g>")
    parts.append(_x_axis(lay))
    parts += _x_labels(lay)
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: Sequence[tuple[str, float]], title: str, y_max: float = 100,
               value_suffix: str = "%") -> Markup:
    """An accessible line chart as inline SVG, for scores or completion over time."""
    points = [(_clean(label), _finite(value)) for label, value in points]
    title = _clean(title).strip() or "Line chart"
    cid = _chart_id("line", title, points)
    values = [v for _, v in points]
    low, high, step = _scale(min(values, default=0.0), max([_finite(y_max), *values]))
    # Label only as many points as fit side by side (about 7 characters each), slanted if still crowded.
    every = max(1, math.ceil(len(points) * 7 * CHAR_WIDTH / (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)))
    lay = _layout([label for label, _ in points], low, high, step, value_suffix, every=every)

    parts = _open("line", cid, title, _describe("Line chart", points, value_suffix), lay.height)
    parts += _y_axis(lay, value_suffix)
    parts.append(_x_axis(lay))
    if not points:
        parts.append(_no_data(lay))
    coords = [(lay.x(i), lay.y(v)) for i, v in enumerate(values)]
    if len(coords) > 1:
        path = " ".join(f"{_coord(x)},{_coord(y)}" for x, y in coords)
        parts.append(f'<polyline class="line" points="{path}" fill="none" stroke="currentColor" '
                     f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>')
    parts.append('<g class="points">')
    for (x, y), (label, value) in zip(coords, points, strict=True):
        parts.append(f'<circle class="point" cx="{_coord(x)}" cy="{_coord(y)}" r="4" fill="currentColor">'
                     f"<title>{_esc(label)}: {_esc(_num(value) + value_suffix)}</title></circle>")
    parts.append("</g>")
    if len(points) == 1:
        x, y = coords[0]
        parts.append(_text(x, y - 10, f"{_num(values[0])}{value_suffix}", cls="label value",
                           extra=' aria-hidden="true"'))
    parts += _x_labels(lay)
    parts.append("</svg>")
    return Markup("".join(parts))
