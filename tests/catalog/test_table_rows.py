"""/models/ reads the narrow VariantRow table: every writer keeps it current, the facet counts from its
grouped queries are exact, the CSV export (built from plain tuples) says what JSON says, and the
page's queries are pinned."""

import csv
import io
from datetime import date
from decimal import Decimal
from itertools import product

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from catalog.filters import ModelFilter
from catalog.models import Offering, Variant, VariantRow
from catalog.selectors import tables
from catalog.services import summaries
from tests import factories


@pytest.fixture
def spread(db):
    """Variants that differ on every faceted column, two creators, three providers."""
    acme, bolt = factories.organization("acme", "Acme"), factories.organization("bolt", "Bolt")
    families = [factories.family("fa", "Fa", creator=acme), factories.family("fb", "Fb", creator=bolt)]
    providers = [factories.provider(f"p{i}", f"P{i}") for i in range(3)]
    modalities = [["text"], ["text", "image"], ["text", "image", "audio"], []]
    flags = [True, False, None]
    statuses = ["current", "current", "legacy", "deprecated", "retired"]
    for i in range(40):
        variant = factories.variant(
            families[i % 2],
            f"v{i}",
            f"V{i}",
            input_modalities=modalities[i % 4],
            tool_calling=flags[i % 3],
            reasoning=flags[(i // 3) % 3],
            open_weights=flags[(i // 2) % 3],
            status=statuses[i % 5],
            retirement_date=date(2024, 1, 1) if statuses[i % 5] == "retired" else None,
            context_window=4096 * (1 + i % 5),
            release_date=date(2024, 1 + i % 12, 1),
        )
        for provider in providers[: i % 4]:
            factories.offering(variant, provider, f"{provider.slug}-{i}", str(i % 7), str(i % 9))
    return families


def row_of(variant) -> VariantRow:
    return VariantRow.objects.get(pk=variant.pk)


def test_rows_follow_every_writer(db):
    acme = factories.organization("acme", "Acme")
    fam = factories.family("fam", "Fam", creator=acme)
    variant = factories.variant(fam, "v", "V", context_window=8192)
    provider = factories.provider("p", "P")
    assert (row_of(variant).name, row_of(variant).context_window, row_of(variant).provider_count) == ("V", 8192, 0)

    variant.name, variant.context_window = "V two", 16384
    variant.save()
    assert (row_of(variant).name, row_of(variant).context_window) == ("V two", 16384)

    offering = factories.offering(variant, provider, "p-v", "1.5", "2")
    assert (row_of(variant).provider_count, row_of(variant).price_in_min) == (1, Decimal("1.5"))
    offering.price_input = Decimal("0.5")
    offering.save()
    assert row_of(variant).price_in_min == Decimal("0.5")

    fam.name, fam.published = "Fam renamed", False
    fam.save()
    assert (row_of(variant).family_name, row_of(variant).published) == ("Fam renamed", False)
    acme.name = "Acme Labs"
    acme.save()
    assert row_of(variant).creator_name == "Acme Labs"

    # Bulk writes (the importers' way) send no signal: the summaries' refresh at their end rebuilds.
    Variant.objects.filter(pk=variant.pk).update(name="Bulk")
    Offering.objects.filter(pk=offering.pk).update(listed=False)
    summaries.refresh()
    assert (row_of(variant).name, row_of(variant).provider_count, row_of(variant).price_in_min) == ("Bulk", 0, None)

    variant.delete()  # with its offering: the offering's delete signal must not bring the row back
    assert not VariantRow.objects.exists()


def test_rows_follow_an_import(db, tmp_path):
    from django.core.management import call_command

    call_command("load_seed", verbosity=0)
    assert VariantRow.objects.count() == Variant.objects.count() > 0
    row = VariantRow.objects.select_related("variant__family__creator").first()
    assert (row.name, row.family_slug, row.creator_name) == (
        row.variant.name,
        row.variant.family.slug,
        row.variant.family.creator.name,
    )


def facet_counts(query: str) -> dict[tuple[str, str], int | None]:
    filterset = ModelFilter(QueryDict(query), queryset=tables.variant_table())
    assert filterset.is_valid(), filterset.errors
    return {
        (facet.name, choice.value): choice.count
        for facet in tables.variant_facets(filterset, limit=100)
        for choice in facet.choices
    }


def brute_count(query: str, name: str, value: str) -> int:
    """The rows the filters give with this facet's own parameter replaced by the choice (modalities:
    the choice added, as they must all hold)."""
    data = QueryDict(query, mutable=True)
    if name == "modality":
        data.setlist(name, [*data.getlist(name), value])
    else:
        data.setlist(name, [value])
    filterset = ModelFilter(data, queryset=tables.variant_table())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


QUERIES = [
    "",
    "modality=image",
    "tool_calling=yes&status=current&status=legacy",
    "creator=acme&reasoning=unknown",
    "provider=p1&modality=text&modality=image",
    "open_weights=no&context_min=8192&creator=bolt&provider=p2",
    "status=retired&status=deprecated&tool_calling=unknown&modality=audio",
]


@pytest.mark.parametrize("query", QUERIES)
def test_facet_counts_are_exact(spread, query):
    counts = facet_counts(query)
    assert counts
    for (name, value), count in counts.items():
        assert count == brute_count(query, name, value), (query, name, value)


def test_the_page_count_comes_from_the_facet_query(client, spread):
    for query in QUERIES:
        filterset = ModelFilter(QueryDict(query), queryset=tables.variant_table())
        assert filterset.is_valid()
        assert tables.facet_groups(filterset).total == filterset.qs.count(), query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the index of the catalog version (rows, creators, who lists each variant, providers), the sort's order
        # (both read once per catalog version, here on every request as the test's writes are not committed;
        # test_page_cache pins the steady state), the page's rows; the counts are no query
        ("", 6),
        ("modality=image&context_min=8192&sort=price_in_min", 6),
        ("creator=acme&provider=p1&family=fa", 9),  # + the three slug lookups of the form
    ],
)
def test_query_count_of_the_models_page_is_pinned(client, spread, query, expected):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/models/?{query}")
    assert response.status_code == 200
    assert len(captured) == expected, [q["sql"][:80] for q in captured]


def test_csv_from_plain_tuples_says_what_json_says(client, db):
    fam = factories.family("fam", "Fam", creator=factories.organization("acme", "Acme"))
    provider = factories.provider("p", "P")
    for i, (precision, price) in enumerate(product(["year", "month", "day"], ["0.15", "3", "0.000125"])):
        variant = factories.variant(
            fam,
            f"v{i}",
            f"V{i}",
            release_date=date(2024, 2, 3),
            release_precision=precision,
            input_modalities=["text", "image"],
            tool_calling=bool(i % 2),
        )
        factories.offering(variant, provider, f"p-{i}", price, str(Decimal(price) * 2))
    factories.variant(fam, "bare", "Bare", release_date=None, release_precision="day")
    json_rows = client.get("/models/?format=json&page_size=200&sort=name").json()["results"]
    body = b"".join(client.get("/models/?format=csv&sort=name").streaming_content).decode()
    csv_rows = list(csv.DictReader(io.StringIO(body)))
    assert len(csv_rows) == len(json_rows) == 10

    def as_csv(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "|".join(value)
        return str(value)

    assert csv_rows == [{key: as_csv(value) for key, value in row.items()} for row in json_rows]
    assert {row["released"] for row in csv_rows} == {"2024", "2024-02", "2024-02-03", ""}
    assert {row["price_in_min"] for row in csv_rows} >= {"0.15", "3", "0.000125"}


def test_urls_formatted_from_a_reversed_template_are_what_reverse_gives(db):
    from django.urls import NoReverseMatch, reverse

    from catalog.models import _url_of

    assert _url_of("catalog:variant-detail", family="llava", variant="llava-13b") == reverse(
        "catalog:variant-detail", kwargs={"family": "llava", "variant": "llava-13b"}
    )
    assert _url_of("catalog:provider-detail", provider="open_router-2") == "/providers/open_router-2/"
    with pytest.raises(NoReverseMatch):
        _url_of("catalog:family-detail", family="not a slug")
