"""Chart geometry: scales, ticks and marks as the numbers an SVG template draws.

Pure functions of plain inputs (no queries, no templates, no clock: the caller passes `now`).
The templates in templates/catalog/partials/chart_*.html only place what is computed here, so
every coordinate can be unit-tested. Coordinates are SVG user units rounded to 0.1.

Three charts:
- `release_timeline`: a family's variants by release month, one row each; replaced ones marked
  and joined to their replacement.
- `price_context_chart`: input price against context window on log scales, each point a link.
- `price_history_panels`: an offering's input and output prices over time as step lines, one
  small panel per offering on shared scales.

Each chart carries its own text alternative (`summary`), written from the same numbers.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from catalog.formatting import format_price, format_tokens, join_words, plural

CHAR_WIDTH = 6.6  # average advance of a 12px sans-serif character, for label layout
SMALL_CHAR_WIDTH = 6.0  # the same at 11px
TIMELINE_CHAR_WIDTH = 7.2  # at 13px: the timeline is drawn small on a phone, so its text is larger


def r(value: float) -> float:
    """An SVG coordinate: one decimal is finer than a pixel."""
    return round(float(value), 1)


def truncate(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars` characters, the last one an ellipsis when cut."""
    if max_chars < 1:
        return ""
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


# --- Frames, scales and ticks -----------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A chart's size and the margins around its plot area."""

    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float

    @property
    def plot_left(self) -> float:
        return self.left

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_top(self) -> float:
        return self.top

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom

    @property
    def plot_width(self) -> float:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top


@dataclass(frozen=True)
class Tick:
    value: float
    position: float  # x for a horizontal axis, y for a vertical one
    label: str


class LinearScale:
    """Maps [lo, hi] onto [start, end] (end < start for a y axis that grows upwards)."""

    def __init__(self, lo: float, hi: float, start: float, end: float):
        lo, hi = float(lo), float(hi)
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        self.lo, self.hi, self.start, self.end = lo, hi, float(start), float(end)

    def __call__(self, value: float) -> float:
        return r(self.start + (float(value) - self.lo) / (self.hi - self.lo) * (self.end - self.start))


class LogScale:
    """Maps [lo, hi] (both > 0) onto [start, end] logarithmically."""

    def __init__(self, lo: float, hi: float, start: float, end: float):
        lo, hi = float(lo), float(hi)
        if lo <= 0 or hi <= 0:
            raise ValueError("a log scale needs a positive domain")
        if hi == lo:
            lo, hi = lo / 10, hi * 10
        self.lo, self.hi, self.start, self.end = lo, hi, float(start), float(end)
        self._span = math.log(hi) - math.log(lo)

    def __call__(self, value: float) -> float:
        share = (math.log(float(value)) - math.log(self.lo)) / self._span
        return r(self.start + share * (self.end - self.start))


def nice_step(span: float, count: int) -> float:
    """A step of 1, 2 or 5 × 10^k that cuts `span` into about `count` parts."""
    if span <= 0 or count < 1:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power * (1 + 1e-9):
            return multiple * power
    return 10 * power


def nice_linear_domain(lo: float, hi: float, count: int = 4) -> tuple[float, float, float]:
    """(lo, hi, step): the domain widened to whole steps."""
    lo, hi = float(lo), float(hi)
    if hi == lo:
        hi = lo + (abs(lo) or 1)
    step = nice_step(hi - lo, count)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step, step


def linear_ticks(lo: float, hi: float, step: float) -> list[float]:
    """The multiples of `step` from lo to hi, without float drift (0.30000000000000004)."""
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return [round(i * step, digits) for i in range(first, last + 1)]


