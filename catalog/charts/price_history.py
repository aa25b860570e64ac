"""An offering's prices over time as step lines, one small panel per offering on shared scales."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from catalog.charts.axes import (
    Frame,
    LinearScale,
    Tick,
    TickLabelPlaces,
    linear_ticks,
    month_index,
    month_label,
    month_start,
    month_ticks,
    nice_linear_domain,
    price_label,
    price_text,
    r,
)

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
class HistoryPanel(TickLabelPlaces):
    key: int | str
    title: str
    subtitle: str
    frame: Frame
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    summary: str
    changes: int


@dataclass
class HistoryCharts:
    panels: list[HistoryPanel] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    more: int = 0  # offerings whose price changed beyond the panels drawn

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
    months, step = month_ticks(month_index(lo.date()) + lo.day / 31, month_index(hi.date()) + hi.day / 31, max_ticks)
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
        text = "no price" if value is None else price_text(value)
        parts.append(f"{text} from {period.start.date().isoformat()}")
    if len(parts) == 1:
        return parts[0].replace(" from ", " since ", 1)
    return ", then ".join(parts)


def history_summary(item: HistoryItem) -> str:
    return (
        f"{item.title} ({item.subtitle}): input {_chain(item.periods, 'price_input')}; "
        f"output {_chain(item.periods, 'price_output')}."
    )


def price_history_panels(
    items: Iterable[HistoryItem], now: datetime, width: float = 320, height: float = 168
) -> HistoryCharts:
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
        changes = sum(
            1 for a, b in pairwise(periods) if (a.price_input, a.price_output) != (b.price_input, b.price_output)
        )
        panels.append(
            HistoryPanel(
                key=item.key,
                title=item.title,
                subtitle=item.subtitle,
                frame=frame,
                series=[s for s in series if s.path],
                x_ticks=x_ticks,
                y_ticks=y_ticks,
                summary=history_summary(HistoryItem(item.key, item.title, item.subtitle, tuple(periods))),
                changes=changes,
            )
        )
    return HistoryCharts(panels=panels, start=lo, end=hi)
