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

from catalog.charts.axes import (  # noqa: F401 (the package is one namespace: charts.release_timeline …)
    CHAR_WIDTH,
    MONTH_STEPS,
    SMALL_CHAR_WIDTH,
    TIMELINE_CHAR_WIDTH,
    Frame,
    LinearScale,
    LogScale,
    Tick,
    TickLabelPlaces,
    linear_ticks,
    log_axis,
    log_grid,
    month_index,
    month_label,
    month_start,
    month_ticks,
    nice_linear_domain,
    nice_step,
    price_label,
    price_text,
    r,
    token_label,
    truncate,
)
from catalog.charts.price_history import (  # noqa: F401 (the package is one namespace: charts.release_timeline …)
    HistoryCharts,
    HistoryItem,
    HistoryPanel,
    PricePeriod,
    Series,
    date_ticks,
    history_summary,
    price_history_panels,
)
from catalog.charts.scatter import (  # noqa: F401 (the package is one namespace: charts.release_timeline …)
    PRICE_MANTISSAS,
    PointLabel,
    ScatterChart,
    ScatterItem,
    ScatterPoint,
    place_labels,
    price_context_chart,
    scatter_summary,
)
from catalog.charts.timeline import (  # noqa: F401 (the package is one namespace: charts.release_timeline …)
    LEGEND_LABELS,
    LEGEND_ROW,
    TIMELINE_ROW,
    Connector,
    LegendEntry,
    TimelineChart,
    TimelineItem,
    TimelineRow,
    release_timeline,
    timeline_legend,
    timeline_summary,
)
