"""The charts on the pages: a family's release timeline, /models/'s price against context, a variant's price history."""

import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Variant
from tests import factories
from tests.html import visible_text


def get(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.content.decode()


def figure(html: str, summary_id: str) -> str:
    """The <figure> whose summary paragraph has id `summary_id`."""
    start = html.rindex("<figure", 0, html.index(f'id="{summary_id}"'))
    return html[start : html.index("</figure>", start)]


# --- Family page: release timeline ----------------------------------------------------------------


def test_family_page_draws_its_release_timeline(client, seed):
    html = get(client, "/families/llava/")
    chart = figure(html, "timeline-chart-summary")
    assert '<svg class="chart-svg chart-svg-fit"' in chart
    assert 'aria-labelledby="timeline-svg-title" aria-describedby="timeline-chart-summary"' in chart
    assert '<title id="timeline-svg-title">Release timeline of LLaVA</title>' in chart
    summary = "4 variants, all released in 2023-04."
    assert f"<desc>{summary}</desc>" in chart
    assert f'<p class="chart-summary" id="timeline-chart-summary">{summary}</p>' in chart
    for variant in Variant.objects.filter(family__slug="llava"):
        assert f'<a href="{variant.get_absolute_url()}" aria-label="{variant.name}, released 2023-04">' in chart
    assert 'href="#variants-heading">Current Variants</a> table' in chart  # the table it is drawn from
    assert "style=" not in chart  # the CSP allows no inline styles


def test_replaced_variants_are_marked_and_joined_to_their_replacement(client, seed):
    new = Variant.objects.get(slug="llava-1-5-13b")
    old = Variant.objects.get(slug="llava-13b")
    same_family = Variant.objects.get(slug="llava-vicuna-13b")
    Variant.objects.filter(pk=same_family.pk).update(replaced_by=old, status="legacy")
    Variant.objects.filter(pk=old.pk).update(replaced_by=new, status="legacy")
    chart = figure(get(client, "/families/llava/"), "timeline-chart-summary")
    assert "Releases by month, replaced variants marked" in chart
    assert chart.count('class="mark mark-replaced"') == 3  # two rows and the legend
    assert chart.count('class="chart-connector"') == 1  # LLaVA 1.5 13B is not on LLaVA's timeline
    assert "LLaVA 13B, released 2023-04, replaced by LLaVA 1.5 13B" in chart
    assert "Replaced: LLaVA Vicuna 13B (replaced by LLaVA 13B) and LLaVA 13B (replaced by LLaVA 1.5 13B)." in chart


def test_a_family_without_release_dates_has_no_timeline_chart(client, db):
    fam = factories.family("undated", "Undated")
    factories.variant(fam, "u1", "U1", release_date=None, release_precision="day")
    html = get(client, fam.get_absolute_url())
    assert "timeline-chart-summary" not in html and "Release Timeline" in visible_text(html)


# --- /models/: price against context ---------------------------------------------------------------


@pytest.fixture
def priced(db):
    fam = factories.family("vis", "Vis")
    api = factories.provider("api", "API Co")
    rows = {}
    for slug, context, price in (
        ("a", 32768, "0.2"),
        ("b", 131072, "3"),
        ("c", 1_048_576, "15"),
        ("free", 65536, "0"),
        ("dark", 8192, None),
    ):
        rows[slug] = factories.variant(
            fam, slug, f"Vis {slug}", context_window=context, input_modalities=["text", "image"]
        )
        if price is not None:
            factories.offering(rows[slug], api, f"m-{slug}", price, price)
    return rows


def test_models_page_draws_its_rows_price_against_context(client, priced):
    html = get(client, "/models/?sort=name")
    chart = figure(html, "price-chart-summary")
    assert "Input price against context window" in chart and "(4 of the 5 models on this page)" in chart
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"><title>', chart)
    assert [url for url, _ in links] == [priced[s].get_absolute_url() for s in ("a", "b", "c", "free")]
    assert ("/families/vis/b/", "Vis b: 128k context, $3.00 per million input tokens") in links
    assert "1 model without a known price or context is not drawn." in chart
    assert chart.count('class="mark mark-point mark-free"') == 1
    assert ">free</text>" in chart and ">32k</text>" in chart and ">1M</text>" in chart
    assert 'href="#results-heading">table above</a>' in chart
    assert html.index('id="price-chart"') > html.index('<table class="models">')  # after the table


def test_the_chart_follows_the_filters_and_the_page(client, priced):
    chart = figure(get(client, "/models/?sort=name&context_min=100000"), "price-chart-summary")
    assert chart.count("<title>Vis") == 2
    chart = figure(get(client, "/models/?sort=name&page_size=2&page=2"), "price-chart-summary")
    assert re.findall(r"<title>(Vis [a-z]+):", chart) == ["Vis c"]
    assert "price-chart" not in get(client, "/models/?q=nothing-matches")


def test_htmx_swap_carries_the_chart_and_the_facets_out_of_band(client, priced):
    html = get(client, "/models/?modality=image", **{"HX-Request": "true"})
    assert html.lstrip().startswith('<div id="results"')
    assert 'id="price-chart"' in html
    facets = html[html.index('<div id="facets"') :]
    assert facets.startswith('<div id="facets" class="filter-groups facet-groups" hx-swap-oob="true">')
    assert 'id="f-modality-image" checked' in facets
    assert '<details class="facet" id="facet-modality" open>' in facets


def test_filter_groups_are_open_only_when_something_in_them_is_chosen(client, priced):
    html = get(client, "/models/")
    assert '<details class="facet" id="facet-modality">' in html and 'id="facet-status">' in html
    assert '<details class="facet" id="range-context">' in html
    assert "hx-swap-oob" not in html
    html = get(client, "/models/?context_min=1000&status=current&creator=lab")
    assert '<details class="facet" id="range-context" open>' in html
    assert '<details class="facet" id="facet-status" open>' in html
    assert '<details class="facet" id="facet-creator" open>' in html
    assert '<summary id="facet-creator-label">Creator <span class="facet-chosen">· Lab</span></summary>' in html
    assert '<details class="facet" id="range-price">' in html


def test_ticking_a_row_is_not_a_filter_change(client, priced):
    """The compare boxes sit outside the filter form, so ticking one does not refresh the results."""
    html = get(client, "/models/")
    filters = html[html.index('<form method="get" action="/models/" id="filters"') :]
    filters = filters[: filters.index("</form>")]
    assert 'name="v"' not in filters and 'id="f-modality-image"' in filters
    assert 'hx-indicator="#results"' in filters


# --- Variant page: price history ---------------------------------------------------------------------


def at(year, month, day=1):
    return datetime(year, month, day, tzinfo=UTC)


def offerings_with_history(variant, count: int, prefix: str = ""):
    for i in range(count):
        provider = factories.provider(f"p{i}", f"Provider {i}")
        offering = factories.offering(variant, provider, f"{prefix}m{i}", "2", "8")
        factories.price_record(offering, at(2025, 1), "3", "9", valid_to=at(2025, 6))
        factories.price_record(offering, at(2025, 6), "2", "8")


def test_variant_page_draws_the_price_history_of_each_offering(client, db):
    fam = factories.family("hist", "Hist")
    variant = factories.variant(fam, "v", "V", context_window=8192)
    offerings_with_history(variant, 2)
    html = get(client, variant.get_absolute_url())
    section = html[html.index('id="price-history"') :]
    section = section[: section.index("</article>")]
    assert section.count('<figure class="chart chart-panel"') == 2
    assert section.count('role="img"') == 2 and "<title id=" in section and "<desc>" in section
    assert (
        "Provider 0 (m0): input $3.00 from 2025-01-01, then $2.00 from 2025-06-01; "
        "output $9.00 from 2025-01-01, then $8.00 from 2025-06-01." in section
    )
    assert "(1 change)" in section
    assert section.count('class="chart-line chart-line-input"') == 2
    assert "The 4 price records these charts are drawn from" in section
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(Provider \d)</th>", section)
    assert rows == ["Provider 0", "Provider 0", "Provider 1", "Provider 1"]
    assert "style=" not in section


def test_a_variant_without_price_records_says_so(client, seed):
    text = visible_text(get(client, "/families/llava/llava-13b/"))
    assert (
        "no price of LLaVA 13B has changed since the catalog began recording it, so there is nothing to draw." in text
    )


def test_only_offerings_whose_price_changed_are_drawn(client, db):
    fam = factories.family("flat", "Flat")
    variant = factories.variant(fam, "v", "V", context_window=8192)
    offerings_with_history(variant, 1)
    steady = factories.offering(variant, factories.provider("steady", "Steady"), "steady-v", "1", "2")
    factories.price_record(steady, datetime(2025, 1, 1, tzinfo=UTC), "1", "2", source="test")
    html = get(client, variant.get_absolute_url())
    section = html[html.index('id="price-history"') :]
    section = section[: section.index("</article>")]
    assert section.count('<figure class="chart chart-panel"') == 1 and "Steady" not in section
    assert "(1 offering whose price changed)" in section


def test_price_history_is_one_query_whatever_the_number_of_offerings(client, db):
    counts = []
    for size in (1, 6):
        fam = factories.family(f"h{size}", f"H{size}")
        variant = factories.variant(fam, "v", "V", release_date=date(2024, 1, 1))
        offerings_with_history(variant, size, prefix=f"{size}-")
        with CaptureQueriesContext(connection) as captured:
            get(client, variant.get_absolute_url())
        counts.append(len(captured))
        assert sum("catalog_pricerecord" in q["sql"] for q in captured.captured_queries) == 2  # chart, changelog
    assert counts[0] == counts[1]


def test_htmx_history_restore_gets_the_whole_page(client, priced):
    """Back after htmx pushed a URL: htmx asks the server for the page and swaps the whole body."""
    html = get(client, "/models/?modality=image", **{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in html and '<form method="get" action="/models/" id="filters"' in html
    assert "hx-swap-oob" not in html