def log_grid(lo: float, hi: float, base: float = 10, anchor: float = 1,
             mantissas: Sequence[float] = (1,)) -> list[float]:
    """anchor × m × base^k for each mantissa m, from the last one at or below lo to the first at or above hi."""
    if lo <= 0 or hi <= 0:
        raise ValueError("a log scale needs positive values")
    low = math.floor(math.log(lo / anchor, base) + 1e-9) - 1
    high = math.ceil(math.log(hi / anchor, base) - 1e-9) + 1
    grid = sorted(_clean(anchor * m * base**k) for k in range(low, high + 1) for m in mantissas)
    below = [g for g in grid if g <= lo * (1 + 1e-9)]
    above = [g for g in grid if g >= hi * (1 - 1e-9)]
    return [g for g in grid if below[-1] <= g <= above[0]]


def log_axis(lo: float, hi: float, base: float = 10, anchor: float = 1, mantissas: Sequence[float] = (1,),
             max_ticks: int = 7) -> tuple[float, float, list[float]]:
    """(domain lo, domain hi, ticks) of a log axis whose ends are ticks.

    Ticks are anchor × m × base^k for each mantissa m while that gives at most `max_ticks`, else
    the powers alone, then every other power, and so on. The domain is at least one step wide.
    """
    grid = log_grid(lo, hi, base, anchor, mantissas)
    if len(grid) == 1:
        wider = log_grid(lo / base, hi * base, base, anchor, mantissas)
        index = wider.index(grid[0])
        grid = wider[index - 1:index + 2]
    if len(grid) <= max_ticks:
        return grid[0], grid[-1], grid
    k_lo = math.floor(math.log(lo / anchor, base) + 1e-9)
    k_hi = math.ceil(math.log(hi / anchor, base) - 1e-9)
    every = 1
    while True:
        first, last = math.floor(k_lo / every) * every, math.ceil(k_hi / every) * every
        if (last - first) // every + 1 <= max_ticks:
            ticks = [_clean(anchor * base**k) for k in range(first, last + 1, every)]
            return ticks[0], ticks[-1], ticks
        every += 1


def _clean(value: float) -> float:
    """12 significant digits: 0.1 × 3 is 0.3 again."""
    return float(f"{value:.12g}")


def price_label(value: float) -> str:
    """An axis price: "$0", "$0.01", "$2.5", "$10"."""
    if value == 0:
        return "$0"
    return f"${_clean(value):g}" if value < 1000 else f"${value:,.0f}"


def token_label(value: float) -> str:
    return format_tokens(round(value))


# --- Months ------------------------------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_label(index: int, with_month: bool = True) -> str:
    start = month_start(index)
    return f"{calendar.month_abbr[start.month]} {start.year}" if with_month else str(start.year)


MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)


def month_ticks(lo: float, hi: float, max_ticks: int = 6) -> tuple[list[int], int]:
    """Month indices (aligned to the step: quarters start in Jan/Apr/Jul/Oct) within [lo, hi]."""
    span = hi - lo
    step = next((s for s in MONTH_STEPS if span / s <= max_ticks), MONTH_STEPS[-1])
    first = math.ceil(lo / step - 1e-9) * step
    return list(range(first, math.floor(hi) + 1, step)), step


# --- Release timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """A variant as the timeline sees it."""

    key: str
    name: str
    url: str
    released: date | None
    precision: str = "month"  # "year", "month" or "day"
    status: str = "current"
    replaced_by_key: str | None = None
    replaced_by_name: str | None = None


@dataclass
class TimelineRow:
    key: str
    name: str
    label: str  # the name, cut to fit the label column
    url: str
    y: float
    x: float
    span: tuple[float, float] | None  # the release year for year precision, else None
    kind: str  # "current", "replaced" or "other" (legacy, deprecated, retired with no replacement)
    when: str  # "2023-10", "2023" (precision respected)
    note: str  # "replaced by LLaVA 1.5 13B" or ""

    @property
    def title(self) -> str:
        return f"{self.name}, released {self.when}" + (f", {self.note}" if self.note else "")

    @property
    def text_y(self) -> float:
        return r(self.y + 4)


@dataclass
class Connector:
    """A curve from a replaced variant's mark to its replacement's."""

    d: str
    from_name: str
    to_name: str


@dataclass(frozen=True)
class LegendEntry:
    x: float
    y: float
    kind: str
    label: str

    @property
    def text_x(self) -> float:
        return r(self.x + 10)

    @property
    def text_y(self) -> float:
        return r(self.y + 4)


