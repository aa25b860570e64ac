"""The in-memory index of /models/ (catalog.selectors.model_index) gives what the SQL path gives: the same rows in
the same order, the same row count and the same facet counts, for every filter, sort and page."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from catalog.filters import ModelFilter
from catalog.selectors import model_index, tables
from tests import factories

FLAGS = [True, False, None]
PRICES = ["0.15", "0.000125", "3", "1", "0.1", "12.5", None]


@pytest.fixture
def catalog(db):
    """Variants that differ on every filtered and sorted column, unknowns included; names and family names repeat
    (the tie-break decides), one family is unpublished and one offering delisted."""
    creators = [
        factories.organization(slug, name) for slug, name in (("acme", "Acme"), ("bolt", "Bolt"), ("zed", "Acme"))
    ]
    families = [
        factories.family("fa", "Fa", creator=creators[0]),
        factories.family("fb", "Fb", creator=creators[1]),
        factories.family("fc", "Fa", creator=creators[2]),
        factories.family("hidden", "Hidden", creator=creators[0], published=False),
    ]
    providers = [factories.provider(f"p{i}", f"P{i % 3}") for i in range(4)]
    modalities = [["text"], ["text", "image"], ["text", "image", "audio"], [], ["pdf", "text"], ["video"]]
    statuses = ["current", "current", "legacy", "deprecated", "retired", "current", "legacy"]
    for i in range(60):
        variant = factories.variant(
            families[i % 4],
            f"v{i}",
            f"V{i % 9}",
            input_modalities=modalities[i % 6],
            tool_calling=FLAGS[i % 3],
            reasoning=FLAGS[(i // 3) % 3],
            structured_output=FLAGS[(i // 2) % 3],
            open_weights=FLAGS[(i // 5) % 3],
            status=statuses[i % 7],
            retirement_date=date(2024, 1, 1) if statuses[i % 7] == "retired" else None,
            context_window=None if i % 8 == 0 else 4096 * (1 + i % 5),
            max_output_tokens=None if i % 6 == 0 else 1024 * (1 + i % 3),
            parameters=None if i % 4 == 0 else 10**9 * (1 + i % 7),
            release_date=None if i % 10 == 0 else date(2023 + i % 3, 1 + i % 12, 1 + i % 27),
            release_precision="day" if i % 10 == 0 else "month",
        )
        for k, provider in enumerate(providers[: i % 5]):
            factories.offering(
                variant,
                provider,
                f"{provider.slug}-{i}",
                PRICES[(i + k) % 7],
                PRICES[(i + 2 * k) % 7],
                listed=(i + k) % 11 != 0,
            )
    return families


def sql_ids(filterset) -> list[int]:
    return list(filterset.qs.values_list("pk", flat=True))


def indexed(query: str):
    filterset = ModelFilter(QueryDict(query), queryset=tables.variant_table())
    assert filterset.is_valid(), (query, filterset.errors)
    return filterset, model_index.query(filterset)


def all_ids(filterset, found) -> list[int]:
    rows = model_index.IndexedRows(found, filterset)
    return [row.pk for row in rows[0 : rows.count()]]


QUERIES = [
    "",
    "modality=image",
    "modality=image&modality=audio",
    "modality=pdf",
    "modality=video&status=current&status=legacy&status=deprecated&status=retired",
    "tool_calling=yes",
    "tool_calling=no&reasoning=unknown",
    "structured_output=unknown&open_weights=yes",
    "status=retired&status=deprecated&tool_calling=unknown&modality=audio",
    "status=legacy",
    "creator=acme",
    "creator=acme&creator=zed&reasoning=yes",
    "provider=p1",
    "provider=p0&provider=p3&modality=text",
    "family=fa",
    "family=fa&family=fb&open_weights=no",
    "context_min=8192",
    "context_min=0",
    "context_min=12288.5",
    "params_min=2B&params_max=5000000000",
    "params_max=0",
    "released_after=2024-03",
    "released_before=2024-03-05",
    "released_after=2023-06&released_before=2025-02",
    "price_in_max=1",
    "price_in_max=0.1",
    "price_in_max=0.000125&price_out_max=3",
    "price_out_max=0",
    "priced=yes",
    "q=V1",
    "q=fb",
    "q=acme&modality=image",
    "modality=image&context_min=8192&price_in_max=1&creator=acme&provider=p1&tool_calling=yes",
    "status=current&status=legacy&status=deprecated&status=retired&status=unlisted&priced=yes&q=V",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_counts_what_the_sql_path_counts(catalog, query):
    filterset, found = indexed(query)
    groups = tables.facet_groups(filterset)
    assert found.facet_groups() == groups
    assert found.rows.bit_count() == groups.total == filterset.qs.count()
    sql_creators = [
        {"slug": slug, "name": name, "n": n}
        for slug, name, n in filterset.rows_without("creator")
        .values_list("creator_slug", "creator_name")
        .annotate(n=tables.Count("*"))
        .order_by("-n", "creator_name", "creator_slug")
    ]
    assert found.creator_counts() == sql_creators
    sql_providers = tables.provider_counts(filterset.rows_without("provider").values_list("variant_id", flat=True))
    assert found.provider_counts() == sql_providers
    assert tables.variant_facets(filterset, limit=100, indexed=found) == tables.variant_facets(filterset, limit=100)


SORTS = [s for key in ModelFilter.base_filters["sort"].table.sorts for s in (key, f"-{key}")]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("small", [1, 10**6])  # results sorted by rank, and the order walked a chunk at a time
def test_the_index_orders_what_the_sql_path_orders(catalog, monkeypatch, sort, small):
    monkeypatch.setattr(model_index, "SMALL_RESULT", small)
    for query in ("", "modality=text&tool_calling=yes", "status=current&status=retired&priced=yes"):
        filterset, found = indexed(f"{query}&sort={sort}")
        expected = sql_ids(filterset)
        assert all_ids(filterset, found) == expected, (query, sort)
        rows = model_index.IndexedRows(found, filterset)
        for start, stop in ((0, 7), (5, 12), (len(expected) - 3, len(expected)), (len(expected), len(expected) + 5)):
            assert [row.pk for row in rows[start:stop]] == expected[start:stop], (query, sort, start)


def test_a_page_past_the_chunk_is_found(catalog, monkeypatch):
    monkeypatch.setattr(model_index, "SMALL_RESULT", 1)
    filterset, found = indexed("sort=name")
    order = found.index.sort_order("name", model_index.IndexedRows(found, filterset).order_rows)
    expected = sql_ids(filterset)
    assert found.page_ids(order, 30, 40) == expected[30:40]


@pytest.mark.parametrize("column", ["context_window", "parameters", "release_date", "price_in_min", "price_out_min"])
def test_every_threshold_selects_what_the_database_selects(catalog, column):
    """Each stored value as a bound, and values between them: the comparisons are the database's."""
    from catalog.models import VariantRow

    index = model_index.build()
    name = {
        "context_window": "context",
        "parameters": "parameters",
        "release_date": "released",
        "price_in_min": "price_in",
        "price_out_min": "price_out",
    }[column]
    values = sorted(set(tables.variant_table().exclude(**{f"{column}__isnull": True}).values_list(column, flat=True)))
    assert values
    bounds = list(values)
    if column.startswith("price"):
        bounds += [v + Decimal("0.0000001") for v in values] + [v - Decimal("0.0000001") for v in values]
    for bound in bounds:
        for lookup, test in (("gte", "at_least"), ("lte", "at_most"), ("lt", "below")):
            key = (
                bound.toordinal()
                if column == "release_date"
                else index.numeric(bound)
                if column.startswith("price")
                else bound
            )
            expected = set(tables.variant_table().filter(**{f"{column}__{lookup}": bound}).values_list("pk", flat=True))
            bits = getattr(index.ranges[name], test)(key)
            got = {index.ids[p] for p in range(index.size) if bits >> p & 1}
            assert got == expected, (column, lookup, bound)
    assert VariantRow.objects.filter(published=False).exists()  # and the unpublished rows are not in the index
    assert len(index.ids) == tables.variant_table().count()


