"""The release timeline: a family's variants by release month, one row each."""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from catalog.charts.axes import (
    TIMELINE_CHAR_WIDTH,
    Frame,
    LinearScale,
    Tick,
    month_index,
    month_label,
    month_ticks,
    r,
    truncate,
)
from catalog.formatting import join_words, plural

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
    max_chars = (
        longest if label_width >= longest * TIMELINE_CHAR_WIDTH + 16 else int((label_width - 16) / TIMELINE_CHAR_WIDTH)
    )
    kinds = [k for k in ("current", "replaced", "other") if any(_kind(i) == k for i in dated)]
    legend = timeline_legend(kinds, width)
    legend_height = legend[-1].y + 10
    frame = Frame(width=width, height=0, top=legend_height + 12, right=24, bottom=34, left=label_width)
    height = frame.top + len(dated) * TIMELINE_ROW + frame.bottom
    frame = Frame(width=width, height=height, top=frame.top, right=frame.right, bottom=frame.bottom, left=frame.left)

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
        rows.append(
            TimelineRow(
                key=item.key,
                name=item.name,
                label=truncate(item.name, max_chars),
                url=item.url,
                y=r(frame.plot_top + (n + 0.5) * TIMELINE_ROW),
                x=scale(position),
                span=(scale(span[0]), scale(span[1])) if span else None,
                kind=kind,
                when=_when(item),
                note=f"replaced by {item.replaced_by_name}"
                if replaced and item.replaced_by_name
                else ("replaced" if replaced else ""),
            )
        )

    by_key = {row.key: row for row in rows}
    connectors = []
    for item in dated:
        if item.replaced_by_key in dated_keys:
            old, new = by_key[item.key], by_key[item.replaced_by_key]
            bend = 28.0
            connectors.append(
                Connector(
                    d=f"M{old.x + 6},{old.y} C{r(old.x + bend)},{old.y} {r(new.x + bend)},{new.y} {r(new.x + 7)},{new.y}",
                    from_name=old.name,
                    to_name=new.name,
                )
            )

    return TimelineChart(
        frame=frame,
        rows=rows,
        ticks=ticks,
        connectors=connectors,
        undated=undated,
        summary=timeline_summary(dated, rows, undated),
        label_x=r(frame.plot_left - 10),
        axis_y=r(frame.plot_bottom),
        legend=legend,
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
        parts.append(
            f"{len(rows)} variants released from {first.when} to {last.when}, in {plural(months, 'release month')}."
        )
        parts.append(f"Newest: {last.name} ({last.when}).")
    replaced = [f"{row.name} ({row.note})" for row in rows if row.kind == "replaced"]
    if replaced:
        parts.append(f"Replaced: {join_words(replaced)}.")
    if undated:
        verb = "is" if len(undated) == 1 else "are"
        parts.append(f"{join_words(list(undated))} {verb} not drawn: no release date.")
    return " ".join(parts)
