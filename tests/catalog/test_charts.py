"""Chart geometry (catalog.charts): scales, ticks and marks as numbers, no database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from catalog import charts
from catalog.charts import (
    Frame,
    HistoryItem,
    LinearScale,
    LogScale,
    PricePeriod,
    ScatterItem,
    TimelineItem,
    scatter,
)

# --- Scales and ticks ------------------------------------------------------------------------------


def test_linear_scale_maps_the_domain_onto_the_range_both_ways():
    x = LinearScale(0, 10, 100, 200)
    assert (x(0), x(5), x(10)) == (100, 150, 200)
    y = LinearScale(0, 20, 300, 100)  # a y axis grows upwards
    assert (y(0), y(5), y(20)) == (300, 250, 100)
    assert LinearScale(3, 3, 0, 10)(3) == 5  # an empty domain is widened, not a division by zero


def test_log_scale_spaces_decades_equally_and_refuses_non_positive_values():
    x = LogScale(1, 1000, 0, 300)
    assert (x(1), x(10), x(100), x(1000)) == (0, 100, 200, 300)
    assert x(31.6227766) == 150  # half a decade past 10
    with pytest.raises(ValueError):
        LogScale(0, 10, 0, 100)


@pytest.mark.parametrize(
    ("span", "count", "step"), [(10, 5, 2), (1, 4, 0.5), (15, 3, 5), (0.07, 3, 0.05), (700, 4, 200)]
)
def test_nice_step_is_1_2_or_5_times_a_power_of_ten(span, count, step):
    assert charts.nice_step(span, count) == pytest.approx(step)


def test_linear_ticks_have_no_float_drift():
    lo, hi, step = charts.nice_linear_domain(0, 0.7, count=7)
    assert (lo, hi, step) == (0, pytest.approx(0.7), pytest.approx(0.1))
    assert charts.linear_ticks(lo, hi, step) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert charts.nice_linear_domain(0, 16, count=3) == (0, 20, 10)


def test_price_axis_snaps_to_1_2_5_and_labels_in_dollars():
    lo, hi, ticks = charts.log_axis(15, 140, mantissas=(1, 2, 5))
    assert (lo, hi, ticks) == (10, 200, [10, 20, 50, 100, 200])
    lo, hi, ticks = charts.log_axis(0.02, 75, mantissas=(1, 2, 5))  # too many 1-2-5 ticks: decades
    assert (lo, hi, ticks) == (0.01, 100, [0.01, 0.1, 1, 10, 100])
    assert [charts.price_label(v) for v in (0, 0.01, 0.5, 2.5, 10, 1500)] == [
        "$0",
        "$0.01",
        "$0.5",
        "$2.5",
        "$10",
        "$1,500",
    ]


def test_context_axis_ticks_are_powers_of_two_labelled_as_the_catalog_counts_tokens():
    lo, hi, ticks = charts.log_axis(4096, 2_000_000, base=2, anchor=1024)
    assert [charts.token_label(t) for t in ticks] == ["4k", "16k", "64k", "256k", "1M", "4M"]
    assert (lo, hi) == (ticks[0], ticks[-1])  # the ends are ticks
    lo, hi, ticks = charts.log_axis(200_000, 1_100_000, base=2, anchor=1024)
    assert [charts.token_label(t) for t in ticks] == ["128k", "256k", "512k", "1M", "2M"]


def test_a_single_value_gets_a_domain_around_it():
    lo, hi, ticks = charts.log_axis(4096, 4096, base=2, anchor=1024)
    assert lo < 4096 < hi and 4096 in ticks
    lo, hi, ticks = charts.log_axis(3, 3, mantissas=(1, 2, 5))
    assert (lo, hi) == (2, 5)


def test_month_ticks_align_to_their_step():
    start = charts.month_index(date(2023, 2, 1))
    indices, step = charts.month_ticks(start, start + 30)
    assert step == 6
    assert [charts.month_label(i) for i in indices] == ["Jul 2023", "Jan 2024", "Jul 2024", "Jan 2025", "Jul 2025"]
    indices, step = charts.month_ticks(start, start + 5)
    assert step == 1 and len(indices) == 6


def test_truncate_marks_what_it_cut():
    assert charts.truncate("LLaVA Llama 2 13B", 17) == "LLaVA Llama 2 13B"
    assert charts.truncate("LLaVA Llama 2 13B", 10) == "LLaVA Lla…"


# --- Release timeline -------------------------------------------------------------------------------


def timeline_items():
    return [
        TimelineItem(
            "1", "Mini", "/f/mini/", date(2024, 3, 1), status="legacy", replaced_by_key="2", replaced_by_name="Eight B"
        ),
        TimelineItem("2", "Eight B", "/f/8b/", date(2024, 9, 1)),
        TimelineItem("3", "Seventy B", "/f/70b/", date(2025, 2, 14), precision="day"),
        TimelineItem("4", "Classic", "/f/classic/", date(2023, 1, 1), precision="year", status="retired"),
        TimelineItem("5", "Someday", "/f/someday/", None),
    ]


def test_timeline_has_a_row_per_dated_variant_oldest_first():
    chart = charts.release_timeline(timeline_items())
    assert [row.name for row in chart.rows] == ["Classic", "Mini", "Eight B", "Seventy B"]
    ys = [row.y for row in chart.rows]
    assert ys == sorted(ys) and len(set(ys)) == 4
    xs = [row.x for row in chart.rows]
    assert xs == sorted(xs)  # later releases further right
    assert all(chart.frame.plot_left <= x <= chart.frame.plot_right for x in xs)
    assert [row.url for row in chart.rows] == ["/f/classic/", "/f/mini/", "/f/8b/", "/f/70b/"]
    assert chart.frame.height == chart.frame.top + 4 * charts.TIMELINE_ROW + chart.frame.bottom


def test_timeline_marks_replaced_variants_and_joins_them_to_their_replacement():
    chart = charts.release_timeline(timeline_items())
    kinds = {row.name: row.kind for row in chart.rows}
    assert kinds == {"Classic": "other", "Mini": "replaced", "Eight B": "current", "Seventy B": "current"}
    mini = next(row for row in chart.rows if row.name == "Mini")
    assert mini.title == "Mini, released 2024-03, replaced by Eight B"
    [connector] = chart.connectors
    assert (connector.from_name, connector.to_name) == ("Mini", "Eight B")
    assert connector.d.startswith(f"M{mini.x + 6},{mini.y} C")
    assert [entry.kind for entry in chart.legend] == ["current", "replaced", "other"]
    assert all(entry.text_x + 7.2 * len(entry.label) <= chart.frame.width for entry in chart.legend)


def test_timeline_year_precision_spans_the_year_and_month_precision_sits_mid_month():
    chart = charts.release_timeline(timeline_items())
    classic = chart.rows[0]
    assert classic.span is not None and classic.span[0] < classic.x < classic.span[1]
    assert classic.when == "2023"
    assert chart.rows[1].span is None and chart.rows[1].when == "2024-03"
    assert chart.rows[3].when == "2025-02-14"


def test_timeline_summary_is_its_text_alternative():
    chart = charts.release_timeline(timeline_items())
    assert chart.summary == (
        "4 variants released from 2023 to 2025-02-14, in 4 release months. Newest: Seventy B (2025-02-14). "
        "Replaced: Mini (replaced by Eight B). Someday is not drawn: no release date."
    )
    assert charts.release_timeline([TimelineItem("5", "Someday", "/x/", None)]) is None


def test_timeline_ticks_and_labels_fit():
    chart = charts.release_timeline(timeline_items())
    assert [tick.label for tick in chart.ticks] == ["Jan 2023", "Jul 2023", "Jan 2024", "Jul 2024", "Jan 2025"]
    assert all(chart.frame.plot_left <= t.position <= chart.frame.plot_right for t in chart.ticks)
    long = [
        TimelineItem(str(i), "A very long variant name that goes on and on " + str(i), "/", date(2024, 1, 1))
        for i in range(3)
    ]
    labels = charts.release_timeline(long).rows
    assert all(label.label.endswith("…") and len(label.label) <= 26 for label in labels)


def test_one_month_timeline_still_spans_half_a_year():
    chart = charts.release_timeline([TimelineItem(str(i), f"V{i}", "/", date(2023, 4, 1)) for i in range(4)])
    assert len({row.x for row in chart.rows}) == 1
    assert len(chart.ticks) >= 3 and chart.summary == "4 variants, all released in 2023-04."
    assert chart.ticks[-1].value - chart.ticks[0].value >= 4  # months


# --- Price against context ---------------------------------------------------------------------------


def scatter_items():
    return [
        ScatterItem("Big", "/f/big/", 131072, Decimal(3)),
        ScatterItem("Small", "/f/small/", 32768, Decimal("0.2")),
        ScatterItem("Huge", "/f/huge/", 1_048_576, Decimal(15)),
        ScatterItem("Free", "/f/free/", 65536, Decimal(0)),
        ScatterItem("Unpriced", "/f/unpriced/", 8192, None),
        ScatterItem("No context", "/f/nc/", None, Decimal(1)),
    ]


def test_scatter_draws_priced_rows_with_a_context_on_log_scales():
    chart = charts.price_context_chart(scatter_items())
    points = {p.name: p for p in chart.points}
    assert set(points) == {"Big", "Small", "Huge", "Free"}
    assert chart.not_drawn == ["Unpriced", "No context"] and chart.total == 6
    assert points["Small"].x < points["Free"].x < points["Big"].x < points["Huge"].x
    assert points["Huge"].y < points["Big"].y < points["Small"].y  # dearer is higher
    assert points["Big"].url == "/f/big/"
    assert points["Big"].title == "Big: 128k context, $3.00 per million input tokens"
    frame = chart.frame
    for p in chart.points:
        assert frame.plot_left < p.x < frame.plot_right and frame.plot_top < p.y < frame.plot_bottom
    # Equal ratios are equal distances on a log scale: 32k → 128k is twice 32k → 64k.
    assert points["Big"].x - points["Small"].x == pytest.approx(2 * (points["Free"].x - points["Small"].x), abs=0.2)


def test_free_models_sit_on_their_own_line_under_the_log_axis():
    chart = charts.price_context_chart(scatter_items())
    free = next(p for p in chart.points if p.name == "Free")
    assert free.free and free.y == chart.free_y
    assert all(p.y < chart.free_y for p in chart.points if not p.free)
    assert free.title == "Free: 64k context, free"
    assert "Free: Free, on the $0 line." in chart.summary


def test_scatter_ticks_and_summary():
    chart = charts.price_context_chart(scatter_items())
    assert [t.label for t in chart.x_ticks] == ["32k", "64k", "128k", "256k", "512k", "1M"]
    assert [t.label for t in chart.y_ticks] == ["$0.2", "$0.5", "$1", "$2", "$5", "$10", "$20"]
    assert chart.summary == (
        "4 models drawn, with context windows from 32k to 1M tokens and input prices from $0.20 to $15.00 "
        "per million tokens. Cheapest: Small at $0.20. Widest context: Huge with 1M. Free: Free, on the $0 line. "
        "2 models without a known price or context are not drawn."
    )
    assert charts.price_context_chart([ScatterItem("U", "/", None, None)]) is None


def test_point_labels_never_overlap_and_stay_in_the_plot():
    items = [ScatterItem(f"Model number {i}", "/", 32768 * (1 + i % 3), Decimal(1 + i % 4)) for i in range(24)]
    chart = charts.price_context_chart(items)
    boxes = []
    for point in chart.points:
        if point.label is None:
            continue
        width = len(point.label.text) * charts.SMALL_CHAR_WIDTH
        left = point.label.x if point.label.anchor == "start" else point.label.x - width
        assert chart.frame.plot_left <= left and left + width <= chart.frame.plot_right
        box = (left, point.label.y - 11, left + width, point.label.y + 2)
        assert not any(scatter._overlaps(box, other) for other in boxes)
        boxes.append(box)
    assert 0 < len(boxes) < len(chart.points)  # some fit, the crowded ones keep their names in the title


# --- Price history -----------------------------------------------------------------------------------


NOW = datetime(2025, 12, 1, tzinfo=UTC)


def at(month, day=1, year=2025):
    return datetime(year, month, day, tzinfo=UTC)


def history_items():
    return [
        HistoryItem(
            1,
            "API Co",
            "m-1",
            (
                PricePeriod(at(1), at(6), Decimal(5), Decimal(15)),
                PricePeriod(at(6), None, Decimal("2.5"), Decimal(10)),
            ),
        ),
        HistoryItem(
            2,
            "Cloud Co",
            "m-2",
            (
                PricePeriod(at(3), at(4), Decimal(4), None),
                PricePeriod(at(4), at(5), None, None),
                PricePeriod(at(5), None, Decimal(3), Decimal(12)),
            ),
        ),
        HistoryItem(3, "Nobody", "m-3", ()),
    ]


def test_history_panels_share_one_time_scale_and_one_price_scale():
    history = charts.price_history_panels(history_items(), now=NOW)
    assert [p.title for p in history.panels] == ["API Co", "Cloud Co"]  # no record, no panel
    assert history.start == at(1) and history.end == NOW
    first, second = history.panels
    assert first.y_ticks == second.y_ticks and first.x_ticks == second.x_ticks
    assert [t.label for t in first.y_ticks] == ["$0", "$5", "$10", "$15"]
    assert [t.label for t in first.x_ticks] == ["Apr 2025", "Jul 2025", "Oct 2025"]


def test_history_is_a_step_line_that_breaks_where_there_was_no_price():
    history = charts.price_history_panels(history_items(), now=NOW)
    api, cloud = history.panels
    frame = api.frame
    x_jan, x_now = charts.r(frame.plot_left), charts.r(frame.plot_right)
    inputs = {s.name: s for s in api.series}["input"]
    # One segment at $5 from January to June, a drop to $2.50, then flat until now.
    path = inputs.path
    assert path.startswith(f"M{x_jan},") and path.endswith(f"H{x_now}")
    assert path.count("M") == 1 and path.count("V") == 1
    assert [y for _, y in inputs.marks] == sorted([y for _, y in inputs.marks])  # the price fell: y grows
    cloud_input = {s.name: s for s in cloud.series}["input"]
    assert cloud_input.path.count("M") == 2  # April–May had no price: the line breaks
    assert api.changes == 1 and cloud.changes == 2


def test_history_summary_reads_the_prices_in_order():
    history = charts.price_history_panels(history_items(), now=NOW)
    assert history.panels[0].summary == (
        "API Co (m-1): input $5.00 from 2025-01-01, then $2.50 from 2025-06-01; "
        "output $15.00 from 2025-01-01, then $10.00 from 2025-06-01."
    )
    assert history.panels[1].summary == (
        "Cloud Co (m-2): input $4.00 from 2025-03-01, then no price from 2025-04-01, then $3.00 from 2025-05-01; "
        "output no price from 2025-03-01, then $12.00 from 2025-05-01."
    )


def test_a_new_price_still_shows_a_month_of_axis():
    item = HistoryItem(1, "API Co", "m", (PricePeriod(NOW - timedelta(hours=2), None, Decimal(1), Decimal(2)),))
    history = charts.price_history_panels([item], now=NOW)
    assert history.start == NOW - timedelta(days=30)
    assert history.panels[0].summary == "API Co (m): input $1.00 since 2025-11-30; output $2.00 since 2025-11-30."
    assert history.panels[0].x_ticks  # short spans get day ticks
    assert not charts.price_history_panels([], now=NOW)


def test_frame_geometry():
    frame = Frame(width=300, height=200, top=10, right=20, bottom=30, left=40)
    assert (frame.plot_left, frame.plot_right, frame.plot_top, frame.plot_bottom) == (40, 280, 10, 170)
    assert (frame.plot_width, frame.plot_height) == (240, 160)