@dataclass
class TimelineChart:
    frame: Frame
    rows: list[TimelineRow]
    ticks: list[Tick]
    connectors: list[Connector]
    undated: list[str]
    summary: str
    label_x: float
    axis_y: float
    legend: list[LegendEntry]  # the marker kinds present

    @property
    def tick_label_y(self) -> float:
        return r(self.axis_y + 18)


TIMELINE_ROW = 26.0
LEGEND_LABELS = {"current": "current", "replaced": "replaced, arrow to replacement", "other": "legacy or retired"}
LEGEND_ROW = 18.0


def timeline_legend(kinds: Sequence[str], width: float) -> list[LegendEntry]:
    """One entry per marker kind, left to right, wrapping to a new row at the chart's width."""
    entries, left, y = [], 14.0, 12.0
    for kind in kinds:
        needed = 16 + len(LEGEND_LABELS[kind]) * TIMELINE_CHAR_WIDTH
        if entries and left + needed > width - 8:
            left, y = 14.0, y + LEGEND_ROW
        entries.append(LegendEntry(r(left), r(y), kind, LEGEND_LABELS[kind]))
        left += needed + 16
    return entries


def _kind(item: TimelineItem) -> str:
    if item.replaced_by_key or item.replaced_by_name:
        return "replaced"
    return "current" if item.status == "current" else "other"


def _release_position(item: TimelineItem) -> tuple[float, tuple[float, float] | None]:
    """(position in months, span for year precision)."""
    day = item.released
    if item.precision == "year":
        start = day.year * 12
        return start + 6.0, (float(start), float(start + 12))
    index = month_index(day)
    if item.precision == "day":
        days = calendar.monthrange(day.year, day.month)[1]
        return index + (day.day - 0.5) / days, None
    return index + 0.5, None


def _when(item: TimelineItem) -> str:
    day = item.released
    if item.precision == "year":
        return f"{day:%Y}"
    if item.precision == "day":
        return day.isoformat()
    return f"{day:%Y-%m}"


