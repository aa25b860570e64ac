"""Frames, scales, ticks, labels and months: the geometry every chart shares."""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog.formatting import format_price, format_tokens

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


class TickLabelPlaces:
    """Where a framed chart writes its tick labels: below the plot, and left of it."""

    frame: Frame

    @property
    def x_tick_label_y(self) -> float:
        return r(self.frame.plot_bottom + 16)

    @property
    def y_tick_label_x(self) -> float:
        return r(self.frame.plot_left - 6)


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


def log_grid(
    lo: float, hi: float, base: float = 10, anchor: float = 1, mantissas: Sequence[float] = (1,)
) -> list[float]:
    """anchor × m × base^k for each mantissa m, from the last one at or below lo to the first at or above hi."""
    if lo <= 0 or hi <= 0:
        raise ValueError("a log scale needs positive values")
    low = math.floor(math.log(lo / anchor, base) + 1e-9) - 1
    high = math.ceil(math.log(hi / anchor, base) - 1e-9) + 1
    grid = sorted(_clean(anchor * m * base**k) for k in range(low, high + 1) for m in mantissas)
    below = [g for g in grid if g <= lo * (1 + 1e-9)]
    above = [g for g in grid if g >= hi * (1 - 1e-9)]
    return [g for g in grid if below[-1] <= g <= above[0]]


def log_axis(
    lo: float, hi: float, base: float = 10, anchor: float = 1, mantissas: Sequence[float] = (1,), max_ticks: int = 7
) -> tuple[float, float, list[float]]:
    """(domain lo, domain hi, ticks) of a log axis whose ends are ticks.

    Ticks are anchor × m × base^k for each mantissa m while that gives at most `max_ticks`, else
    the powers alone, then every other power, and so on. The domain is at least one step wide.
    """
    grid = log_grid(lo, hi, base, anchor, mantissas)
    if len(grid) == 1:
        wider = log_grid(lo / base, hi * base, base, anchor, mantissas)
        index = wider.index(grid[0])
        grid = wider[index - 1 : index + 2]
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


def price_text(value) -> str:
    """A price as the catalog writes it ("$0.15"), from a float or a Decimal."""
    return format_price(value if isinstance(value, Decimal) else Decimal(str(value)))


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