def test_a_page_reads_only_the_rows_not_kept(catalog, django_assert_num_queries):
    filterset, found = indexed("modality=image&sort=-price_in_min")
    rows = model_index.IndexedRows(found, filterset)
    expected = sql_ids(filterset)
    first = rows[0:5]  # reads the sort's order and five rows
    with django_assert_num_queries(1):  # five more rows
        assert [row.pk for row in rows[3:10]] == expected[3:10]
    with django_assert_num_queries(0):  # every row kept
        assert rows[0:5] == first


def test_a_row_gone_since_the_index_was_built_is_left_out_not_a_failure(catalog):
    from catalog.models import VariantRow

    filterset, found = indexed("sort=name")
    rows = model_index.IndexedRows(found, filterset)
    expected = sql_ids(filterset)[:10]
    assert [row.pk for row in rows[0:1]] == expected[:1]  # the sort's order is read now
    # Another process deletes a row and unpublishes another's family; this process's version is not bumped yet.
    VariantRow.objects.filter(pk=expected[2]).delete()
    VariantRow.objects.filter(pk=expected[4]).update(published=False)
    assert [row.pk for row in rows[0:10]] == [pk for pk in expected if pk not in (expected[2], expected[4])]


def test_the_index_is_kept_while_the_cache_is_down(catalog, monkeypatch):
    from catalog.services import page_cache

    monkeypatch.setattr(page_cache, "current_version", lambda: None)
    monkeypatch.setattr(page_cache, "has_uncommitted_changes", lambda: False)  # the test's own writes aside
    builds = []
    monkeypatch.setattr(model_index, "build", lambda real=model_index.build: builds.append(1) or real())
    indexed("")
    indexed("modality=image")
    assert len(builds) == 1  # not once per request: the build takes seconds at 100,000 variants