def release_timeline(items: Iterable[TimelineItem], width: float = 480) -> TimelineChart | None:
    """One row per dated variant, oldest first; None when no variant has a release date."""
    items = list(items)
    dated = sorted((i for i in items if i.released is not None), key=lambda i: i.released)
    undated = [i.name for i in items if i.released is None]
    if not dated:
        return None
    longest = max(len(i.name) for i in dated)
    label_width = r(min(200.0, max(96.0, longest * TIMELINE_CHAR_WIDTH + 16)))
    max_chars = (longest if label_width >= longest * TIMELINE_CHAR_WIDTH + 16
                 else int((label_width - 16) / TIMELINE_CHAR_WIDTH))
    kinds = [k for k in ("current", "replaced", "other") if any(_kind(i) == k for i in dated)]
    legend = timeline_legend(kinds, width)
    legend_height = legend[-1].y + 10
    frame = Frame(width=width, height=0, top=legend_height + 12, right=24, bottom=34, left=label_width)
    height = frame.top + len(dated) * TIMELINE_ROW + frame.bottom
    frame = Frame(width=width, height=height, top=frame.top, right=frame.right, bottom=frame.bottom,
                  left=frame.left)

    positions = {i.key: _release_position(i) for i in dated}
    lo = min(p - (0.5 if s is None else 6) for p, s in positions.values())
    hi = max(p + (0.5 if s is None else 6) for p, s in positions.values())
    lo, hi = math.floor(lo) - 1, math.ceil(hi) + 1
    if hi - lo < 6:  # at least half a year, centred
        pad = (6 - (hi - lo)) / 2
        lo, hi = lo - math.ceil(pad), hi + math.floor(pad)
    scale = LinearScale(lo, hi, frame.plot_left + 8, frame.plot_right)
    # A tick label ("Sep 2024") needs about 70 units at the timeline's 13px.
    indices, step = month_ticks(lo, hi, max_ticks=max(2, int(frame.plot_width // 72)))
    ticks = [Tick(i, scale(i), month_label(i, with_month=step < 12 or i % 12 != 0)) for i in indices]

    dated_keys = {i.key for i in dated}
    rows = []
    for n, item in enumerate(dated):
        position, span = positions[item.key]
        replaced = bool(item.replaced_by_key or item.replaced_by_name)
        kind = _kind(item)
        rows.append(TimelineRow(
            key=item.key, name=item.name, label=truncate(item.name, max_chars), url=item.url,
            y=r(frame.plot_top + (n + 0.5) * TIMELINE_ROW), x=scale(position),
            span=(scale(span[0]), scale(span[1])) if span else None,
            kind=kind, when=_when(item),
            note=f"replaced by {item.replaced_by_name}" if replaced and item.replaced_by_name else
            ("replaced" if replaced else ""),
        ))

    by_key = {row.key: row for row in rows}
    connectors = []
    for item in dated:
        if item.replaced_by_key in dated_keys:
            old, new = by_key[item.key], by_key[item.replaced_by_key]
            bend = 28.0
            connectors.append(Connector(
                d=f"M{old.x + 6},{old.y} C{r(old.x + bend)},{old.y} {r(new.x + bend)},{new.y} {r(new.x + 7)},{new.y}",
                from_name=old.name, to_name=new.name,
            ))

    return TimelineChart(
        frame=frame, rows=rows, ticks=ticks, connectors=connectors, undated=undated,
        summary=timeline_summary(dated, rows, undated), label_x=r(frame.plot_left - 10),
        axis_y=r(frame.plot_bottom), legend=legend,
    )


def timeline_summary(dated: Sequence[TimelineItem], rows: Sequence[TimelineRow], undated: Sequence[str]) -> str:
    first, last = rows[0], rows[-1]
    months = len({row.when[:7] for row in rows})
    parts = []
    if len(rows) == 1:
        parts.append(f"1 variant, {first.name}, released {first.when}.")
    elif len({row.when for row in rows}) == 1:
        parts.append(f"{len(rows)} variants, all released in {first.when}.")
    else:
        parts.append(f"{len(rows)} variants released from {first.when} to {last.when}, "
                     f"in {plural(months, 'release month')}.")
        parts.append(f"Newest: {last.name} ({last.when}).")
    replaced = [f"{row.name} ({row.note})" for row in rows if row.kind == "replaced"]
    if replaced:
        parts.append(f"Replaced: {join_words(replaced)}.")
    if undated:
        verb = "is" if len(undated) == 1 else "are"
        parts.append(f"{join_words(list(undated))} {verb} not drawn: no release date.")
    return " ".join(parts)


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
        price = "free" if self.free else f"{_price_text(self.price)} per million input tokens"
        return f"{self.name}: {format_tokens(self.context)} context, {price}"


@dataclass
class ScatterChart:
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
    def x_tick_label_y(self) -> float:
        return r(self.frame.plot_bottom + 16)

    @property
    def y_tick_label_x(self) -> float:
        return r(self.frame.plot_left - 6)

    @property
    def x_label_x(self) -> float:
        return r(self.frame.plot_left + self.frame.plot_width / 2)

    @property
    def y_label_y(self) -> float:
        return r(self.frame.plot_top + self.frame.plot_height / 2)

    @property
    def free_label_y(self) -> float | None:
        return None if self.free_y is None else r(self.free_y + 4)


def _price_text(value) -> str:
    return format_price(value if isinstance(value, Decimal) else Decimal(str(value)))


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(points: Sequence[ScatterPoint], frame: Frame, max_chars: int = 22, radius: float = 5,
                 max_labels: int = 12) -> None:
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
            point.label = PointLabel(r(point.x + radius + 3 if anchor == "start" else point.x - radius - 3),
                                     r(baseline), anchor, text)
            break


PRICE_MANTISSAS = (1, 2, 5)


def price_context_chart(items: Iterable[ScatterItem], width: float = 600, height: float = 380,
                        label_limit: int = 60) -> ScatterChart | None:
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
        ScatterPoint(name=i.name, url=i.url, x=x(i.context), y=free_y if i.price == 0 else y(float(i.price)),
                     context=i.context, price=i.price, free=i.price == 0)
        for i in usable
    ]
    if len(points) <= label_limit:
        place_labels(points, frame)
    x_ticks = [Tick(v, x(v), token_label(v)) for v in x_values]
    y_ticks = [Tick(v, y(v), price_label(v)) for v in y_values]
    return ScatterChart(
        frame=frame, points=points, x_ticks=x_ticks, y_ticks=y_ticks, free_y=free_y, not_drawn=not_drawn,
        summary=scatter_summary(points, not_drawn), x_label_y=r(frame.height - 8), y_label_x=14.0, total=len(items),
    )


def scatter_summary(points: Sequence[ScatterPoint], not_drawn: Sequence[str]) -> str:
    contexts = [p.context for p in points]
    parts = [(f"{plural(len(points), 'model')} drawn, with context windows from {format_tokens(min(contexts))} "
              f"to {format_tokens(max(contexts))} tokens")]
    priced = [p for p in points if not p.free]
    if priced:
        low = min(priced, key=lambda p: p.price)
        high = max(priced, key=lambda p: p.price)
        parts[0] += (f" and input prices from {_price_text(low.price)} to {_price_text(high.price)} "
                     f"per million tokens.")
        parts.append(f"Cheapest: {low.name} at {_price_text(low.price)}.")
    else:
        parts[0] += "."
    widest = max(points, key=lambda p: (p.context, -float(p.price)))
    parts.append(f"Widest context: {widest.name} with {format_tokens(widest.context)}.")
    free = [p.name for p in points if p.free]
    if free:
        parts.append(f"Free: {join_words(free) if len(free) <= 3 else plural(len(free), 'model')}, on the $0 line.")
    if not_drawn:
        parts.append(f"{plural(len(not_drawn), 'model')} without a known price or context "
                     f"{'is' if len(not_drawn) == 1 else 'are'} not drawn.")
    return " ".join(parts)


# --- Price history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricePeriod:
    """One price record: the prices an offering held from `start` until `end` (None: still)."""

    start: datetime
    end: datetime | None
    price_input: Decimal | None
    price_output: Decimal | None


@dataclass(frozen=True)
class HistoryItem:
    key: int | str
    title: str  # the provider
    subtitle: str  # the provider's model id
    periods: tuple[PricePeriod, ...]


@dataclass
class Series:
    name: str  # "input" or "output"
    path: str  # SVG path data of the step line
    marks: list[tuple[float, float]]  # where each price starts


@dataclass
class HistoryPanel:
    key: int | str
    title: str
    subtitle: str
    frame: Frame
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    summary: str
    changes: int

    @property
    def x_tick_label_y(self) -> float:
        return r(self.frame.plot_bottom + 16)

    @property
    def y_tick_label_x(self) -> float:
        return r(self.frame.plot_left - 6)


@dataclass
class HistoryCharts:
    panels: list[HistoryPanel] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.panels)


def date_ticks(lo: datetime, hi: datetime, max_ticks: int = 4) -> list[tuple[datetime, str]]:
    """Tick dates between lo and hi: month starts on a 1/2/3/6/12-month step, or days for short spans."""
    span_days = (hi - lo).total_seconds() / 86400
    if span_days <= 45:
        step = next(s for s in (1, 2, 7, 14, 28) if span_days / s <= max_ticks)
        first = datetime.combine(lo.date() + timedelta(days=1), datetime.min.time(), tzinfo=lo.tzinfo)
        ticks, day = [], first
        while day <= hi:
            ticks.append((day, f"{calendar.month_abbr[day.month]} {day.day}"))
            day += timedelta(days=step)
        return ticks
    months, step = month_ticks(month_index(lo.date()) + lo.day / 31, month_index(hi.date()) + hi.day / 31,
                               max_ticks)
    ticks = []
    for index in months:
        start = month_start(index)
        moment = datetime(start.year, start.month, 1, tzinfo=lo.tzinfo)
        if lo <= moment <= hi:
            ticks.append((moment, month_label(index, with_month=step < 12 or start.month != 1)))
    return ticks


def _step_path(periods: Sequence[PricePeriod], attribute: str, x, y, now: datetime) -> Series:
    commands, marks, previous_end, previous_y = [], [], None, None
    for period in periods:
        value = getattr(period, attribute)
        if value is None:
            previous_end, previous_y = None, None
            continue
        x0, x1, y0 = x(period.start), x(period.end or now), y(float(value))
        joined = previous_end is not None and abs(previous_end - x0) <= 1
        if joined:
            commands.append(f"H{x0}" if previous_end != x0 else "")
            commands.append(f"V{y0}" if previous_y != y0 else "")
        else:
            commands.append(f"M{x0},{y0}")
        if previous_y != y0 or not joined:
            marks.append((x0, y0))
        commands.append(f"H{x1}")
        previous_end, previous_y = x1, y0
    return Series(attribute.removeprefix("price_"), "".join(commands), marks)


def _chain(periods: Sequence[PricePeriod], attribute: str) -> str:
    """ "$5.00 from 2025-01-10, then $3.00 from 2025-06-01" (consecutive equal prices merged)."""
    parts, last = [], object()
    for period in periods:
        value = getattr(period, attribute)
        if value == last:
            continue
        last = value
        text = "no price" if value is None else _price_text(value)
        parts.append(f"{text} from {period.start.date().isoformat()}")
    if len(parts) == 1:
        return parts[0].replace(" from ", " since ", 1)
    return ", then ".join(parts)


def history_summary(item: HistoryItem) -> str:
    return (f"{item.title} ({item.subtitle}): input {_chain(item.periods, 'price_input')}; "
            f"output {_chain(item.periods, 'price_output')}.")


def price_history_panels(items: Iterable[HistoryItem], now: datetime, width: float = 320,
                         height: float = 168) -> HistoryCharts:
    """One panel per offering with a price, on one time scale and one price scale for all.

    A price record is a horizontal step from its start to its end (or `now`); a period without a
    price breaks the line. The time axis spans at least 30 days so that a new price still shows.
    """
    items = [i for i in items if any(p.price_input is not None or p.price_output is not None for p in i.periods)]
    if not items:
        return HistoryCharts()
    starts = [p.start for i in items for p in i.periods]
    lo, hi = min(starts), now
    if (hi - lo) < timedelta(days=30):
        lo = hi - timedelta(days=30)
    values = [float(v) for i in items for p in i.periods for v in (p.price_input, p.price_output) if v is not None]
    y_lo, y_hi, step = nice_linear_domain(0, max(values) or 1, count=3)
    frame = Frame(width=width, height=height, top=12, right=14, bottom=28, left=52)
    span = (hi - lo).total_seconds()

    def x(moment: datetime) -> float:
        return r(frame.plot_left + (moment - lo).total_seconds() / span * frame.plot_width)

    y = LinearScale(y_lo, y_hi, frame.plot_bottom, frame.plot_top)
    x_ticks = [Tick(0, x(moment), label) for moment, label in date_ticks(lo, hi)]
    y_ticks = [Tick(v, y(v), price_label(v)) for v in linear_ticks(y_lo, y_hi, step)]
    panels = []
    for item in items:
        periods = sorted(item.periods, key=lambda p: p.start)
        series = [_step_path(periods, name, x, y, now) for name in ("price_input", "price_output")]
        changes = sum(1 for a, b in pairwise(periods)
                      if (a.price_input, a.price_output) != (b.price_input, b.price_output))
        panels.append(HistoryPanel(
            key=item.key, title=item.title, subtitle=item.subtitle, frame=frame,
            series=[s for s in series if s.path], x_ticks=x_ticks, y_ticks=y_ticks,
            summary=history_summary(HistoryItem(item.key, item.title, item.subtitle, tuple(periods))),
            changes=changes,
        ))
    return HistoryCharts(panels=panels, start=lo, end=hi)
