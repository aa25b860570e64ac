"""The data behind the charts, as catalog.charts takes it.

The family timeline and the /models/ chart are drawn from rows their pages already hold (no
query); a variant's price history is one query for the price records of all its offerings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from catalog import charts
from catalog.models import Offering, PriceRecord, Variant


def family_timeline(variants: Iterable[Variant]) -> charts.TimelineChart | None:
    """The release timeline of a family page's variants (their replacements are select_related)."""
    return charts.release_timeline(
        charts.TimelineItem(
            key=str(v.pk),
            name=v.name,
            url=v.get_absolute_url(),
            released=v.release_date,
            precision=v.release_precision,
            status=v.status,
            replaced_by_key=str(v.replaced_by_id) if v.replaced_by_id else None,
            replaced_by_name=v.replaced_by.name if v.replaced_by_id else None,
        )
        for v in variants
    )


def price_context(rows: Iterable[Variant]) -> charts.ScatterChart | None:
    """Lowest input price against context window for the rows of a /models/ page."""
    return charts.price_context_chart(
        charts.ScatterItem(name=v.name, url=v.get_absolute_url(), context=v.context_window, price=v.price_in_min)
        for v in rows
    )


HISTORY_PANELS = 12  # panels drawn at most: the first offerings of the providers table whose price changed


def price_records(offerings: list[Offering]) -> list[PriceRecord]:
    """Every price record of `offerings`, oldest first per offering: one query."""
    if not offerings:
        return []
    return list(
        PriceRecord.objects.filter(offering__in=[o.pk for o in offerings]).order_by("offering_id", "valid_from", "id")
    )


def _changed(records: list[PriceRecord]) -> bool:
    return len({(r.price_input, r.price_output) for r in records}) > 1


def variant_price_history(offerings: list[Offering], now=None) -> tuple[charts.HistoryCharts, list[tuple]]:
    """Panels for the offerings of a variant page whose price changed (a single price is no history:
    the providers table shows it), and the (offering, record) rows they are drawn from; with no
    change anywhere, no panel and every record."""
    records = price_records(offerings)
    by_offering: dict[int, list[PriceRecord]] = {}
    for record in records:
        by_offering.setdefault(record.offering_id, []).append(record)
    changed = [o for o in offerings if _changed(by_offering.get(o.pk, []))]
    if not changed:
        return charts.HistoryCharts(), [(o, record) for o in offerings for record in by_offering.get(o.pk, [])]
    offerings = changed[:HISTORY_PANELS]
    items = [
        charts.HistoryItem(
            key=o.pk,
            title=o.provider.name,
            subtitle=o.model_id,
            periods=tuple(
                charts.PricePeriod(rec.valid_from, rec.valid_to, rec.price_input, rec.price_output)
                for rec in by_offering.get(o.pk, [])
            ),
        )
        for o in offerings
    ]
    panels = charts.price_history_panels(items, now=now or timezone.now())
    panels.more = len(changed) - len(offerings) if panels else 0
    drawn = {panel.key for panel in panels.panels}
    table = [(o, record) for o in offerings if o.pk in drawn for record in by_offering[o.pk]]
    return panels, table
