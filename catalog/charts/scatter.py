"""Input price against context window on log scales, each point a link."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalog.charts.axes import (
    SMALL_CHAR_WIDTH,
    Frame,
    LogScale,
    Tick,
    TickLabelPlaces,
    log_axis,
    price_label,
    price_text,
    r,
    token_label,
    truncate,
)
from catalog.formatting import format_tokens, join_words, plural

# --- Price against context -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScatterItem:
    name: str
    url: str
    context: int | None
    price: Decimal | float | None  # USD per million input tokens


@dataclass
class PointLabel:
    x: float
    y: float
    anchor: str  # "start" or "end"
    text: str


@dataclass
class ScatterPoint:
    name: str
    url: str
    x: float
    y: float
    context: int
    price: Decimal | float
    free: bool
    label: PointLabel | None = None

    @property
    def title(self) -> str:
        price = "free" if self.free else f"{price_text(self.price)} per million input tokens"
        return f"{self.name}: {format_tokens(self.context)} context, {price}"


# One point of the chart: a link named by its full title, its (possibly shortened) label beside it.
# Drawn in Python (templates/catalog/partials/chart_price_context.html):
# a page has up to 50 points of eight values each, which the template language drew slowly.
POINT_MARK = (
    '\n      <a href="{url}" aria-label="{title}"><title>{title}</title>\n'
    '        <circle class="mark mark-point{free}" cx="{x}" cy="{y}" r="5"/>\n'
    "      </a>\n      \n      {label}\n      "
)
POINT_LABEL = '<text class="chart-point-label" x="{x}" y="{y}" text-anchor="{anchor}" aria-hidden="true">{text}</text>'


def _svg_value(value) -> str:
    """A value as the template prints it inside {% localize off %}: unlocalized, escaped."""
    return escape(localize(value, use_l10n=False))


@dataclass
class ScatterChart(TickLabelPlaces):
    frame: Frame
    points: list[ScatterPoint]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    free_y: float | None  # the y of the "free" line under the log axis, when some are free
    not_drawn: list[str]
    summary: str
    x_label_y: float
    y_label_x: float
    total: int

    @property
    def x_label_x(self) -> float:
        return r(self.frame.plot_left + self.frame.plot_width / 2)

    @property
    def y_label_y(self) -> float:
        return r(self.frame.plot_top + self.frame.plot_height / 2)

    @property
    def marks_html(self) -> str:
        marks = []
        for point in self.points:
            label = point.label
            title = _svg_value(point.title)
            marks.append(
                POINT_MARK.format(
                    url=_svg_value(point.url),
                    title=title,
                    free=" mark-free" if point.free else "",
                    x=_svg_value(point.x),
                    y=_svg_value(point.y),
                    label=POINT_LABEL.format(
                        x=_svg_value(label.x),
                        y=_svg_value(label.y),
                        anchor=_svg_value(label.anchor),
                        text=_svg_value(label.text),
                    )
                    if label
                    else "",
                )
            )
        return mark_safe("".join(marks))

    @property
    def free_label_y(self) -> float | None:
        return None if self.free_y is None else r(self.free_y + 4)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    points: Sequence[ScatterPoint], frame: Frame, max_chars: int = 22, radius: float = 5, max_labels: int = 12
) -> None:
    """Give up to `max_labels` points a name label beside it where one fits, in the points' order.

    A label goes right of its point, else left; it must stay in the plot area and clear every
    label already placed and every point. Points without room keep no label (their name is in the
    point's title and in the table the chart is drawn from).
    """
    placed: list[tuple[float, float, float, float]] = []
    marks = [(p.x - radius, p.y - radius, p.x + radius, p.y + radius) for p in points]
    for point in points:
        if len(placed) >= max_labels:
            break
        text = truncate(point.name, max_chars)
        width = len(text) * SMALL_CHAR_WIDTH
        # Beside the point; a free one's label sits just above its "$0" line, clear of the dashes.
        baseline = point.y - 6 if point.free else point.y + 4
        top, bottom = baseline - 11, baseline + 2
        for anchor, left in (("start", point.x + radius + 3), ("end", point.x - radius - 3 - width)):
            box = (left, top, left + width, bottom)
            if left < frame.plot_left or left + width > frame.plot_right or top < frame.plot_top - 4:
                continue
            if any(_overlaps(box, other) for other in placed) or any(_overlaps(box, m) for m in marks):
                continue
            placed.append(box)
            point.label = PointLabel(
                r(point.x + radius + 3 if anchor == "start" else point.x - radius - 3), r(baseline), anchor, text
            )
            break


PRICE_MANTISSAS = (1, 2, 5)


def price_context_chart(
    items: Iterable[ScatterItem], width: float = 600, height: float = 380, label_limit: int = 60
) -> ScatterChart | None:
    """Input price (y) against context window (x), both on log scales; None when no row has both.

    Context ticks fall on powers of two from 1k (1k, 4k, 16k, 128k, 1M), as contexts are counted
    (every other one, or fewer, on a wide range); prices on 1, 2 and 5 × 10^k. A free model (price 0) has no place on a log scale: it sits on a "$0" line
    drawn under the axis.
    """
    items = list(items)
    usable = [i for i in items if i.context and i.context > 0 and i.price is not None and i.price >= 0]
    not_drawn = [i.name for i in items if i not in usable]
    if not usable:
        return None
    frame = Frame(width=width, height=height, top=16, right=20, bottom=48, left=64)
    free = [i for i in usable if i.price == 0]
    priced = [i for i in usable if i.price > 0]
    free_band = 26.0 if free else 0.0

    contexts = [i.context for i in usable]
    x_lo, x_hi, x_values = log_axis(min(contexts), max(contexts), base=2, anchor=1024)
    prices = [float(i.price) for i in priced] or [1.0]
    y_lo, y_hi, y_values = log_axis(min(prices), max(prices), base=10, mantissas=PRICE_MANTISSAS)
    inset = 12.0  # marks at the ends of a domain stay clear of the axes
    x = LogScale(x_lo, x_hi, frame.plot_left + inset, frame.plot_right - inset)
    y = LogScale(y_lo, y_hi, frame.plot_bottom - free_band - inset, frame.plot_top + inset / 2)
    free_y = r(frame.plot_bottom - free_band / 2) if free else None

    points = [
        ScatterPoint(
            name=i.name,
            url=i.url,
            x=x(i.context),
            y=free_y if i.price == 0 else y(float(i.price)),
            context=i.context,
            price=i.price,
            free=i.price == 0,
        )
        for i in usable
    ]
    if len(points) <= label_limit:
        place_labels(points, frame)
    x_ticks = [Tick(v, x(v), token_label(v)) for v in x_values]
    y_ticks = [Tick(v, y(v), price_label(v)) for v in y_values]
    return ScatterChart(
        frame=frame,
        points=points,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        free_y=free_y,
        not_drawn=not_drawn,
        summary=scatter_summary(points, not_drawn),
        x_label_y=r(frame.height - 8),
        y_label_x=14.0,
        total=len(items),
    )


def scatter_summary(points: Sequence[ScatterPoint], not_drawn: Sequence[str]) -> str:
    contexts = [p.context for p in points]
    parts = [
        (
            f"{plural(len(points), 'model')} drawn, with context windows from {format_tokens(min(contexts))} "
            f"to {format_tokens(max(contexts))} tokens"
        )
    ]
    priced = [p for p in points if not p.free]
    if priced:
        low = min(priced, key=lambda p: p.price)
        high = max(priced, key=lambda p: p.price)
        parts[0] += f" and input prices from {price_text(low.price)} to {price_text(high.price)} per million tokens."
        parts.append(f"Cheapest: {low.name} at {price_text(low.price)}.")
    else:
        parts[0] += "."
    widest = max(points, key=lambda p: (p.context, -float(p.price)))
    parts.append(f"Widest context: {widest.name} with {format_tokens(widest.context)}.")
    free = [p.name for p in points if p.free]
    if free:
        parts.append(f"Free: {join_words(free) if len(free) <= 3 else plural(len(free), 'model')}, on the $0 line.")
    if not_drawn:
        parts.append(
            f"{plural(len(not_drawn), 'model')} without a known price or context "
            f"{'is' if len(not_drawn) == 1 else 'are'} not drawn."
        )
    return " ".join(parts)
