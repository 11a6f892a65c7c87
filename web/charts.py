"""Charts as SVG geometry computed on the server: no JavaScript library, no CDN.

Functions here return plain dataclasses (coordinates, tick labels, series names); the
template ``_charts.html`` turns them into ``<svg>`` elements. Colours come from CSS classes
(``series-0`` ... ``series-7``) in the app's style sheet, so the Content-Security-Policy
needs no inline styles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from web.results import HitView

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 36, 28, 48
PALETTE = 8  # series-0 .. series-7 in app.css
MAX_X_LABELS = 12
MIN_SPAN = timedelta(days=6)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # tooltip: "week of 2026-10-05: 12"


@dataclass(frozen=True)
class SeriesShape:
    name: str
    css: str
    points: str  # for <polyline points="...">; empty for a scatter
    dots: list[Dot]
    total: float


@dataclass(frozen=True)
class Chart:
    title: str
    y_label: str
    series: list[SeriesShape]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT
    top: int = TOP
    # The same data as a table, for screen readers and for copying figures.
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.series


NICE = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
ROUND_STEPS = (1.0, 2.0, 2.5, 5.0)


def nice_max(value: float) -> float:
    """The axis top: a round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) >= ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in NICE:
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _parts(top: float) -> int:
    """Into how many steps the axis is cut: whole units up to 6, else 4, 5 or 3 round steps."""
    if top <= 6 and float(top).is_integer():
        return int(top)
    for parts in (4, 5, 3):
        step = top / parts
        mantissa = step / 10 ** math.floor(math.log10(step))
        if step.is_integer() and any(math.isclose(mantissa, r) for r in ROUND_STEPS):
            return parts
    return 4


def _y_ticks(top: float) -> list[Tick]:
    plot = HEIGHT - BOTTOM - TOP
    count = _parts(top)
    return [Tick(HEIGHT - BOTTOM - plot * n / count, _fmt(top * n / count)) for n in range(count + 1)]


def _fmt(value: float) -> str:
    if float(value).is_integer() or value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 1 else f"{value:,.2f}"


def line_chart(
    title: str, y_label: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> Chart:
    """One line per series over categorical x positions (weeks, months); None leaves a gap."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = nice_max(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(x_labels)

    def x_at(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return HEIGHT - BOTTOM - plot_h * v / top

    shapes = []
    for number, (name, vs) in enumerate(series):
        dots = [
            Dot(x_at(i), y_at(v), f"{x_labels[i]}: {name} {_fmt(v)}")
            for i, v in enumerate(vs)
            if v is not None
        ]
        points = " ".join(f"{d.x:.1f},{d.y:.1f}" for d in dots)
        total = sum(v for v in vs if v is not None)
        shapes.append(SeriesShape(name, f"series-{number % PALETTE}", points, dots, total))
    step = max(1, math.ceil(count / MAX_X_LABELS))
    x_ticks = [Tick(x_at(i), x_labels[i]) for i in range(0, count, step)]
    rows = [[label, *(_cell(vs[i]) for _, vs in series)] for i, label in enumerate(x_labels)]
    return Chart(
        title, y_label, shapes, x_ticks, _y_ticks(top), columns=["", *(n for n, _ in series)], rows=rows
    )


def _cell(value: float | None) -> str:
    return "" if value is None else _fmt(value)


def bar_chart(title: str, y_label: str, bars: Sequence[tuple[str, float]]) -> Chart:
    """Horizontal bars, one per label, longest first as given."""
    top = nice_max(max((v for _, v in bars), default=0.0))
    plot_w = WIDTH - LEFT - RIGHT - 120  # room for the labels on the left
    row = (HEIGHT - TOP - BOTTOM) / max(len(bars), 1)
    shapes = []
    for number, (name, value) in enumerate(bars):
        y = TOP + row * number + row / 2
        width = plot_w * value / top
        # A bar is a two-point "line" drawn thick by CSS (.bar); its dot carries the value.
        left = LEFT + 120
        points = f"{left:.1f},{y:.1f} {left + max(width, 1):.1f},{y:.1f}"
        shapes.append(
            SeriesShape(name, "series-0", points, [Dot(left + width, y, f"{name}: {_fmt(value)}")], value)
        )
    parts = _parts(top)
    ticks = [Tick(LEFT + 120 + plot_w * n / parts, _fmt(top * n / parts)) for n in range(parts + 1)]
    rows = [[name, _fmt(value)] for name, value in bars]
    return Chart(title, y_label, shapes, ticks, [], columns=["", y_label], rows=rows)


def price_points(timeline: Sequence[HitView]) -> Chart | None:
    """Prices in EUR over time, one colour per route: what this contact asked, and when."""
    points = [(hit, price) for hit in timeline for price in hit.eur if hit.date]
    if not points:
        return None
    moments = [_moment(hit.date) for hit, _ in points]
    first, last = min(moments), max(moments)
    if last - first < MIN_SPAN:  # a few days at least, centred, so the axis labels differ
        middle = first + (last - first) / 2
        first, last = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    span = (last - first).total_seconds()
    top = nice_max(max(price for _, price in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    routes: dict[str, list[Dot]] = {}
    for (hit, price), moment in zip(points, moments, strict=True):
        x = LEFT + plot_w * (moment - first).total_seconds() / span
        y = HEIGHT - BOTTOM - plot_h * price / top
        label = f"{moment:%Y-%m-%d}: {hit.route or 'route unknown'} {_fmt(price)} EUR"
        routes.setdefault(hit.route or "route unknown", []).append(Dot(x, y, label))
    shapes = [
        SeriesShape(route, f"series-{n % PALETTE}", "", dots, len(dots))
        for n, (route, dots) in enumerate(routes.items())
    ]
    x_ticks = []
    for n in range(5):
        moment = first + (last - first) * n / 4
        x_ticks.append(Tick(LEFT + plot_w * n / 4, f"{moment:%Y-%m-%d}"))
    rows = [
        [f"{m:%Y-%m-%d}", hit.route, _fmt(price)] for (hit, price), m in zip(points, moments, strict=True)
    ]
    return Chart(
        "Prices offered over time",
        "EUR",
        shapes,
        x_ticks,
        _y_ticks(top),
        columns=["date", "route", "EUR"],
        rows=rows,
    )


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
