"""Search: PostgreSQL full-text search there, a portable fallback elsewhere, the same results on the seed."""

import pytest
from django.db import connection

from catalog.models import Family, Variant
from catalog.selectors.search import (
    Term,
    parse_websearch,
    search_families,
    search_variants,
)
from tests.html import tables

FAMILY_QUERIES = {
    "llava": ["LLaVA", "LLaVA 1.5"],
    "LLaVA": ["LLaVA", "LLaVA 1.5"],
    "vicuna": ["LLaVA"],
    "1.5": ["LLaVA 1.5"],
    "haotian liu": ["LLaVA", "LLaVA 1.5"],
    "llama 2": ["LLaVA"],
    '"llama 2"': ["LLaVA"],
    "vicuna or 1.5": ["LLaVA", "LLaVA 1.5"],
    "llava -vicuna": ["LLaVA 1.5"],
    "13b": ["LLaVA", "LLaVA 1.5"],
    "gpt": [],
    "": ["LLaVA", "LLaVA 1.5"],
    "   ": ["LLaVA", "LLaVA 1.5"],
}
VARIANT_QUERIES = {
    "vicuna": ["LLaVA 1.5 13B", "LLaVA 1.5 7B", "LLaVA Vicuna 13B"],  # 1.5 is based on Vicuna v1.5
    "llava 13b": ["LLaVA 1.5 13B", "LLaVA 13B", "LLaVA Llama 2 13B", "LLaVA Vicuna 13B"],
    "1.5": ["LLaVA 1.5 13B", "LLaVA 1.5 7B"],
    '"llama 2" 7b': ["LLaVA Llama 2 7B"],
    "7b or vicuna": ["LLaVA 1.5 13B", "LLaVA 1.5 7B", "LLaVA Llama 2 7B", "LLaVA Vicuna 13B"],
    "vicuna -1.5": ["LLaVA Vicuna 13B"],
    "haotian -13b": ["LLaVA 1.5 7B", "LLaVA Llama 2 7B"],
    "mistral": [],
}
BACKENDS = [None, False] + ([True] if connection.vendor == "postgresql" else [])


def names(queryset):
    return sorted(obj.name for obj in queryset)


@pytest.mark.parametrize("full_text", BACKENDS, ids=lambda v: {None: "default", False: "fallback", True: "fts"}[v])
@pytest.mark.parametrize(("q", "expected"), FAMILY_QUERIES.items())
def test_family_search_on_the_seed(seed, q, expected, full_text):
    from catalog.selectors.search import FAMILY_FIELDS, search

    assert names(search(Family.objects.published(), q, FAMILY_FIELDS, full_text=full_text)) == expected
    if full_text is None:
        assert names(search_families(Family.objects.published(), q)) == expected


@pytest.mark.parametrize("full_text", BACKENDS, ids=lambda v: {None: "default", False: "fallback", True: "fts"}[v])
@pytest.mark.parametrize(("q", "expected"), VARIANT_QUERIES.items())
def test_variant_search_on_the_seed(seed, q, expected, full_text):
    from catalog.selectors.search import VARIANT_FIELDS, search

    assert names(search(Variant.objects.all(), q, VARIANT_FIELDS, full_text=full_text)) == expected
    if full_text is None:
        assert names(search_variants(Variant.objects.all(), q)) == expected


def test_search_keeps_annotations_order_and_has_no_duplicates(seed):
    from django.db.models import Count

    queryset = Family.objects.annotate(n=Count("variants")).order_by("-name")
    result = list(search_families(queryset, "llava 13b"))
    assert [f.name for f in result] == ["LLaVA 1.5", "LLaVA"]
    assert [f.n for f in result] == [2, 4]


def test_family_list_page_searches(client, seed):
    rows = tables(client.get("/families/?q=vicuna").content.decode())[0][1:]
    assert [row[0] for row in rows] == ["LLaVA"]
    rows = tables(client.get("/families/?q=llava+-vicuna").content.decode())[0][1:]
    assert [row[0] for row in rows] == ["LLaVA 1.5"]


def test_websearch_syntax_is_parsed():
    assert parse_websearch('llava "llama 2" -vicuna or qwen') == [
        [Term("llava"), Term("llama 2"), Term("vicuna", negated=True)],
        [Term("qwen")],
    ]
    assert parse_websearch("-only -negations") == []
    assert parse_websearch('or "" -') == []


def test_a_variant_is_found_by_its_alias(db):
    from catalog.models import VariantAlias
    from tests import factories

    fam = factories.family("orca", "Orca")
    target = factories.variant(fam, "orca-mini", "Orca Mini")
    factories.variant(fam, "orca-max", "Orca Max")
    VariantAlias.objects.create(alias="tinywhale-v2", variant=target)
    assert list(search_variants(Variant.objects.all(), "tinywhale").values_list("name", flat=True)) == ["Orca Mini"]


def test_site_search_names_families_first_then_creators_and_providers(client, seed):
    from catalog.selectors.search import matches
    from tests import factories

    factories.provider("llava-host", "LLaVA Host")
    found = matches("llava")
    assert [f.name for f in found.families] == ["LLaVA", "LLaVA 1.5"]  # own name matches, shortest first
    assert [p.name for p in found.providers] == ["LLaVA Host"]
    assert [o.name for o in matches("haotian").creators] == ["Haotian Liu"]
    assert not matches("   ")
    html = client.get("/models/?q=llava").content.decode()
    assert html.index('href="/families/llava/"') < html.index('<table class="models">')
